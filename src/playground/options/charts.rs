//! The options' two small charts, drawn like the loss curve ([`crate::playground::chart`]:
//! plotters' SVG backend, one `<g>` per layer with a class the theme's CSS colours): the
//! global gradient norm per step before and after clipping, with the cap as a dashed
//! line; and each layer's activation and gradient RMS, on a log scale, at the latest
//! step measured (solid) and the first (faint), so a signal that shrinks or grows layer
//! after layer, and how training changes that, can be seen.

use super::layers::Profile;
use crate::number::format_number;
use crate::playground::chart::{auto_log, finite_runs, log_tick_label, widened};
use crate::render::svg::draw as svg;
use crate::render::svg::line_chart::{BOTTOM, LEFT, RIGHT, TOP, bounds, buckets};
use crate::train::GradientNorm;
use plotters::prelude::*;
use std::fmt::Write;
use std::ops::Range;

/// One line of a chart: its class and its points (x, y as drawn; NaN breaks the line).
struct Line {
    class: &'static str,
    points: Vec<Option<(f64, f64)>>,
}

/// The axes: their ranges, names, whether y is log10, and the x labels (None: numbers).
struct Frame<'a> {
    x: Range<f64>,
    y: Range<f64>,
    x_desc: &'a str,
    y_desc: &'a str,
    log: bool,
    x_names: Option<&'a [String]>,
}

/// The chart of each step's gradient norm before (`norm-before`) and after
/// (`norm-after`) clipping, the cap as a dashed line (`cap`); log scale when the norms
/// span more than two decades or blow up.
pub fn norm_chart(
    norms: &[(u64, GradientNorm)],
    cap: Option<f64>,
    width: u32,
    height: u32,
) -> String {
    let columns = (f64::from(width) - LEFT - RIGHT).max(1.0) as usize;
    let series = |pick: fn(&GradientNorm) -> f64| -> Vec<(f64, f64)> {
        norms
            .iter()
            .map(|(step, norm)| (*step as f64, pick(norm)))
            .collect()
    };
    let (before, after) = (series(|n| n.before), series(|n| n.after));
    let log = auto_log(&before) && before.iter().all(|&(_, y)| y > 0.0 || !y.is_finite());
    let drawn = |points: &[(f64, f64)]| -> Vec<Option<(f64, f64)>> {
        buckets(points, columns)
            .into_iter()
            .map(|p| p.map(|(x, y)| (x, if log { y.log10() } else { y })))
            .collect()
    };
    let mut lines = vec![
        Line {
            class: "line norm-before",
            points: drawn(&before),
        },
        Line {
            class: "line norm-after",
            points: drawn(&after),
        },
    ];
    let (x_lo, x_hi) = bounds(before.iter().map(|p| p.0));
    let x = widened(x_lo, x_hi);
    if let Some(cap) = cap {
        let y = if log { cap.log10() } else { cap };
        lines.push(Line {
            class: "cap",
            points: vec![Some((x.start, y)), Some((x.end, y))],
        });
    }
    let ys = lines
        .iter()
        .flat_map(|l| l.points.iter().flatten().map(|p| p.1))
        .filter(|y| y.is_finite());
    let (y_lo, y_hi) = bounds(ys);
    let y = if log {
        let (lo, hi) = (y_lo.floor(), y_hi.ceil());
        if hi > lo { lo..hi } else { lo..lo + 1.0 }
    } else {
        widened(y_lo.min(0.0), y_hi.max(0.0))
    };
    let frame = Frame {
        x,
        y,
        x_desc: "step",
        y_desc: if log { "‖g‖ (log)" } else { "‖g‖" },
        log,
        x_names: None,
    };
    let mut out = draw(&frame, &lines, (width, height));
    let legend: &[(&str, &str)] = if cap.is_some() {
        &[
            ("norm-before", "before"),
            ("norm-after", "after"),
            ("cap", "cap"),
        ]
    } else {
        &[("norm-before", "‖g‖")]
    };
    legend_markup(&mut out, width, legend);
    if norms.iter().any(|(_, n)| !n.before.is_finite()) {
        note(&mut out, width, height, "NaN/∞ (line breaks)");
    }
    out
}

/// The chart of each layer's activation RMS (`act`) and weight-gradient RMS (`grad`),
/// log scale, at the latest profile (solid) and the first (`first`, faint); x names the
/// layers.
pub fn layer_chart(profiles: &[Profile], names: &[String], width: u32, height: u32) -> String {
    let (Some(first), Some(latest)) = (profiles.first(), profiles.last()) else {
        return String::new();
    };
    let series = |profile: &Profile, pick: fn(&super::layers::LayerSize) -> f64| {
        profile
            .layers
            .iter()
            .enumerate()
            .map(|(k, size)| {
                let v = pick(size);
                (v > 0.0 && v.is_finite()).then(|| ((k + 1) as f64, v.log10()))
            })
            .collect::<Vec<_>>()
    };
    let mut lines = Vec::new();
    if first.step != latest.step {
        lines.push(Line {
            class: "line act first",
            points: series(first, |s| s.activation),
        });
        lines.push(Line {
            class: "line grad first",
            points: series(first, |s| s.gradient),
        });
    }
    lines.push(Line {
        class: "line act",
        points: series(latest, |s| s.activation),
    });
    lines.push(Line {
        class: "line grad",
        points: series(latest, |s| s.gradient),
    });
    let ys = lines
        .iter()
        .flat_map(|l| l.points.iter().flatten().map(|p| p.1));
    let (y_lo, y_hi) = bounds(ys);
    let (lo, hi) = (y_lo.floor(), y_hi.ceil());
    let count = latest.layers.len().max(1) as f64;
    let frame = Frame {
        x: 0.75..count + 0.25,
        y: if hi > lo { lo..hi } else { lo..lo + 1.0 },
        x_desc: "layer",
        y_desc: "RMS (log)",
        log: true,
        x_names: Some(names),
    };
    let mut out = draw(&frame, &lines, (width, height));
    let first_label = format!("step {}", first.step);
    let mut legend = vec![("act", "activations"), ("grad", "∂L/∂W")];
    if first.step != latest.step {
        legend.push(("first", first_label.as_str()));
    }
    legend_markup(&mut out, width, &legend);
    let lost = latest
        .layers
        .iter()
        .any(|s| !(s.gradient > 0.0 && s.activation > 0.0));
    if lost {
        note(&mut out, width, height, "0 or NaN/∞ left out");
    }
    out
}

/// The frame and the lines as `<g>` layers.
fn draw(frame: &Frame, lines: &[Line], size: (u32, u32)) -> String {
    let mut out = String::new();
    let mut layer = |class: &str, what: Option<&Line>| {
        let mut markup = String::new();
        if draw_layer(&mut markup, size, frame, what).is_ok() {
            let _ = write!(out, "<g class=\"{class}\">{markup}</g>");
        }
    };
    layer("axes", None);
    for line in lines {
        layer(line.class, Some(line));
    }
    out
}

fn draw_layer(
    markup: &mut String,
    size: (u32, u32),
    frame: &Frame,
    line: Option<&Line>,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(markup, size).into_drawing_area();
    let mut chart = ChartBuilder::on(&root)
        .margin_top(TOP as u32 + 12)
        .margin_right(2 * RIGHT as u32)
        .x_label_area_size(BOTTOM as u32)
        .y_label_area_size(LEFT as u32)
        .build_cartesian_2d(frame.x.clone(), frame.y.clone())?;
    match line {
        None => {
            let font = ("sans-serif", 11).into_font();
            let x_label = |v: &f64| match frame.x_names {
                Some(names) => {
                    let k = v.round();
                    if (v - k).abs() < 1e-6 && k >= 1.0 {
                        names.get(k as usize - 1).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                }
                None => format_number(*v),
            };
            let y_label = |v: &f64| {
                if frame.log {
                    log_tick_label(*v)
                } else {
                    format_number(*v)
                }
            };
            let x_labels = frame.x_names.map_or(5, |names| (names.len() * 4).max(2));
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(x_labels)
                .y_labels(4)
                .bold_line_style(TRANSPARENT)
                .light_line_style(TRANSPARENT)
                .axis_style(BLACK)
                .label_style(font.clone())
                .axis_desc_style(font)
                .x_label_formatter(&x_label)
                .y_label_formatter(&y_label)
                .x_desc(frame.x_desc)
                .y_desc(frame.y_desc)
                .draw()?;
        }
        Some(line) => {
            // A lone point (one layer) is drawn as a short dash.
            let paths = finite_runs(&line.points)
                .into_iter()
                .map(|run| match run[..] {
                    [(x, y)] => {
                        PathElement::new(vec![(x - 0.1, y), (x + 0.1, y)], BLUE.stroke_width(2))
                    }
                    _ => PathElement::new(run, BLUE.stroke_width(2)),
                });
            chart.draw_series(paths)?;
        }
    }
    root.present()?;
    Ok(())
}

/// A one-line legend along the top: a short line of each class's colour and its name.
fn legend_markup(out: &mut String, width: u32, items: &[(&str, &str)]) {
    let mut x = LEFT + 4.0;
    out.push_str("<g class=\"legend\">");
    for (class, label) in items {
        let _ = write!(
            out,
            "<line class=\"key {class}\" x1=\"{x}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\"></line>",
            y = TOP,
            x2 = x + 14.0
        );
        svg::text(out, "tick", x + 18.0, TOP + 4.0, None, label);
        x += 26.0 + 6.5 * label.chars().count() as f64;
        if x > f64::from(width) - RIGHT {
            break;
        }
    }
    out.push_str("</g>");
}

fn note(out: &mut String, width: u32, height: u32, text: &str) {
    svg::text(
        out,
        "nonfinite-note",
        f64::from(width) - RIGHT,
        f64::from(height) - BOTTOM - 6.0,
        Some("end"),
        text,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::options::layers::LayerSize;

    /// The `points` of each polyline in the `<g>` of `class`.
    fn lines_of(markup: &str, class: &str) -> Vec<Vec<(f64, f64)>> {
        crate::playground::chart::polylines(markup, class)
    }

    #[test]
    fn the_clipped_line_lies_on_the_cap() {
        let norms: Vec<(u64, GradientNorm)> = (1..=40)
            .map(|step| {
                let before = 0.5 + f64::from(step as u32) * 0.1;
                let after = before.min(2.0);
                (step, GradientNorm { before, after })
            })
            .collect();
        let markup = norm_chart(&norms, Some(2.0), 300, 180);
        let cap = lines_of(&markup, "cap");
        assert_eq!(cap.len(), 1, "{markup}");
        let cap_y = cap[0][0].1;
        let after = &lines_of(&markup, "line norm-after")[0];
        let before = &lines_of(&markup, "line norm-before")[0];
        assert_eq!(after.len(), 40);
        // SVG y grows down: never above the cap means y never smaller than its y.
        assert!(after.iter().all(|p| p.1 >= cap_y - 0.5), "{after:?}");
        assert!(after[30..].iter().all(|p| (p.1 - cap_y).abs() <= 1.0));
        assert!(
            before.last().unwrap().1 < cap_y - 10.0,
            "before rises over the cap"
        );
        assert!(markup.contains(">after<") && markup.contains(">cap<"));
    }

    #[test]
    fn the_layer_chart_names_the_layers_and_shows_first_and_latest() {
        let profile = |step, scale: f64| Profile {
            step,
            layers: (0..3)
                .map(|k| LayerSize {
                    activation: scale * 10f64.powi(k),
                    gradient: scale / 10f64.powi(k),
                })
                .collect(),
        };
        let names: Vec<String> = ["h1", "h2", "logits"].map(String::from).to_vec();
        let markup = layer_chart(&[profile(0, 1.0), profile(50, 2.0)], &names, 300, 180);
        let texts: Vec<String> = markup
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
            .collect();
        for name in ["h1", "h2", "logits", "step 0", "activations"] {
            assert!(texts.iter().any(|t| t == name), "{name}: {texts:?}");
        }
        let act = &lines_of(&markup, "line act")[0];
        let grad = &lines_of(&markup, "line grad")[0];
        assert_eq!((act.len(), grad.len()), (3, 3));
        // Activations grow layer by layer (up on the page), gradients shrink.
        assert!(act.windows(2).all(|w| w[1].1 < w[0].1));
        assert!(grad.windows(2).all(|w| w[1].1 > w[0].1));
        assert_eq!(lines_of(&markup, "line act first").len(), 1);
        // One profile: no faint lines.
        let single = layer_chart(&[profile(3, 1.0)], &names, 300, 180);
        assert!(lines_of(&single, "line act first").is_empty());
        assert!(layer_chart(&[], &names, 300, 180).is_empty());
    }
}
