//! Room for edge labels in the exported picture: the layout leaves a fixed gap between
//! columns, and a label wider than its gap would cover the boxes beside it, so such gaps
//! are widened and everything to their right moves over.

use crate::layout::{Layout, NodeSize, Point};

/// Space kept between a label and the boxes on either side of it.
const CLEARANCE: f64 = 8.0;

/// A column of boxes: its left and right edges.
#[derive(Clone, Copy, Debug)]
struct Column {
    left: f64,
    right: f64,
}

/// The columns of `layout`, left to right (nodes of a column share their centre).
fn columns(layout: &Layout, sizes: &[NodeSize]) -> Vec<Column> {
    let mut columns: Vec<(f64, f64)> = Vec::new();
    for (centre, size) in layout.nodes.iter().zip(sizes) {
        match columns.iter_mut().find(|(x, _)| (x - centre.x).abs() < 0.5) {
            Some((_, half)) => *half = half.max(size.width / 2.0),
            None => columns.push((centre.x, size.width / 2.0)),
        }
    }
    columns.sort_by(|a, b| a.0.total_cmp(&b.0));
    columns
        .into_iter()
        .map(|(x, half)| Column {
            left: x - half,
            right: x + half,
        })
        .collect()
}

/// Widen every gap between columns where a label (its centre and width) does not fit,
/// moving the nodes, the edges' points and the drawing's right edge; returns each label's
/// new centre x (centred in its gap when it lies in one).
pub fn make_room(layout: &mut Layout, sizes: &[NodeSize], labels: &[(Point, f64)]) -> Vec<f64> {
    let columns = columns(layout, sizes);
    let gaps: Vec<(f64, f64)> = columns
        .windows(2)
        .map(|pair| (pair[0].right, pair[1].left))
        .collect();
    let gap_of = |x: f64| gaps.iter().position(|&(start, end)| start <= x && x <= end);
    let mut extra = vec![0.0f64; gaps.len()];
    for &(at, width) in labels {
        if let Some(i) = gap_of(at.x) {
            let (start, end) = gaps[i];
            extra[i] = extra[i].max(width + 2.0 * CLEARANCE - (end - start));
        }
    }
    // A point moves by the extra width of every gap whose middle lies to its left.
    let shift = |x: f64| -> f64 {
        gaps.iter()
            .zip(&extra)
            .filter(|((start, end), _)| (start + end) / 2.0 < x)
            .map(|(_, extra)| extra)
            .sum()
    };
    let moved: Vec<f64> = labels
        .iter()
        .map(|&(at, _)| match gap_of(at.x) {
            Some(i) => {
                let (start, end) = gaps[i];
                (start + shift(start) + end + shift(end)) / 2.0
            }
            None => at.x + shift(at.x),
        })
        .collect();
    for node in &mut layout.nodes {
        node.x += shift(node.x);
    }
    for point in layout.edges.iter_mut().flat_map(|e| e.points.iter_mut()) {
        point.x += shift(point.x);
    }
    layout.width += extra.iter().sum::<f64>();
    moved
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::NodeId;
    use crate::layout::EdgePath;

    fn two_columns() -> (Layout, Vec<NodeSize>) {
        let size = NodeSize {
            width: 100.0,
            height: 40.0,
        };
        let layout = Layout {
            nodes: vec![Point { x: 66.0, y: 36.0 }, Point { x: 286.0, y: 36.0 }],
            edges: vec![EdgePath {
                from: NodeId(0),
                to: NodeId(1),
                input_index: 0,
                points: vec![Point { x: 116.0, y: 36.0 }, Point { x: 236.0, y: 36.0 }],
            }],
            width: 352.0,
            height: 72.0,
        };
        (layout, vec![size, size])
    }

    #[test]
    fn a_label_that_fits_moves_nothing() {
        let (mut layout, sizes) = two_columns();
        let before = layout.clone();
        let at = make_room(&mut layout, &sizes, &[(Point { x: 176.0, y: 30.0 }, 80.0)]);
        assert_eq!(layout, before);
        assert_eq!(at, [176.0]);
    }

    #[test]
    fn a_wide_label_widens_its_gap() {
        let (mut layout, sizes) = two_columns();
        let at = make_room(&mut layout, &sizes, &[(Point { x: 176.0, y: 30.0 }, 200.0)]);
        // The gap of 120 needs 200 + 2 · 8: everything right of it moves by 96.
        assert_eq!(layout.nodes[0].x, 66.0);
        assert_eq!(layout.nodes[1].x, 286.0 + 96.0);
        assert_eq!(layout.edges[0].points[0].x, 116.0);
        assert_eq!(layout.edges[0].points[1].x, 236.0 + 96.0);
        assert_eq!(layout.width, 352.0 + 96.0);
        // Centred in the new gap, the label clears both boxes by 8.
        assert_eq!(at, [(116.0 + 332.0) / 2.0]);
        assert_eq!(at[0] - 100.0 - 116.0, 8.0);
    }
}
