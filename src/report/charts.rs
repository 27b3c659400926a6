//! Charts for the report as inline SVG (placeholder until the real charts land).

/// One labelled value.
pub struct Point {
    pub label: String,
    pub value: u64,
}

pub fn line_chart(title: &str, points: &[Point]) -> String {
    placeholder(title, points)
}

pub fn column_chart(title: &str, points: &[Point]) -> String {
    placeholder(title, points)
}

pub fn bar_chart(title: &str, bars: &[Point], _show_share: bool) -> String {
    placeholder(title, bars)
}

fn placeholder(title: &str, points: &[Point]) -> String {
    format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{0}\" viewBox=\"0 0 600 40\" width=\"100%\"><title>{0}</title><text class=\"label\" x=\"0\" y=\"20\">{1} values</text></svg>",
        super::html::escape(title),
        points.len()
    )
}
