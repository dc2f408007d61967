//! How training is paced in the browser: how many steps one GPU submission queues (its
//! readback waits on the GPU, so several steps share one), and how often the accuracy
//! and the decision boundary are recomputed (that takes forward passes and readbacks of
//! its own, so it must not crowd out training).

/// How long one GPU chunk (queued steps and the readback of the last loss) should take
/// (ms): long enough to amortise the readback, short enough for the loss curve to move.
pub const GPU_CHUNK_MS: f64 = 60.0;
/// The most steps one GPU submission queues.
pub const MAX_QUEUED_STEPS: usize = 64;
/// How often the picture is recomputed while training, at most (ms).
pub const EVALUATE_EVERY_MS: f64 = 300.0;
/// Evaluating takes at most one part in this many of the time.
pub const EVALUATION_SHARE: f64 = 5.0;

/// The next chunk's step count, from this one's: `steps` took `elapsed_ms`. It moves
/// towards [`GPU_CHUNK_MS`], at most doubling or halving at a time.
pub fn next_queued_steps(steps: usize, elapsed_ms: f64) -> usize {
    let steps = steps.max(1);
    if elapsed_ms.is_nan() || elapsed_ms <= 0.0 {
        return (steps * 2).min(MAX_QUEUED_STEPS);
    }
    let ideal = steps as f64 * GPU_CHUNK_MS / elapsed_ms;
    let bounded = ideal.clamp(steps as f64 / 2.0, steps as f64 * 2.0);
    (bounded.round() as usize).clamp(1, MAX_QUEUED_STEPS)
}

/// Whether to recompute the picture at `now` (ms), the last time having been at `last`
/// and having taken `took` ms.
pub fn evaluation_due(now: f64, last: f64, took: f64) -> bool {
    now - last >= EVALUATE_EVERY_MS.max(EVALUATION_SHARE * took)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_steps_follow_the_time_they_take() {
        // Fast steps: the queue doubles, up to the cap.
        assert_eq!(next_queued_steps(1, 5.0), 2);
        assert_eq!(next_queued_steps(40, 10.0), MAX_QUEUED_STEPS);
        // Slow ones: it halves, but never below one.
        assert_eq!(next_queued_steps(8, 600.0), 4);
        assert_eq!(next_queued_steps(1, 600.0), 1);
        // On target, it stays.
        assert_eq!(next_queued_steps(12, GPU_CHUNK_MS), 12);
        assert_eq!(next_queued_steps(12, GPU_CHUNK_MS * 1.5), 8);
        // A clock that did not move.
        assert_eq!(next_queued_steps(3, 0.0), 6);
        assert_eq!(next_queued_steps(0, f64::NAN), 2);
    }

    #[test]
    fn slow_evaluations_come_less_often() {
        assert!(!evaluation_due(1000.0, 800.0, 10.0));
        assert!(evaluation_due(1100.0, 800.0, 10.0));
        // An evaluation that took 200 ms waits 1 s for the next.
        assert!(!evaluation_due(1700.0, 800.0, 200.0));
        assert!(evaluation_due(1800.0, 800.0, 200.0));
        assert!(evaluation_due(0.0, f64::NEG_INFINITY, 0.0));
    }
}
