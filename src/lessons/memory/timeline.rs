//! The memory timeline's geometry: over the whole schedule, the bytes held after each step
//! stacked by kind (inputs and parameters, values on the tape, adjoints), the high-water
//! outline of each step, the recompute steps marked, the end of the forward pass, and the
//! cursor; and back from a click's x to a step.

use crate::engine::Phase;
use crate::engine::memory::MemoryReport;
use crate::render::svg::line_chart::nice_ticks;
use std::fmt::Write;

/// Margins of the plot inside the picture.
pub const LEFT: f64 = 62.0;
pub const RIGHT: f64 = 10.0;
pub const TOP: f64 = 10.0;
pub const BOTTOM: f64 = 22.0;

/// The most columns drawn; a longer schedule shows, per column, its step holding most.
const MAX_COLUMNS: usize = 800;

#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    pub width: f64,
    pub height: f64,
    /// Steps in the schedule.
    pub steps: usize,
    /// Path data of the stacked areas, bottom first: inputs, values, adjoints.
    pub layers: [String; 3],
    /// Path data of the bytes held during each step (its high-water mark).
    pub high: String,
    /// Path data of a tick under each recompute step.
    pub recomputes: String,
    /// Where the forward pass ends (None: forward mode, all forward).
    pub forward_end: Option<f64>,
    /// y and label of each tick of the byte axis.
    pub y_ticks: Vec<(f64, String)>,
    /// The peak: its y and bytes.
    pub peak: (f64, usize),
}

impl Timeline {
    /// The timeline of `report` in a `width` × `height` picture.
    pub fn new(report: &MemoryReport, width: f64, height: f64) -> Timeline {
        let steps = report.steps.len();
        let top_bytes = report.peak().max(1) as f64;
        let ticks = nice_ticks(0.0, top_bytes, 4);
        let y_max = ticks.last().copied().unwrap_or(top_bytes).max(top_bytes);
        let mut timeline = Timeline {
            width,
            height,
            steps,
            layers: Default::default(),
            high: String::new(),
            recomputes: String::new(),
            forward_end: None,
            y_ticks: Vec::new(),
            peak: (0.0, report.peak()),
        };
        let ph = timeline.plot_height();
        let y = |bytes: f64| TOP + ph - bytes / y_max * ph;
        timeline.y_ticks = ticks.iter().map(|&t| (y(t), short_bytes(t))).collect();
        timeline.peak.0 = y(report.peak() as f64);
        // Columns: (first step, last step + 1, the step shown).
        let per = steps.div_ceil(MAX_COLUMNS).max(1);
        let columns: Vec<(usize, usize, usize)> = (0..steps)
            .step_by(per)
            .map(|start| {
                let end = (start + per).min(steps);
                let shown = (start..end)
                    .max_by_key(|&i| report.steps[i].held())
                    .unwrap_or(start);
                (start, end, shown)
            })
            .collect();
        let stack = |i: usize| {
            let s = &report.steps[i];
            [s.inputs, s.inputs + s.values, s.held()]
        };
        let bottom = y(0.0);
        for (layer, path) in timeline.layers.iter_mut().enumerate() {
            let level = |i: usize| y(stack(i)[layer] as f64);
            let below = |i: usize| {
                if layer == 0 {
                    bottom
                } else {
                    y(stack(i)[layer - 1] as f64)
                }
            };
            step_line(path, &columns, |c| timeline_x(width, steps, c), level, true);
            // Back along the layer below, right to left.
            for &(start, end, shown) in columns.iter().rev() {
                let _ = write!(
                    path,
                    "L{:.1},{:.1}L{:.1},{:.1}",
                    timeline_x(width, steps, end),
                    below(shown),
                    timeline_x(width, steps, start),
                    below(shown)
                );
            }
            path.push('Z');
        }
        step_line(
            &mut timeline.high,
            &columns,
            |c| timeline_x(width, steps, c),
            |i| y(report.steps[i].high as f64),
            true,
        );
        for (i, step) in report.steps.iter().enumerate() {
            if step.phase == Phase::Recompute {
                let x = timeline_x(width, steps, i) + 0.5 * timeline.column_width();
                let _ = write!(timeline.recomputes, "M{x:.1},{:.1}v5", bottom + 2.0);
            }
        }
        timeline.forward_end = report
            .steps
            .iter()
            .position(|s| s.phase != Phase::Forward)
            .map(|i| timeline_x(width, steps, i));
        timeline
    }

    fn plot_height(&self) -> f64 {
        (self.height - TOP - BOTTOM).max(10.0)
    }

    fn plot_width(&self) -> f64 {
        (self.width - LEFT - RIGHT).max(10.0)
    }

    fn column_width(&self) -> f64 {
        self.plot_width() / self.steps.max(1) as f64
    }

    /// The x of the cursor after `cursor` steps (the boundary between two steps' columns).
    pub fn x(&self, cursor: usize) -> f64 {
        timeline_x(self.width, self.steps, cursor.min(self.steps))
    }

    /// The step count nearest to `x` (a click): 0 at the left edge, all at the right.
    pub fn cursor_at(&self, x: f64) -> usize {
        let at = (x - LEFT) / self.column_width();
        if at.is_nan() || at <= 0.0 {
            return 0;
        }
        (at.round() as usize).min(self.steps)
    }

    /// The bottom of the plot (the zero line).
    pub fn bottom(&self) -> f64 {
        TOP + self.plot_height()
    }
}

/// The x of the boundary after `cursor` steps of `steps`, in a picture `width` wide.
fn timeline_x(width: f64, steps: usize, cursor: usize) -> f64 {
    let pw = (width - LEFT - RIGHT).max(10.0);
    LEFT + cursor as f64 / steps.max(1) as f64 * pw
}

/// A step line over `columns`, each at the level of its shown step.
fn step_line(
    path: &mut String,
    columns: &[(usize, usize, usize)],
    x: impl Fn(usize) -> f64,
    level: impl Fn(usize) -> f64,
    start: bool,
) {
    for (n, &(first, end, shown)) in columns.iter().enumerate() {
        let command = if n == 0 && start { 'M' } else { 'L' };
        let _ = write!(
            path,
            "{command}{:.1},{:.1}L{:.1},{:.1}",
            x(first),
            level(shown),
            x(end),
            level(shown)
        );
    }
}

/// A tick's bytes, short: `800 B`, `12 kB`, `1.5 MB`.
fn short_bytes(bytes: f64) -> String {
    let (value, unit) = if bytes >= 1e6 {
        (bytes / 1e6, "MB")
    } else if bytes >= 1e3 {
        (bytes / 1e3, "kB")
    } else {
        (bytes, "B")
    };
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::checkpoint::{plain_schedule, schedule};
    use crate::engine::memory::account;
    use crate::program::compile;

    fn report(source: &str, kept: &[&str]) -> MemoryReport {
        let graph = compile(source).unwrap();
        let kept: Vec<_> = kept.iter().map(|n| graph.find(n).unwrap()).collect();
        let steps = if kept.is_empty() {
            plain_schedule(&graph)
        } else {
            schedule(&graph, &kept)
        };
        account(&graph, &steps, 8)
    }

    #[test]
    fn columns_cursor_and_clicks_agree() {
        // 8 steps in 400 − 72 = 328 pixels: 41 each.
        let t = Timeline::new(&report("(x1 + x2) * x1", &[]), 400.0, 200.0);
        assert_eq!(t.steps, 8);
        assert_eq!((t.x(0), t.x(8), t.x(99)), (LEFT, 390.0, 390.0));
        assert_eq!(t.x(4), LEFT + 4.0 * 41.0);
        for cursor in 0..=8 {
            assert_eq!(t.cursor_at(t.x(cursor)), cursor);
            assert_eq!(t.cursor_at(t.x(cursor) + 15.0), cursor);
        }
        assert_eq!(
            (t.cursor_at(0.0), t.cursor_at(1e9), t.cursor_at(f64::NAN)),
            (0, 8, 0)
        );
        assert_eq!(t.forward_end, Some(t.x(4)));
        assert!(t.recomputes.is_empty());
    }

    #[test]
    fn layers_stack_to_the_bytes_held() {
        // Peak 56 B; ticks 0, 20, 40, 60: the axis goes to 60 over 168 pixels.
        let t = Timeline::new(&report("(x1 + x2) * x1", &[]), 400.0, 200.0);
        let ph = 200.0 - TOP - BOTTOM;
        let y = |bytes: f64| TOP + ph - bytes / 60.0 * ph;
        assert_eq!(t.y_ticks.last().unwrap().1, "60 B");
        assert_eq!(t.peak, (y(56.0), 56));
        // The first step holds x1 (8 B of inputs): the inputs' layer starts there.
        assert!(t.layers[0].starts_with(&format!(
            "M{:.1},{:.1}L{:.1},{:.1}",
            LEFT,
            y(8.0),
            t.x(1),
            y(8.0)
        )));
        // After step 5 (v4's backward step): 16 B inputs, + 8 values = 24, + 16 adjoints = 40.
        let column = |bytes: f64| {
            format!(
                "L{:.1},{:.1}L{:.1},{:.1}",
                t.x(4),
                y(bytes),
                t.x(5),
                y(bytes)
            )
        };
        assert!(t.layers[0].contains(&column(16.0)));
        assert!(t.layers[1].contains(&column(24.0)));
        assert!(t.layers[2].contains(&column(40.0)));
        // Its high-water mark: 56 B.
        assert!(t.high.contains(&column(56.0)));
        assert!(t.layers.iter().all(|p| p.ends_with('Z')));
    }

    #[test]
    fn recompute_steps_are_marked() {
        let r = report("a = x * x\nb = a * a\nc = b * b\nc", &["b"]);
        let t = Timeline::new(&r, 400.0, 200.0);
        assert_eq!(r.recomputes(), 1);
        assert_eq!(t.recomputes.matches('M').count(), 1);
    }

    #[test]
    fn byte_ticks_read_short() {
        assert_eq!(short_bytes(0.0), "0 B");
        assert_eq!(short_bytes(800.0), "800 B");
        assert_eq!(short_bytes(12_000.0), "12 kB");
        assert_eq!(short_bytes(1_500_000.0), "1.5 MB");
    }
}
