//! The data scatter the playground draws under the decision boundary: a run's 2-D
//! points as markup on the grid the boundary is computed over (own points on a fixed
//! square, so the picture does not move under a click).

use crate::backend::Backend;
use crate::data::own::OWN;
use crate::playground::boundary::{self, Grid, PICTURE};
use crate::playground::data::own_edit;
use crate::playground::run::Run;

/// The data scatter: its points (markup) on the grid the boundary is drawn over.
#[derive(Clone, Debug, PartialEq)]
pub struct Scatter {
    pub grid: Grid,
    pub points: usize,
    pub classes: usize,
    /// Circles in a [`PICTURE`]-sized square.
    pub markup: String,
}

/// The scatter of `run`'s points on a grid of `side` × `side` points; None without a
/// 2-D dataset.
pub fn of<B: Backend>(run: &Run<B>, side: usize) -> Option<Scatter> {
    let dataset = run.dataset()?;
    let own = run.data_spec().is_some_and(|s| s.dataset == OWN);
    let grid = if own {
        own_edit::grid(&dataset.points, side)
    } else {
        Grid::around(&dataset.points, side)
    };
    Some(Scatter {
        grid,
        points: dataset.len(),
        classes: dataset.classes,
        markup: boundary::scatter_markup(&dataset.points, &dataset.labels, &grid, PICTURE),
    })
}
