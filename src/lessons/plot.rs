//! The lessons' small plots as SVG markup: a frame mapping data to pixels (with "nice"
//! ticks from the line chart, linear or in powers of ten), its axes, a curve broken where it
//! leaves the frame or is not finite, a point, a tangent clipped to the frame and vertical
//! markers. Pure geometry, so it is tested natively; the views put the markup in place.

use crate::number::format_number;
use crate::render::svg::draw as svg;
use crate::render::svg::line_chart::{nice_ticks, power_label};
use std::fmt::Write;

/// Room around the plotting area for tick labels.
pub const LEFT: f64 = 44.0;
pub const RIGHT: f64 = 8.0;
pub const TOP: f64 = 8.0;
pub const BOTTOM: f64 = 30.0;

/// How an axis reads its numbers: as they are, or as powers of ten (the data are then
/// exponents, `log10` of the values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log,
}

/// A plot's mapping from data to pixels, with the ticks of both axes.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub x_ticks: Vec<f64>,
    pub y_ticks: Vec<f64>,
    pub x_scale: Scale,
    pub y_scale: Scale,
}

fn ticks(lo: f64, hi: f64, count: usize, scale: Scale) -> Vec<f64> {
    match scale {
        Scale::Linear => nice_ticks(lo, hi, count),
        Scale::Log => {
            let mut t: Vec<f64> = nice_ticks(lo.floor(), hi.ceil(), count)
                .into_iter()
                .map(f64::round)
                .collect();
            t.dedup();
            if t.len() < 2 {
                t = vec![lo.floor() - 1.0, lo.floor()];
            }
            t
        }
    }
}

impl Frame {
    /// A frame covering `x` and `y` (each `(lo, hi)`; exponents on a log axis) in a
    /// `width` × `height` picture.
    pub fn new(
        x: (f64, f64),
        y: (f64, f64),
        scales: (Scale, Scale),
        width: f64,
        height: f64,
    ) -> Frame {
        Frame {
            width,
            height,
            x_ticks: ticks(x.0, x.1, 5, scales.0),
            y_ticks: ticks(y.0, y.1, 4, scales.1),
            x_scale: scales.0,
            y_scale: scales.1,
        }
    }

    /// The data range shown: from the first tick to the last.
    pub fn x_range(&self) -> (f64, f64) {
        range(&self.x_ticks)
    }

    pub fn y_range(&self) -> (f64, f64) {
        range(&self.y_ticks)
    }

    fn plot_width(&self) -> f64 {
        (self.width - LEFT - RIGHT).max(10.0)
    }

    fn plot_height(&self) -> f64 {
        (self.height - TOP - BOTTOM).max(10.0)
    }

    /// The pixel column of `x`.
    pub fn px(&self, x: f64) -> f64 {
        let (x0, x1) = self.x_range();
        LEFT + (x - x0) / (x1 - x0) * self.plot_width()
    }

    /// The pixel row of `y` (rows grow downwards).
    pub fn py(&self, y: f64) -> f64 {
        let (y0, y1) = self.y_range();
        TOP + self.plot_height() - (y - y0) / (y1 - y0) * self.plot_height()
    }

    /// The data `x` at pixel column `px` (the inverse of [`Frame::px`]), kept in the range.
    pub fn x_at(&self, px: f64) -> f64 {
        let (x0, x1) = self.x_range();
        let u = ((px - LEFT) / self.plot_width()).clamp(0.0, 1.0);
        x0 + u * (x1 - x0)
    }

    /// Whether `(x, y)` lies in the frame.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        let ((x0, x1), (y0, y1)) = (self.x_range(), self.y_range());
        (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
    }

    /// Grid lines, tick labels, the axes and their labels.
    pub fn axes(&self, x_label: &str, y_label: &str) -> String {
        let mut out = String::new();
        let (right, bottom) = (LEFT + self.plot_width(), TOP + self.plot_height());
        for &t in &self.y_ticks {
            let y = self.py(t);
            let _ = write!(
                out,
                "<line class=\"grid\" x1=\"{LEFT:.1}\" y1=\"{y:.1}\" x2=\"{right:.1}\" y2=\"{y:.1}\"/>"
            );
            svg::text(
                &mut out,
                "tick",
                LEFT - 4.0,
                y + 4.0,
                Some("end"),
                &tick_label(t, self.y_scale),
            );
        }
        let skip = label_stride(&self.x_ticks, self.x_scale, self.plot_width());
        for (k, &t) in self.x_ticks.iter().enumerate() {
            if k % skip != 0 {
                continue;
            }
            svg::text(
                &mut out,
                "tick",
                self.px(t),
                bottom + 13.0,
                Some("middle"),
                &tick_label(t, self.x_scale),
            );
        }
        let _ = write!(
            out,
            "<path class=\"axis\" d=\"M{LEFT:.1},{TOP:.1}V{bottom:.1}H{right:.1}\"/>"
        );
        svg::text(
            &mut out,
            "axis-label",
            right,
            self.height - 2.0,
            Some("end"),
            x_label,
        );
        let _ = write!(
            out,
            "<text class=\"axis-label\" transform=\"translate(10,{:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
            TOP + self.plot_height() / 2.0,
            svg::escape(y_label)
        );
        out
    }

    /// A path through `points`, broken where a point is not finite or leaves the frame.
    pub fn curve(&self, points: &[(f64, f64)], class: &str) -> String {
        let mut d = String::new();
        let mut pen_down = false;
        for &(x, y) in points {
            if x.is_finite() && y.is_finite() && self.contains(x, y) {
                let _ = write!(
                    d,
                    "{}{:.1},{:.1}",
                    if pen_down { "L" } else { "M" },
                    self.px(x),
                    self.py(y)
                );
                pen_down = true;
            } else {
                pen_down = false;
            }
        }
        format!("<path class=\"{class}\" d=\"{d}\"/>")
    }

    /// A dot at `(x, y)`; nothing when it is outside the frame.
    pub fn dot(&self, x: f64, y: f64, class: &str) -> String {
        if !(x.is_finite() && y.is_finite() && self.contains(x, y)) {
            return String::new();
        }
        format!(
            "<circle class=\"{class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"/>",
            self.px(x),
            self.py(y)
        )
    }

    /// The ends of the line through `(x, y)` with `slope` across the frame, clipped to it;
    /// `None` when the line misses the frame or a number is not finite.
    pub fn tangent(&self, x: f64, y: f64, slope: f64) -> Option<((f64, f64), (f64, f64))> {
        if !(x.is_finite() && y.is_finite() && slope.is_finite()) {
            return None;
        }
        let ((x0, x1), (y0, y1)) = (self.x_range(), self.y_range());
        // Liang–Barsky on the segment from x0 to x1 against the y band.
        let at = |u: f64| y + slope * (u - x);
        let (mut lo, mut hi) = (x0, x1);
        if slope != 0.0 {
            let (a, b) = ((y0 - y) / slope + x, (y1 - y) / slope + x);
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            lo = lo.max(a);
            hi = hi.min(b);
        } else if !(y0..=y1).contains(&y) {
            return None;
        }
        (lo < hi).then(|| ((lo, at(lo)), (hi, at(hi))))
    }

    /// The tangent as a line element (nothing when it misses the frame).
    pub fn tangent_line(&self, x: f64, y: f64, slope: f64, class: &str) -> String {
        match self.tangent(x, y, slope) {
            Some(((ax, ay), (bx, by))) => format!(
                "<line class=\"{class}\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
                self.px(ax),
                self.py(ay),
                self.px(bx),
                self.py(by)
            ),
            None => String::new(),
        }
    }

    /// A vertical line at `x` across the frame, with `label` at its top.
    pub fn marker(&self, x: f64, class: &str, label: &str) -> String {
        let (x0, x1) = self.x_range();
        if !x.is_finite() || x < x0 || x > x1 {
            return String::new();
        }
        let px = self.px(x);
        let mut out = format!(
            "<line class=\"{class}\" x1=\"{px:.1}\" y1=\"{TOP:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\"/>",
            TOP + self.plot_height()
        );
        if !label.is_empty() {
            let anchor = if px > LEFT + self.plot_width() / 2.0 {
                "end"
            } else {
                "start"
            };
            let dx = if anchor == "end" { -3.0 } else { 3.0 };
            svg::text(
                &mut out,
                &format!("{class}-label"),
                px + dx,
                TOP + 11.0,
                Some(anchor),
                label,
            );
        }
        out
    }
}

fn range(ticks: &[f64]) -> (f64, f64) {
    let lo = ticks.first().copied().unwrap_or(0.0);
    let hi = ticks.last().copied().unwrap_or(1.0);
    if hi > lo { (lo, hi) } else { (lo, lo + 1.0) }
}

fn tick_label(t: f64, scale: Scale) -> String {
    match scale {
        Scale::Linear => format_number(t),
        Scale::Log => power_label(t),
    }
}

/// Label every k-th x tick so the labels (about 7 px a character) do not touch.
fn label_stride(ticks: &[f64], scale: Scale, width: f64) -> usize {
    let widest = ticks
        .iter()
        .map(|&t| tick_label(t, scale).chars().count())
        .max()
        .unwrap_or(1) as f64;
    let room = width / ticks.len().max(1) as f64;
    ((widest * 7.0 + 6.0) / room).ceil().max(1.0) as usize
}

/// The smallest and largest finite value, widened when they are equal; `(−1, 1)` when
/// there are none.
pub fn finite_bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (-1.0, 1.0)
    } else if hi - lo < 1e-9 * lo.abs().max(1.0) {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

/// An SVG element of the given size holding `body`, with `label` for screen readers.
pub fn document(width: f64, height: f64, class: &str, label: &str, body: &str) -> String {
    format!(
        "<svg class=\"{class}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">{body}</svg>",
        svg::escape(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame::new(
            (-1.0, 3.0),
            (0.0, 8.0),
            (Scale::Linear, Scale::Linear),
            300.0,
            200.0,
        )
    }

    #[test]
    fn pixels_map_the_ticks_to_the_plot_edges_and_back() {
        let f = frame();
        assert_eq!(f.x_range(), (-1.0, 3.0));
        assert_eq!(f.px(-1.0), LEFT);
        assert_eq!(f.px(3.0), 300.0 - RIGHT);
        assert_eq!(f.py(0.0), 200.0 - BOTTOM);
        assert_eq!(f.py(8.0), TOP);
        for x in [-1.0, 0.25, 2.0, 3.0] {
            assert!((f.x_at(f.px(x)) - x).abs() < 1e-12);
        }
        assert_eq!(f.x_at(-100.0), -1.0);
        assert_eq!(f.x_at(1e6), 3.0);
    }

    #[test]
    fn the_tangent_is_clipped_to_the_frame_with_its_slope() {
        let f = frame();
        // y = 4 + 4(x − 1) leaves the band at x = 0 and x = 2.
        let ((ax, ay), (bx, by)) = f.tangent(1.0, 4.0, 4.0).unwrap();
        assert_eq!((ax, ay, bx, by), (0.0, 0.0, 2.0, 8.0));
        // A shallow line spans the whole width.
        let ((ax, _), (bx, by)) = f.tangent(1.0, 4.0, 0.5).unwrap();
        assert_eq!((ax, bx, by), (-1.0, 3.0, 5.0));
        // A negative slope clips the same way.
        let ((ax, ay), (bx, by)) = f.tangent(1.0, 4.0, -8.0).unwrap();
        assert_eq!((ax, ay, bx, by), (0.5, 8.0, 1.5, 0.0));
        assert!(f.tangent(1.0, 20.0, 0.0).is_none());
        assert!(f.tangent(1.0, f64::NAN, 1.0).is_none());
        assert!(f.tangent(10.0, 100.0, 1.0).is_none());
    }

    #[test]
    fn a_curve_breaks_outside_the_frame_and_at_nan() {
        let f = frame();
        let points = [
            (0.0, 1.0),
            (1.0, 2.0),
            (1.5, f64::NAN),
            (2.0, 3.0),
            (2.5, 50.0),
        ];
        let path = f.curve(&points, "c");
        assert_eq!(path.matches('M').count(), 2, "{path}");
        assert_eq!(path.matches('L').count(), 1, "{path}");
        assert!(f.dot(10.0, 1.0, "p").is_empty());
        assert!(f.dot(1.0, 1.0, "p").contains("circle"));
    }

    #[test]
    fn log_axes_label_powers_of_ten() {
        let f = Frame::new(
            (-15.0, -1.0),
            (-12.0, -0.3),
            (Scale::Log, Scale::Log),
            400.0,
            200.0,
        );
        assert!(f.x_ticks.iter().all(|t| t.fract() == 0.0));
        assert!(f.x_range().0 <= -15.0 && f.x_range().1 >= -1.0);
        let axes = f.axes("h", "error");
        assert!(
            axes.contains(">1e-12<") || axes.contains(">1e-10<"),
            "{axes}"
        );
        assert!(!f.marker(-8.0, "best", "best h").is_empty());
        assert!(f.marker(-30.0, "best", "").is_empty());
    }

    #[test]
    fn bounds_skip_what_is_not_finite() {
        assert_eq!(
            finite_bounds([1.0, f64::NAN, 3.0, f64::INFINITY].into_iter()),
            (1.0, 3.0)
        );
        assert_eq!(finite_bounds([2.0, 2.0].into_iter()), (1.5, 2.5));
        assert_eq!(finite_bounds(std::iter::empty()), (-1.0, 1.0));
    }

    #[test]
    fn labels_are_escaped() {
        let doc = document(10.0, 10.0, "c", "a<b", "");
        assert!(doc.contains("a&lt;b"));
        let axes = frame().axes("<x>", "y&");
        assert!(axes.contains("&lt;x&gt;") && axes.contains("y&amp;"));
    }
}
