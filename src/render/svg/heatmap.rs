//! Tensors as pictures: a diverging colour map symmetric around 0, the matrix a tensor is
//! drawn as, thumbnails that average blocks of a large tensor, and its statistics.

/// The most elements a tensor may have to be drawn cell by cell (larger ones become a
/// thumbnail with statistics).
pub const SMALL_TENSOR: usize = 24;

/// How a value is coloured: towards blue (negative) or red (positive) by a percentage of
/// full strength, or marked as NaN / ±∞.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shade {
    Negative(u8),
    Zero,
    Positive(u8),
    NonFinite,
}

impl Shade {
    /// The shade of `x` on a scale where `scale` (the largest magnitude shown) is full
    /// strength. Percentages are whole numbers, so equal-looking values share a string.
    pub fn of(x: f64, scale: f64) -> Shade {
        if !x.is_finite() {
            return Shade::NonFinite;
        }
        if x == 0.0 || scale <= 0.0 || !scale.is_finite() {
            return Shade::Zero;
        }
        let strength = ((x.abs() / scale).min(1.0) * 100.0).round().max(1.0) as u8;
        if x < 0.0 {
            Shade::Negative(strength)
        } else {
            Shade::Positive(strength)
        }
    }

    /// Strong enough that text on it needs the contrasting colour.
    pub fn is_strong(self) -> bool {
        matches!(self, Shade::Negative(p) | Shade::Positive(p) if p > 55)
    }
}

/// The largest finite magnitude in `data`: the colour scale's full strength.
pub fn scale_of(data: &[f64]) -> f64 {
    data.iter()
        .filter(|x| x.is_finite())
        .fold(0.0, |m: f64, x| m.max(x.abs()))
}

/// The rows and columns a tensor is drawn as: a scalar is 1×1, a vector one row, a
/// matrix itself, and higher ranks their leading dimensions stacked into rows.
pub fn as_matrix(shape: &[usize]) -> (usize, usize) {
    match shape {
        [] => (1, 1),
        [n] => (1, *n),
        [leading @ .., last] => (leading.iter().product(), *last),
    }
}

/// Whether a tensor of this shape is drawn cell by cell.
pub fn is_small(shape: &[usize]) -> bool {
    shape.len() <= 2 && shape.iter().product::<usize>() <= SMALL_TENSOR
}

/// Summary statistics over the finite elements, with a count of the others.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    /// The Euclidean (Frobenius) norm.
    pub norm: f64,
    /// How many elements are NaN or ±∞.
    pub nonfinite: usize,
}

/// Statistics of `data`; NaN for min, max and mean when no element is finite.
pub fn stats(data: &[f64]) -> Stats {
    let (mut min, mut max, mut sum, mut squares, mut count) =
        (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0.0, 0usize);
    for &x in data.iter().filter(|x| x.is_finite()) {
        min = min.min(x);
        max = max.max(x);
        sum += x;
        squares += x * x;
        count += 1;
    }
    if count == 0 {
        return Stats {
            min: f64::NAN,
            max: f64::NAN,
            mean: f64::NAN,
            norm: f64::NAN,
            nonfinite: data.len(),
        };
    }
    Stats {
        min,
        max,
        mean: sum / count as f64,
        norm: squares.sqrt(),
        nonfinite: data.len() - count,
    }
}

/// A block-averaged picture of a tensor seen as a matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Thumbnail {
    pub rows: usize,
    pub cols: usize,
    /// Row-major, `rows * cols`: each block's mean over its finite elements, or NaN when
    /// the block holds any NaN or ±∞ (so a single bad element stays visible).
    pub cells: Vec<f64>,
}

/// Average blocks of the tensor (`shape`, row-major `data`) down to at most
/// `max_rows` × `max_cols` cells.
pub fn thumbnail(shape: &[usize], data: &[f64], max_rows: usize, max_cols: usize) -> Thumbnail {
    let (rows, cols) = as_matrix(shape);
    let (out_rows, out_cols) = (
        rows.clamp(1, max_rows.max(1)),
        cols.clamp(1, max_cols.max(1)),
    );
    let mut sums = vec![0.0; out_rows * out_cols];
    let mut counts = vec![0usize; out_rows * out_cols];
    let mut bad = vec![false; out_rows * out_cols];
    for r in 0..rows {
        let br = r * out_rows / rows.max(1);
        for c in 0..cols {
            let bc = c * out_cols / cols.max(1);
            let cell = br * out_cols + bc;
            match data.get(r * cols + c) {
                Some(x) if x.is_finite() => {
                    sums[cell] += x;
                    counts[cell] += 1;
                }
                Some(_) => bad[cell] = true,
                None => {}
            }
        }
    }
    let cells = (0..sums.len())
        .map(|i| {
            if bad[i] || counts[i] == 0 {
                f64::NAN
            } else {
                sums[i] / counts[i] as f64
            }
        })
        .collect();
    Thumbnail {
        rows: out_rows,
        cols: out_cols,
        cells,
    }
}

/// The index of element `flat` of a tensor of `shape`, as people write it: `[1,0]`.
pub fn index_text(shape: &[usize], flat: usize) -> String {
    let mut rest = flat;
    let mut parts = vec![0; shape.len()];
    for (part, &dim) in parts.iter_mut().zip(shape).rev() {
        let dim = dim.max(1);
        *part = rest % dim;
        rest /= dim;
    }
    let parts: Vec<String> = parts.iter().map(usize::to_string).collect();
    format!("[{}]", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_are_symmetric_around_zero() {
        assert_eq!(Shade::of(0.0, 2.0), Shade::Zero);
        assert_eq!(Shade::of(2.0, 2.0), Shade::Positive(100));
        assert_eq!(Shade::of(-2.0, 2.0), Shade::Negative(100));
        assert_eq!(Shade::of(-1.0, 2.0), Shade::Negative(50));
        assert_eq!(
            Shade::of(1e-9, 2.0),
            Shade::Positive(1),
            "tiny values still show a sign"
        );
        assert_eq!(Shade::of(f64::NAN, 2.0), Shade::NonFinite);
        assert_eq!(Shade::of(f64::NEG_INFINITY, 2.0), Shade::NonFinite);
        assert_eq!(Shade::of(5.0, 0.0), Shade::Zero);
        assert!(Shade::of(-1.9, 2.0).is_strong() && !Shade::of(0.5, 2.0).is_strong());
        assert_eq!(scale_of(&[1.0, -3.0, f64::NAN, f64::INFINITY]), 3.0);
    }

    #[test]
    fn shapes_become_matrices() {
        assert_eq!(as_matrix(&[]), (1, 1));
        assert_eq!(as_matrix(&[5]), (1, 5));
        assert_eq!(as_matrix(&[3, 2]), (3, 2));
        assert_eq!(as_matrix(&[2, 3, 4]), (6, 4));
        assert!(is_small(&[3, 2]) && is_small(&[24]) && !is_small(&[25]) && !is_small(&[1, 2, 3]));
        assert_eq!(index_text(&[3, 2], 3), "[1,1]");
        assert_eq!(index_text(&[4], 2), "[2]");
        assert_eq!(index_text(&[], 0), "[]");
    }

    #[test]
    fn statistics_skip_non_finite_elements() {
        let s = stats(&[3.0, -4.0, f64::NAN]);
        assert_eq!(
            (s.min, s.max, s.mean, s.norm, s.nonfinite),
            (-4.0, 3.0, -0.5, 5.0, 1)
        );
        let none = stats(&[f64::NAN]);
        assert!(none.min.is_nan() && none.norm.is_nan());
        assert_eq!(none.nonfinite, 1);
    }

    #[test]
    fn thumbnails_average_blocks_and_keep_bad_elements_visible() {
        // 4×4 into 2×2: each cell is the mean of a 2×2 block.
        let data: Vec<f64> = (0..16).map(f64::from).collect();
        let t = thumbnail(&[4, 4], &data, 2, 2);
        assert_eq!((t.rows, t.cols), (2, 2));
        assert_eq!(t.cells, vec![2.5, 4.5, 10.5, 12.5]);
        let mut with_nan = data.clone();
        with_nan[5] = f64::NAN;
        let t = thumbnail(&[4, 4], &with_nan, 2, 2);
        assert!(t.cells[0].is_nan() && !t.cells[1].is_nan());
        // Smaller than the limit: unchanged.
        let t = thumbnail(&[2, 3], &data[..6], 16, 16);
        assert_eq!((t.rows, t.cols, t.cells.len()), (2, 3, 6));
        assert_eq!(t.cells, data[..6].to_vec());
        // Odd sizes: every element lands in some cell.
        let t = thumbnail(&[64, 2], &vec![1.0; 128], 16, 16);
        assert_eq!((t.rows, t.cols), (16, 2));
        assert!(t.cells.iter().all(|&c| c == 1.0));
    }
}
