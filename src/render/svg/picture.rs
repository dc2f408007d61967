//! Tensor values as SVG markup for the graph view's nodes: a small tensor as a matrix of
//! cells coloured by a diverging colour map (blue < 0 < red; the page's own tone at 0, so
//! both themes stay readable), each cell focusable and labelled with its exact number; a
//! large one as a block-averaged heatmap thumbnail with its min, max, mean and norm. NaN
//! and ±∞ cells are hatched in the danger colour (`url(#nan-hatch)`, defined by the view).

use super::draw::{self as svg, escape};
use super::heatmap::{self, Shade};
use crate::number::format_number;
use std::fmt::Write;

/// Height of a node's header (name, op, shape badge) above its panels.
pub const HEADER: f64 = 50.0;
/// Height of a panel's label ("value", "adjoint") above its picture.
pub const LABEL: f64 = 15.0;
/// Left and right padding of a node, and the gap between its two panels.
pub const PADDING: f64 = 12.0;
pub const GAP: f64 = 14.0;
/// Cells that show their number.
const NUMBER_CELL: (f64, f64) = (50.0, 20.0);
/// Cells of small tensors too wide for numbers.
const COLOUR_CELL: f64 = 16.0;
/// A thumbnail fits in this square.
const THUMB: f64 = 96.0;
/// Thumbnails have at most this many cells per side.
const THUMB_CELLS: usize = 16;
const STATS_LINE: f64 = 14.0;
const STATS_WIDTH: f64 = 176.0;

/// How a tensor of a shape is drawn, and how much room it takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Look {
    /// Every element a cell of `cell` size; `numbers` says whether the cells show them.
    Cells {
        rows: usize,
        cols: usize,
        cell: (f64, f64),
        numbers: bool,
    },
    /// A thumbnail of `rows` × `cols` square cells of side `cell`, and statistics.
    Thumbnail { rows: usize, cols: usize, cell: f64 },
}

impl Look {
    pub fn of(shape: &[usize]) -> Look {
        let (rows, cols) = heatmap::as_matrix(shape);
        if heatmap::is_small(shape) {
            let numbers = cols <= 6 && rows <= 6;
            let cell = if numbers {
                NUMBER_CELL
            } else {
                (COLOUR_CELL, COLOUR_CELL)
            };
            return Look::Cells {
                rows,
                cols,
                cell,
                numbers,
            };
        }
        let (rows, cols) = (rows.clamp(1, THUMB_CELLS), cols.clamp(1, THUMB_CELLS));
        let cell = (THUMB / rows.max(cols) as f64).clamp(4.0, 14.0).floor();
        Look::Thumbnail { rows, cols, cell }
    }

    /// The picture's own width and height (without the label or the statistics).
    pub fn picture(self) -> (f64, f64) {
        match self {
            Look::Cells {
                rows, cols, cell, ..
            } => (cols as f64 * cell.0, rows as f64 * cell.1),
            Look::Thumbnail { rows, cols, cell } => (cols as f64 * cell, rows as f64 * cell),
        }
    }

    /// The whole panel: label, picture and (for thumbnails) two lines of statistics.
    pub fn panel(self) -> (f64, f64) {
        let (w, h) = self.picture();
        match self {
            Look::Cells { .. } => (w.max(64.0), LABEL + h),
            Look::Thumbnail { .. } => (w.max(STATS_WIDTH), LABEL + h + 4.0 + 2.0 * STATS_LINE),
        }
    }
}

/// The box of a tensor node: the header, then the value and its derivative side by side.
/// `header_chars` is how many characters the header line needs.
pub fn node_size(shape: &[usize], header_chars: usize) -> (f64, f64) {
    let (pw, ph) = Look::of(shape).panel();
    let width = (2.0 * PADDING + 2.0 * pw + GAP).max(7.0 * header_chars as f64 + 2.0 * PADDING);
    (width, HEADER + ph + PADDING)
}

/// Where a node's second panel (adjoint or tangent) starts.
pub fn second_panel_x(shape: &[usize]) -> f64 {
    PADDING + Look::of(shape).panel().0 + GAP
}

/// A shape as a badge shows it: `[3×2]`, `[3]`.
pub fn shape_badge(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join("×"))
}

/// A node's header: its name, its op on the right and, for a tensor, a badge with its
/// shape under the name.
pub fn header_markup(name: &str, op: &str, shape: &[usize], width: f64) -> String {
    let mut out = String::new();
    svg::text(&mut out, "node-name", PADDING, 22.0, None, name);
    svg::text(&mut out, "node-op", width - PADDING, 22.0, Some("end"), op);
    if !shape.is_empty() {
        let badge = shape_badge(shape);
        let w = 7.5 * badge.chars().count() as f64 + 14.0;
        let _ = write!(
            out,
            "<g class=\"shape-badge\" transform=\"translate({PADDING:.1},29)\"><rect width=\"{w:.1}\" height=\"16\" rx=\"8\"/>"
        );
        svg::text(&mut out, "", w / 2.0, 12.0, Some("middle"), &badge);
        out.push_str("</g>");
    }
    out
}

/// A number short enough for a cell: four significant digits, then exponents; a Unicode
/// minus sign.
pub fn short_number(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format_number(x).replace('-', "−");
    }
    let magnitude = x.abs();
    let text = if (1e-3..1e4).contains(&magnitude) {
        let decimals = (3 - magnitude.log10().floor() as i32).clamp(0, 6) as usize;
        let text = format!("{x:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    } else {
        format!("{x:.1e}").replace(".0e", "e")
    };
    text.replace('-', "−")
}

/// The number as people read it, followed by the full f64 when that says more.
pub fn exact_text(x: f64) -> String {
    let shown = format_number(x);
    let full = x.to_string();
    if x.is_finite() && full != shown && full.len() > shown.len() {
        format!("{shown} ({full})")
    } else {
        shown
    }
}

/// The inline style that colours a cell (empty at 0 and for NaN/±∞, which CSS colours).
pub fn fill_style(shade: Shade) -> String {
    let (end, p) = match shade {
        Shade::Negative(p) => ("neg", p),
        Shade::Positive(p) => ("pos", p),
        Shade::Zero | Shade::NonFinite => return String::new(),
    };
    format!("fill:color-mix(in oklab,var(--cmap-{end}) {p}%,var(--cmap-zero))")
}

fn box_class(shade: Shade) -> &'static str {
    match shade {
        Shade::NonFinite => "cell-box nonfinite",
        _ => "cell-box",
    }
}

/// The picture of one panel: `data` of `shape` (None while unknown: an empty outline).
/// `what` names the quantity for hover and screen readers ("W1 value").
pub fn panel_markup(shape: &[usize], data: Option<&[f64]>, what: &str) -> String {
    let look = Look::of(shape);
    let Some(data) = data else {
        let (w, h) = look.picture();
        let mut out = String::new();
        svg::rect(&mut out, "cells-unknown", 0.0, 0.0, w, h, "");
        return out;
    };
    match look {
        Look::Cells {
            cols,
            cell,
            numbers,
            ..
        } => cells(shape, data, what, cols, cell, numbers),
        Look::Thumbnail { rows, cols, cell } => thumbnail(shape, data, what, rows, cols, cell),
    }
}

fn cells(
    shape: &[usize],
    data: &[f64],
    what: &str,
    cols: usize,
    (cw, ch): (f64, f64),
    numbers: bool,
) -> String {
    let scale = heatmap::scale_of(data);
    let mut out = String::new();
    for (i, &x) in data.iter().enumerate() {
        let (r, c) = (i / cols.max(1), i % cols.max(1));
        let shade = Shade::of(x, scale);
        let label = escape(&format!(
            "{what} {} = {}",
            heatmap::index_text(shape, i),
            exact_text(x)
        ));
        let _ = write!(
            out,
            "<g class=\"cell\" tabindex=\"0\" role=\"img\" aria-label=\"{label}\" data-index=\"{i}\" transform=\"translate({:.1},{:.1})\"><title>{label}</title>",
            c as f64 * cw,
            r as f64 * ch
        );
        svg::rect(
            &mut out,
            box_class(shade),
            0.0,
            0.0,
            cw,
            ch,
            &fill_style(shade),
        );
        if numbers {
            let class = match shade {
                Shade::NonFinite => "cell-text nonfinite",
                s if s.is_strong() => "cell-text strong",
                _ => "cell-text",
            };
            svg::text(
                &mut out,
                class,
                cw / 2.0,
                ch / 2.0 + 4.0,
                Some("middle"),
                &short_number(x),
            );
        }
        out.push_str("</g>");
    }
    out
}

fn thumbnail(
    shape: &[usize],
    data: &[f64],
    what: &str,
    rows: usize,
    cols: usize,
    cell: f64,
) -> String {
    let (w, h) = (cols as f64 * cell, rows as f64 * cell);
    let thumb = heatmap::thumbnail(shape, data, rows, cols);
    let scale = heatmap::scale_of(&thumb.cells);
    let stats = heatmap::stats(data);
    let bad = if stats.nonfinite > 0 {
        format!(" · {} NaN/∞", stats.nonfinite)
    } else {
        String::new()
    };
    let label = escape(&format!(
        "{what}, {} (heatmap averaged to {}×{}): min {}, max {}, mean {}, norm {}{bad}",
        shape_badge(shape),
        thumb.rows,
        thumb.cols,
        format_number(stats.min),
        format_number(stats.max),
        format_number(stats.mean),
        format_number(stats.norm)
    ));
    let mut out = format!(
        "<g class=\"thumbnail\" tabindex=\"0\" role=\"img\" aria-label=\"{label}\"><title>{label}</title>"
    );
    for (i, &x) in thumb.cells.iter().enumerate() {
        let (r, c) = (i / thumb.cols.max(1), i % thumb.cols.max(1));
        let shade = Shade::of(x, scale);
        svg::rect(
            &mut out,
            box_class(shade),
            c as f64 * cell,
            r as f64 * cell,
            cell,
            cell,
            &fill_style(shade),
        );
    }
    svg::rect(&mut out, "thumbnail-frame", 0.0, 0.0, w, h, "");
    out.push_str("</g>");
    let line1 = format!(
        "min {} · max {}",
        short_number(stats.min),
        short_number(stats.max)
    );
    let line2 = format!(
        "mean {} · ‖·‖ {}{bad}",
        short_number(stats.mean),
        short_number(stats.norm)
    );
    svg::text(
        &mut out,
        "tensor-stats",
        0.0,
        h + 1.0 + STATS_LINE,
        None,
        &line1,
    );
    svg::text(
        &mut out,
        "tensor-stats",
        0.0,
        h + 1.0 + 2.0 * STATS_LINE,
        None,
        &line2,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_tensors_are_cells_with_numbers_and_labels() {
        // ∂L/∂W1 of the seeds' 2-3-1 network.
        let data = [0.0, 0.0, 0.57, 1.14, -0.798, -1.596];
        let markup = panel_markup(&[3, 2], Some(&data), "W1 adjoint");
        assert_eq!(markup.matches("class=\"cell\"").count(), 6);
        assert!(
            markup.contains("aria-label=\"W1 adjoint [2,1] = -1.596\""),
            "{markup}"
        );
        assert!(markup.contains(">−1.596</text>"));
        assert!(markup.contains(">0.57</text>"));
        // The largest magnitude is full strength; 0 takes the neutral tone.
        assert!(markup.contains("var(--cmap-neg) 100%"));
        assert!(markup.contains(
            "<rect class=\"cell-box\" x=\"0.0\" y=\"0.0\" width=\"50.0\" height=\"20.0\"/>"
        ));
        assert_eq!(Look::of(&[3, 2]).picture(), (100.0, 60.0));
    }

    #[test]
    fn non_finite_cells_are_marked() {
        let markup = panel_markup(&[3], Some(&[0.5, f64::NAN, f64::NEG_INFINITY]), "p adjoint");
        assert_eq!(markup.matches("cell-box nonfinite").count(), 2);
        assert!(markup.contains(">NaN</text>") && markup.contains(">−∞</text>"));
        assert!(markup.contains("cell-text nonfinite"));
    }

    #[test]
    fn large_tensors_are_thumbnails_with_statistics() {
        let data: Vec<f64> = (0..64 * 16).map(|i| f64::from(i % 7) - 3.0).collect();
        let markup = panel_markup(&[64, 16], Some(&data), "v9 value");
        assert!(matches!(
            Look::of(&[64, 16]),
            Look::Thumbnail {
                rows: 16,
                cols: 16,
                cell: 6.0
            }
        ));
        assert_eq!(markup.matches("class=\"cell-box").count(), 256);
        assert!(markup.contains("min −3 · max 3"), "{markup}");
        assert!(
            markup.contains(
                "aria-label=\"v9 value, [64×16] (heatmap averaged to 16×16): min -3, max 3"
            )
        );
        let mut bad = data.clone();
        bad[17] = f64::INFINITY;
        let markup = panel_markup(&[64, 16], Some(&bad), "v9 value");
        assert!(markup.contains("1 NaN/∞") && markup.contains("nonfinite"));
    }

    #[test]
    fn unknown_values_are_outlines_and_names_are_escaped() {
        assert_eq!(
            panel_markup(&[2], None, "x"),
            "<rect class=\"cells-unknown\" x=\"0.0\" y=\"0.0\" width=\"100.0\" height=\"20.0\"/>"
        );
        assert!(panel_markup(&[1], Some(&[1.0]), "<b>").contains("&lt;b&gt;"));
    }

    #[test]
    fn boxes_grow_to_fit_their_panels() {
        let (w, h) = node_size(&[3, 2], 10);
        assert_eq!(
            (w, h),
            (2.0 * 12.0 + 2.0 * 100.0 + 14.0, 50.0 + 15.0 + 60.0 + 12.0)
        );
        assert!(node_size(&[64, 16], 10).0 >= 2.0 * STATS_WIDTH);
        assert_eq!(second_panel_x(&[3, 2]), 12.0 + 100.0 + 14.0);
        assert_eq!(shape_badge(&[3, 2]), "[3×2]");
    }

    #[test]
    fn headers_name_the_node_and_its_shape() {
        let header = header_markup("W1", "input", &[3, 2], 200.0);
        assert!(header.contains(">W1</text>") && header.contains(">input</text>"));
        assert!(header.contains(">[3×2]</text>"));
        assert!(!header_markup("x", "input", &[], 128.0).contains("shape-badge"));
    }

    #[test]
    fn cell_numbers_are_short() {
        assert_eq!(short_number(-1.8239999999999998), "−1.824");
        assert_eq!(short_number(0.57), "0.57");
        assert_eq!(short_number(1.14), "1.14");
        assert_eq!(short_number(6561.0), "6561");
        assert_eq!(short_number(17496.0), "1.7e4");
        assert_eq!(short_number(1.7e-5), "1.7e−5");
        assert_eq!(short_number(0.0), "0");
        assert_eq!(exact_text(0.1 + 0.2), "0.3 (0.30000000000000004)");
        assert_eq!(exact_text(0.5), "0.5");
    }
}
