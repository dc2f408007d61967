//! Workgroup grids within the adapter's per-dimension limit: a long line of workgroups is
//! folded into x × y, and kernels recover the line position as `y · num_workgroups.x + x`
//! (skipping the few extra groups of the last row).

use super::GpuError;

/// Threads per workgroup of every 1-D kernel (WebGPU's guaranteed maximum).
pub(crate) const GROUP_SIZE: usize = 256;

/// How many workgroups to dispatch along x and y.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Grid {
    pub(crate) x: u32,
    pub(crate) y: u32,
}

impl Grid {
    /// `groups` workgroups in a line, folded to fit `max_per_dimension`.
    pub(crate) fn line(groups: usize, max_per_dimension: u32) -> Result<Grid, GpuError> {
        let max = max_per_dimension.max(1) as usize;
        let x = groups.min(max);
        let y = if x == 0 { 0 } else { groups.div_ceil(x) };
        if y > max {
            return Err(GpuError::TooLarge {
                what: "a dispatch",
                needed: groups as u64,
                limit: (max as u64) * (max as u64),
            });
        }
        Ok(Grid {
            x: x as u32,
            y: y as u32,
        })
    }

    /// One thread per item, [`GROUP_SIZE`] threads per workgroup.
    pub(crate) fn per_item(items: usize, max_per_dimension: u32) -> Result<Grid, GpuError> {
        Grid::line(items.div_ceil(GROUP_SIZE), max_per_dimension)
    }

    /// `x × y` workgroups of a 2-D tiling, each side within the limit.
    pub(crate) fn tiles(x: usize, y: usize, max_per_dimension: u32) -> Result<Grid, GpuError> {
        let side = |count: usize| {
            u32::try_from(count)
                .ok()
                .filter(|&count| count <= max_per_dimension)
                .ok_or(GpuError::TooLarge {
                    what: "a tiled dispatch",
                    needed: count as u64,
                    limit: u64::from(max_per_dimension),
                })
        };
        Ok(Grid {
            x: side(x)?,
            y: side(y)?,
        })
    }

    /// Whether there is nothing to dispatch.
    pub(crate) fn is_empty(self) -> bool {
        self.x == 0 || self.y == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_long_lines_and_refuses_what_cannot_fit() {
        assert_eq!(Grid::line(10, 65535), Ok(Grid { x: 10, y: 1 }));
        assert_eq!(Grid::line(70_000, 65535), Ok(Grid { x: 65535, y: 2 }));
        assert_eq!(Grid::line(0, 65535), Ok(Grid { x: 0, y: 0 }));
        assert!(Grid::line(17, 4).is_err());
        assert_eq!(Grid::per_item(257, 65535), Ok(Grid { x: 2, y: 1 }));
        assert!(Grid::tiles(5, 70_000, 65535).is_err());
    }
}
