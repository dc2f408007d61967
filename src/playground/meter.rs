//! Measuring while training: the time between animation frames (is the page still
//! responsive?) and steps per second, both over a sliding window of recent samples.

use std::collections::VecDeque;

/// How far back the figures look (ms).
pub const WINDOW_MS: f64 = 2000.0;

/// Timestamps (ms) with a count each, over the last [`WINDOW_MS`].
#[derive(Clone, Debug, Default)]
pub struct Meter {
    samples: VecDeque<(f64, u64)>,
}

impl Meter {
    /// Record `count` things (steps; 1 for a frame) at time `now` (ms).
    pub fn record(&mut self, now: f64, count: u64) {
        self.samples.push_back((now, count));
        while self
            .samples
            .front()
            .is_some_and(|&(t, _)| now - t > WINDOW_MS)
        {
            self.samples.pop_front();
        }
    }

    /// Forget everything (training paused: the gap is not a slow frame).
    /// Whether nothing was recorded since the last clear (or the window's start).
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    pub fn clear(&mut self) {
        self.samples.clear();
    }

    /// Things per second between the first and the last sample (the first sample's own
    /// count happened before the window started).
    pub fn rate(&self) -> Option<f64> {
        let (first, last) = (self.samples.front()?, self.samples.back()?);
        let span = last.0 - first.0;
        if span <= 0.0 {
            return None;
        }
        let counted: u64 = self.samples.iter().skip(1).map(|s| s.1).sum();
        Some(counted as f64 * 1000.0 / span)
    }

    /// The mean and the longest gap between consecutive samples (ms): for frames, the
    /// frame time.
    pub fn intervals(&self) -> Option<(f64, f64)> {
        let gaps: Vec<f64> = self
            .samples
            .iter()
            .zip(self.samples.iter().skip(1))
            .map(|(a, b)| b.0 - a.0)
            .collect();
        if gaps.is_empty() {
            return None;
        }
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let max = gaps.iter().copied().fold(0.0, f64::max);
        Some((mean, max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_intervals_over_the_window() {
        let mut frames = Meter::default();
        assert!(frames.is_empty());
        assert_eq!(frames.intervals(), None);
        for k in 0..10 {
            frames.record(f64::from(k) * 16.0, 1);
        }
        frames.record(9.0 * 16.0 + 40.0, 1);
        let (mean, max) = frames.intervals().unwrap();
        assert!((mean - (9.0 * 16.0 + 40.0) / 10.0).abs() < 1e-9 && max == 40.0);
        assert!(!frames.is_empty());
        let mut steps = Meter::default();
        steps.record(0.0, 5);
        steps.record(500.0, 50);
        steps.record(1000.0, 50);
        assert_eq!(steps.rate(), Some(100.0));
        steps.record(5000.0, 10);
        assert_eq!(steps.rate(), None, "old samples left the window");
        steps.clear();
        assert_eq!(steps.rate(), None);
    }
}
