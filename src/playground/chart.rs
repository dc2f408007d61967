//! Line charts as SVG markup. The playground's loss curve is drawn by plotters (its SVG
//! backend writes `<text>`, so no font files are needed) in three layers, grid, axes and
//! line, each in a `<g>` with a class so the theme's CSS colours it; on a linear scale
//! from 0, or on a log scale ([`Scale`]: automatic when the loss spans more than two
//! decades or diverges, or as the user chooses). It keeps a long series a few hundred
//! points long (each pixel column averages its steps) and breaks the line where values
//! are NaN or ±∞, with the helpers of the app page's own small chart
//! ([`crate::render::svg::line_chart`]).

use crate::number::format_number;
use crate::render::svg::draw as svg;
use crate::render::svg::line_chart::{BOTTOM, LEFT, RIGHT, TOP, bounds, buckets, power_label};
use plotters::prelude::*;
use std::fmt::Write;
use std::ops::Range;

/// The loss chart's y scale, as the user chose it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    /// Log when the loss spans more than two decades or diverges ([`auto_log`]), else
    /// linear.
    #[default]
    Auto,
    Linear,
    Log,
}

impl Scale {
    pub const ALL: [Scale; 3] = [Scale::Auto, Scale::Linear, Scale::Log];

    /// The control's value: `auto`, `linear` or `log`.
    pub fn value(self) -> &'static str {
        match self {
            Scale::Auto => "auto",
            Scale::Linear => "linear",
            Scale::Log => "log",
        }
    }

    pub fn parse(value: &str) -> Option<Scale> {
        Scale::ALL.into_iter().find(|s| s.value() == value.trim())
    }

    /// Whether the curve of `losses` (step, loss) is drawn on a log scale.
    pub fn is_log(self, losses: &[(f64, f64)]) -> bool {
        match self {
            Scale::Auto => auto_log(losses),
            Scale::Linear => false,
            Scale::Log => true,
        }
    }
}

/// Whether a loss curve reads better on a log scale: every finite loss is above 0 and
/// they span more than two decades (largest over smallest above 100), or the loss
/// diverged (became NaN or ±∞, or rose to more than ten times its first value).
pub fn auto_log(losses: &[(f64, f64)]) -> bool {
    let finite: Vec<f64> = losses
        .iter()
        .map(|&(_, y)| y)
        .filter(|y| y.is_finite())
        .collect();
    let (lo, hi) = bounds(finite.iter().copied());
    if finite.is_empty() || lo <= 0.0 {
        return false;
    }
    let nonfinite = finite.len() < losses.len();
    let rose = finite.last().is_some_and(|&last| last > 10.0 * finite[0]);
    hi / lo > 100.0 || nonfinite || rose
}

/// The loss curve in a `width` × `height` picture: losses by step, the y axis from 0, or
/// on a log scale (`log`: whole decades, labelled as powers of ten; losses at or below 0
/// are left out with a note). NaN and ±∞ losses break the line and add a note.
pub fn loss_chart(points: &[(f64, f64)], width: u32, height: u32, log: bool) -> String {
    let plot_width = (f64::from(width) - LEFT - RIGHT).max(1.0);
    let drawn: Vec<Option<(f64, f64)>> = buckets(points, plot_width as usize)
        .into_iter()
        .map(|p| p.map(|(x, y)| (x, if log { y.log10() } else { y })))
        .collect();
    let runs = finite_runs(&drawn);
    let (x_lo, x_hi) = bounds(runs.iter().flatten().map(|p| p.0));
    let (y_lo, y_hi) = bounds(runs.iter().flatten().map(|p| p.1));
    let x_range = widened(x_lo, x_hi);
    let y_range = if log {
        // Whole decades, at least one.
        let (lo, hi) = (y_lo.floor(), y_hi.ceil());
        if hi > lo { lo..hi } else { lo..lo + 1.0 }
    } else {
        widened(y_lo.min(0.0), y_hi.max(0.0))
    };
    let y_labels = if log {
        ((y_range.end - y_range.start) as usize + 1).clamp(2, 6)
    } else {
        5
    };
    let scale = Axis { log, y_labels };
    let size = (width, height);
    let mut out = String::new();
    let layers: [(&str, Layer); 3] = [
        ("grid", Layer::Grid),
        ("axes", Layer::Axes),
        ("line loss", Layer::Line(&runs)),
    ];
    for (class, layer) in layers {
        let mut markup = String::new();
        // Drawing into a String cannot fail; a layer that did would only be left out.
        if draw_layer(&mut markup, size, (&x_range, &y_range), scale, layer).is_ok() {
            let _ = write!(out, "<g class=\"{class}\">{markup}</g>");
        }
    }
    let mut notes = Vec::new();
    if points.iter().any(|&(_, y)| !y.is_finite()) {
        notes.push("NaN/∞ (line breaks)");
    }
    if log && points.iter().any(|&(_, y)| y <= 0.0) {
        notes.push("loss ≤ 0 left out (log scale)");
    }
    for (k, note) in notes.into_iter().enumerate() {
        svg::text(
            &mut out,
            "nonfinite-note",
            f64::from(width) - RIGHT,
            TOP + 10.0 + 14.0 * k as f64,
            Some("end"),
            note,
        );
    }
    out
}

/// How the y axis is drawn: log10 of the loss, and how many labels at most.
#[derive(Clone, Copy)]
struct Axis {
    log: bool,
    y_labels: usize,
}

/// One layer of the loss chart, drawn on the same coordinates as the others.
enum Layer<'a> {
    /// The horizontal grid lines at the y ticks.
    Grid,
    /// The axes, their ticks and tick labels, and the axis names.
    Axes,
    /// The line, one path per run of finite losses.
    Line(&'a [Vec<(f64, f64)>]),
}

fn draw_layer(
    markup: &mut String,
    size: (u32, u32),
    (x_range, y_range): (&Range<f64>, &Range<f64>),
    axis: Axis,
    layer: Layer,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(markup, size).into_drawing_area();
    let mut chart = ChartBuilder::on(&root)
        .margin_top(TOP as u32)
        // Twice the room on the right: the last x label is centred on the axis's end.
        .margin_right(2 * RIGHT as u32)
        .x_label_area_size(BOTTOM as u32)
        .y_label_area_size(LEFT as u32)
        .build_cartesian_2d(x_range.clone(), y_range.clone())?;
    // The colours are placeholders: the CSS of each layer's class sets the theme's.
    let label_font = ("sans-serif", 11).into_font();
    let tick_label = |v: &f64| format_number(*v);
    let y_tick_label = |v: &f64| {
        if axis.log {
            log_tick_label(*v)
        } else {
            format_number(*v)
        }
    };
    let y_desc = if axis.log { "loss (log)" } else { "loss" };
    match layer {
        Layer::Grid => chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_axes()
            .max_light_lines(0)
            .y_labels(axis.y_labels)
            .bold_line_style(BLACK)
            .label_style(label_font.color(&TRANSPARENT))
            .draw()?,
        Layer::Axes => chart
            .configure_mesh()
            .x_labels(5)
            .y_labels(axis.y_labels)
            .bold_line_style(TRANSPARENT)
            .light_line_style(TRANSPARENT)
            .axis_style(BLACK)
            .label_style(label_font.clone())
            .axis_desc_style(label_font)
            .x_label_formatter(&tick_label)
            .y_label_formatter(&y_tick_label)
            .x_desc("step")
            .y_desc(y_desc)
            .draw()?,
        Layer::Line(runs) => {
            let paths = runs
                .iter()
                .map(|run| PathElement::new(run.clone(), BLUE.stroke_width(2)));
            chart.draw_series(paths)?;
        }
    }
    root.present()?;
    Ok(())
}

/// The stretches of consecutive finite points, split where a point is missing or not finite.
pub(crate) fn finite_runs(points: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
    let finite = |p: &Option<(f64, f64)>| p.filter(|(x, y)| x.is_finite() && y.is_finite());
    points
        .split(|p| finite(p).is_none())
        .map(|run| run.iter().filter_map(finite).collect::<Vec<_>>())
        .filter(|run| !run.is_empty())
        .collect()
}

/// `lo..hi`, opened up around a single value so the axis has a length.
pub(crate) fn widened(lo: f64, hi: f64) -> Range<f64> {
    if hi - lo > 1e-12 {
        lo..hi
    } else if lo == 0.0 {
        0.0..1.0
    } else {
        lo - lo.abs() * 0.5..hi + hi.abs() * 0.5
    }
}

/// A tick of a log axis at log10 value `v`: a power of ten as [`power_label`] writes it,
/// a value between two as its number to two significant digits.
pub(crate) fn log_tick_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        return power_label(v.round());
    }
    let value = 10f64.powf(v);
    let digits = (1 - value.log10().floor() as i32).max(0) as usize;
    format_number(format!("{value:.digits$}").parse().unwrap_or(value))
}

/// The `points` of each polyline in the `<g>` of `class`: what the charts' tests read.
#[cfg(test)]
pub(crate) fn polylines(markup: &str, class: &str) -> Vec<Vec<(f64, f64)>> {
    let Some(layer) = markup
        .split(&format!("<g class=\"{class}\">"))
        .nth(1)
        .and_then(|rest| rest.split("</g>").next())
    else {
        return Vec::new();
    };
    layer
        .split("points=\"")
        .skip(1)
        .map(|rest| {
            rest.split('"')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|pair| {
                    let (x, y) = pair.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `points` attribute of each `<polyline>` in the loss chart's line layer.
    fn line_paths(markup: &str) -> Vec<Vec<(f64, f64)>> {
        polylines(markup, "line loss")
    }

    /// The text of every `<text>` element.
    fn texts(markup: &str) -> Vec<String> {
        markup
            .split("<text")
            .skip(1)
            .filter_map(|rest| rest.split_once('>'))
            .map(|(_, rest)| {
                rest.split("</text>")
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn the_loss_curve_is_one_falling_line_over_labelled_axes() {
        let points: Vec<(f64, f64)> = (1..=50)
            .map(|i| (f64::from(i), 1.0 / f64::from(i)))
            .collect();
        let markup = loss_chart(&points, 340, 200, false);
        let paths = line_paths(&markup);
        assert_eq!(paths.len(), 1, "{markup}");
        let line = &paths[0];
        assert_eq!(line.len(), 50, "short series are drawn point by point");
        assert!(line.windows(2).all(|w| w[1].0 > w[0].0), "steps go right");
        assert!(
            line.windows(2).all(|w| w[1].1 >= w[0].1),
            "the loss falls (SVG y grows down)"
        );
        assert!(line[0].0 >= LEFT && line[49].0 <= 340.0 - RIGHT, "{line:?}");
        let labels = texts(&markup);
        for expected in ["step", "loss", "0", "1"] {
            assert!(
                labels.iter().any(|t| t == expected),
                "{expected} in {labels:?}"
            );
        }
        for class in ["grid", "axes", "line loss"] {
            assert!(
                markup.contains(&format!("<g class=\"{class}\"><svg")),
                "{class}"
            );
        }
        assert!(!markup.contains("NaN/∞"));
    }

    #[test]
    fn a_non_finite_loss_breaks_the_line_and_adds_a_note() {
        let mut points: Vec<(f64, f64)> = (1..=50).map(|i| (f64::from(i), 2.0)).collect();
        points[10].1 = f64::INFINITY;
        points[30].1 = f64::NAN;
        let markup = loss_chart(&points, 340, 200, false);
        assert_eq!(line_paths(&markup).len(), 3, "{markup}");
        assert!(texts(&markup).iter().any(|t| t == "NaN/∞ (line breaks)"));
        // Nothing finite at all: axes, no line, the note.
        let markup = loss_chart(&[(1.0, f64::NAN), (2.0, f64::INFINITY)], 340, 200, false);
        assert!(line_paths(&markup).is_empty());
        assert!(texts(&markup).iter().any(|t| t == "step"));
        assert!(markup.contains("NaN/∞"));
    }

    #[test]
    fn long_loss_curves_keep_one_point_per_pixel_column_at_most() {
        let points: Vec<(f64, f64)> = (0..20_000)
            .map(|i| (f64::from(i), (-f64::from(i) / 5000.0).exp()))
            .collect();
        let markup = loss_chart(&points, 340, 200, false);
        let paths = line_paths(&markup);
        assert_eq!(paths.len(), 1);
        assert!(
            paths[0].len() <= 340 - (LEFT + RIGHT) as usize,
            "{}",
            paths[0].len()
        );
        assert!(texts(&markup).iter().any(|t| t == "20000" || t == "15000"));
    }

    #[test]
    fn the_scale_is_log_when_the_loss_spans_decades_or_diverges() {
        let curve = |losses: &[f64]| -> Vec<(f64, f64)> {
            losses
                .iter()
                .enumerate()
                .map(|(i, &y)| (i as f64 + 1.0, y))
                .collect()
        };
        // A fall from 0.7 to 0.05 is linear; to 0.005, more than two decades, is log.
        assert!(!auto_log(&curve(&[0.7, 0.3, 0.05])));
        assert!(auto_log(&curve(&[0.7, 0.3, 0.005])));
        // Diverging: a rise past ten times the start, or NaN and ∞ (the line breaks).
        assert!(auto_log(&curve(&[0.7, 2.0, 8.0])));
        assert!(!auto_log(&curve(&[0.7, 2.0, 5.0])));
        assert!(auto_log(&curve(&[0.7, 3.0, f64::INFINITY, f64::NAN])));
        // Nothing to put on a log scale.
        assert!(!auto_log(&[]));
        assert!(!auto_log(&curve(&[f64::NAN])));
        assert!(!auto_log(&curve(&[5.0, 0.0, 1e-4])));
        assert!(!auto_log(&curve(&[-3.0, -300.0])));
        // The user's choice wins.
        let wide = curve(&[1.0, 1e-4]);
        assert!(Scale::Auto.is_log(&wide) && !Scale::Linear.is_log(&wide));
        assert!(Scale::Log.is_log(&curve(&[0.7, 0.6])));
        for scale in Scale::ALL {
            assert_eq!(Scale::parse(scale.value()), Some(scale));
        }
        assert_eq!(Scale::parse("loglog"), None);
    }

    #[test]
    fn a_log_chart_labels_decades_and_keeps_the_breaks() {
        let points: Vec<(f64, f64)> = (1..=100)
            .map(|i| (f64::from(i), 2.0 * 10f64.powf(-f64::from(i) / 25.0)))
            .collect();
        let markup = loss_chart(&points, 340, 200, true);
        let labels = texts(&markup);
        for expected in ["1", "0.1", "0.01", "0.001", "loss (log)", "step"] {
            assert!(
                labels.iter().any(|t| t == expected),
                "{expected} in {labels:?}"
            );
        }
        let paths = line_paths(&markup);
        assert_eq!(paths.len(), 1);
        // Exponential decay is a straight line on a log scale.
        let line = &paths[0];
        let slope = |a: (f64, f64), b: (f64, f64)| (b.1 - a.1) / (b.0 - a.0);
        let (first, middle) = (slope(line[0], line[49]), slope(line[50], line[99]));
        assert!(
            (first - middle).abs() < 0.05 * first.abs(),
            "{first} {middle}"
        );
        // NaN, ∞ and losses at or below 0 break it, with notes.
        let mut broken = points.clone();
        broken[20].1 = f64::NAN;
        broken[40].1 = f64::INFINITY;
        broken[60].1 = 0.0;
        let markup = loss_chart(&broken, 340, 200, true);
        assert_eq!(line_paths(&markup).len(), 4, "{markup}");
        let labels = texts(&markup);
        assert!(labels.iter().any(|t| t == "NaN/∞ (line breaks)"));
        assert!(labels.iter().any(|t| t == "loss ≤ 0 left out (log scale)"));
        // A curve within one decade still has an axis a decade long.
        let flat = [(1.0, 0.5), (2.0, 0.4)];
        let labels = texts(&loss_chart(&flat, 340, 200, true));
        assert!(labels.iter().any(|t| t == "1") && labels.iter().any(|t| t == "0.1"));
        assert_eq!(log_tick_label(-0.5), "0.32");
        assert_eq!(log_tick_label(-6.0), "1e-6");
    }

    #[test]
    fn empty_and_flat_curves_still_have_axes() {
        for points in [vec![], vec![(1.0, 0.0)], vec![(1.0, 3.0), (2.0, 3.0)]] {
            let markup = loss_chart(&points, 340, 200, false);
            let labels = texts(&markup);
            assert!(labels.iter().any(|t| t == "loss"), "{points:?}: {labels:?}");
            let log = texts(&loss_chart(&points, 340, 200, true));
            assert!(log.iter().any(|t| t == "loss (log)"), "{points:?}: {log:?}");
            assert!(labels.iter().any(|t| t == "0"), "{points:?}: {labels:?}");
        }
    }
}
