//! The data scatter with the model's decision boundary: a grid over the data, the
//! predictions on it painted into a small bitmap (a BMP data URL the browser scales
//! smoothly; no canvas), and the points as SVG circles coloured by class.

use crate::render::svg::draw::escape;
use std::fmt::Write;

/// The side of the scatter picture, in SVG units.
pub const PICTURE: f64 = 240.0;

/// A square grid of `n` × `n` points covering the data with a margin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    pub min: [f64; 2],
    pub max: [f64; 2],
    pub n: usize,
}

impl Grid {
    /// The square around `points` (with 10 % margin), `n` points a side.
    pub fn around(points: &[[f64; 2]], n: usize) -> Grid {
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in points
            .iter()
            .filter(|p| p[0].is_finite() && p[1].is_finite())
        {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        if lo[0] > hi[0] {
            (lo, hi) = ([-1.5; 2], [1.5; 2]);
        }
        let half = ((hi[0] - lo[0]).max(hi[1] - lo[1]) / 2.0 * 1.1).max(0.5);
        let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        Grid {
            min: [centre[0] - half, centre[1] - half],
            max: [centre[0] + half, centre[1] + half],
            n: n.max(2),
        }
    }

    /// The grid's points row by row, the top row (largest y) first, each at its cell's
    /// centre.
    pub fn points(&self) -> Vec<[f64; 2]> {
        let step = |k: usize| (self.max[k] - self.min[k]) / self.n as f64;
        (0..self.n)
            .flat_map(|row| {
                (0..self.n).map(move |col| {
                    [
                        self.min[0] + (col as f64 + 0.5) * step(0),
                        self.max[1] - (row as f64 + 0.5) * step(1),
                    ]
                })
            })
            .collect()
    }

    /// Where a data point lands in a `size` × `size` picture of the grid.
    pub fn to_picture(&self, p: [f64; 2], size: f64) -> (f64, f64) {
        let x = (p[0] - self.min[0]) / (self.max[0] - self.min[0]) * size;
        let y = (self.max[1] - p[1]) / (self.max[1] - self.min[1]) * size;
        (x, y)
    }
}

/// RGB colours of the picture, per theme.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    /// The background where the model is unsure.
    pub neutral: [u8; 3],
    /// One colour per class (cycled when there are more classes).
    pub classes: [[u8; 3]; 3],
}

pub const LIGHT: Palette = Palette {
    neutral: [247, 247, 245],
    classes: [[37, 99, 235], [234, 88, 12], [22, 163, 74]],
};

pub const DARK: Palette = Palette {
    neutral: [32, 34, 39],
    classes: [[96, 150, 255], [251, 146, 60], [74, 222, 128]],
};

/// How far a confident region is tinted towards its class colour.
const TINT: f64 = 0.55;

fn tint(palette: &Palette, class: usize, strength: f64) -> [u8; 3] {
    let colour = palette.classes[class % palette.classes.len()];
    let t = strength.clamp(0.0, 1.0) * TINT;
    let mut out = [0; 3];
    for k in 0..3 {
        out[k] =
            (f64::from(palette.neutral[k]) * (1.0 - t) + f64::from(colour[k]) * t).round() as u8;
    }
    out
}

/// The predictions (most likely class and its probability, row by row on an `n` × `n`
/// grid) as a 24-bit BMP: the more certain, the stronger the class's tint.
pub fn bitmap(
    predictions: &[(usize, f64)],
    n: usize,
    classes: usize,
    palette: &Palette,
) -> Vec<u8> {
    let chance = 1.0 / classes.max(2) as f64;
    let row_bytes = (n * 3).div_ceil(4) * 4;
    let size = 54 + row_bytes * n;
    let mut out = Vec::with_capacity(size);
    let u32le = |out: &mut Vec<u8>, v: usize| out.extend_from_slice(&(v as u32).to_le_bytes());
    out.extend_from_slice(b"BM");
    u32le(&mut out, size);
    u32le(&mut out, 0);
    u32le(&mut out, 54);
    u32le(&mut out, 40);
    u32le(&mut out, n);
    u32le(&mut out, n);
    out.extend_from_slice(&[1, 0, 24, 0]);
    for v in [0, row_bytes * n, 2835, 2835, 0, 0] {
        u32le(&mut out, v);
    }
    // BMP rows go bottom-up; pixels are blue, green, red.
    for row in (0..n).rev() {
        for col in 0..n {
            let (class, p) = predictions
                .get(row * n + col)
                .copied()
                .unwrap_or((0, f64::NAN));
            let strength = if p.is_finite() {
                (p - chance) / (1.0 - chance)
            } else {
                0.0
            };
            let [r, g, b] = tint(palette, class, strength);
            out.extend_from_slice(&[b, g, r]);
        }
        out.resize(out.len() + row_bytes - n * 3, 0);
    }
    out
}

/// Bytes as a `data:` URL.
pub fn data_url(mime: &str, bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = format!("data:{mime};base64,");
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The data points as circles (class in a `c0`/`c1`/… class) on a `size` picture.
pub fn scatter_markup(points: &[[f64; 2]], labels: &[usize], grid: &Grid, size: f64) -> String {
    let mut out = String::new();
    for (p, label) in points.iter().zip(labels) {
        let (x, y) = grid.to_picture(*p, size);
        let _ = write!(
            out,
            "<circle class=\"point c{}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.2\"/>",
            label % 3
        );
    }
    out
}

/// The picture's accessible description.
pub fn describe(points: usize, classes: usize, accuracy: Option<f64>) -> String {
    let accuracy = accuracy
        .map(|a| format!(", training accuracy {:.1} %", a * 100.0))
        .unwrap_or_default();
    escape(&format!(
        "{points} data points in {classes} classes over the model's decision regions{accuracy}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_covers_the_data_with_a_margin() {
        let grid = Grid::around(&[[-1.0, 0.0], [1.0, 0.5]], 4);
        assert!(grid.min[0] < -1.0 && grid.max[0] > 1.0);
        assert!((grid.max[0] - grid.min[0] - (grid.max[1] - grid.min[1])).abs() < 1e-12);
        let points = grid.points();
        assert_eq!(points.len(), 16);
        assert!(points[0][1] > points[15][1], "the top row comes first");
        assert!(points[0][0] < points[3][0]);
        let (x, y) = grid.to_picture([grid.min[0], grid.max[1]], 100.0);
        assert_eq!((x, y), (0.0, 0.0));
        assert!((Grid::around(&[], 3).min[0] + 1.65).abs() < 1e-12);
    }

    #[test]
    fn predictions_become_a_bitmap() {
        let predictions = [(0, 1.0), (1, 1.0), (1, 0.5), (0, f64::NAN)];
        let bmp = bitmap(&predictions, 2, 2, &LIGHT);
        // 54-byte header, two rows of 6 bytes padded to 8.
        assert_eq!(bmp.len(), 54 + 16);
        assert_eq!(&bmp[..2], b"BM");
        assert_eq!(u32::from_le_bytes([bmp[2], bmp[3], bmp[4], bmp[5]]), 70);
        // The bottom row comes first: (1, 0.5) is unsure, so neutral (BGR).
        assert_eq!(&bmp[54..57], &[245, 247, 247]);
        // The top-left point is certain of class 0: tinted towards blue.
        let top_left = &bmp[62..65];
        assert!(top_left[0] > top_left[2], "{top_left:?}");
    }

    #[test]
    fn data_urls_are_base64() {
        assert_eq!(
            data_url("text/plain", b"Man"),
            "data:text/plain;base64,TWFu"
        );
        assert_eq!(data_url("x", b"Ma"), "data:x;base64,TWE=");
        assert_eq!(data_url("x", b"M"), "data:x;base64,TQ==");
    }

    #[test]
    fn points_are_circles_by_class() {
        let grid = Grid::around(&[[0.0, 0.0], [1.0, 1.0]], 8);
        let markup = scatter_markup(&[[0.0, 0.0], [1.0, 1.0]], &[0, 1], &grid, 100.0);
        assert_eq!(markup.matches("<circle").count(), 2);
        assert!(markup.contains("point c0") && markup.contains("point c1"));
        assert!(describe(256, 2, Some(0.953)).contains("95.3 %"));
    }
}
