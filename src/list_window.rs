//! Which rows of a long scrolled list to draw: those in view and a margin either side, with
//! the space of the rest kept above and below, so a list of thousands of entries costs the
//! page a few dozen elements (laid out, painted and observed).

/// The rows `first..end` to draw, and the height left for the rows above and below them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ListWindow {
    pub first: usize,
    pub end: usize,
    pub above: f64,
    pub below: f64,
}

/// Rows drawn beyond each edge of the view, so a scroll shows drawn rows before the next
/// window is drawn.
pub const MARGIN_ROWS: usize = 12;

/// The window of a list of `rows` rows of `row_height` pixels each, scrolled down by
/// `scroll_top` in a view `view_height` pixels high. A height that is not a positive
/// number counts as one pixel, a scroll that is not a number as none.
pub fn list_window(rows: usize, row_height: f64, scroll_top: f64, view_height: f64) -> ListWindow {
    let height = if row_height.is_finite() && row_height > 0.0 {
        row_height
    } else {
        1.0
    };
    let top = if scroll_top.is_finite() {
        scroll_top.max(0.0)
    } else {
        0.0
    };
    let view = if view_height.is_finite() {
        view_height.max(0.0)
    } else {
        0.0
    };
    let row_at = |y: f64| ((y / height) as usize).min(rows);
    let first = row_at(top).saturating_sub(MARGIN_ROWS).min(rows);
    let end = (row_at(top + view) + 1 + MARGIN_ROWS).min(rows);
    ListWindow {
        first,
        end,
        above: first as f64 * height,
        below: (rows - end) as f64 * height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_at_its_top_draws_the_rows_in_view_and_a_margin() {
        let w = list_window(3000, 20.0, 0.0, 200.0);
        assert_eq!((w.first, w.end), (0, 10 + 1 + MARGIN_ROWS));
        assert_eq!(w.above, 0.0);
        assert_eq!(w.below, (3000 - w.end) as f64 * 20.0);
    }

    #[test]
    fn a_scrolled_list_keeps_the_height_of_every_row() {
        for (rows, top) in [
            (3000, 12_345.0),
            (3000, 59_990.0),
            (40, 300.0),
            (5, 0.0),
            (0, 50.0),
        ] {
            let w = list_window(rows, 20.0, top, 224.0);
            assert!(w.first <= w.end && w.end <= rows);
            let drawn = (w.end - w.first) as f64 * 20.0;
            assert_eq!(w.above + drawn + w.below, rows as f64 * 20.0);
            // The rows in view are drawn.
            let in_view = (top / 20.0) as usize;
            if in_view < rows {
                assert!(
                    w.first <= in_view && in_view < w.end,
                    "{rows} rows at {top}: {w:?}"
                );
            }
        }
        let w = list_window(3000, 20.0, 12_345.0, 224.0);
        assert_eq!(w.first, 617 - MARGIN_ROWS);
        assert_eq!(w.end, 628 + 1 + MARGIN_ROWS);
    }

    #[test]
    fn heights_that_are_not_numbers_do_not_break_the_window() {
        for (height, top, view) in [
            (f64::NAN, 0.0, 100.0),
            (0.0, f64::INFINITY, f64::NAN),
            (-3.0, -50.0, -1.0),
        ] {
            let w = list_window(100, height, top, view);
            assert!(w.first <= w.end && w.end <= 100, "{w:?}");
            assert!(w.above.is_finite() && w.below.is_finite());
        }
    }
}
