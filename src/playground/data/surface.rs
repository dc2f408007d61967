//! A regression of two features as a picture: the model's prediction over the plot's
//! area as a colour map (a BMP data URL, blue low, white middle, red high: the tensor
//! pictures' diverging map centred on the middle of the range), the rows as points
//! coloured by their target on the same scale, and a legend of the scale's ends.

use crate::number::format_number;
use crate::playground::boundary::{Grid, data_url};
use crate::playground::data::pictures::{bmp, shade_rgb};
use crate::render::svg::draw::escape;
use crate::render::svg::heatmap::Shade;
use std::fmt::Write;

/// The colour scale: its lowest and highest values over the finite ones given
/// (`(-1, 1)` when none is finite; widened around a single value).
pub fn range(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if lo > hi {
        (-1.0, 1.0)
    } else if lo == hi {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    }
}

/// The colour of `value` on the scale `(lo, hi)`: full blue at `lo`, white halfway,
/// full red at `hi` (beyond the ends, the ends' colours); black for NaN / ±∞.
pub fn colour(value: f64, (lo, hi): (f64, f64)) -> [u8; 3] {
    let middle = (lo + hi) / 2.0;
    shade_rgb(Shade::of(value - middle, (hi - lo) / 2.0))
}

/// The predictions on `grid` (row by row, top row first, as [`Grid::points`] gives
/// them) as an image on the scale.
pub fn surface_image(values: &[f64], n: usize, scale: (f64, f64)) -> String {
    let rgb: Vec<[u8; 3]> = (0..n * n)
        .map(|i| colour(values.get(i).copied().unwrap_or(f64::NAN), scale))
        .collect();
    data_url("image/bmp", &bmp(n, n, &rgb))
}

/// The fitted surface in a `size` square: the predictions `values` on `grid` as the
/// background, the rows `points` (their `targets`) as circles on the same scale, and
/// a legend of the scale's ends.
pub fn surface_markup(
    grid: &Grid,
    values: &[f64],
    points: &[[f64; 2]],
    targets: &[f64],
    size: f64,
) -> String {
    let all: Vec<f64> = values.iter().chain(targets).copied().collect();
    let scale = range(&all);
    let mut out = format!(
        "<figure class=\"chart fit surface\" data-surface><svg class=\"surface-plot\" viewBox=\"0 0 {size} {size}\" role=\"img\" aria-label=\"{} rows over the model's fitted surface\"><image href=\"{}\" width=\"{size}\" height=\"{size}\" preserveAspectRatio=\"none\"></image>",
        points.len(),
        surface_image(values, grid.n, scale)
    );
    for (p, &target) in points.iter().zip(targets) {
        if !(p[0].is_finite() && p[1].is_finite()) {
            continue;
        }
        let (x, y) = grid.to_picture(*p, size);
        let [r, g, b] = colour(target, scale);
        let _ = write!(
            out,
            "<circle class=\"surface-point\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.2\" style=\"fill:rgb({r},{g},{b})\"></circle>"
        );
    }
    let (lo, hi) = scale;
    let _ = write!(
        out,
        "</svg><figcaption>The rows (coloured by their target) over the model's prediction<span class=\"surface-legend\" data-min=\"{lo}\" data-max=\"{hi}\"><span>{}</span><span class=\"surface-ramp\" aria-hidden=\"true\"></span><span>{}</span></span></figcaption></figure>",
        escape(&format_number(lo)),
        escape(&format_number(hi))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_runs_blue_white_red_and_marks_what_is_not_finite() {
        let scale = (-2.0, 6.0);
        assert_eq!(colour(-2.0, scale), [0, 0, 255]);
        assert_eq!(colour(2.0, scale), [255, 255, 255]);
        assert_eq!(colour(6.0, scale), [255, 0, 0]);
        assert_eq!(colour(100.0, scale), [255, 0, 0]);
        // A quarter of the way from the middle to the top: 50 % red.
        assert_eq!(colour(4.0, scale), [255, 128, 128]);
        assert_eq!(colour(f64::NAN, scale), [0, 0, 0]);
        assert_eq!(range(&[3.0, f64::NAN, -1.0]), (-1.0, 3.0));
        assert_eq!(range(&[5.0]), (4.0, 6.0));
        assert_eq!(range(&[f64::INFINITY]), (-1.0, 1.0));
    }

    #[test]
    fn a_linear_model_on_the_grid_is_blue_at_its_low_corner_and_red_at_its_high_one() {
        // prediction = x + y over the square [-1, 1]²: lowest bottom left, highest top
        // right, 0 (white) along the other diagonal.
        let grid = Grid {
            min: [-1.0, -1.0],
            max: [1.0, 1.0],
            n: 4,
        };
        let values: Vec<f64> = grid.points().iter().map(|p| p[0] + p[1]).collect();
        let scale = range(&values);
        assert_eq!(scale, (-1.5, 1.5));
        let n = grid.n;
        let at = |row: usize, col: usize| colour(values[row * n + col], scale);
        assert_eq!(at(n - 1, 0), [0, 0, 255], "bottom left");
        assert_eq!(at(0, n - 1), [255, 0, 0], "top right");
        assert_eq!(at(0, 0), [255, 255, 255], "top left");
        assert_eq!(at(n - 1, n - 1), [255, 255, 255], "bottom right");
        let rgb: Vec<[u8; 3]> = (0..n * n).map(|i| at(i / n, i % n)).collect();
        assert_eq!(
            surface_image(&values, n, scale),
            data_url("image/bmp", &bmp(n, n, &rgb))
        );
    }

    #[test]
    fn the_markup_has_the_surface_every_row_on_the_scale_and_the_legend() {
        let grid = Grid::around(&[[0.0, 0.0], [1.0, 1.0]], 8);
        let values: Vec<f64> = grid.points().iter().map(|p| p[0]).collect();
        let markup = surface_markup(
            &grid,
            &values,
            &[[0.0, 0.0], [1.0, 1.0], [f64::NAN, 0.0]],
            &[-10.0, 10.0, 0.0],
            240.0,
        );
        assert!(
            markup.contains("data-surface")
                && markup.contains("<image href=\"data:image/bmp;base64,")
        );
        assert_eq!(markup.matches("<circle").count(), 2);
        assert!(markup.contains("style=\"fill:rgb(0,0,255)\""), "{markup}");
        assert!(markup.contains("style=\"fill:rgb(255,0,0)\""));
        assert!(markup.contains("data-min=\"-10\" data-max=\"10\""));
        assert!(markup.contains("<span>-10</span>") && markup.contains("<span>10</span>"));
    }
}
