//! The command-line grammar: subcommands, options and their help texts (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};

const MAIN_EXAMPLES: &str = "\
Examples:
  backprop trace '(x1+x2)*x1' --at x1=3,x2=4
  backprop trace example:two-paths --format markdown > two-paths.md
  backprop check @model.bp --at w=0.5
  backprop examples

PROGRAM is the program's text, example:SLUG for a built-in example, @FILE to read a file,
or - to read standard input. Exit status: 0 on success, 1 when a gradient check fails,
2 on an error in the program or the arguments.";

const TRACE_EXAMPLES: &str = "\
Examples:
  backprop trace '(x1+x2)*x1' --at x1=3,x2=4
  backprop trace example:linear-square --format latex > linear-square.tex
  backprop trace example:two-paths --format json | jq .gradients
  backprop trace example:sigmoid-neuron --format pytorch | python3   (torch prints the same gradients)
  backprop trace example:sigmoid-neuron --format micrograd | python3 (plain Python, no torch)
  backprop trace '(x1+x2)*x1' --at x1=3,x2=4 --mode forward --wrt x1
  backprop trace 'x^3' --at x=2 --order 2    (second derivatives: the backward pass
                                             as a graph, differentiated again)
  backprop trace 'x*y^2' --at x=1,y=3 --order 2 --along x=1   (a Hessian-vector product)
  echo 'sigmoid(w*x + b)' | backprop trace - --at w=0.5,x=2,b=0
  backprop trace '-x1^2' --at x1=2           (a program may start with -)
  backprop trace --at x1=2 -- '-x1^2'        (or come after --)
  backprop trace example:moons-mlp --backend gpu --format json | jq .gradients
                                             (output and gradients in f32 on the GPU via wgpu)
  backprop trace example:nan-spreads --detect-anomaly
                                             (stop at the first node making NaN or ±∞; exit 1)
  backprop trace example:vanishing-sigmoid --checkpoint sqrt
                                             (keep √N values; the backward pass recomputes the rest)
  backprop trace example:f16-underflow --precision f16 --loss-scale 1024
                                             (values and adjoints stored in f16, the loss scaled)
  backprop trace example:accumulation --micro-batches 4
                                             (4 passes into the same gradients, then the
                                             averaged update W ← W − η · (ΣW̄)/4)
  backprop trace example:forgot-zero-grad --iterations 2 --no-zero-grad
                                             (the second iteration's gradients pile onto the first's)";

const MEMORY_EXAMPLES: &str = "\
Examples:
  backprop memory example:two-paths
  backprop memory example:vanishing-sigmoid --checkpoint sqrt
  backprop memory example:tiny-relu-network --checkpoint z1,h --format json | jq .peak
  backprop memory example:deep-chain --sweep      (peak and recomputes for every:1, every:2, …)

Bytes held after each step: input and parameter values, computed values a later step still
reads (the tape), and adjoints; the peak so far; and the values released after their last
use. With --checkpoint, the forward pass keeps only the checkpoints and the backward pass
recomputes the rest (every:K, sqrt, or node names separated by commas).";

const CHECK_EXAMPLES: &str = "\
Examples:
  backprop check '(x1+x2)*x1' --at x1=3,x2=4
  backprop check example:sigmoid-neuron --format json
  backprop check @model.bp && echo gradients agree

Exit status: 0 if the max relative error is below 1e-6, 1 if not (NaN included),
2 on an error in the program or the arguments.";

const FOUR_WAYS_EXAMPLES: &str = "\
Examples:
  backprop four-ways '(x1+x2)*x1' --at x1=3,x2=4
  backprop four-ways 'exp(sin(x))' --at x=1 --format json | jq .inputs[0].finite_differences

Scalar programs only: symbolic differentiation and forward mode need the op table's
derivative formulas. Counts come from running each mode.";

const TRAIN_EXAMPLES: &str = "\
Examples:
  backprop train example:moons-mlp --steps 300 --lr 0.02 --optimizer adam
  backprop train @model.bp --steps 50 --lr 0.1 --optimizer momentum --format json
  backprop train example:moons-mlp --steps 20 --accumulate 4      (4 micro-batches per update)
  backprop train example:moons-mlp --steps 5 --no-zero-grad      (see gradients pile up)
  backprop train example:moons-mlp --steps 50 --lr 5 --clip-norm 1
                                             (gradients scaled to global norm 1 when above it)
  backprop train example:moons-mlp --steps 300 --backend gpu      (f32 on the GPU via wgpu)
  backprop train example:moons-mlp --steps 50 --precision f16 --loss-scale dynamic

The program marks what to train with `W = param(…)` and reads data with
`X = features(moons, 256, 64)` and `y = labels(moons, 256, 64)`; its last line is the loss.";

/// Step through forward and reverse-mode automatic differentiation of small programs.
#[derive(Debug, Parser)]
#[command(name = "backprop", version, after_help = MAIN_EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a program to the end and print every forward and backward step
    #[command(after_help = TRACE_EXAMPLES)]
    Trace(TraceArgs),
    /// Compare the backward pass's gradients with central finite differences
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// A derivative four ways: symbolic, finite differences, forward mode, reverse mode
    #[command(after_help = FOUR_WAYS_EXAMPLES)]
    FourWays(FourWaysArgs),
    /// Train a program's parameters and print the loss per step and the final accuracy
    #[command(after_help = TRAIN_EXAMPLES)]
    Train(TrainArgs),
    /// Print the memory the tape holds at every step, and its peak
    #[command(after_help = MEMORY_EXAMPLES)]
    Memory(MemoryArgs),
    /// List the built-in worked examples, for use as example:SLUG
    Examples,
}

/// The program and its input values, shared by `trace` and `check`.
#[derive(Debug, Args)]
pub struct ProgramArgs {
    /// The program's text, example:SLUG, @FILE, or - for standard input
    // A program may start with `-` (`-x1^2`): taken as the program unless every letter
    // after the dash is a short flag (`-h`); `--` still ends the options.
    #[arg(value_name = "PROGRAM", allow_hyphen_values = true)]
    pub program: String,
    /// Input values such as x1=3,x2=4 (may be repeated); others take the program's defaults
    #[arg(long, value_name = "NAME=VALUE,...")]
    pub at: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub program: ProgramArgs,
    /// How to print the trace
    #[arg(long, value_enum, default_value_t = TraceFormat::Text)]
    pub format: TraceFormat,
    /// Reverse mode (backpropagation) or forward mode (tangents by one input)
    #[arg(long, value_enum, default_value_t = ModeArg::Reverse)]
    pub mode: ModeArg,
    /// The input forward mode differentiates by (required with --mode forward)
    #[arg(long, value_name = "INPUT")]
    pub wrt: Option<String>,
    /// Where the output's value and the gradients are computed (the steps always come
    /// from the f64 stepper); gpu runs reverse mode only
    #[arg(long, value_enum, default_value_t = BackendArg::Cpu)]
    pub backend: BackendArg,
    /// Stop at the first step that produces NaN or ±∞, in either pass, name its node and
    /// exit with status 1 (PyTorch's anomaly mode)
    #[arg(long)]
    pub detect_anomaly: bool,
    /// Gradient checkpointing: keep every:K, sqrt (about √N) or named values (NAME,NAME…)
    /// in the forward pass and recompute the others in the backward pass
    #[arg(long, value_name = "PLAN")]
    pub checkpoint: Option<String>,
    /// How values and adjoints are stored: each rounded to nearest, ties to even
    #[arg(long, value_enum, default_value_t = PrecisionArg::F64)]
    pub precision: PrecisionArg,
    /// Seed the output's adjoint with S instead of 1 (loss scaling); the gradients are
    /// divided by S again
    #[arg(long, value_name = "S")]
    pub loss_scale: Option<String>,
    /// 2 differentiates the backward pass again: the backward pass as a graph, first and
    /// second derivatives (scalar programs; text or json)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub order: u8,
    /// With --order 2, also the Hessian times this direction in one reverse pass, such as
    /// x1=1,x2=0 (inputs not named take 0)
    #[arg(long, value_name = "NAME=VALUE,...")]
    pub along: Option<String>,
    /// Gradient accumulation: K forward and backward passes, each over the next minibatch
    /// of the program's dataset, into the same parameter gradients, then one update
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u8).range(1..=16))]
    pub micro_batches: Option<u8>,
    /// Training iterations to step through (each: zero_grad, the passes, the update)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=16))]
    pub iterations: Option<u8>,
    /// Leave out zero_grad, so each iteration's gradients add onto the last's
    #[arg(long)]
    pub no_zero_grad: bool,
    /// The update's learning rate η (with --micro-batches, --iterations or --no-zero-grad)
    #[arg(long, value_name = "ETA")]
    pub lr: Option<f64>,
}

#[derive(Debug, Args)]
pub struct MemoryArgs {
    #[command(flatten)]
    pub program: ProgramArgs,
    /// Gradient checkpointing: every:K, sqrt, or NAME,NAME…
    #[arg(long, value_name = "PLAN")]
    pub checkpoint: Option<String>,
    /// How numbers are stored: 8, 4 or 2 bytes each
    #[arg(long, value_enum, default_value_t = PrecisionArg::F64)]
    pub precision: PrecisionArg,
    /// Instead of the table: the peak and the recompute steps for every:K, K = 1, 2, …
    #[arg(long, conflicts_with = "checkpoint")]
    pub sweep: bool,
    /// How to print the table
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub program: ProgramArgs,
    /// How to print the comparison
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Debug, Args)]
pub struct FourWaysArgs {
    #[command(flatten)]
    pub program: ProgramArgs,
    /// How to print the comparison
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub program: ProgramArgs,
    /// How many optimizer updates to make
    #[arg(long, default_value_t = 100)]
    pub steps: u64,
    /// The learning rate
    #[arg(long, default_value_t = 0.1)]
    pub lr: f64,
    /// The update rule
    #[arg(long, value_enum, default_value_t = OptimizerArg::Sgd)]
    pub optimizer: OptimizerArg,
    /// Micro-batches whose gradients accumulate (and are averaged) before each update
    #[arg(long, default_value_t = 1)]
    pub accumulate: usize,
    /// Keep the previous step's gradients (a classic bug, shown on purpose)
    #[arg(long)]
    pub no_zero_grad: bool,
    /// Clip the gradients to this global norm before each update (each step's norm before
    /// and after is printed)
    #[arg(long, value_name = "NORM")]
    pub clip_norm: Option<f64>,
    /// How values and adjoints are stored (the CPU backend; parameters keep an f64 copy)
    #[arg(long, value_enum, default_value_t = PrecisionArg::F64)]
    pub precision: PrecisionArg,
    /// Loss scaling: a fixed S, or dynamic (PyTorch's GradScaler: from 65536, halve and
    /// skip the step on ∞/NaN gradients, double after 2000 good steps)
    #[arg(long, value_name = "S|dynamic")]
    pub loss_scale: Option<String>,
    /// Where the graph runs
    #[arg(long, value_enum, default_value_t = BackendArg::Cpu)]
    pub backend: BackendArg,
    /// How to print the run
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// Plain gradient descent
    Sgd,
    /// Gradient descent with momentum 0.9
    Momentum,
    /// Adam (β1 = 0.9, β2 = 0.999)
    Adam,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// The f64 reference on the CPU
    Cpu,
    /// f32 on the GPU (Vulkan, Metal or DX12 through wgpu; fails if there is no adapter)
    Gpu,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// Readable plain text for a terminal
    Text,
    /// One JSON object with nodes, steps and gradients, for scripts
    Json,
    /// A Markdown document: forward table, backward steps, gradients
    Markdown,
    /// A LaTeX fragment (amsmath, amssymb) to paste into course notes
    Latex,
    /// A PyTorch script that recomputes the gradients, to check them with `loss.backward()`
    Pytorch,
    /// The program as a tiny autograd engine in plain Python (a `Value` class, scalar
    /// programs), printing the same gradients
    Micrograd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A readable table
    Text,
    /// One JSON object, for scripts
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PrecisionArg {
    /// 64-bit floats (the reference)
    F64,
    /// 32-bit floats
    F32,
    /// IEEE half precision: 5 exponent bits, 10 mantissa bits (largest 65504)
    F16,
    /// bfloat16: f32's 8 exponent bits, 7 mantissa bits
    Bf16,
}

impl From<PrecisionArg> for crate::precision::Precision {
    fn from(arg: PrecisionArg) -> crate::precision::Precision {
        use crate::precision::Precision;
        match arg {
            PrecisionArg::F64 => Precision::F64,
            PrecisionArg::F32 => Precision::F32,
            PrecisionArg::F16 => Precision::F16,
            PrecisionArg::Bf16 => Precision::Bf16,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Values forward, then adjoints backward: every gradient in one pass
    Reverse,
    /// Values and tangents together: the derivative by one input (--wrt)
    Forward,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn at_may_be_repeated_and_defaults_apply() {
        let cli = Cli::try_parse_from(["backprop", "trace", "x*y", "--at", "x=1", "--at", "y=2"])
            .unwrap();
        let Command::Trace(args) = cli.command else {
            panic!("not a trace")
        };
        assert_eq!(args.program.at, ["x=1", "y=2"]);
        assert_eq!(
            (args.format, args.mode, args.wrt, args.backend, args.order),
            (
                TraceFormat::Text,
                ModeArg::Reverse,
                None,
                BackendArg::Cpu,
                1
            )
        );
        let order = |n: &str| Cli::try_parse_from(["backprop", "trace", "x", "--order", n]);
        assert!(order("2").is_ok());
        assert!(order("3").is_err() && order("0").is_err());
    }

    fn traced_program(line: &[&str]) -> String {
        let cli = Cli::try_parse_from(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        let Command::Trace(args) = cli.command else {
            panic!("not a trace")
        };
        args.program.program
    }

    #[test]
    fn a_program_may_start_with_a_dash() {
        let program = traced_program(&["backprop", "trace", "-x1^2", "--at", "x1=2"]);
        assert_eq!(program, "-x1^2");
        let program = traced_program(&["backprop", "trace", "--at", "x1=2", "--", "-x1^2"]);
        assert_eq!(program, "-x1^2");
        assert_eq!(traced_program(&["backprop", "trace", "-3*x"]), "-3*x");
        // A dash followed only by short flags is still the flags.
        let help = Cli::try_parse_from(["backprop", "trace", "-h"]).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    }

    #[test]
    fn train_runs_on_the_cpu_unless_told() {
        let parse = |extra: &[&str]| {
            let args = ["backprop", "train", "example:moons-mlp"];
            let cli = Cli::try_parse_from(args.iter().chain(extra)).unwrap();
            let Command::Train(args) = cli.command else {
                panic!("not a train")
            };
            args.backend
        };
        assert_eq!(parse(&[]), BackendArg::Cpu);
        assert_eq!(parse(&["--backend", "gpu"]), BackendArg::Gpu);
        let wrong = ["backprop", "train", "x", "--backend", "tpu"];
        assert!(Cli::try_parse_from(wrong).is_err());
    }

    #[test]
    fn a_lone_dash_is_a_program() {
        let cli = Cli::try_parse_from(["backprop", "check", "-", "--format", "json"]).unwrap();
        let Command::Check(args) = cli.command else {
            panic!("not a check")
        };
        assert_eq!(
            (args.program.program.as_str(), args.format),
            ("-", CheckFormat::Json)
        );
    }
}
