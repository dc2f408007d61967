//! A small hand-written line chart as SVG markup, for the app page, whose first load has
//! no room for a plotting library: "nice" axis ticks (1, 2, 5 × 10ᵏ), an optional log
//! scale, a long series kept a few hundred points long (each pixel column averages its
//! points), and the line broken where values are NaN or ±∞. The playground's loss chart
//! shares its margins and helpers.

use crate::number::format_number;
use crate::render::svg::draw as svg;
use std::fmt::Write;

/// Room around the plot for tick labels.
pub const LEFT: f64 = 46.0;
pub const RIGHT: f64 = 10.0;
pub const TOP: f64 = 10.0;
pub const BOTTOM: f64 = 30.0;

/// About `count` round values covering `[lo, hi]`, from at or below `lo` to at or above
/// `hi`.
pub fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return vec![0.0, 1.0];
    }
    let (lo, hi) = if hi - lo < 1e-12 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power);
    let first = (lo / step).floor();
    let last = (hi / step).ceil();
    let n = ((last - first) as usize).min(50);
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    (0..=n)
        .map(|k| {
            let v = (first + k as f64) * step;
            // Round away binary noise: 0.6000000000000001 → 0.6.
            format!("{v:.decimals$}").parse().unwrap_or(v)
        })
        .collect()
}

/// A series of `(x, y)` points to draw.
pub struct Series<'a> {
    pub points: &'a [(f64, f64)],
    /// The CSS class of the line (`loss`, `depth`).
    pub class: &'a str,
    /// Mark each point with a dot (for short series).
    pub dots: bool,
}

/// Labels and the y axis's kind.
pub struct Axes<'a> {
    pub x_label: &'a str,
    pub y_label: &'a str,
    /// Plot log10(y) and label ticks as powers of ten.
    pub log_y: bool,
    /// Start the y axis at 0 (for losses).
    pub y_from_zero: bool,
}

/// A chart of `series` in a `width` × `height` picture.
pub fn line_chart(series: &Series, axes: &Axes, width: f64, height: f64) -> String {
    let transform = |y: f64| if axes.log_y { y.log10() } else { y };
    let finite: Vec<(f64, f64)> = series
        .points
        .iter()
        .map(|&(x, y)| (x, transform(y)))
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let (x_lo, x_hi) = bounds(finite.iter().map(|p| p.0));
    let (mut y_lo, y_hi) = bounds(finite.iter().map(|p| p.1));
    if axes.y_from_zero {
        y_lo = y_lo.min(0.0);
    }
    let x_ticks = nice_ticks(x_lo, x_hi, 5);
    let y_ticks = if axes.log_y {
        nice_ticks(y_lo.floor(), y_hi.ceil(), 4)
            .into_iter()
            .map(f64::round)
            .collect::<Vec<_>>()
    } else {
        nice_ticks(y_lo, y_hi, 4)
    };
    let (x0, x1) = (x_ticks[0], *x_ticks.last().unwrap_or(&1.0));
    let (y0, y1) = (y_ticks[0], *y_ticks.last().unwrap_or(&1.0));
    let (pw, ph) = (
        (width - LEFT - RIGHT).max(10.0),
        (height - TOP - BOTTOM).max(10.0),
    );
    let px = |x: f64| LEFT + (x - x0) / (x1 - x0).max(1e-300) * pw;
    let py = |y: f64| TOP + ph - (y - y0) / (y1 - y0).max(1e-300) * ph;

    let mut out = String::new();
    for &t in &y_ticks {
        let y = py(t);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
            LEFT + pw
        );
        let label = if axes.log_y {
            power_label(t)
        } else {
            format_number(t)
        };
        svg::text(&mut out, "tick", LEFT - 5.0, y + 4.0, Some("end"), &label);
    }
    for &t in &x_ticks {
        svg::text(
            &mut out,
            "tick",
            px(t),
            TOP + ph + 14.0,
            Some("middle"),
            &format_number(t),
        );
    }
    let _ = write!(
        out,
        "<path class=\"axis\" d=\"M{LEFT:.1},{TOP:.1}V{:.1}H{:.1}\"/>",
        TOP + ph,
        LEFT + pw
    );
    svg::text(
        &mut out,
        "axis-label",
        LEFT + pw,
        height - 2.0,
        Some("end"),
        axes.x_label,
    );
    let _ = write!(
        out,
        "<text class=\"axis-label\" transform=\"translate(11,{:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        TOP + ph / 2.0,
        svg::escape(axes.y_label)
    );
    // The line: one averaged point per pixel column; a NaN or ±∞ breaks it.
    let columns = pw.max(1.0) as usize;
    let mut d = String::new();
    let mut pen_down = false;
    for bucket in buckets(series.points, columns) {
        match bucket {
            Some((x, y)) if transform(y).is_finite() => {
                let _ = write!(
                    d,
                    "{}{:.1},{:.1}",
                    if pen_down { "L" } else { "M" },
                    px(x),
                    py(transform(y))
                );
                pen_down = true;
            }
            _ => pen_down = false,
        }
    }
    let _ = write!(out, "<path class=\"line {}\" d=\"{d}\"/>", series.class);
    if series.dots {
        for &(x, y) in series.points {
            if transform(y).is_finite() {
                let _ = write!(
                    out,
                    "<circle class=\"dot {}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"/>",
                    series.class,
                    px(x),
                    py(transform(y))
                );
            }
        }
    }
    if series.points.iter().any(|&(_, y)| !y.is_finite()) {
        svg::text(
            &mut out,
            "nonfinite-note",
            LEFT + pw,
            TOP + 10.0,
            Some("end"),
            "NaN/∞ (line breaks)",
        );
    }
    out
}

/// 10ⁿ as text: `1`, `10`, `0.01`, `1e-5`.
pub fn power_label(exponent: f64) -> String {
    if (-3.0..=4.0).contains(&exponent) {
        format_number(10f64.powf(exponent))
    } else {
        format!("1e{exponent}")
    }
}

/// The smallest and largest of `values` ((0, 1) when there are none).
pub fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo > hi { (0.0, 1.0) } else { (lo, hi) }
}

/// The points averaged into at most `columns` buckets of consecutive points; a bucket
/// holding a NaN or ±∞ is None, so the gap shows.
pub fn buckets(points: &[(f64, f64)], columns: usize) -> Vec<Option<(f64, f64)>> {
    if points.len() <= columns {
        return points.iter().map(|&p| Some(p)).collect();
    }
    let per = points.len().div_ceil(columns.max(1));
    points
        .chunks(per)
        .map(|chunk| {
            if chunk.iter().any(|(_, y)| !y.is_finite()) {
                return None;
            }
            let n = chunk.len() as f64;
            let x = chunk.iter().map(|p| p.0).sum::<f64>() / n;
            let y = chunk.iter().map(|p| p.1).sum::<f64>() / n;
            Some((x, y))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_covering_the_range() {
        assert_eq!(nice_ticks(0.0, 0.7, 4), vec![0.0, 0.2, 0.4, 0.6, 0.8]);
        assert_eq!(
            nice_ticks(1.0, 400.0, 5),
            vec![0.0, 100.0, 200.0, 300.0, 400.0]
        );
        let t = nice_ticks(0.1, 0.3, 4);
        assert!(t.contains(&0.3), "{t:?}");
        assert_eq!(nice_ticks(2.0, 2.0, 4), vec![1.5, 2.0, 2.5]);
        assert_eq!(nice_ticks(f64::NAN, 1.0, 4), vec![0.0, 1.0]);
    }

    #[test]
    fn long_series_are_averaged_per_column() {
        let points: Vec<(f64, f64)> = (0..1000).map(|i| (f64::from(i), 1.0)).collect();
        let b = buckets(&points, 100);
        assert_eq!(b.len(), 100);
        assert_eq!(b[0], Some((4.5, 1.0)));
        let mut with_nan = points.clone();
        with_nan[15].1 = f64::NAN;
        assert_eq!(buckets(&with_nan, 100)[1], None);
    }

    #[test]
    fn a_linear_chart_has_axes_and_one_line() {
        let points: Vec<(f64, f64)> = (1..=50)
            .map(|i| (f64::from(i), 1.0 / f64::from(i)))
            .collect();
        let axes = Axes {
            x_label: "step",
            y_label: "loss",
            log_y: false,
            y_from_zero: true,
        };
        let markup = line_chart(
            &Series {
                points: &points,
                class: "loss",
                dots: false,
            },
            &axes,
            320.0,
            160.0,
        );
        assert_eq!(markup.matches("<path class=\"line loss\"").count(), 1);
        assert!(markup.contains(">step</text>") && markup.contains(">loss</text>"));
        assert!(markup.contains(">0</text>"), "the y axis starts at 0");
        assert!(!markup.contains("NaN/∞"));
        let mut bad = points.clone();
        bad[10].1 = f64::INFINITY;
        let markup = line_chart(
            &Series {
                points: &bad,
                class: "loss",
                dots: false,
            },
            &axes,
            320.0,
            160.0,
        );
        assert!(markup.contains("NaN/∞"));
        let line = markup
            .split("class=\"line loss\" d=\"")
            .nth(1)
            .unwrap_or("");
        let d = line.split('"').next().unwrap_or("");
        assert_eq!(d.matches('M').count(), 2, "the line breaks at ∞: {d}");
    }

    #[test]
    fn log_axes_label_powers_of_ten() {
        let points = [(0.0, 1.0), (1.0, 0.1), (2.0, 1e-3)];
        let axes = Axes {
            x_label: "depth",
            y_label: "|adjoint|",
            log_y: true,
            y_from_zero: false,
        };
        let markup = line_chart(
            &Series {
                points: &points,
                class: "depth",
                dots: true,
            },
            &axes,
            300.0,
            150.0,
        );
        assert!(
            markup.contains(">0.001</text>") && markup.contains(">1</text>"),
            "{markup}"
        );
        assert_eq!(markup.matches("<circle").count(), 3);
        assert_eq!(power_label(-5.0), "1e-5");
    }
}
