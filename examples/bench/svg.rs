//! A dependency-free SVG line plot of GB/s against log2(elements).

/// One line of the plot.
pub struct Series {
    pub name: String,
    /// (log2 elements, GB/s)
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed (the copy ceiling).
    pub dashed: bool,
}

const COLORS: [&str; 7] = [
    "#000000", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
];

/// The plot as an SVG document.
pub fn plot(series: &[Series]) -> String {
    let (w, h, margin) = (720.0, 420.0, 60.0);
    let points = series.iter().flat_map(|s| s.points.iter());
    let (x_min, x_max) = points
        .clone()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let y_max = points.fold(0.0f64, |m, p| m.max(p.1)).max(1e-9) * 1.1;
    let x_span = (x_max - x_min).max(1.0);
    let sx = |x: f64| margin + (x - x_min) / x_span * (w - 2.0 * margin);
    let sy = |y: f64| h - margin - y / y_max * (h - 2.0 * margin);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    out += &format!(r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    out += &format!(
        r#"<line x1="{margin}" y1="{0}" x2="{1}" y2="{0}" stroke="black"/>"#,
        h - margin,
        w - margin
    );
    out += &format!(
        r#"<line x1="{margin}" y1="{margin}" x2="{margin}" y2="{0}" stroke="black"/>"#,
        h - margin
    );
    out += &format!(
        r#"<text x="{0}" y="{1}" text-anchor="middle">elements (log2)</text>"#,
        w / 2.0,
        h - 20.0
    );
    out += &format!(
        r#"<text x="15" y="{0}" transform="rotate(-90 15 {0})" text-anchor="middle">GB/s (read + write)</text>"#,
        h / 2.0
    );
    for i in 0..=4 {
        let y = y_max * f64::from(i) / 4.0;
        out += &format!(
            r#"<text x="{0}" y="{1}" text-anchor="end">{y:.1}</text>"#,
            margin - 5.0,
            sy(y) + 4.0
        );
    }
    let mut x = x_min.ceil();
    while x <= x_max {
        out += &format!(
            r#"<text x="{0}" y="{1}" text-anchor="middle">{x}</text>"#,
            sx(x),
            h - margin + 15.0
        );
        x += 2.0;
    }
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let path: Vec<String> = s
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
            .collect();
        let dash = if s.dashed {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        out += &format!(
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"{dash}/>"#,
            path.join(" ")
        );
        out += &format!(
            r#"<text x="{0}" y="{1}" fill="{color}">{2}</text>"#,
            margin + 10.0,
            margin + 15.0 * i as f64,
            s.name
        );
    }
    out + "</svg>\n"
}
