//! Charts for the report as small hand-written inline SVG: a line chart (library size over
//! time), a column chart (tracks added per month) and a horizontal bar chart (top artists,
//! identifier coverage). Each function returns one `<svg class="chart">` element with no colours
//! of its own — only a `currentColor` fallback — so the page's stylesheet themes it through the
//! classes `mark`, `axis`, `grid`, `label` and `value`. Every label came from outside, so all
//! text goes through [`push_escaped`] after bidi overrides are dropped, long labels are cut with
//! "…" (the full label stays in the mark's `<title>` tooltip), and values are `u64` scaled in
//! `u128`/`f64`, so `u64::MAX` neither overflows nor yields NaN. Output is deterministic.

use crate::html::push_escaped;
use std::fmt::{self, Write};

/// One labelled value.
pub struct Point {
    pub label: String,
    pub value: u64,
}

/// viewBox width and font size: text is 12.3 px on a 360 px wide chart, 11.2 px at 328 px.
const W: f64 = 440.0;
const FONT: u32 = 15;
/// Estimated advance of one character at [`FONT`] (digits are about 0.55 em).
const CHAR_W: f64 = 8.5;
/// Height of line and column charts, and the top and bottom of their plotting area.
const H: f64 = 250.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = H - 28.0;
/// Longest x label shown (in characters) and the least space between two x labels.
const X_CHARS: usize = 12;
const GAP: f64 = 10.0;
/// One bar of a bar chart: the name/value line, then the bar.
const ROW: f64 = 40.0;
const BAR: f64 = 12.0;

/// A line chart over time: x = points in order (labels like "2026-03-01"), y = value.
/// Used for "library size over time" (one point per snapshot; 1..=several hundred points).
pub fn line_chart(title: &str, points: &[Point]) -> String {
    if points.is_empty() {
        return empty(title);
    }
    let frame = Frame::new(points, true);
    let mut out = open(title, H);
    frame.axes(&mut out, points);
    out.push_str(
        r#"<path class="mark line" fill="none" stroke="currentColor" stroke-width="2" d=""#,
    );
    for (i, p) in points.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        let _ = write!(out, "{cmd}{} {}", N(frame.x(i)), N(frame.y(p.value)));
    }
    out.push_str(r#""/><g class="mark">"#);
    let r = N((frame.pitch() / 3.0).clamp(1.0, 3.0));
    for (i, p) in points.iter().enumerate() {
        let (x, y) = (N(frame.x(i)), N(frame.y(p.value)));
        let _ = write!(out, r#"<circle cx="{x}" cy="{y}" r="{r}">"#);
        push_tooltip(&mut out, p, None);
        out.push_str("</circle>");
    }
    out.push_str("</g></svg>");
    out
}

/// Vertical columns in order (labels like "2024-07"): "tracks added per month"
/// (0..=several hundred months; gaps are NOT filled by you — the caller passes every month).
pub fn column_chart(title: &str, points: &[Point]) -> String {
    if points.is_empty() {
        return empty(title);
    }
    let frame = Frame::new(points, false);
    let mut out = open(title, H);
    frame.axes(&mut out, points);
    out.push_str(r#"<g class="mark">"#);
    let pitch = frame.pitch();
    // Columns fill 80% of their slot: at least 1 unit wide (abutting when slots are thinner), at
    // most 32, so a few months do not draw slabs.
    let width = (pitch * 0.8).clamp(1.0, 32.0).min(pitch);
    for (i, p) in points.iter().enumerate() {
        let y = frame.y(p.value);
        let (x, h) = (N(frame.x(i) - width / 2.0), N(BOTTOM - y));
        let (y, w) = (N(y), N(width));
        let _ = write!(out, r#"<rect x="{x}" y="{y}" width="{w}" height="{h}">"#);
        push_tooltip(&mut out, p, None);
        out.push_str("</rect>");
    }
    out.push_str("</g></svg>");
    out
}

/// Horizontal bars in the given order, each labelled with its name, value and, when
/// `show_share` is true, its percentage of the sum of all bars: "top artists" (15 bars,
/// show_share false) and "identifier coverage by method" (ISRC, Spotify link, release
/// tracklist, search, override, unmatched; show_share true).
pub fn bar_chart(title: &str, bars: &[Point], show_share: bool) -> String {
    if bars.is_empty() {
        return empty(title);
    }
    let sum: u128 = bars.iter().map(|b| u128::from(b.value)).sum();
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let share = |b: &Point| show_share.then(|| percent(b.value, sum));
    let values: Vec<String> = bars.iter().map(|b| value_text(b.value, share(b))).collect();
    let widest = values.iter().map(|v| v.len()).max().unwrap_or(0) as f64 * CHAR_W;
    let name_chars = (((W - widest - GAP) / CHAR_W) as usize).clamp(8, 48);
    let mut out = open(title, bars.len() as f64 * ROW + 4.0);
    out.push_str(r#"<g class="label">"#);
    for (i, b) in bars.iter().enumerate() {
        push_label(
            &mut out,
            0.0,
            i as f64 * ROW + 16.0,
            &cut(&b.label, name_chars),
        );
    }
    out.push_str(r#"</g><g class="value" text-anchor="end">"#);
    for (i, v) in values.iter().enumerate() {
        push_label(&mut out, W, i as f64 * ROW + 16.0, v);
    }
    out.push_str(r#"</g><g class="mark">"#);
    for (i, b) in bars.iter().enumerate() {
        let len = N(W * b.value as f64 / max.max(1) as f64);
        let y = N(i as f64 * ROW + 22.0);
        let _ = write!(out, r#"<rect x="0" y="{y}" width="{len}" height="{BAR}">"#);
        push_tooltip(&mut out, b, share(b));
        out.push_str("</rect>");
    }
    out.push_str("</g></svg>");
    out
}

/// The plotting area of a line or column chart: the y scale and where the points go.
struct Frame {
    line: bool,
    n: usize,
    step: u128,
    ticks: u128,
    left: f64,
    right: f64,
}

impl Frame {
    fn new(points: &[Point], line: bool) -> Self {
        let (step, ticks) = nice_ticks(points.iter().map(|p| p.value).max().unwrap_or(0));
        let half_label = x_label_width(points) / 2.0;
        let y_labels = group(step * ticks).len() as f64 * CHAR_W + 8.0;
        let (left, right) = (y_labels.max(half_label), W - half_label.max(6.0));
        let n = points.len();
        Frame {
            line,
            n,
            step,
            ticks,
            left,
            right,
        }
    }

    /// Distance between neighbouring points.
    fn pitch(&self) -> f64 {
        let slots = if self.line { self.n.max(2) - 1 } else { self.n };
        (self.right - self.left) / slots as f64
    }

    fn x(&self, i: usize) -> f64 {
        match (self.line, self.n) {
            (true, 1) => (self.left + self.right) / 2.0,
            (true, _) => self.left + i as f64 * self.pitch(),
            (false, _) => self.left + (i as f64 + 0.5) * self.pitch(),
        }
    }

    fn y(&self, value: u64) -> f64 {
        BOTTOM - (BOTTOM - TOP) * (value as f64 / (self.step * self.ticks) as f64)
    }

    /// Grid lines, the axes, y tick labels and as many x labels as fit without overlapping.
    fn axes(&self, out: &mut String, points: &[Point]) {
        let (l, r) = (N(self.left), N(self.right));
        let tick_y = |k: u128| BOTTOM - (BOTTOM - TOP) * (k as f64 / self.ticks as f64);
        out.push_str(
            r#"<path class="grid" fill="none" stroke="currentColor" stroke-opacity=".2" d=""#,
        );
        for k in 1..=self.ticks {
            let _ = write!(out, "M{l} {}H{r}", N(tick_y(k)));
        }
        let (t, b) = (N(TOP), N(BOTTOM));
        let _ = write!(
            out,
            r#""/><path class="axis" fill="none" stroke="currentColor" d="M{l} {t}V{b}H{r}"/>"#
        );
        out.push_str(r#"<g class="label y" text-anchor="end">"#);
        for k in 0..=self.ticks {
            push_label(out, self.left - 6.0, tick_y(k) + 5.0, &group(k * self.step));
        }
        out.push_str(r#"</g><g class="label x" text-anchor="middle">"#);
        let every = ((x_label_width(points) + GAP) / self.pitch()).ceil() as usize;
        for (i, p) in points.iter().enumerate().step_by(every.max(1)) {
            push_label(out, self.x(i), H - 8.0, &cut(&p.label, X_CHARS));
        }
        out.push_str("</g>");
    }
}

/// The opening `<svg>` tag and its `<title>`.
fn open(title: &str, height: f64) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img""#);
    out.push_str(r#" aria-label=""#);
    push_text(&mut out, title);
    let (w, h) = (N(W), N(height));
    let _ = write!(
        out,
        r#"" viewBox="0 0 {w} {h}" width="100%" font-size="{FONT}""#
    );
    out.push_str(r#" fill="currentColor"><title>"#);
    push_text(&mut out, title);
    out.push_str("</title>");
    out
}

/// The chart for no points at all: same element and classes, saying so.
fn empty(title: &str) -> String {
    let mut out = open(title, 60.0);
    out.push_str(r#"<g class="label" text-anchor="middle">"#);
    push_label(&mut out, W / 2.0, 35.0, "No data yet");
    out.push_str("</g></svg>");
    out
}

/// The hover text of one mark: "label: 12,345" or "label: 12,345 (12.3%)", uncut.
fn push_tooltip(out: &mut String, point: &Point, share: Option<f64>) {
    out.push_str("<title>");
    push_text(out, &point.label);
    out.push_str(": ");
    out.push_str(&value_text(point.value, share));
    out.push_str("</title>");
}

/// "12,345", or "12,345 (12.3%)" with a share.
fn value_text(value: u64, share: Option<f64>) -> String {
    match share {
        Some(p) => format!("{} ({p:.1}%)", group(value.into())),
        None => group(value.into()),
    }
}

/// `value` as a percentage of `sum` (0 when everything is 0).
fn percent(value: u64, sum: u128) -> f64 {
    value as f64 * 100.0 / sum.max(1) as f64
}

/// One `<text>` at (`x`, `y`) showing `text`, escaped.
fn push_label(out: &mut String, x: f64, y: f64, text: &str) {
    let _ = write!(out, r#"<text x="{}" y="{}">"#, N(x), N(y));
    push_text(out, text);
    out.push_str("</text>");
}

/// Outside text, escaped, without the characters that would reorder what follows it (bidi
/// embeddings, overrides and isolates) or that XML does not allow (U+FFFE, U+FFFF).
fn push_text(out: &mut String, text: &str) {
    let reorders = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let not_xml = |c: char| c == '\u{FFFE}' || c == '\u{FFFF}';
    push_escaped(out, &text.replace(|c| reorders(c) || not_xml(c), ""));
}

/// `label` cut to at most `max` characters, ending in "…" when cut.
fn cut(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_string();
    }
    let mut short: String = label.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Estimated width of the widest x label as shown.
fn x_label_width(points: &[Point]) -> f64 {
    let widest = points
        .iter()
        .map(|p| p.label.chars().count().min(X_CHARS))
        .max();
    widest.unwrap_or(0) as f64 * CHAR_W
}

/// The y axis for values up to `max`: a step of 1, 2 or 5 × 10^k and how many steps (1..=5)
/// reach `max`. In `u128`, so `u64::MAX` rounds up without overflow.
fn nice_ticks(max: u64) -> (u128, u128) {
    let max = u128::from(max.max(1));
    let mut power = 1u128;
    loop {
        for m in [1, 2, 5] {
            let step = m * power;
            if step * 5 >= max {
                return (step, max.div_ceil(step));
            }
        }
        power *= 10;
    }
}

/// A whole number with thousands separated by commas: "12,345".
fn group(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 4 / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A coordinate with at most one decimal and no trailing ".0".
struct N(f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tenths = (self.0 * 10.0).round() / 10.0;
        if tenths == tenths.trunc() {
            write!(f, "{}", tenths as i64)
        } else {
            write!(f, "{tenths:.1}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::{escape::resolve_predefined_entity, events::Event, Reader, XmlVersion};

    /// One parsed element: its name, attributes, direct text and parent's index.
    struct El {
        name: String,
        attrs: Vec<(String, String)>,
        text: String,
        parent: Option<usize>,
    }

    impl El {
        fn attr(&self, key: &str) -> Option<&str> {
            let hit = self.attrs.iter().find(|(k, _)| k == key);
            hit.map(|(_, v)| v.as_str())
        }
        fn num(&self, key: &str) -> f64 {
            self.attr(key).unwrap().parse().unwrap()
        }
    }

    /// Parses `svg` strictly (matching end tags, valid attributes and entities, one root).
    fn parse(svg: &str) -> Vec<El> {
        let mut reader = Reader::from_str(svg);
        let (mut els, mut open) = (Vec::<El>::new(), Vec::<usize>::new());
        loop {
            let event = reader.read_event().expect("well-formed XML");
            let empty = matches!(event, Event::Empty(_));
            let text: String = match event {
                Event::Start(e) | Event::Empty(e) => {
                    assert!(els.is_empty() || !open.is_empty(), "one root element");
                    let attr = |a: Result<_, _>| {
                        let a: quick_xml::events::attributes::Attribute = a.expect("attribute");
                        let value = a.normalized_value(XmlVersion::Implicit1_0).unwrap();
                        (a.key.as_ref().to_string(), value.into_owned())
                    };
                    let (name, attrs) = (e.name().as_ref().into(), e.attributes().map(attr));
                    let parent = open.last().copied();
                    els.push(El {
                        name,
                        attrs: attrs.collect(),
                        text: String::new(),
                        parent,
                    });
                    if !empty {
                        open.push(els.len() - 1);
                    }
                    continue;
                }
                Event::Text(t) => t.xml10_content().into(),
                Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                    Some(c) => c.into(),
                    None => resolve_predefined_entity(&r).unwrap().into(),
                },
                Event::End(_) => {
                    open.pop();
                    continue;
                }
                Event::Eof => break,
                other => panic!("unexpected {other:?}"),
            };
            els[*open.last().unwrap()].text.push_str(&text);
        }
        assert!(open.is_empty() && els[0].name == "svg");
        els
    }

    /// The marks (elements with a `<title>` tooltip child) and their tooltips.
    fn marks(els: &[El]) -> Vec<(&El, &str)> {
        let tips = els
            .iter()
            .filter(|e| e.name == "title" && e.parent != Some(0));
        tips.map(|t| (&els[t.parent.unwrap()], t.text.as_str()))
            .collect()
    }

    /// Every `<text>` inside a group of this class.
    fn texts<'a>(els: &'a [El], class: &str) -> Vec<&'a El> {
        let in_group = |e: &&El| {
            e.parent
                .is_some_and(|p| els[p].attr("class") == Some(class))
        };
        els.iter()
            .filter(|e| e.name == "text")
            .filter(in_group)
            .collect()
    }

    fn strings<'a>(els: &'a [El], class: &str) -> Vec<&'a str> {
        texts(els, class).iter().map(|e| e.text.as_str()).collect()
    }

    fn pt(label: &str, value: u64) -> Point {
        let label = label.to_string();
        Point { label, value }
    }

    fn points(values: &[u64]) -> Vec<Point> {
        let label = |i: usize| format!("{}-{:02}", 2000 + i / 12, i % 12 + 1);
        let each = values.iter().enumerate();
        each.map(|(i, &v)| pt(&label(i), v)).collect()
    }

    const HOSTILE: &str = "</svg><script>alert(1)</script>\"'&amp;\u{7}\u{202E}evil\u{FFFF}";

    fn all_kinds(title: &str, p: &[Point]) -> [String; 4] {
        let (line, columns) = (line_chart(title, p), column_chart(title, p));
        [
            line,
            columns,
            bar_chart(title, p, false),
            bar_chart(title, p, true),
        ]
    }

    #[test]
    fn every_chart_is_well_formed_themable_and_has_one_mark_per_point() {
        let many: Vec<u64> = (0..300).map(|i| i * 37 % 1000).collect();
        let mut hostile = points(&[5, 0, 7]);
        (hostile[0].label, hostile[1].label) = (HOSTILE.into(), "x".repeat(500));
        let title = "Size \"<now>\" & 'then'";
        let (one, zeros, huge) = (points(&[0]), points(&[0, 0]), points(&[u64::MAX; 40]));
        for input in [vec![], one, zeros, points(&many), huge, hostile] {
            let charts = all_kinds(title, &input);
            assert_eq!(charts, all_kinds(title, &input), "deterministic");
            for svg in charts {
                let els = parse(&svg);
                let root = |key| els[0].attr(key).unwrap();
                let roots = [root("class"), root("role"), root("width")];
                assert_eq!(roots, ["chart", "img", "100%"]);
                assert_eq!(root("aria-label"), title);
                assert!(root("viewBox").starts_with("0 0 440 "));
                assert_eq!([&els[1].name, &els[1].text], ["title", title]);
                assert_eq!(marks(&els).len(), input.len(), "{svg}");
                let plain = |e: &El| e.name != "script" && e.attr("style").is_none();
                assert!(els.iter().all(plain));
                assert!(!svg.contains("NaN") && !svg.contains("inf") && !svg.contains("<script"));
                let paints = els.iter().flat_map(|e| [e.attr("fill"), e.attr("stroke")]);
                assert!(paints.flatten().all(|c| c == "currentColor" || c == "none"));
                let mut paths = els.iter().filter(|e| e.name == "path");
                let unfilled = |e: &El| e.attr("fill") == Some("none");
                assert!(paths.all(unfilled), "lines unfilled");
                let coords = ["x", "y", "width", "height", "cx", "cy", "r"];
                let values = els.iter().flat_map(|e| coords.map(|k| e.attr(k)));
                let decimals = values.flatten().filter_map(|v| v.split_once('.'));
                assert!(decimals.map(|(_, d)| d.len()).all(|d| d <= 1));
                if input.is_empty() {
                    assert_eq!(els.last().unwrap().text, "No data yet");
                }
            }
        }
        let line = parse(&line_chart("t", &points(&many)));
        let path = line.iter().find(|e| e.attr("class") == Some("mark line"));
        let d = path.unwrap().attr("d").unwrap();
        assert_eq!(d.matches(['M', 'L']).count(), 300);
    }

    #[test]
    fn hostile_labels_reach_the_tooltip_as_text_and_nothing_else() {
        let p = [pt(HOSTILE, 1_234)];
        for svg in all_kinds(HOSTILE, &p) {
            let els = parse(&svg);
            let tip = marks(&els)[0].1.trim_end_matches(" (100.0%)");
            assert_eq!(tip, "</svg><script>alert(1)</script>\"'&amp;evil: 1,234");
            assert_eq!(els.iter().filter(|e| e.name == "svg").count(), 1);
            assert!(!svg.contains("<script") && !svg.contains(['\u{202E}', '\u{7}']));
        }
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis_but_tooltips_keep_them_whole() {
        let long = "Orchestra of the Age of Enlightenment and Friends, Live at the Albert Hall";
        let p = [pt(long, 3)];
        let (bars, columns) = (bar_chart("t", &p, true), column_chart("t", &p));
        for (svg, class) in [(bars, "label"), (columns, "label x")] {
            let els = parse(&svg);
            let shown = strings(&els, class)[0];
            assert!(
                shown.ends_with('…') && shown.chars().count() < 49,
                "{shown}"
            );
            assert!(long.starts_with(shown.trim_end_matches('…')));
            assert!(marks(&els)[0].1.starts_with(long));
        }
    }

    #[test]
    fn bar_lengths_are_proportional_to_values() {
        let artists = points(&[400, 300, 100, 0]);
        let els = parse(&bar_chart("Top artists", &artists, false));
        let widths: Vec<f64> = marks(&els).iter().map(|(m, _)| m.num("width")).collect();
        assert_eq!(widths[0], W);
        for (w, v) in widths.iter().zip([400.0, 300.0, 100.0, 0.0]) {
            assert!((w / W - v / 400.0).abs() < 0.001, "{widths:?}");
        }
        assert_eq!(strings(&els, "value"), ["400", "300", "100", "0"]);
        let zeros = parse(&bar_chart("t", &points(&[0, 0]), true));
        let zero = |(m, tip): &(&El, &str)| m.num("width") == 0.0 && tip.ends_with(": 0 (0.0%)");
        assert!(marks(&zeros).iter().all(zero));
    }

    #[test]
    fn column_heights_are_proportional_on_a_scale_from_zero() {
        let els = parse(&column_chart("Added", &points(&[10, 5, 0, 10])));
        let heights: Vec<f64> = marks(&els).iter().map(|(m, _)| m.num("height")).collect();
        assert_eq!(heights[1] * 2.0, heights[0]);
        assert_eq!((heights[2], heights[3]), (0.0, heights[0]));
        let on_axis = |(m, _): &(&El, &str)| m.num("y") + m.num("height") == BOTTOM;
        assert!(marks(&els).iter().all(on_axis));
        let one = parse(&column_chart("One month", &points(&[7])));
        assert_eq!(
            marks(&one)[0].0.num("width"),
            32.0,
            "no slab across the chart"
        );
    }

    #[test]
    fn shares_add_up_to_a_hundred() {
        let coverage = points(&[1_234, 567, 89, 12, 3, 45]);
        let els = parse(&bar_chart("Coverage", &coverage, true));
        let values = strings(&els, "value");
        assert_eq!(values[0], "1,234 (63.3%)");
        let share = |t: &&str| {
            t.split_once(" (")
                .unwrap()
                .1
                .trim_end_matches("%)")
                .to_string()
        };
        let total: f64 = values
            .iter()
            .map(share)
            .map(|p| p.parse::<f64>().unwrap())
            .sum();
        assert!((total - 100.0).abs() <= 0.3, "{values:?}");
        let plain = parse(&bar_chart("t", &coverage, false));
        assert!(strings(&plain, "value").iter().all(|t| !t.contains('%')));
    }

    #[test]
    fn y_ticks_are_nice_numbers_reaching_the_maximum() {
        for max in [0, 1, 7, 99, 101, 12_345, 999_999, u64::MAX / 3, u64::MAX] {
            let (step, count) = nice_ticks(max);
            let digits = step.to_string();
            assert!(["1", "2", "5"].contains(&&digits[..1]));
            assert!(digits[1..].bytes().all(|b| b == b'0'));
            assert!((1..=5).contains(&count) && step * count >= u128::from(max));
            let below = step * (count - 1) < u128::from(max.max(1));
            assert!(below, "empty top step for {max}");
        }
        let els = parse(&column_chart("t", &points(&[12_345, 3])));
        assert_eq!(strings(&els, "label y"), ["0", "5,000", "10,000", "15,000"]);
        let huge = parse(&line_chart("t", &points(&[u64::MAX])));
        assert_eq!(strings(&huge, "label y")[4], "20,000,000,000,000,000,000");
        assert_eq!(marks(&huge)[0].1, "2000-01: 18,446,744,073,709,551,615");
    }

    #[test]
    fn x_labels_are_thinned_so_they_never_overlap() {
        let months = points(&[3; 300]);
        for svg in [line_chart("t", &months), column_chart("t", &months)] {
            let els = parse(&svg);
            let xs: Vec<f64> = texts(&els, "label x").iter().map(|e| e.num("x")).collect();
            assert!(xs.len() > 5 && xs.len() < 60, "{} labels", xs.len());
            let apart = |w: &[f64]| w[1] - w[0] >= 7.0 * CHAR_W + GAP - 0.2;
            assert!(xs.windows(2).all(apart), "{xs:?}");
            let inside = |x: &f64| x - 3.5 * CHAR_W >= 0.0 && x + 3.5 * CHAR_W <= W;
            assert!(xs.iter().all(inside));
        }
        let few = parse(&column_chart("t", &points(&[1, 2, 3])));
        assert_eq!(strings(&few, "label x"), ["2000-01", "2000-02", "2000-03"]);
    }

    #[test]
    fn typical_charts_stay_small() {
        let snapshots: Vec<u64> = (0..30).map(|i| 4_800 + i * 17).collect();
        let months: Vec<u64> = (0..300).map(|i| i * 7 % 240).collect();
        let line = line_chart("Library size", &points(&snapshots));
        let columns = column_chart("Added", &points(&months));
        let sizes = (line.len(), columns.len());
        println!("30-point line chart, 300-month column chart: {sizes:?} bytes");
        assert!(sizes.0 < 5_000 && sizes.1 < 30_000);
    }
}
