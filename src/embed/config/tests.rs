use super::*;
use crate::url_state::ModeChoice;

const TWO_PATHS: &str = "program=(x1%2Bx2)*x1&at=x1%3D3%2Cx2%3D4";

fn cursor(query: &str) -> usize {
    let config = EmbedConfig::from_query(query);
    assert_eq!(config.problems, vec![], "{query}");
    let (session, problems) = config.session();
    assert_eq!(problems, vec![], "{query}");
    session.stepper().unwrap().cursor()
}

#[test]
fn an_app_link_is_an_embed_configuration() {
    let session = Session::new("x1 = 3\nx2 = 4\n(x1 + x2) * x1");
    let mut session = session;
    session.seek(5);
    let fragment = format!("#{}", session.to_url().to_fragment());
    let config = EmbedConfig::from_query(&fragment);
    assert_eq!(config.problems, vec![]);
    assert_eq!(config.step, StepTarget::Taken(5));
    assert_eq!(config.options, ViewOptions::default());
    let (embedded, problems) = config.session();
    assert_eq!(problems, vec![]);
    assert_eq!(embedded.to_url(), session.to_url());
}

#[test]
fn steps_by_phase() {
    assert_eq!(cursor(TWO_PATHS), 0);
    assert_eq!(cursor(&format!("{TWO_PATHS}&step=3")), 3);
    assert_eq!(cursor(&format!("{TWO_PATHS}&step=forward:2")), 2);
    assert_eq!(cursor(&format!("{TWO_PATHS}&step=backward:2")), 6);
    assert_eq!(cursor(&format!("{TWO_PATHS}&step=BACKWARD%3A%201")), 5);
    assert_eq!(cursor(&format!("{TWO_PATHS}&step=end")), 8);
    // Beyond a phase's end: its end, as links beyond the last step.
    assert_eq!(cursor(&format!("{TWO_PATHS}&step=forward:9")), 4);
    assert_eq!(cursor(&format!("{TWO_PATHS}&step=backward:9")), 8);
    assert_eq!(cursor(&format!("{TWO_PATHS}&step=99")), 8);
}

#[test]
fn options_and_their_defaults() {
    let config = EmbedConfig::from_query(&format!(
        "{TWO_PATHS}&controls=FULL&theme=dark&layout=Compact&autoplay&quiz"
    ));
    assert_eq!(
        config.options,
        ViewOptions {
            controls: Controls::Full,
            theme: Theme::Dark,
            layout: Layout::Compact,
            autoplay: true,
            quiz: true,
        }
    );
    assert_eq!(config.options.layout.name(), "compact");
    let config = EmbedConfig::from_query(&format!(
        "{TWO_PATHS}&controls=none&theme=light&autoplay=false&quiz=false"
    ));
    assert!(!config.options.quiz);
    assert_eq!(config.options.controls, Controls::None);
    assert_eq!(config.options.theme.name(), "light");
    assert!(!config.options.autoplay);
    let config = EmbedConfig::from_query(TWO_PATHS);
    assert_eq!(config.options.controls, Controls::Minimal);
    assert_eq!(config.options.theme, Theme::Auto);
    assert_eq!(config.options.layout, Layout::Full);
    assert!(!config.options.autoplay, "autoplay is off by default");
    assert!(!config.options.quiz, "the quiz is off by default");
    assert!(
        EmbedConfig::from_query(&format!("{TWO_PATHS}&quiz=TRUE"))
            .options
            .quiz
    );
}

#[test]
fn bad_options_are_reported_and_the_rest_still_applies() {
    let config = EmbedConfig::from_query(&format!(
        "{TWO_PATHS}&controls=all&theme=%3Cscript%3E&layout=%22%3E%3Cb%3E&autoplay=maybe&step=sideways:2&controls=huge&quiz=%3Ci%3E"
    ));
    let messages: Vec<String> = config.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "`step` must be a number, `forward:K`, `backward:K` or `end`, not `sideways:2`",
            "`controls` must be `none`, `minimal` or `full`, not `huge`",
            "`theme` must be `light`, `dark` or `auto`, not `<script>`",
            "`layout` must be `full` or `compact`, not `\"><b>`",
            "`autoplay` must be empty, `true` or `false`, not `maybe`",
            "`quiz` must be empty, `true` or `false`, not `<i>`",
        ]
    );
    assert_eq!(config.options, ViewOptions::default());
    assert_eq!(config.step, StepTarget::Taken(0));
    assert!(config.session().0.stepper().is_some());
}

#[test]
fn a_bad_input_list_or_mode_leaves_the_program_showing() {
    let config = EmbedConfig::from_query("program=x*y&at=x%3Dlots&mode=sideways");
    assert_eq!(config.problems.len(), 2, "{:?}", config.problems);
    assert!(matches!(
        config.problems[0],
        ConfigError::Link(UrlError::Inputs(_))
    ));
    assert!(matches!(
        config.problems[1],
        ConfigError::Link(UrlError::Mode(_))
    ));
    let link = config.link.clone().unwrap();
    assert_eq!(
        (link.program.as_str(), link.mode),
        ("x*y", ModeChoice::Reverse)
    );
    assert!(config.session().0.stepper().is_some());
}

#[test]
fn inputs_the_program_does_not_have_are_named() {
    let config = EmbedConfig::from_query("program=x*y&at=x%3D2%2Cz%3D5");
    let (session, problems) = config.session();
    assert_eq!(session.inputs()[0].2, 2.0);
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["`at` names `z`, which is not an input of the program (its inputs: x, y)"]
    );
}

#[test]
fn forward_mode_has_no_backward_steps() {
    let config = EmbedConfig::from_query("program=x*y&mode=forward%3Ax&step=backward:1");
    let (session, problems) = config.session();
    assert_eq!(problems, [ConfigError::NoBackwardPass("backward:1".into())]);
    assert_eq!(session.stepper().unwrap().cursor(), 0);
    assert_eq!(cursor("program=x*y&mode=forward%3Ax&step=end"), 3);
}

#[test]
fn markup_is_program_text_not_markup() {
    let config =
        EmbedConfig::from_query("program=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&at=%3Cscript%3E");
    assert_eq!(
        config.link.as_ref().unwrap().program,
        "<img src=x onerror=alert(1)>"
    );
    let (session, _) = config.session();
    assert!(session.stepper().is_none());
    assert!(
        session.error().is_some(),
        "the program is parsed, and fails"
    );
}

#[test]
fn without_a_program_nothing_runs() {
    let config = EmbedConfig::from_query("controls=full");
    assert_eq!(
        config.problems,
        [ConfigError::Link(UrlError::MissingProgram)]
    );
    assert!(config.session().0.stepper().is_none());
    let long = "x".repeat(500);
    let config = EmbedConfig::from_query(&format!("program=a&theme={long}"));
    assert!(config.problems[0].to_string().len() < 120);
}

#[test]
fn an_embed_keeps_the_link_s_checkpoints_and_precision() {
    let config = EmbedConfig::from_query(
        "#program=a%20%3D%20x%20*%20x%0Ab%20%3D%20a%20*%20a%0Ab%20*%20b&checkpoint=b&precision=f16&loss-scale=1024",
    );
    assert_eq!(config.problems, vec![]);
    let (session, problems) = config.session();
    assert_eq!(problems, vec![]);
    let stepper = session.stepper().unwrap();
    let graph = stepper.graph();
    let kept: Vec<&str> = stepper
        .checkpoints()
        .unwrap()
        .iter()
        .map(|&id| graph.node(id).name.as_str())
        .collect();
    assert_eq!(kept, ["b"]);
    assert_eq!(stepper.precision(), crate::precision::Precision::F16);
    assert_eq!(stepper.loss_scale(), 1024.0);
    // One recompute step (a, which b's backward step reads).
    let recomputes = stepper
        .schedule()
        .iter()
        .filter(|(phase, _)| *phase == crate::engine::Phase::Recompute)
        .count();
    assert_eq!(recomputes, 1);
    // A bad precision is named, and the rest still applies.
    let config = EmbedConfig::from_query("program=x*x&precision=f8&checkpoint=sqrt");
    assert!(matches!(
        config.problems[..],
        [ConfigError::Link(UrlError::Storage {
            key: "precision",
            ..
        })]
    ));
    let link = config.link.unwrap();
    assert_eq!(link.storage.precision, crate::precision::Precision::F64);
    assert_eq!(
        link.storage.checkpoint,
        Some(crate::engine::CheckpointPlan::Sqrt)
    );
}
