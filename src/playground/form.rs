//! The playground's form and the program it writes: a dataset, hidden layer widths, an
//! activation, an optimizer, a learning rate and a batch size become a program in the
//! style of `07-moons-mlp.bp` that people read and edit; and back, from any program whose
//! graph is such a chain of layers, however it is spelled. The training settings live in
//! one comment line, `# train: adam, learning rate 0.02`, so a link carries them too.

use super::options::init::WeightInit;
use super::options::numerics::Numerics;
use crate::data::dataset::DATASET_NAMES;
use crate::graph::{Graph, NodeId, Role};
use crate::number::format_number;
use crate::op::Op;
use crate::train::OptimizerKind;
use thiserror::Error;

/// The most hidden layers and the widest layer the form writes.
pub const MAX_LAYERS: usize = 6;
pub const MAX_WIDTH: usize = 256;
/// The most points the form lets a dataset have.
pub const MAX_POINTS: usize = 2048;

/// The nonlinearity between layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Tanh,
    Sigmoid,
}

impl Activation {
    pub const ALL: [Activation; 3] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid];

    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
        }
    }

    pub fn by_name(name: &str) -> Option<Activation> {
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == name.trim())
    }

    /// The op that applies the activation.
    pub fn op(self) -> Op {
        match self {
            Activation::Relu => Op::Relu,
            Activation::Tanh => Op::Tanh,
            Activation::Sigmoid => Op::Sigmoid,
        }
    }

    fn of_op(op: Op) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.op() == op)
    }

    /// The scale of a layer's random initial weights: He for ReLU (capped at 0.7 for the
    /// two input coordinates), Glorot-like for the squashing functions.
    fn init_scale(self, fan_in: usize) -> f64 {
        let fan_in = fan_in.max(1) as f64;
        let scale = match self {
            Activation::Relu => (2.0 / fan_in).sqrt().min(0.7),
            Activation::Tanh | Activation::Sigmoid => (1.0 / fan_in).sqrt(),
        };
        (scale * 100.0).round() / 100.0
    }
}

/// How the model is trained: not part of the graph, written as one comment line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Training {
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    /// Whether the gradients are zeroed before each step (forgetting is a classic bug).
    pub zero_grads: bool,
    /// Precision, loss scaling and clipping.
    pub numerics: Numerics,
}

impl Default for Training {
    fn default() -> Training {
        Training {
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.02,
            zero_grads: true,
            numerics: Numerics::default(),
        }
    }
}

/// Everything the form shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    /// One of [`super::data::choices`].
    pub dataset: String,
    pub points: usize,
    pub batch: usize,
    /// The dataset's seed (0 when the program gives none).
    pub seed: u64,
    /// The widths of the hidden layers, input side first (may be empty: a linear model).
    pub hidden: Vec<usize>,
    pub activation: Activation,
    /// How the weights start.
    pub init: WeightInit,
    pub training: Training,
}

impl Default for Form {
    /// The two-moons 2-16-16-2 ReLU network of `07-moons-mlp.bp`, trained with Adam.
    fn default() -> Form {
        Form {
            dataset: "moons".into(),
            points: 256,
            batch: 64,
            seed: 0,
            hidden: vec![16, 16],
            activation: Activation::Relu,
            init: WeightInit::Scaled,
            training: Training::default(),
        }
    }
}

/// Why a program cannot be shown in the form (it still trains).
#[derive(Clone, Debug, PartialEq, Error)]
pub enum FormError {
    #[error("the program reads no dataset (`X = features(moons, 256, 64)`)")]
    NoData,
    #[error("the loss is not `cross_entropy(logits, labels)` of the dataset's labels")]
    NotCrossEntropy,
    #[error("`{0}` is not a layer the form knows (`act(h @ W + b)` with `W` and `b` parameters)")]
    NotALayer(String),
    #[error("the layers use different activations ({0} and {1})")]
    MixedActivations(&'static str, &'static str),
    #[error("the output layer is followed by `{0}`; the form's output layer has no activation")]
    ActivatedOutput(&'static str),
    #[error("there are more than {MAX_LAYERS} hidden layers")]
    TooDeep,
}

/// The number of classes of a dataset the form offers.
pub fn classes(dataset: &str) -> usize {
    super::data::classes(dataset)
}

/// Parse a list of hidden widths as people type it: `16, 16` or `32 8` (empty: none).
pub fn parse_widths(text: &str) -> Option<Vec<usize>> {
    let widths: Option<Vec<usize>> = text
        .split([',', ' ', ';', '-'])
        .filter(|part| !part.trim().is_empty())
        .map(|part| part.trim().parse::<usize>().ok())
        .collect();
    widths.filter(|w| w.len() <= MAX_LAYERS && w.iter().all(|&n| (1..=MAX_WIDTH).contains(&n)))
}

/// The widths as the form's text field shows them.
pub fn widths_text(widths: &[usize]) -> String {
    let parts: Vec<String> = widths.iter().map(usize::to_string).collect();
    parts.join(", ")
}

/// The training line: `# train: adam, learning rate 0.02[, gradients not zeroed]`.
pub fn training_line(training: &Training) -> String {
    let forget = if training.zero_grads {
        ""
    } else {
        ", gradients not zeroed"
    };
    let numerics: String = training
        .numerics
        .parts()
        .iter()
        .map(|part| format!(", {part}"))
        .collect();
    format!(
        "# train: {}, learning rate {}{forget}{numerics}",
        training.optimizer.name(),
        format_number(training.learning_rate)
    )
}

/// The training settings of a program's `# train:` line, defaults for what it leaves
/// out (or when it has none).
pub fn read_training(source: &str) -> Training {
    let mut training = Training::default();
    let Some(line) = source
        .lines()
        .find_map(|line| line.trim().strip_prefix("# train:"))
    else {
        return training;
    };
    for part in line.split(',').map(str::trim) {
        let lower = part.to_ascii_lowercase();
        if let Ok(kind) = OptimizerKind::by_name(&lower) {
            training.optimizer = kind;
        } else if let Some(rate) = ["learning rate", "lr"]
            .iter()
            .find_map(|key| lower.strip_prefix(key))
            .and_then(|rest| {
                rest.trim_start_matches([' ', '='])
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .filter(|rate| rate.is_finite() && *rate > 0.0)
        {
            training.learning_rate = rate;
        } else if training.numerics.read_part(&lower) {
            // A precision, a loss scale or a clip norm.
        } else if lower.contains("not zeroed") || lower == "no zero grad" {
            training.zero_grads = false;
        }
    }
    training
}

/// `source` with its training line replaced by `training`'s (or added after the leading
/// comment lines), leaving every other line as it was.
pub fn with_training(source: &str, training: &Training) -> String {
    let line = training_line(training);
    let mut lines: Vec<&str> = source.lines().collect();
    if let Some(slot) = lines.iter().position(|l| l.trim().starts_with("# train:")) {
        lines[slot] = &line;
    } else {
        let after_comments = lines
            .iter()
            .position(|l| !l.trim_start().starts_with('#'))
            .unwrap_or(lines.len());
        lines.insert(after_comments, &line);
    }
    let mut text = lines.join("\n");
    if source.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The program the form describes.
pub fn write_program(form: &Form) -> String {
    let classes = classes(&form.dataset);
    let mut sizes = vec![super::data::input_width(&form.dataset)];
    sizes.extend(&form.hidden);
    sizes.push(classes);
    let sizes_text: Vec<String> = sizes.iter().map(usize::to_string).collect();
    let data_args = match form.seed {
        0 => format!("{}, {}, {}", form.dataset, form.points, form.batch),
        seed => format!("{}, {}, {}, {seed}", form.dataset, form.points, form.batch),
    };
    let activation = form.activation.name();
    let mut lines = vec![
        format!(
            "# Playground: a {} {activation} network on {}",
            sizes_text.join("-"),
            form.dataset
        ),
        training_line(&form.training),
        format!("X = features({data_args})"),
        format!("y = labels({data_args})"),
    ];
    let layers = sizes.len() - 1;
    for (k, pair) in sizes.windows(2).enumerate() {
        let (fan_in, fan_out) = (pair[0], pair[1]);
        let scale = form.activation.init_scale(fan_in);
        lines.push(format!(
            "W{n} = param({})",
            form.init.expression(fan_in, fan_out, k + 1, scale),
            n = k + 1
        ));
        lines.push(format!("b{n} = param(zeros([{fan_out}]))", n = k + 1));
    }
    let mut previous = "X".to_string();
    for k in 1..layers {
        lines.push(format!("h{k} = {activation}({previous} @ W{k} + b{k})"));
        previous = format!("h{k}");
    }
    lines.push(format!("logits = {previous} @ W{layers} + b{layers}"));
    lines.push("L = cross_entropy(logits, y)".into());
    lines.join("\n")
}

/// The form of a compiled program (`graph`, from `source`, whose `# train:` line gives
/// the training settings), if its graph is a chain of dense layers ending in a
/// cross-entropy loss over a dataset's labels.
pub fn read_form(graph: &Graph, source: &str) -> Result<Form, FormError> {
    let node = |id: NodeId| graph.node(skip_copies(graph, id));
    let loss = node(graph.output());
    if loss.op != Op::CrossEntropy {
        return Err(FormError::NotCrossEntropy);
    }
    let spec = match &node(loss.inputs[1]).role {
        Role::Labels(spec) => spec.clone(),
        _ => return Err(FormError::NotCrossEntropy),
    };
    // Walk from the logits back to the features, one dense layer at a time.
    let mut widths = Vec::new();
    let mut activation: Option<Activation> = None;
    let mut at = skip_copies(graph, loss.inputs[0]);
    let mut first = true;
    loop {
        let current = graph.node(at);
        if let Role::Features(features) = &current.role {
            if *features != spec {
                return Err(FormError::NoData);
            }
            break;
        }
        if widths.len() > MAX_LAYERS {
            return Err(FormError::TooDeep);
        }
        let (below, width) = if let Some(act) = Activation::of_op(current.op) {
            if first {
                return Err(FormError::ActivatedOutput(act.name()));
            }
            match activation {
                Some(seen) if seen != act => {
                    return Err(FormError::MixedActivations(seen.name(), act.name()));
                }
                _ => activation = Some(act),
            }
            dense(graph, skip_copies(graph, current.inputs[0]))
                .ok_or_else(|| FormError::NotALayer(current.name.clone()))?
        } else if first {
            dense(graph, at).ok_or_else(|| FormError::NotALayer(current.name.clone()))?
        } else {
            return Err(FormError::NotALayer(current.name.clone()));
        };
        if !first {
            widths.push(width);
        }
        first = false;
        at = below;
    }
    widths.reverse();
    Ok(Form {
        dataset: spec.dataset.clone(),
        points: spec.points,
        batch: spec.batch,
        seed: spec.seed,
        hidden: widths,
        // A linear model shows no activation: the title line may still name one.
        activation: activation
            .or_else(|| titled_activation(source))
            .unwrap_or(Activation::Relu),
        init: WeightInit::read(source),
        training: read_training(source),
    })
}

/// The activation named in a `# Playground: … relu network …` title line.
fn titled_activation(source: &str) -> Option<Activation> {
    let title = source
        .lines()
        .find_map(|line| line.trim().strip_prefix("# Playground:"))?;
    title.split_whitespace().find_map(Activation::by_name)
}

/// Through `name = other` copies to the node that computes the value.
fn skip_copies(graph: &Graph, mut id: NodeId) -> NodeId {
    while graph.node(id).op == Op::Identity {
        id = graph.node(id).inputs[0];
    }
    id
}

/// `h @ W + b` (either order of the sum) with `W` `[in, out]` and `b` `[out]`
/// parameters: the node below and the layer's width.
fn dense(graph: &Graph, id: NodeId) -> Option<(NodeId, usize)> {
    let sum = graph.node(id);
    if sum.op != Op::Add {
        return None;
    }
    let param = |id: NodeId| graph.node(id).role == Role::Param;
    let (product, bias) = match (sum.inputs[0], sum.inputs[1]) {
        (a, b) if param(b) => (skip_copies(graph, a), b),
        (a, b) if param(a) => (skip_copies(graph, b), a),
        _ => return None,
    };
    let product = graph.node(product);
    if product.op != Op::MatMul || !param(product.inputs[1]) {
        return None;
    }
    let weight = &graph.node(product.inputs[1]).shape;
    let bias = &graph.node(bias).shape;
    match (weight.as_slice(), bias.as_slice()) {
        ([_, out], [b]) if out == b => Some((skip_copies(graph, product.inputs[0]), *out)),
        _ => None,
    }
}

/// The datasets the form offers.
pub fn dataset_names() -> [&'static str; 4] {
    DATASET_NAMES
}

#[cfg(test)]
mod tests;
