//! The output log: the output's value (a training run's loss) copied after a forward pass
//! into the next slot of a small GPU buffer, so many steps' losses cross back in ONE
//! readback instead of one each. A full log is read back in the submission that fills it
//! (its readback waits on the host, unawaited) and its slots are used again by later
//! work, which the queue orders after that copy.

use super::super::{GpuContext, GpuError, GpuTensor, Readback, Recorder};

/// Values the log holds before it is read back by itself.
pub(crate) const LOG_CAPACITY: usize = 256;

pub(crate) struct OutputLog {
    slots: GpuTensor,
    /// Slots filled (or queued to be) since the log was last read back.
    used: usize,
    /// Full logs on their way back, oldest first.
    sent: Vec<Readback<f32>>,
}

impl OutputLog {
    pub(crate) fn new(context: &GpuContext) -> Result<OutputLog, GpuError> {
        Ok(OutputLog {
            slots: context.tensor(&[LOG_CAPACITY])?,
            used: 0,
            sent: Vec::new(),
        })
    }

    /// The slot of the next logged value; whether the log is then full.
    pub(crate) fn claim(&mut self) -> (usize, bool) {
        let slot = self.used;
        self.used += 1;
        (slot, self.used >= LOG_CAPACITY)
    }

    /// Whether values are logged that have not been sent back yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// Record `value` into `slot`.
    pub(crate) fn record(
        &self,
        recorder: &mut Recorder<'_>,
        value: &GpuTensor,
        slot: usize,
    ) -> Result<(), GpuError> {
        recorder.copy_element(value, &self.slots, slot)
    }

    /// Record the readback of the filled slots; from now on the slots are free.
    pub(crate) fn send(&mut self, recorder: &mut Recorder<'_>) -> Result<(), GpuError> {
        let readback = recorder.read_back_prefix(&self.slots, self.used)?;
        self.sent.push(readback);
        self.used = 0;
        Ok(())
    }

    /// Every readback sent since the last call, oldest first (await them in order).
    pub(crate) fn take_sent(&mut self) -> Vec<Readback<f32>> {
        std::mem::take(&mut self.sent)
    }
}
