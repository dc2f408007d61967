//! The playground's controls as markup with one delegated handler: the form (model and
//! training settings), the training buttons, the speed and the stop, the backend switch
//! and the loss chart's scale are HTML written here,
//! and every change or click is read back by its control's `name` ([`Action::of`]). In
//! Leptos each element of a view costs compiled code, and the bundle has a size budget;
//! markup strings cost almost none, and this way the controls are tested natively.

use super::backend::{BackendChoice, BackendStatus};
use super::chart::Scale;
use super::form::{
    Activation, Form, Training, parse_widths, read_form, read_training, widths_text, with_training,
};
use super::options::controls::{self as option_controls, OptionAction};
use super::pace::Speed;
use crate::data::dataset::DATASET_NAMES;
use crate::graph::Graph;
use crate::number::format_number;
use crate::render::svg::draw::escape;
use crate::train::OptimizerKind;
use std::fmt::Write;

const ACTIVATIONS: [&str; 3] = ["relu", "tanh", "sigmoid"];
const OPTIMIZERS: [&str; 3] = ["sgd", "momentum", "adam"];

/// What a control asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Dataset(String),
    Widths(String),
    Activation(String),
    Batch(String),
    Optimizer(String),
    Rate(String),
    ZeroGrads(bool),
    Train,
    TrainOneStep,
    Restart,
    StepInto,
    Backend(BackendChoice),
    /// The speed control's value ([`Speed::parse`]).
    Speed(String),
    /// The "stop at step" field's text ([`super::pace::parse_stop`]).
    Stop(String),
    /// The loss chart's scale ([`Scale::parse`]).
    Scale(String),
    /// An option of [`super::options`]: the initialiser, precision, loss scale, clip.
    Option(OptionAction),
}

/// How training is watched: its speed and where it stops, as the controls show them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Watch {
    pub speed: Speed,
    pub stop: Option<u64>,
}

impl Action {
    /// The action of the control called `name` now holding `value` (or `checked`).
    pub fn of(name: &str, value: &str, checked: bool) -> Option<Action> {
        let value = value.to_string();
        Some(match name {
            "dataset" => Action::Dataset(value),
            "widths" => Action::Widths(value),
            "activation" => Action::Activation(value),
            "batch" => Action::Batch(value),
            "optimizer" => Action::Optimizer(value),
            "rate" => Action::Rate(value),
            "zero_grads" => Action::ZeroGrads(checked),
            "train" => Action::Train,
            "step" => Action::TrainOneStep,
            "restart" => Action::Restart,
            "step_into" => Action::StepInto,
            "backend" if value == "gpu" => Action::Backend(BackendChoice::Gpu),
            "backend" => Action::Backend(BackendChoice::Cpu),
            "speed" => Action::Speed(value),
            "stop" => Action::Stop(value),
            "scale" => Action::Scale(value),
            _ => return OptionAction::of(name, &value).map(Action::Option),
        })
    }
}

/// The program after a form `action` (None: not a form action). Model fields rewrite the
/// program from the form, training fields only its `# train:` line. `Err` when the typed
/// text is not valid (the field is then marked).
pub fn edit(source: &str, graph: Option<&Graph>, action: &Action) -> Option<Result<String, ()>> {
    let mut model = graph.and_then(|g| read_form(g, source).ok());
    let mut training = read_training(source);
    let valid = match action {
        Action::Dataset(name) => super::data::choices()
            .contains(&name.as_str())
            .then(|| model.iter_mut().for_each(|f| switch_dataset(f, name))),
        Action::Widths(text) => parse_widths(text).map(|widths| {
            model.iter_mut().for_each(|f| f.hidden = widths.clone());
        }),
        Action::Activation(name) => Activation::by_name(name).map(|a| {
            model.iter_mut().for_each(|f| f.activation = a);
        }),
        Action::Batch(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|&b| b > 0)
            .map(|batch| {
                model.iter_mut().for_each(|f| f.batch = batch.min(f.points));
            }),
        Action::Optimizer(name) => OptimizerKind::by_name(name)
            .ok()
            .map(|kind| training.optimizer = kind),
        Action::Rate(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|rate| training.learning_rate = rate),
        Action::ZeroGrads(on) => {
            training.zero_grads = *on;
            Some(())
        }
        Action::Option(option) => option.apply(model.as_mut(), &mut training),
        _ => return None,
    };
    if valid.is_none() {
        return Some(Err(()));
    }
    let model_field = matches!(
        action,
        Action::Dataset(_) | Action::Widths(_) | Action::Activation(_) | Action::Batch(_)
    ) || matches!(action, Action::Option(option) if option.is_model());
    Some(Ok(match model {
        Some(form) if model_field => super::data::own_edit::keep_own(source, graph, &form),
        _ => with_training(source, &training),
    }))
}

/// `form` on the dataset `name`: a shipped set takes all its training rows, a built-in
/// set the form's default count after one; the batch stays within the points.
fn switch_dataset(form: &mut Form, name: &str) {
    let built_in = if DATASET_NAMES.contains(&form.dataset.as_str()) {
        form.points
    } else {
        Form::default().points
    };
    form.dataset = name.to_owned();
    form.points = super::data::points(name, built_in);
    form.batch = form.batch.min(form.points);
}

fn select(out: &mut String, label: &str, name: &str, options: &[&str], current: &str) {
    let _ = write!(
        out,
        "<label>{label}<select name=\"{name}\" aria-label=\"{label}\">"
    );
    for option in options {
        let selected = if *option == current { " selected" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{option}\"{selected}>{option}</option>"
        );
    }
    out.push_str("</select></label>");
}

fn input(out: &mut String, label: &str, name: &str, kind: &str, value: &str, invalid: bool) {
    let extra = match kind {
        "number" => " min=\"0\" step=\"any\"",
        _ => " inputmode=\"numeric\" placeholder=\"e.g. 16, 16\"",
    };
    let _ = write!(
        out,
        "<label>{label}<input type=\"{kind}\" name=\"{name}\" aria-label=\"{label}\" value=\"{}\" aria-invalid=\"{invalid}\"{extra}></label>",
        escape(value)
    );
}

/// The form for `form` (or, when the program is beyond it, the reason and locked model
/// fields) with the training settings; `invalid` names a field whose typed text was not
/// valid.
pub fn form_markup(
    form: Result<&Form, &str>,
    training: &Training,
    invalid: Option<&str>,
) -> String {
    let mut out = String::new();
    match form {
        Ok(shown) => {
            out.push_str("<fieldset><legend>Model</legend>");
            select(
                &mut out,
                "Dataset",
                "dataset",
                &super::data::choices(),
                &shown.dataset,
            );
            let widths = widths_text(&shown.hidden);
            input(
                &mut out,
                "Hidden layer widths",
                "widths",
                "text",
                &widths,
                invalid == Some("widths"),
            );
            select(
                &mut out,
                "Activation",
                "activation",
                &ACTIVATIONS,
                shown.activation.name(),
            );
            let batch = shown.batch.to_string();
            input(
                &mut out,
                "Batch size",
                "batch",
                "number",
                &batch,
                invalid == Some("batch"),
            );
            option_controls::init_markup(&mut out, shown.init);
            out.push_str("</fieldset>");
        }
        Err(reason) => {
            let _ = write!(
                out,
                "<p class=\"form-note\">The form cannot describe this program's model ({}); edit it by hand, or train it as it is.</p>",
                escape(reason)
            );
        }
    }
    out.push_str("<fieldset><legend>Training</legend>");
    select(
        &mut out,
        "Optimizer",
        "optimizer",
        &OPTIMIZERS,
        training.optimizer.name(),
    );
    let rate = format_number(training.learning_rate);
    input(
        &mut out,
        "Learning rate",
        "rate",
        "number",
        &rate,
        invalid == Some("rate"),
    );
    let checked = if training.zero_grads { " checked" } else { "" };
    let _ = write!(
        out,
        "<label class=\"check\"><input type=\"checkbox\" name=\"zero_grads\"{checked}>Zero the gradients before each step</label></fieldset>"
    );
    option_controls::numerics_markup(&mut out, &training.numerics, invalid);
    out
}

/// The training buttons, the speed and the stop (`watch`; `invalid` names the field whose
/// typed text was not valid), and the backend badge and switch (`choice` is what the user
/// asked for, `status` what runs and what WebGPU offers).
pub fn controls_markup(
    training: bool,
    choice: BackendChoice,
    status: &BackendStatus,
    watch: &Watch,
    invalid: Option<&str>,
) -> String {
    let (label, pressed) = if training {
        ("Pause training", "true")
    } else {
        ("Train", "false")
    };
    let mut out = format!(
        "<div class=\"backend\"><span class=\"backend-badge\" role=\"status\" data-backend=\"{}\">{}</span>",
        status.running.label(),
        escape(&status.badge())
    );
    let why = status.gpu.unavailable();
    out.push_str("<fieldset class=\"backend-switch\"><legend class=\"sr-only\">Backend</legend>");
    for (choice_here, value, text, name) in [
        (BackendChoice::Cpu, "cpu", "CPU", "CPU backend"),
        (BackendChoice::Gpu, "gpu", "WebGPU", "GPU backend"),
    ] {
        let checked = if choice == choice_here {
            " checked"
        } else {
            ""
        };
        let (disabled, title) = match (&why, choice_here) {
            (Some(reason), BackendChoice::Gpu) => {
                (" disabled", format!(" title=\"{}\"", escape(reason)))
            }
            _ => ("", String::new()),
        };
        let _ = write!(
            out,
            "<label{title}><input type=\"radio\" name=\"backend\" value=\"{value}\" aria-label=\"{name}\"{checked}{disabled}>{text}</label>"
        );
    }
    out.push_str("</fieldset></div><div class=\"train-controls\" role=\"toolbar\" aria-label=\"Training controls\">");
    let buttons = [
        (
            "train",
            label,
            "primary",
            "Train in chunks between animation frames",
        ),
        ("step", "Train one step", "", "One update"),
        (
            "restart",
            "Restart training",
            "",
            "Back to the program's initial parameters",
        ),
        (
            "step_into",
            "Step into the next training step",
            "",
            "Load the current parameters and the next minibatch into the stepper, then walk that step's forward and backward pass",
        ),
    ];
    for (name, text, class, title) in buttons {
        let pressed = if name == "train" {
            format!(" aria-pressed=\"{pressed}\"")
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<button type=\"button\" name=\"{name}\" class=\"{class}\" title=\"{title}\"{pressed}>{text}</button>"
        );
    }
    out.push_str("</div><div class=\"watch\">");
    out.push_str("<label>Speed<select name=\"speed\" aria-label=\"Training speed\">");
    for speed in Speed::CHOICES {
        let selected = if speed == watch.speed {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{}\"{selected}>{}</option>",
            speed.value(),
            speed.label()
        );
    }
    let stop = watch.stop.map(|s| s.to_string()).unwrap_or_default();
    let _ = write!(
        out,
        "</select></label><label>Stop at step<input type=\"number\" name=\"stop\" aria-label=\"Stop at step\" min=\"1\" step=\"1\" inputmode=\"numeric\" placeholder=\"never\" value=\"{stop}\" aria-invalid=\"{}\" title=\"Training pauses when it reaches this step; empty: it goes on\"></label></div>",
        invalid == Some("stop")
    );
    out
}

/// The loss chart's scale switch: automatic (saying which it chooses for the curve now,
/// `auto_log`), linear or log.
pub fn scale_markup(scale: Scale, auto_log: bool) -> String {
    let mut out = String::from("<fieldset class=\"loss-scale\"><legend>Scale</legend>");
    for (choice, name, text) in [
        (
            Scale::Auto,
            "Automatic loss scale",
            if auto_log {
                "Auto (log)"
            } else {
                "Auto (linear)"
            },
        ),
        (Scale::Linear, "Linear loss scale", "Linear"),
        (Scale::Log, "Log loss scale", "Log"),
    ] {
        let checked = if choice == scale { " checked" } else { "" };
        let _ = write!(
            out,
            "<label><input type=\"radio\" name=\"scale\" value=\"{}\" aria-label=\"{name}\"{checked}>{text}</label>",
            choice.value()
        );
    }
    out.push_str("</fieldset>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::form::write_program;
    use crate::program::compile;

    #[test]
    fn controls_are_read_back_by_name() {
        assert_eq!(
            Action::of("dataset", "xor", false),
            Some(Action::Dataset("xor".into()))
        );
        assert_eq!(
            Action::of("zero_grads", "on", false),
            Some(Action::ZeroGrads(false))
        );
        assert_eq!(
            Action::of("backend", "gpu", true),
            Some(Action::Backend(BackendChoice::Gpu))
        );
        assert_eq!(Action::of("step_into", "", false), Some(Action::StepInto));
        assert_eq!(
            Action::of("speed", "1", false),
            Some(Action::Speed("1".into()))
        );
        assert_eq!(
            Action::of("stop", "25", false),
            Some(Action::Stop("25".into()))
        );
        assert_eq!(
            Action::of("scale", "log", true),
            Some(Action::Scale("log".into()))
        );
        assert_eq!(Action::of("nothing", "", false), None);
    }

    #[test]
    fn form_edits_rewrite_the_program() {
        let source = write_program(&Form::default());
        let graph = compile(&source).unwrap();
        let edit_ok = |action: Action| edit(&source, Some(&graph), &action).unwrap().unwrap();
        let narrow = edit_ok(Action::Widths("8".into()));
        assert!(narrow.contains("W1 = param(randn([2, 8], 1) * 0.7)") && !narrow.contains("h2 ="));
        assert!(edit_ok(Action::Dataset("spiral".into())).contains("features(spiral, 256, 64)"));
        assert!(edit_ok(Action::Batch("32".into())).contains("features(moons, 256, 32)"));
        assert!(edit_ok(Action::Batch("9999".into())).contains("features(moons, 256, 256)"));
        // Training fields change the training line only.
        let slower = edit_ok(Action::Rate("0.005".into()));
        assert_eq!(
            slower,
            source.replace("learning rate 0.02", "learning rate 0.005")
        );
        let forget = edit_ok(Action::ZeroGrads(false));
        assert!(forget.contains("# train: adam, learning rate 0.02, gradients not zeroed"));
        // Bad text is refused; other actions are not form edits.
        for bad in [
            Action::Widths("x".into()),
            Action::Rate("-1".into()),
            Action::Batch("0".into()),
        ] {
            assert_eq!(edit(&source, Some(&graph), &bad), Some(Err(())), "{bad:?}");
        }
        assert_eq!(edit(&source, Some(&graph), &Action::Train), None);
    }

    #[test]
    fn a_shipped_dataset_takes_its_width_classes_and_training_rows() {
        let source = write_program(&Form::default());
        let graph = compile(&source).unwrap();
        let digits = edit(&source, Some(&graph), &Action::Dataset("digits".into()))
            .unwrap()
            .unwrap();
        assert!(
            digits.contains("X = features(digits, 1438, 64)"),
            "{digits}"
        );
        assert!(
            digits.contains("W1 = param(randn([64, 16], 1) * 0.18)"),
            "{digits}"
        );
        assert!(digits.contains("W3 = param(randn([16, 10], 3)"), "{digits}");
        let graph = compile(&digits).unwrap();
        let form = read_form(&graph, &digits).unwrap();
        assert_eq!((form.dataset.as_str(), form.points), ("digits", 1438));
        assert!(
            form_markup(Ok(&form), &form.training, None)
                .contains("<option value=\"digits\" selected>")
        );
        // Back to a built-in set: the form's default count.
        let moons = edit(&digits, Some(&graph), &Action::Dataset("moons".into()))
            .unwrap()
            .unwrap();
        assert!(moons.contains("features(moons, 256, 64)") && moons.contains("[2, 16]"));
        let iris = edit(&digits, Some(&graph), &Action::Dataset("iris".into()))
            .unwrap()
            .unwrap();
        assert!(iris.contains("features(iris, 120, 64)") && iris.contains("[16, 3]"));
        assert_eq!(
            edit(&source, Some(&graph), &Action::Dataset("diabetes".into())),
            Some(Err(()))
        );
    }

    #[test]
    fn the_form_shows_the_program_and_locks_when_it_cannot() {
        let form = Form::default();
        let markup = form_markup(Ok(&form), &form.training, None);
        assert!(markup.contains("<option value=\"moons\" selected>"));
        assert!(
            markup.contains("name=\"widths\" aria-label=\"Hidden layer widths\" value=\"16, 16\"")
        );
        assert!(markup.contains("name=\"rate\" aria-label=\"Learning rate\" value=\"0.02\""));
        assert!(markup.contains("name=\"zero_grads\" checked"));
        assert!(!markup.contains("disabled") && !markup.contains("form-note"));
        let locked = form_markup(
            Err("the layers use <different> activations"),
            &form.training,
            Some("rate"),
        );
        assert!(locked.starts_with("<p class=\"form-note\">"));
        assert!(!locked.contains("name=\"widths\""));
        assert!(locked.contains("&lt;different&gt;"));
        assert!(locked.contains(
            "name=\"rate\" aria-label=\"Learning rate\" value=\"0.02\" aria-invalid=\"true\""
        ));
    }

    #[test]
    fn the_controls_say_what_runs() {
        use crate::playground::backend::GpuStatus;
        let cpu_only = BackendStatus {
            running: BackendChoice::Cpu,
            gpu: GpuStatus::Unavailable("no adapter".into()),
        };
        let markup = controls_markup(true, BackendChoice::Cpu, &cpu_only, &Watch::default(), None);
        assert!(
            markup.contains("data-backend=\"CPU\">CPU — WebGPU unavailable: no adapter</span>")
        );
        assert!(markup.contains("name=\"train\" class=\"primary\""));
        assert!(markup.contains("aria-pressed=\"true\">Pause training</button>"));
        assert!(markup.contains("<label title=\"no adapter\"><input type=\"radio\" name=\"backend\" value=\"gpu\" aria-label=\"GPU backend\" disabled>"));
        assert!(markup.contains("value=\"cpu\" aria-label=\"CPU backend\" checked"));
        let idle = controls_markup(
            false,
            BackendChoice::Cpu,
            &cpu_only,
            &Watch::default(),
            None,
        );
        assert!(idle.contains("aria-pressed=\"false\">Train</button>"));

        let gpu = BackendStatus {
            running: BackendChoice::Gpu,
            gpu: GpuStatus::Ready("Google SwiftShader <1>".into()),
        };
        let markup = controls_markup(false, BackendChoice::Gpu, &gpu, &Watch::default(), None);
        assert!(
            markup.contains("data-backend=\"WebGPU\">WebGPU — Google SwiftShader &lt;1&gt;</span>")
        );
        assert!(markup.contains("value=\"gpu\" aria-label=\"GPU backend\" checked>WebGPU</label>"));
        assert!(!markup.contains("disabled"));
    }

    #[test]
    fn the_speed_and_the_stop_show_what_was_chosen() {
        let status = BackendStatus::default();
        let markup = controls_markup(false, BackendChoice::Cpu, &status, &Watch::default(), None);
        assert!(markup.contains("<option value=\"fastest\" selected>As fast as possible</option>"));
        assert!(markup.contains("<option value=\"frame\">One step per frame</option>"));
        assert!(markup.contains("<option value=\"1\">1 step/s</option>"));
        assert!(markup.contains("name=\"stop\" aria-label=\"Stop at step\""));
        assert!(markup.contains("value=\"\" aria-invalid=\"false\""));
        let watch = Watch {
            speed: Speed::PerSecond(2),
            stop: Some(40),
        };
        let markup = controls_markup(true, BackendChoice::Cpu, &status, &watch, Some("stop"));
        assert!(markup.contains("<option value=\"2\" selected>2 steps/s</option>"));
        assert!(!markup.contains("fastest\" selected"));
        assert!(markup.contains("value=\"40\" aria-invalid=\"true\""));
    }

    #[test]
    fn the_scale_switch_says_what_auto_chose() {
        let markup = scale_markup(Scale::Auto, false);
        assert!(markup.contains(
            "value=\"auto\" aria-label=\"Automatic loss scale\" checked>Auto (linear)</label>"
        ));
        assert!(markup.contains("value=\"log\" aria-label=\"Log loss scale\">Log</label>"));
        assert!(scale_markup(Scale::Auto, true).contains(">Auto (log)</label>"));
        let markup = scale_markup(Scale::Linear, false);
        assert!(markup.contains("aria-label=\"Linear loss scale\" checked>Linear"));
        assert!(!markup.contains("Automatic loss scale\" checked"));
    }
}
