//! The checkpointing trade-off over k: for `every:K` at each k, the peak memory and the
//! recompute steps of the settled plan (Chen et al. 2016: about √N checkpoints give a
//! peak of O(√N) values for about one extra forward pass).

use crate::engine::checkpoint::{CheckpointPlan, candidates, schedule};
use crate::engine::memory;
use crate::graph::Graph;

/// Graphs with more tape values than this are not swept (each k plans and counts the
/// whole schedule).
pub const MAX_CANDIDATES: usize = 400;

/// The most values of k swept (spread over 1..=N beyond that).
const MAX_POINTS: usize = 40;

/// One k of the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepPoint {
    pub k: usize,
    pub peak: usize,
    pub recomputes: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sweep {
    /// N: the values on the tape `every:K` counts.
    pub candidates: usize,
    /// ⌈√N⌉, the k of the automatic plan.
    pub sqrt_k: usize,
    pub points: Vec<SweepPoint>,
}

/// The ks swept for `n` tape values: all of 1..=n, or [`MAX_POINTS`] spread over them.
fn ks(n: usize) -> Vec<usize> {
    if n <= MAX_POINTS {
        return (1..=n).collect();
    }
    let mut ks: Vec<usize> = (0..MAX_POINTS)
        .map(|i| 1 + i * (n - 1) / (MAX_POINTS - 1))
        .collect();
    ks.dedup();
    ks
}

/// The sweep of `graph`, each number taking `bytes_per_number` bytes; None when it has no
/// tape value or more than [`MAX_CANDIDATES`].
pub fn sweep(graph: &Graph, bytes_per_number: usize) -> Option<Sweep> {
    let n = candidates(graph).len();
    if n == 0 || n > MAX_CANDIDATES {
        return None;
    }
    let points = ks(n)
        .into_iter()
        .filter_map(|k| {
            let kept = CheckpointPlan::Every(k).resolve(graph).ok()?;
            let report = memory::account(graph, &schedule(graph, &kept), bytes_per_number);
            Some(SweepPoint {
                k,
                peak: report.peak(),
                recomputes: report.recomputes(),
            })
        })
        .collect();
    Some(Sweep {
        candidates: n,
        sqrt_k: (1..=n).find(|k| k * k >= n).unwrap_or(1),
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::program::compile;

    #[test]
    fn the_deep_chain_trades_memory_for_recomputes() {
        let program = examples::find("deep-chain").unwrap().program;
        let graph = compile(program).unwrap();
        let sweep = sweep(&graph, 8).unwrap();
        assert_eq!((sweep.candidates, sweep.sqrt_k), (24, 5));
        assert_eq!(sweep.points.len(), 24);
        let at = |k: usize| sweep.points[k - 1];
        // k = 1 keeps everything: nothing recomputed, the plain peak.
        assert_eq!((at(1).peak, at(1).recomputes), (14_344, 0));
        // √N: the example's figures.
        assert_eq!((at(5).peak, at(5).recomputes), (6_152, 40));
        // The peak is lowest near √N, and never above plain.
        let lowest = sweep.points.iter().map(|p| p.peak).min().unwrap();
        assert!(lowest <= at(5).peak);
        assert!(sweep.points.iter().all(|p| p.peak <= 14_344));
        // Recomputes never exceed one extra forward pass of the tape values' segments.
        assert!(sweep.points.iter().all(|p| p.recomputes <= 52));
    }

    #[test]
    fn long_tapes_are_sampled_and_empty_ones_skipped() {
        assert_eq!(ks(5), [1, 2, 3, 4, 5]);
        let many = ks(1000);
        assert_eq!((many.len(), many[0], *many.last().unwrap()), (40, 1, 1000));
        assert!(many.windows(2).all(|w| w[0] < w[1]));
        // x + 1 reads nothing backward: no tape, no sweep.
        assert_eq!(sweep(&compile("x + 1").unwrap(), 8), None);
    }
}
