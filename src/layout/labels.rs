//! Where edge labels go, in the graph view and the exported picture alike: gaps between
//! columns widened where a label is wider than its gap, then each label put on its edge
//! (centred on the line, which its background hides) at the point nearest the middle
//! where it covers no box and no other label, or just beside the line where every point
//! of it is taken.

use super::{float_key, sort_keyed};
use crate::layout::{Layout, NodeSize, Point};
use std::collections::HashMap;

/// Space kept between a label and the boxes on either side of its gap.
const CLEARANCE: f64 = 8.0;
/// A label's height (one line of 12 px text and its background).
pub const LABEL_HEIGHT: f64 = 16.0;
/// Width of one character of a label (12 px monospace) and the padding on either side.
const LABEL_CHAR: f64 = 7.3;
const PADDING: f64 = 4.0;

/// The width of a label of `chars` characters, its background included.
pub fn label_width(chars: usize) -> f64 {
    LABEL_CHAR * chars as f64 + 2.0 * PADDING
}

/// Space kept around a label when checking what it covers.
const MARGIN: f64 = 2.0;
/// Where along its edge a label may sit, as fractions of the path: the middle first.
const ALONG: [f64; 13] = [
    0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.12, 0.88, 0.06, 0.94,
];
/// How far a label may move off its line when every place on it is taken: just above or
/// below it, then one label further.
const BESIDE: [f64; 5] = [0.0, -12.0, 12.0, -32.0, 32.0];
/// The side of a cell of the grid that finds what a label could cover.
const CELL: f64 = 64.0;

/// A rectangle by its centre and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    pub centre: Point,
    pub width: f64,
    pub height: f64,
}

impl Area {
    fn bounds(&self, margin: f64) -> (f64, f64, f64, f64) {
        let (hw, hh) = (self.width / 2.0 + margin, self.height / 2.0 + margin);
        (
            self.centre.x - hw,
            self.centre.y - hh,
            self.centre.x + hw,
            self.centre.y + hh,
        )
    }

    /// The area two rectangles share (0 when they are apart).
    pub fn overlap(&self, other: &Area) -> f64 {
        let (a0, a1, a2, a3) = self.bounds(0.0);
        let (b0, b1, b2, b3) = other.bounds(0.0);
        let w = a2.min(b2) - a0.max(b0);
        let h = a3.min(b3) - a1.max(b1);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }
}

/// Makes room for the labels of `layout`'s edges (`widths[e]`: the width of edge `e`'s
/// label, `None` for an edge without one) and places them. Moves nodes and edges where a
/// gap widens; returns each label's area.
pub fn place_labels(
    layout: &mut Layout,
    sizes: &[NodeSize],
    widths: &[Option<f64>],
) -> Vec<Option<Area>> {
    let wanted: Vec<(Point, f64)> = layout
        .edges
        .iter()
        .zip(widths)
        .filter_map(|(edge, width)| Some((along(&edge.points, 0.5), (*width)?)))
        .collect();
    make_room(layout, sizes, &wanted);

    let mut taken = Grid::default();
    for (centre, size) in layout.nodes.iter().zip(sizes) {
        taken.insert(Area {
            centre: *centre,
            width: size.width,
            height: size.height,
        });
    }
    layout
        .edges
        .iter()
        .zip(widths)
        .map(|(edge, width)| {
            let width = (*width)?;
            let area_at = |u: f64, dy: f64| {
                let on_line = along(&edge.points, u);
                Area {
                    centre: Point {
                        x: on_line.x,
                        y: on_line.y + dy,
                    },
                    width: width + 2.0 * MARGIN,
                    height: LABEL_HEIGHT + 2.0 * MARGIN,
                }
            };
            let candidates = BESIDE
                .iter()
                .flat_map(|&dy| ALONG.iter().map(move |&u| (u, dy)));
            let mut best = (f64::INFINITY, area_at(0.5, 0.0));
            for (u, dy) in candidates {
                let area = area_at(u, dy);
                let covered = taken.covered(&area);
                if covered < best.0 {
                    best = (covered, area);
                }
                if covered == 0.0 {
                    break;
                }
            }
            taken.insert(best.1);
            Some(Area {
                centre: best.1.centre,
                width,
                height: LABEL_HEIGHT,
            })
        })
        .collect()
}

/// The point a fraction `u` of the way along an edge drawn by
/// [`edge_path`](crate::render::svg::edge_path): each piece between two points is a
/// cubic curve leaving and arriving horizontally, and the pieces share the way by length.
pub fn along(points: &[Point], u: f64) -> Point {
    let Some(&first) = points.first() else {
        return Point { x: 0.0, y: 0.0 };
    };
    let lengths: Vec<f64> = points
        .windows(2)
        .map(|p| (p[1].x - p[0].x).hypot(p[1].y - p[0].y))
        .collect();
    let total: f64 = lengths.iter().sum();
    if total <= 0.0 {
        return first;
    }
    let mut left = u.clamp(0.0, 1.0) * total;
    let last = lengths.len() - 1;
    for (i, (pair, length)) in points.windows(2).zip(&lengths).enumerate() {
        if left <= *length || i == last {
            let t = if *length > 0.0 {
                (left / length).min(1.0)
            } else {
                0.0
            };
            return on_curve(pair[0], pair[1], t);
        }
        left -= length;
    }
    first
}

/// A point of the curve from `a` to `b` with control points halfway across, level with
/// each end.
fn on_curve(a: Point, b: Point, t: f64) -> Point {
    let s = 1.0 - t;
    let bend = (b.x - a.x) / 2.0;
    let (c1, c2) = (a.x + bend, b.x - bend);
    Point {
        x: s * s * s * a.x + 3.0 * s * s * t * c1 + 3.0 * s * t * t * c2 + t * t * t * b.x,
        y: (s * s * s + 3.0 * s * s * t) * a.y + (3.0 * s * t * t + t * t * t) * b.y,
    }
}

/// Rectangles bucketed by the grid cells they touch, so a label is checked against its
/// neighbours only.
#[derive(Default)]
struct Grid {
    areas: Vec<Area>,
    cells: HashMap<(i64, i64), Vec<usize>>,
}

impl Grid {
    fn cells_of(area: &Area) -> impl Iterator<Item = (i64, i64)> + use<> {
        let (x0, y0, x1, y1) = area.bounds(0.0);
        let cell = |v: f64| (v / CELL).floor() as i64;
        let (cx0, cy0, cx1, cy1) = (cell(x0), cell(y0), cell(x1), cell(y1));
        (cx0..=cx1).flat_map(move |x| (cy0..=cy1).map(move |y| (x, y)))
    }

    fn insert(&mut self, area: Area) {
        let index = self.areas.len();
        for key in Self::cells_of(&area) {
            self.cells.entry(key).or_default().push(index);
        }
        self.areas.push(area);
    }

    /// How much of `area` the rectangles already here cover (summed; 0 when none).
    fn covered(&self, area: &Area) -> f64 {
        let mut seen: Vec<usize> = Vec::new();
        for &i in Self::cells_of(area)
            .filter_map(|key| self.cells.get(&key))
            .flatten()
        {
            if !seen.contains(&i) {
                seen.push(i);
            }
        }
        seen.iter().map(|&i| self.areas[i].overlap(area)).sum()
    }
}

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
    let mut order: Vec<(u64, usize)> = columns
        .iter()
        .enumerate()
        .map(|(i, (x, _))| (float_key(*x), i))
        .collect();
    sort_keyed(&mut order);
    order
        .into_iter()
        .map(|(_, i)| columns[i])
        .map(|(x, half)| Column {
            left: x - half,
            right: x + half,
        })
        .collect()
}

/// Widen every gap between columns where a label (a point of its edge and its width) does
/// not fit, moving the nodes, the edges' points and the drawing's right edge.
fn make_room(layout: &mut Layout, sizes: &[NodeSize], labels: &[(Point, f64)]) {
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
    if extra.iter().all(|&e| e <= 0.0) {
        return;
    }
    // A point moves by the extra width of every gap whose middle lies to its left.
    let shift = |x: f64| -> f64 {
        gaps.iter()
            .zip(&extra)
            .filter(|((start, end), extra)| **extra > 0.0 && (start + end) / 2.0 < x)
            .map(|(_, extra)| extra)
            .sum()
    };
    for node in &mut layout.nodes {
        node.x += shift(node.x);
    }
    for point in layout.edges.iter_mut().flat_map(|e| e.points.iter_mut()) {
        point.x += shift(point.x);
    }
    layout.width += extra.iter().filter(|&&e| e > 0.0).sum::<f64>();
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
        let at = place_labels(&mut layout, &sizes, &[Some(80.0)]);
        assert_eq!(layout, before);
        assert_eq!(at[0].unwrap().centre, Point { x: 176.0, y: 36.0 });
    }

    #[test]
    fn a_wide_label_widens_its_gap() {
        let (mut layout, sizes) = two_columns();
        let at = place_labels(&mut layout, &sizes, &[Some(200.0)]);
        // The gap of 120 needs 200 + 2 · 8: everything right of it moves by 96.
        assert_eq!(layout.nodes[0].x, 66.0);
        assert_eq!(layout.nodes[1].x, 286.0 + 96.0);
        assert_eq!(layout.edges[0].points[0].x, 116.0);
        assert_eq!(layout.edges[0].points[1].x, 236.0 + 96.0);
        assert_eq!(layout.width, 352.0 + 96.0);
        // Centred in the new gap, the label clears both boxes by 8.
        let label = at[0].unwrap();
        assert_eq!(label.centre.x, (116.0 + 332.0) / 2.0);
        assert_eq!(label.centre.x - 100.0 - 116.0, 8.0);
    }

    #[test]
    fn labels_of_parallel_edges_do_not_stack() {
        // x·x: two edges between the same boxes, 10 apart; their labels would sit on top
        // of each other at the middle.
        let (mut layout, sizes) = two_columns();
        let mut second = layout.edges[0].clone();
        second.input_index = 1;
        for p in &mut second.points {
            p.y += 10.0;
        }
        layout.edges.push(second);
        let at = place_labels(&mut layout, &sizes, &[Some(60.0), Some(60.0)]);
        let (a, b) = (at[0].unwrap(), at[1].unwrap());
        assert_eq!(a.overlap(&b), 0.0, "{a:?} {b:?}");
    }

    #[test]
    fn no_label_of_a_worked_example_covers_a_box_or_another_label() {
        for example in crate::examples::all() {
            let graph = crate::program::compile(example.source).expect("examples compile");
            let sizes: Vec<NodeSize> = graph
                .ids()
                .map(|_| NodeSize {
                    width: 150.0,
                    height: 72.0,
                })
                .collect();
            let mut layout = crate::layout::layout(&graph, &sizes);
            let widths: Vec<Option<f64>> = layout
                .edges
                .iter()
                .map(|e| {
                    graph
                        .node(e.to)
                        .op
                        .is_elementwise()
                        .then_some(label_width(16))
                })
                .collect();
            let labels = place_labels(&mut layout, &sizes, &widths);
            let boxes: Vec<Area> = layout
                .nodes
                .iter()
                .zip(&sizes)
                .map(|(&centre, size)| Area {
                    centre,
                    width: size.width,
                    height: size.height,
                })
                .collect();
            let placed: Vec<Area> = labels.iter().flatten().copied().collect();
            assert!(!placed.is_empty() || graph.len() < 3, "{}", example.slug);
            for (i, label) in placed.iter().enumerate() {
                for node in &boxes {
                    assert_eq!(
                        label.overlap(node),
                        0.0,
                        "{}: {label:?} on {node:?}",
                        example.slug
                    );
                }
                for other in &placed[i + 1..] {
                    assert_eq!(
                        label.overlap(other),
                        0.0,
                        "{}: {label:?} on {other:?}",
                        example.slug
                    );
                }
            }
        }
    }

    #[test]
    fn the_way_along_a_path_is_shared_by_length() {
        let p = |x, y| Point { x, y };
        let path = [p(0.0, 0.0), p(100.0, 0.0), p(100.0, 300.0)];
        assert_eq!(along(&path, 0.0), p(0.0, 0.0));
        assert_eq!(along(&path, 0.25), p(100.0, 0.0));
        assert_eq!(along(&path, 1.0), p(100.0, 300.0));
        // The middle of a curve between two levels is halfway in both directions.
        assert_eq!(along(&[p(0.0, 0.0), p(100.0, 50.0)], 0.5), p(50.0, 25.0));
        assert_eq!(along(&[], 0.5), p(0.0, 0.0));
    }
}
