//! The messages between the app and the playground module. The app sends its program
//! text and theme as serde JSON ([`HostUpdate`]); the playground answers with a program
//! its form wrote, a training step for the app's stepper, or whether it is training
//! ([`FromPlayground`]), each through its own typed call (strings, a flag, and a step's
//! tensors as two flat arrays, see [`pack`]): decoding JSON would put a JSON parser into
//! the app's first load, which has a size budget. The program text stays the app's: the
//! editor and the URL hold it.

use crate::session::Session;
use crate::tensor::{MAX_RANK, Tensor};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// App → playground: the program in the editor and the theme, sent whenever either
/// changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostUpdate {
    pub program: String,
    pub dark: bool,
}

/// Playground → app.
#[derive(Clone, Debug, PartialEq)]
pub enum FromPlayground {
    /// The form rewrote the program: it replaces the editor's text (a new history entry).
    ReplaceProgram { program: String },
    /// Walk this training step in the stepper: every input of `program`'s graph as the
    /// step sees it (the parameters now, the next minibatch), and which step it is.
    StepInto {
        program: String,
        inputs: Vec<Tensor>,
        description: String,
    },
    /// Whether the playground is training now.
    Status { training: bool },
}

#[derive(Clone, Debug, PartialEq, Error)]
#[error("the playground message could not be read: {0}")]
pub struct MessageError(String);

impl HostUpdate {
    pub fn to_json(&self) -> String {
        // A string and a flag always serialise; an empty message would be refused.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<HostUpdate, MessageError> {
        serde_json::from_str(text).map_err(|error| MessageError(error.to_string()))
    }
}

/// Tensors as two flat arrays, for a typed call: the shapes (each tensor's rank, then
/// its dimensions) and every tensor's data one after the other. NaN and ±∞ pass as they
/// are.
pub fn pack(tensors: &[Tensor]) -> (Vec<u32>, Vec<f64>) {
    let mut shapes = Vec::new();
    let mut data = Vec::new();
    for tensor in tensors {
        shapes.push(tensor.rank() as u32);
        shapes.extend(tensor.shape().iter().map(|&d| d as u32));
        data.extend_from_slice(tensor.data());
    }
    (shapes, data)
}

/// The tensors [`pack`] flattened; an error when the arrays do not describe tensors.
pub fn unpack(shapes: &[u32], data: &[f64]) -> Result<Vec<Tensor>, MessageError> {
    let bad = |what: String| MessageError(what);
    let (mut tensors, mut at, mut used) = (Vec::new(), 0, 0);
    while at < shapes.len() {
        let rank = shapes[at] as usize;
        if rank > MAX_RANK {
            return Err(bad(format!("a tensor of rank {rank}")));
        }
        let shape: Vec<usize> = shapes
            .get(at + 1..at + 1 + rank)
            .ok_or_else(|| bad("the shapes end inside a tensor's shape".into()))?
            .iter()
            .map(|&d| d as usize)
            .collect();
        at += 1 + rank;
        let size = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .filter(|&n| n <= data.len() - used)
            .ok_or_else(|| bad("the data end inside a tensor".into()))?;
        let values = data[used..used + size].to_vec();
        used += size;
        tensors.push(Tensor::from_vec(shape, values).map_err(|e| bad(e.to_string()))?);
    }
    if used != data.len() {
        return Err(bad(format!("{} values left over", data.len() - used)));
    }
    Ok(tensors)
}

/// Load a training step the playground sent into `session`, starting its stepping over,
/// with `description` saying which step it is (links keep both); only while the editor
/// still holds the program the step belongs to. Whether it loaded.
pub fn load_step(
    session: &mut Session,
    program: &str,
    inputs: Vec<Tensor>,
    description: &str,
) -> bool {
    session.source() == program && session.load_inputs(inputs, Some(description.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Phase;

    #[test]
    fn the_program_and_theme_go_through_json_and_back() {
        let update = HostUpdate {
            program: "w = param(2)\nL = (w - 1)^2".into(),
            dark: true,
        };
        let text = update.to_json();
        assert_eq!(
            text,
            r#"{"program":"w = param(2)\nL = (w - 1)^2","dark":true}"#
        );
        assert_eq!(HostUpdate::from_json(&text), Ok(update));
        for bad in ["", "{", r#"{"program":1,"dark":true}"#, r#"{"dark":true}"#] {
            let error = HostUpdate::from_json(bad).unwrap_err();
            assert!(
                error.to_string().starts_with("the playground message"),
                "{bad}"
            );
        }
    }

    #[test]
    fn tensors_go_through_two_flat_arrays_and_back() {
        let tensors = vec![
            Tensor::scalar(f64::NAN),
            Tensor::from_vec(vec![2], vec![1.5, f64::NEG_INFINITY]).unwrap(),
            Tensor::from_vec(vec![2, 3], (0..6).map(f64::from).collect()).unwrap(),
            Tensor::from_vec(vec![0, 4], vec![]).unwrap(),
        ];
        let (shapes, data) = pack(&tensors);
        assert_eq!(shapes, [0, 1, 2, 2, 2, 3, 2, 0, 4]);
        assert_eq!(data.len(), 1 + 2 + 6);
        let back = unpack(&shapes, &data).unwrap();
        assert!(back[0].data()[0].is_nan() && back[0].rank() == 0);
        assert_eq!(back[1..], tensors[1..]);
        assert_eq!(unpack(&[], &[]), Ok(vec![]));
    }

    #[test]
    fn arrays_that_are_not_tensors_are_refused() {
        for (shapes, data, why) in [
            (
                vec![2, 3],
                vec![0.0; 3],
                "the shapes end inside a tensor's shape",
            ),
            (vec![1, 4], vec![0.0; 3], "the data end inside a tensor"),
            (vec![1, 2], vec![0.0; 3], "1 values left over"),
            (vec![40], vec![], "a tensor of rank 40"),
            (
                vec![2, u32::MAX, u32::MAX],
                vec![],
                "the data end inside a tensor",
            ),
        ] {
            let error = unpack(&shapes, &data).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("the playground message could not be read: {why}")
            );
        }
    }

    #[test]
    fn a_step_loads_only_into_the_program_it_belongs_to() {
        let program = "w = param(2)\nx = 3\nL = (w * x - 1)^2";
        let mut session = Session::new(program);
        let before = session.revision();
        let inputs = vec![Tensor::scalar(0.5), Tensor::scalar(3.0)];
        let about = "training step 3: the parameters after 2 updates";
        assert!(!load_step(
            &mut session,
            "w = param(1)",
            inputs.clone(),
            about
        ));
        assert_eq!(session.revision(), before);
        // Values that do not fit the graph are refused.
        assert!(!load_step(
            &mut session,
            program,
            vec![Tensor::scalar(1.0)],
            about
        ));
        assert!(load_step(&mut session, program, inputs, about));
        assert_ne!(session.revision(), before);
        assert_eq!(session.about(), Some(about));
        session.jump_to_backward_end();
        let stepper = session.stepper().unwrap();
        assert_eq!(
            stepper.schedule().last().map(|s| s.0),
            Some(Phase::Backward)
        );
        let graph = stepper.graph();
        // L = (0.5·3 − 1)² = 0.25; ∂L/∂w = 2·(0.5·3 − 1)·3 = 3.
        assert_eq!(stepper.value(graph.output()).unwrap().item(), Some(0.25));
        let w = graph.find("w").unwrap();
        assert_eq!(stepper.adjoint(w).unwrap().item(), Some(3.0));
    }
}
