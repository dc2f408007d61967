//! How training is paced in the browser: the speed people choose (as fast as possible,
//! one step per animation frame, or so many steps per second, down to one, to watch each
//! step land) and the [`Pacer`] that turns it into steps per frame, where training stops
//! ("stop at step N"), how many steps one GPU submission queues (its readback waits on
//! the GPU, so several steps share one), and how often the accuracy and the decision
//! boundary are recomputed (that takes forward passes and readbacks of its own, so it
//! must not crowd out training).

/// How long one GPU chunk (queued steps and the readback of the last loss) should take
/// (ms): long enough to amortise the readback, short enough for the loss curve to move.
pub const GPU_CHUNK_MS: f64 = 60.0;
/// The most steps one GPU submission queues.
pub const MAX_QUEUED_STEPS: usize = 64;
/// How often the picture is recomputed while training, at most (ms).
pub const EVALUATE_EVERY_MS: f64 = 300.0;
/// Evaluating takes at most one part in this many of the time.
pub const EVALUATION_SHARE: f64 = 5.0;

/// How fast the playground trains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Speed {
    /// Chunks as long as a frame allows (the default).
    #[default]
    Fastest,
    /// One step per animation frame.
    PerFrame,
    /// This many steps per second (at least one).
    PerSecond(u32),
}

impl Speed {
    /// Every speed the control offers, fastest first.
    pub const CHOICES: [Speed; 8] = [
        Speed::Fastest,
        Speed::PerFrame,
        Speed::PerSecond(50),
        Speed::PerSecond(20),
        Speed::PerSecond(10),
        Speed::PerSecond(5),
        Speed::PerSecond(2),
        Speed::PerSecond(1),
    ];

    /// The control's value for this speed: `fastest`, `frame` or the steps per second.
    pub fn value(self) -> String {
        match self {
            Speed::Fastest => "fastest".into(),
            Speed::PerFrame => "frame".into(),
            Speed::PerSecond(rate) => rate.to_string(),
        }
    }

    /// The speed a control's value names; None when it names none.
    pub fn parse(value: &str) -> Option<Speed> {
        match value.trim() {
            "fastest" => Some(Speed::Fastest),
            "frame" => Some(Speed::PerFrame),
            number => number
                .parse::<u32>()
                .ok()
                .filter(|&rate| rate >= 1)
                .map(Speed::PerSecond),
        }
    }

    /// The speed in words.
    pub fn label(self) -> String {
        match self {
            Speed::Fastest => "As fast as possible".into(),
            Speed::PerFrame => "One step per frame".into(),
            Speed::PerSecond(1) => "1 step/s".into(),
            Speed::PerSecond(rate) => format!("{rate} steps/s"),
        }
    }
}

/// What one animation frame of training does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameWork {
    /// As much as the frame allows: a time budget on the CPU, adaptively queued steps on
    /// the GPU.
    Fill,
    /// Exactly this many steps (none: wait for a later frame).
    Steps(usize),
}

/// Steps per frame for a [`Speed`]: at a rate of `r` steps per second, a step at once
/// when training starts, then one each `1/r` s, counted from the start so frames that
/// come late do not slow training down. After a long gap (a hidden tab stops animation
/// frames) it starts counting afresh instead of catching up in a burst.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pacer {
    /// When the count started (ms), and the steps taken since.
    start: Option<f64>,
    taken: u64,
}

/// The most time (ms) a paced run catches up after frames came late.
pub const CATCH_UP_MS: f64 = 250.0;

impl Pacer {
    /// Count from the next frame on (training starts, or the speed changed).
    pub fn restart(&mut self) {
        *self = Pacer::default();
    }

    /// What the frame at `now` (ms) does at `speed`. Steps it is given count as taken
    /// (see [`Pacer::took`] for fewer).
    pub fn due(&mut self, speed: Speed, now: f64) -> FrameWork {
        let rate = match speed {
            Speed::Fastest => return FrameWork::Fill,
            Speed::PerFrame => return FrameWork::Steps(1),
            Speed::PerSecond(rate) => f64::from(rate.max(1)),
        };
        let start = match self.start {
            Some(start) if now >= start => start,
            _ => {
                self.start = Some(now);
                self.taken = 0;
                now
            }
        };
        let owed = ((now - start) * rate / 1000.0).floor() as u64 + 1;
        let mut due = owed.saturating_sub(self.taken);
        if due as f64 > (rate * CATCH_UP_MS / 1000.0).ceil() + 1.0 {
            // Frames stopped for a while: one step now, and count from here.
            self.start = Some(now);
            self.taken = 0;
            due = 1;
        }
        self.taken += due;
        FrameWork::Steps(due as usize)
    }

    /// Only `steps` of the steps [`Pacer::due`] gave were taken (training stopped).
    pub fn took(&mut self, given: usize, steps: usize) {
        self.taken = self
            .taken
            .saturating_sub(given.saturating_sub(steps) as u64);
    }
}

/// The "stop at step" field holds something other than a whole number from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotAStep;

/// The "stop at step" field's text as a step count: empty for none, else a whole number
/// from 1.
pub fn parse_stop(text: &str) -> Result<Option<u64>, NotAStep> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u64>() {
        Ok(steps) if steps >= 1 => Ok(Some(steps)),
        _ => Err(NotAStep),
    }
}

/// How many more steps training may take from `steps` before `stop` (None: no limit).
pub fn steps_left(stop: Option<u64>, steps: u64) -> Option<u64> {
    stop.map(|stop| stop.saturating_sub(steps))
}

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
    fn speeds_go_through_the_control_and_back() {
        for speed in Speed::CHOICES {
            assert_eq!(Speed::parse(&speed.value()), Some(speed), "{speed:?}");
        }
        assert_eq!(Speed::default(), Speed::Fastest);
        assert_eq!(Speed::parse(" 3 "), Some(Speed::PerSecond(3)));
        for bad in ["", "0", "-1", "1.5", "fast"] {
            assert_eq!(Speed::parse(bad), None, "{bad}");
        }
        assert_eq!(Speed::PerSecond(1).label(), "1 step/s");
        assert_eq!(Speed::PerSecond(20).label(), "20 steps/s");
        assert_eq!(Speed::PerFrame.label(), "One step per frame");
    }

    /// The steps a pacer gives frames at `times` (ms).
    fn paced(speed: Speed, times: impl IntoIterator<Item = f64>) -> Vec<usize> {
        let mut pacer = Pacer::default();
        times
            .into_iter()
            .map(|now| match pacer.due(speed, now) {
                FrameWork::Steps(n) => n,
                FrameWork::Fill => usize::MAX,
            })
            .collect()
    }

    #[test]
    fn one_step_per_second_comes_once_a_second() {
        // Frames at 60 Hz for ten seconds: a step at once, then one each second.
        let frames: Vec<f64> = (0..600)
            .map(|i| 1000.0 + f64::from(i) * 1000.0 / 60.0)
            .collect();
        let steps = paced(Speed::PerSecond(1), frames.iter().copied());
        assert_eq!(steps.iter().sum::<usize>(), 10);
        let at: Vec<f64> = steps
            .iter()
            .zip(&frames)
            .filter(|(n, _)| **n > 0)
            .map(|(_, t)| t - 1000.0)
            .collect();
        for (k, t) in at.iter().enumerate() {
            assert!((t - 1000.0 * k as f64).abs() < 17.0, "step {k} at {t} ms");
        }
        assert!(steps.iter().all(|&n| n <= 1));
    }

    #[test]
    fn rates_above_the_frame_rate_take_several_steps_a_frame() {
        let frames = (0..60).map(|i| f64::from(i) * 1000.0 / 60.0);
        let steps = paced(Speed::PerSecond(50), frames);
        // In the first second: the step at 0 and 49 more (the 60th frame is at 983 ms).
        assert_eq!(steps.iter().sum::<usize>(), 50);
        let frames = (0..10).map(|i| f64::from(i) * 100.0);
        assert_eq!(paced(Speed::PerSecond(10), frames), vec![1; 10]);
    }

    #[test]
    fn late_frames_catch_up_a_little_and_long_gaps_start_afresh() {
        let mut pacer = Pacer::default();
        let speed = Speed::PerSecond(10);
        assert_eq!(pacer.due(speed, 0.0), FrameWork::Steps(1));
        // A frame 200 ms late takes the two steps it missed.
        assert_eq!(pacer.due(speed, 200.0), FrameWork::Steps(2));
        // A hidden tab for a minute: one step, not 600.
        assert_eq!(pacer.due(speed, 60_000.0), FrameWork::Steps(1));
        assert_eq!(pacer.due(speed, 60_050.0), FrameWork::Steps(0));
        assert_eq!(pacer.due(speed, 60_100.0), FrameWork::Steps(1));
        // A clock that went back starts afresh too.
        assert_eq!(pacer.due(speed, 10.0), FrameWork::Steps(1));
        // Steps not taken are owed again.
        pacer.restart();
        assert_eq!(pacer.due(speed, 0.0), FrameWork::Steps(1));
        pacer.took(1, 0);
        assert_eq!(pacer.due(speed, 1.0), FrameWork::Steps(1));
    }

    #[test]
    fn fastest_fills_frames_and_per_frame_takes_one() {
        let mut pacer = Pacer::default();
        assert_eq!(pacer.due(Speed::Fastest, 0.0), FrameWork::Fill);
        assert_eq!(pacer.due(Speed::PerFrame, 0.0), FrameWork::Steps(1));
        assert_eq!(pacer.due(Speed::PerFrame, 0.0), FrameWork::Steps(1));
    }

    #[test]
    fn the_stop_field_reads_whole_steps() {
        assert_eq!(parse_stop(""), Ok(None));
        assert_eq!(parse_stop("  "), Ok(None));
        assert_eq!(parse_stop(" 250 "), Ok(Some(250)));
        for bad in ["0", "-3", "2.5", "ten"] {
            assert_eq!(parse_stop(bad), Err(NotAStep), "{bad}");
        }
        assert_eq!(steps_left(None, 10), None);
        assert_eq!(steps_left(Some(25), 10), Some(15));
        assert_eq!(steps_left(Some(25), 30), Some(0));
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
