//! Charts for the report as inline SVG (to be written).
