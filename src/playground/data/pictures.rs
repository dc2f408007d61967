//! A trained classifier on its held-out rows, as markup the playground shows: the
//! confusion matrix (rows the true class, columns the predicted one), the misclassified
//! digits as 8×8 images, and the first layer's weights, one 8×8 image per hidden unit.
//! Images are small BMPs in `data:` URLs, scaled up with crisp pixels by the page; every
//! text is escaped.

use crate::playground::boundary::data_url;
use crate::render::svg::draw::escape;
use crate::render::svg::heatmap::{Shade, scale_of};
use std::fmt::Write;

/// The side of a digit image in pixels (`digits` rows are 8×8 images).
pub const SIDE: usize = 8;
/// The most misclassified images shown.
pub const MAX_MISTAKES: usize = 24;
/// The most weight images shown (the first layer's first units).
pub const MAX_UNITS: usize = 128;

/// `counts[true][predicted]` over `classes` classes (pairs out of range are skipped).
pub fn confusion(predicted: &[usize], labels: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut counts = vec![vec![0; classes]; classes];
    for (&p, &t) in predicted.iter().zip(labels) {
        if let Some(cell) = counts.get_mut(t).and_then(|row| row.get_mut(p)) {
            *cell += 1;
        }
    }
    counts
}

/// The confusion matrix as an HTML table: a caption, the predicted classes across, the
/// true ones down, each cell shaded by its share of its row.
pub fn confusion_markup(counts: &[Vec<usize>], names: &[String]) -> String {
    let name = |k: usize| escape(names.get(k).map_or("?", String::as_str));
    let mut out = String::from(
        "<figure class=\"confusion-figure\"><figcaption>Confusion matrix on the held-out rows: true class down, predicted across</figcaption><table class=\"confusion\"><thead><tr><th scope=\"col\"><span class=\"sr-only\">true \\ predicted</span></th>",
    );
    for k in 0..counts.len() {
        let _ = write!(out, "<th scope=\"col\">{}</th>", name(k));
    }
    out.push_str("</tr></thead><tbody>");
    for (t, row) in counts.iter().enumerate() {
        let total = row.iter().sum::<usize>().max(1) as f64;
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", name(t));
        for (p, &count) in row.iter().enumerate() {
            let share = (count as f64 / total * 100.0).round() as u32;
            let kind = if p == t { "hit" } else { "miss" };
            let _ = write!(
                out,
                "<td class=\"{kind}\" style=\"--share:{share}%\" data-count=\"{count}\">{count}</td>"
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></figure>");
    out
}

/// An uncompressed 24-bit BMP of `width × height` pixels given row by row as RGB.
pub fn bmp(width: usize, height: usize, pixels: &[[u8; 3]]) -> Vec<u8> {
    let row_bytes = (width * 3).div_ceil(4) * 4;
    let size = 54 + row_bytes * height;
    let mut out = Vec::with_capacity(size);
    let u32le = |out: &mut Vec<u8>, v: usize| out.extend_from_slice(&(v as u32).to_le_bytes());
    out.extend_from_slice(b"BM");
    for v in [size, 0, 54, 40, width, height] {
        u32le(&mut out, v);
    }
    out.extend_from_slice(&[1, 0, 24, 0]);
    for v in [0, row_bytes * height, 2835, 2835, 0, 0] {
        u32le(&mut out, v);
    }
    // Rows bottom-up, pixels blue, green, red.
    for row in (0..height).rev() {
        for col in 0..width {
            let [r, g, b] = pixels.get(row * width + col).copied().unwrap_or([0, 0, 0]);
            out.extend_from_slice(&[b, g, r]);
        }
        out.resize(out.len() + row_bytes - width * 3, 0);
    }
    out
}

/// A digit's pixels (0 blank … 16 full ink, as the files hold them) as an image: dark
/// ink on white.
pub fn digit_image(pixels: &[f64]) -> String {
    let rgb: Vec<[u8; 3]> = pixels
        .iter()
        .map(|&v| {
            let level = (255.0 - (v / 16.0).clamp(0.0, 1.0) * 255.0).round() as u8;
            [level, level, level]
        })
        .collect();
    data_url("image/bmp", &bmp(SIDE, SIDE, &rgb))
}

/// One unit's incoming weights as an image on the diverging map the tensor pictures
/// use: red positive, blue negative, white 0, full strength at `scale`.
pub fn weight_image(weights: &[f64], scale: f64) -> String {
    let rgb: Vec<[u8; 3]> = weights
        .iter()
        .map(|&w| shade_rgb(Shade::of(w, scale)))
        .collect();
    data_url("image/bmp", &bmp(SIDE, SIDE, &rgb))
}

/// A shade as RGB: red positive, blue negative, white 0, black NaN / ±∞.
pub fn shade_rgb(shade: Shade) -> [u8; 3] {
    let fade = |p: u8| 255 - (u32::from(p) * 255 / 100) as u8;
    match shade {
        Shade::Positive(p) => [255, fade(p), fade(p)],
        Shade::Negative(p) => [fade(p), fade(p), 255],
        Shade::Zero => [255, 255, 255],
        Shade::NonFinite => [0, 0, 0],
    }
}

/// The misclassified rows, in row order, at most [`MAX_MISTAKES`]: (row, predicted, true).
pub fn mistakes(predicted: &[usize], labels: &[usize]) -> Vec<(usize, usize, usize)> {
    predicted
        .iter()
        .zip(labels)
        .enumerate()
        .filter(|(_, (p, t))| p != t)
        .map(|(row, (&p, &t))| (row, p, t))
        .take(MAX_MISTAKES)
        .collect()
}

/// The misclassified digits (`raw`: the held-out rows' pixels, row-major, 64 a row) as
/// a gallery of images, each captioned with what the model said and what it is.
pub fn mistakes_markup(mistakes: &[(usize, usize, usize)], raw: &[f64], total: usize) -> String {
    let pixels = SIDE * SIDE;
    let mut out = format!(
        "<figure class=\"digit-gallery mistakes\"><figcaption>Misclassified held-out digits: {} of {total}{}</figcaption><ul>",
        mistakes.len(),
        if mistakes.len() == MAX_MISTAKES {
            " (the first)"
        } else {
            ""
        }
    );
    for &(row, predicted, truth) in mistakes {
        let image = raw.get(row * pixels..(row + 1) * pixels).unwrap_or(&[]);
        let _ = write!(
            out,
            "<li><img class=\"digit\" src=\"{}\" width=\"40\" height=\"40\" alt=\"a {truth} read as {predicted}\"><span>{predicted} (is {truth})</span></li>",
            digit_image(image)
        );
    }
    out.push_str("</ul></figure>");
    out
}

/// The first layer's weights `[64, units]` (row-major) as one 8×8 image per unit (at
/// most [`MAX_UNITS`]), on one colour scale.
pub fn weights_markup(weights: &[f64], units: usize) -> String {
    let pixels = SIDE * SIDE;
    let scale = scale_of(weights);
    let shown = units.min(MAX_UNITS);
    let mut out = format!(
        "<figure class=\"digit-gallery weights\"><figcaption>The first layer's weights: what each of {shown} hidden units looks for (red adds, blue subtracts)</figcaption><ul>"
    );
    for unit in 0..shown {
        let column: Vec<f64> = (0..pixels)
            .map(|i| weights.get(i * units + unit).copied().unwrap_or(f64::NAN))
            .collect();
        let _ = write!(
            out,
            "<li><img class=\"digit\" src=\"{}\" width=\"32\" height=\"32\" alt=\"unit {}\"></li>",
            weight_image(&column, scale),
            unit + 1
        );
    }
    out.push_str("</ul></figure>");
    out
}

/// A fitted curve: the rows `(x, target)` as points and the model's `(x, prediction)`
/// as a line, in a `size` square (both axes scaled to what they hold, with a margin).
pub fn fit_markup(points: &[(f64, f64)], curve: &[(f64, f64)], size: f64) -> String {
    let finite = |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite();
    let all: Vec<(f64, f64)> = points.iter().chain(curve).copied().filter(finite).collect();
    let range = |f: fn(&(f64, f64)) -> f64| {
        let (lo, hi) = all
            .iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let pad = ((hi - lo) * 0.08).max(1e-9);
        if lo.is_finite() {
            (lo - pad, hi + pad)
        } else {
            (-1.0, 1.0)
        }
    };
    let ((x0, x1), (y0, y1)) = (range(|p| p.0), range(|p| p.1));
    let at = |(x, y): (f64, f64)| ((x - x0) / (x1 - x0) * size, (y1 - y) / (y1 - y0) * size);
    let mut out = format!(
        "<figure class=\"chart fit\"><svg class=\"fit-plot\" viewBox=\"0 0 {size} {size}\" role=\"img\" aria-label=\"{} rows and the fitted curve\"><rect class=\"plot-bg\" width=\"{size}\" height=\"{size}\"></rect>",
        points.len()
    );
    let path: Vec<String> = curve
        .iter()
        .copied()
        .filter(finite)
        .map(|p| {
            let (x, y) = at(p);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    if !path.is_empty() {
        let _ = write!(
            out,
            "<polyline class=\"fit-line\" points=\"{}\"></polyline>",
            path.join(" ")
        );
    }
    for p in points.iter().copied().filter(finite) {
        let (x, y) = at(p);
        let _ = write!(
            out,
            "<circle class=\"point c0\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"></circle>"
        );
    }
    out.push_str("</svg><figcaption>The rows and the model's fitted curve</figcaption></figure>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confusion_matrix_counts_true_classes_down_and_predictions_across() {
        let counts = confusion(&[0, 1, 1, 2, 0, 9], &[0, 1, 2, 2, 1, 0], 3);
        assert_eq!(counts, [[1, 0, 0], [1, 1, 0], [0, 1, 1]]);
        let names: Vec<String> = ["a", "b", "<c>"].iter().map(|s| s.to_string()).collect();
        let markup = confusion_markup(&counts, &names);
        assert_eq!(markup.matches("<td class=\"hit\"").count(), 3);
        assert_eq!(markup.matches("<td class=\"miss\"").count(), 6);
        assert!(markup.contains("&lt;c&gt;") && !markup.contains("<c>"));
        assert!(markup.contains("style=\"--share:50%\" data-count=\"1\">1</td>"));
    }

    #[test]
    fn a_fit_draws_every_row_and_the_curve_inside_the_square() {
        let points = [(0.0, 0.0), (1.0, 1.0), (2.0, 4.0)];
        let curve: Vec<(f64, f64)> = (0..=20)
            .map(|i| (i as f64 / 10.0, (i as f64 / 10.0).powi(2)))
            .collect();
        let markup = fit_markup(&points, &curve, 240.0);
        assert_eq!(markup.matches("<circle").count(), 3);
        assert_eq!(markup.matches("<polyline").count(), 1);
        let coords: Vec<f64> = markup
            .split(['"', ' ', ','])
            .filter_map(|w| w.parse::<f64>().ok())
            .collect();
        assert!(
            coords.iter().all(|&c| (0.0..=240.0).contains(&c)),
            "{markup}"
        );
        assert!(!fit_markup(&[], &[], 100.0).contains("polyline"));
    }

    #[test]
    fn a_bmp_has_its_size_in_the_header_and_rows_bottom_up_in_bgr() {
        let bytes = bmp(2, 2, &[[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]);
        // Rows of 6 bytes padded to 8.
        assert_eq!(bytes.len(), 54 + 16);
        assert_eq!(&bytes[2..6], &70u32.to_le_bytes());
        assert_eq!(&bytes[18..26], &[2, 0, 0, 0, 2, 0, 0, 0]);
        assert_eq!(&bytes[54..62], &[9, 8, 7, 12, 11, 10, 0, 0]);
        assert_eq!(&bytes[62..70], &[3, 2, 1, 6, 5, 4, 0, 0]);
    }

    #[test]
    fn ink_is_dark_and_weights_are_red_or_blue_by_sign() {
        let blank = digit_image(&[0.0; 64]);
        let inked = digit_image(&[16.0; 64]);
        assert!(blank.starts_with("data:image/bmp;base64,") && blank != inked);
        let full = bmp(SIDE, SIDE, &[[0, 0, 0]; 64]);
        assert_eq!(inked, data_url("image/bmp", &full));
        let red = bmp(SIDE, SIDE, &[[255, 0, 0]; 64]);
        assert_eq!(weight_image(&[2.0; 64], 2.0), data_url("image/bmp", &red));
        let pale_blue = bmp(SIDE, SIDE, &[[128, 128, 255]; 64]);
        assert_eq!(
            weight_image(&[-1.0; 64], 2.0),
            data_url("image/bmp", &pale_blue)
        );
    }

    #[test]
    fn the_galleries_show_each_mistake_and_each_unit_once() {
        let found = mistakes(&[3, 5, 5, 1], &[3, 6, 5, 7]);
        assert_eq!(found, [(1, 5, 6), (3, 1, 7)]);
        let raw = vec![8.0; 4 * 64];
        let markup = mistakes_markup(&found, &raw, 4);
        assert_eq!(markup.matches("<img class=\"digit\"").count(), 2);
        assert!(markup.contains("alt=\"a 6 read as 5\"") && markup.contains(": 2 of 4<"));
        let many = mistakes(&[1; 100], &[0; 100]);
        assert_eq!(many.len(), MAX_MISTAKES);
        let weights: Vec<f64> = (0..64 * 3).map(|i| i as f64 - 90.0).collect();
        assert_eq!(weights_markup(&weights, 3).matches("<img").count(), 3);
        assert_eq!(
            weights_markup(&vec![0.5; 64 * 200], 200)
                .matches("<img")
                .count(),
            MAX_UNITS
        );
    }
}
