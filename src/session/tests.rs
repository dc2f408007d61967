//! Session tests: editing, errors that keep the last graph, inputs, modes, links.

use super::*;
use crate::engine::Phase;
use crate::examples;

fn two_paths() -> Session {
    Session::new(examples::find("two-paths").unwrap().program)
}

fn value(session: &Session, name: &str) -> Option<f64> {
    let stepper = session.stepper().unwrap();
    stepper.scalar_value(stepper.graph().find(name).unwrap())
}

#[test]
fn an_example_loads_at_step_zero_with_its_values() {
    let session = two_paths();
    assert!(session.error().is_none());
    assert_eq!(session.stepper().unwrap().cursor(), 0);
    let inputs: Vec<(String, f64)> = session
        .inputs()
        .into_iter()
        .map(|(_, n, v)| (n, v))
        .collect();
    assert_eq!(inputs, [("x1".to_string(), 3.0), ("x2".to_string(), 4.0)]);
}

#[test]
fn a_broken_edit_keeps_the_last_valid_graph_and_position() {
    let mut session = two_paths();
    session.seek(5);
    session.set_source("(x1 + x2 x1");
    assert!(session.error().is_some());
    assert_eq!(session.source(), "(x1 + x2 x1");
    assert_eq!(session.graph().unwrap().len(), 4);
    assert_eq!(session.stepper().unwrap().cursor(), 5);
    session.set_source("(x1 + x2) * x1 * 2");
    assert!(session.error().is_none());
    assert_eq!(
        session.stepper().unwrap().cursor(),
        5,
        "the position is kept where it exists"
    );
}

#[test]
fn free_variables_start_at_the_default() {
    let session = Session::new("a * b");
    assert_eq!(
        session
            .inputs()
            .iter()
            .map(|(_, _, v)| *v)
            .collect::<Vec<_>>(),
        [DEFAULT_INPUT; 2]
    );
}

#[test]
fn a_program_that_never_compiled_has_no_graph() {
    let session = Session::new("x +");
    assert!(session.error().is_some() && session.stepper().is_none());
    assert!(session.gradients().is_empty());
}

#[test]
fn changing_an_input_keeps_the_step_and_reruns_the_values() {
    let mut session = two_paths();
    session.seek(6);
    session.set_input("x1", 5.0);
    assert_eq!(session.stepper().unwrap().cursor(), 6);
    assert_eq!(value(&session, "v4"), Some(45.0));
    session.set_source("x1 = 3\nx2 = 4\nx1 * x2 + x1");
    assert_eq!(
        value(&session, "x1"),
        Some(5.0),
        "the user's value outlives the edit"
    );
}

#[test]
fn jumps_and_reset() {
    let mut session = two_paths();
    session.jump_to_forward_end();
    assert_eq!(session.stepper().unwrap().cursor(), 4);
    session.jump_to_backward_end();
    assert!(session.stepper().unwrap().is_done());
    session.reset();
    assert_eq!(session.stepper().unwrap().cursor(), 0);
    assert!(session.step_back().is_none());
    assert_eq!(session.step_forward().unwrap().index, 0);
}

#[test]
fn forward_mode_by_name_follows_edits() {
    let mut session = two_paths();
    session.set_mode(ModeChoice::Forward { wrt: "x2".into() });
    session.jump_to_backward_end();
    let stepper = session.stepper().unwrap();
    assert_eq!(
        stepper
            .tangent(stepper.graph().output())
            .map(|t| (t.shape().to_vec(), t.data().to_vec())),
        Some((vec![], vec![3.0]))
    );
    session.set_source("y * 2");
    assert_eq!(
        session.mode(),
        &ModeChoice::Forward { wrt: "y".into() },
        "x2 is gone: the first input"
    );
}

#[test]
fn gradients_fill_in_and_sit_beside_finite_differences() {
    let mut session = two_paths();
    assert!(session.gradients().iter().all(|row| row.gradient.is_none()));
    session.seek(5);
    assert!(
        session
            .gradients()
            .iter()
            .all(|row| row.gradient.is_none() && row.numeric.is_none()),
        "x̄1 = 7 is only partial here, and the finite differences stay hidden"
    );
    session.seek(6);
    assert_eq!(
        session
            .gradients()
            .iter()
            .map(|r| r.gradient)
            .collect::<Vec<_>>(),
        [Some(10.0), Some(3.0)],
        "both adjoints are complete once v3 has sent its contributions"
    );
    session.jump_to_backward_end();
    let rows = session.gradients();
    assert_eq!(
        rows.iter().map(|r| r.gradient).collect::<Vec<_>>(),
        [Some(10.0), Some(3.0)]
    );
    assert!((rows[0].numeric.unwrap() - 10.0).abs() < 1e-6);
    assert!(rows[0].relative_error.unwrap() < 1e-8);
}

#[test]
fn links_restore_the_exact_view() {
    let mut session = two_paths();
    session.set_input("x2", -0.25);
    session.set_mode(ModeChoice::Forward { wrt: "x1".into() });
    session.seek(3);
    let state = session.to_url();
    let fragment = state.to_fragment();
    let restored = Session::from_url(UrlState::from_fragment(&fragment).unwrap());
    assert_eq!(restored.to_url(), state);
    assert_eq!(restored.stepper().unwrap().cursor(), 3);
    assert_eq!(restored.stepper(), session.stepper());
}

#[test]
fn the_quiz_and_its_score_are_in_the_link() {
    let mut session = two_paths();
    assert_eq!(session.to_url().quiz, None);
    session.set_quiz(Some(crate::url_state::QuizScore { right: 1, asked: 2 }));
    session.seek(3);
    let fragment = session.to_url().to_fragment();
    assert!(fragment.contains("quiz=1%2F2"), "{fragment}");
    let restored = Session::from_url(UrlState::from_fragment(&fragment).unwrap());
    assert_eq!(restored.quiz(), session.quiz());
    assert_eq!(restored.stepper().unwrap().cursor(), 3);
    // Stepping and new inputs keep it; turning it off drops it from the link.
    session.step_forward();
    session.set_input("x1", 5.0);
    assert_eq!(session.to_url().quiz, restored.quiz());
    session.set_quiz(None);
    assert!(!session.to_url().to_fragment().contains("quiz"));
}

#[test]
fn links_keep_loaded_tensor_values_and_what_they_are() {
    use crate::tensor::Tensor;
    let program = "w = param([1, 2])\nx = [3, 4]\nc = 2\nL = sum(w * x) * c";
    let mut session = Session::new(program);
    // The program's own values: a plain link.
    let plain = session.to_url();
    assert!(plain.tensors.is_empty() && plain.about.is_none());
    assert_eq!(session.link_leaves_out(), None);
    let w = Tensor::from_vec(vec![2], vec![0.1 + 0.2, -1e-7]).unwrap();
    let x = Tensor::from_vec(vec![2], vec![3.0, 4.0]).unwrap();
    let about = "training step 6: the parameters after 5 updates";
    assert!(session.load_inputs(vec![w.clone(), x, Tensor::scalar(2.0)], Some(about.into())));
    assert_eq!(session.about(), Some(about));
    session.seek(4);
    let state = session.to_url();
    // Only what differs from the program travels as a tensor (scalars go in `at`).
    assert_eq!(state.tensors, vec![("w".to_string(), w.clone())]);
    assert_eq!(state.about.as_deref(), Some(about));
    let restored = Session::from_url(UrlState::from_fragment(&state.to_fragment()).unwrap());
    assert_eq!(restored.stepper(), session.stepper());
    assert_eq!(restored.stepper().unwrap().cursor(), 4);
    assert_eq!(restored.about(), Some(about));
    assert_eq!(restored.to_url(), state);
    // A link whose tensors no longer fit the program opens the program's values.
    let mut edited = state.clone();
    edited.program = program
        .replace("[1, 2]", "[1, 2, 3]")
        .replace("[3, 4]", "[3, 4, 5]");
    let other = Session::from_url(edited);
    assert!(other.to_url().tensors.is_empty() && other.about().is_none());
    // An edit goes back to the program's values: the link is plain again.
    session.set_input("c", 3.0);
    assert!(session.to_url().tensors.is_empty() && session.about().is_none());
}

#[test]
fn too_many_loaded_values_leave_the_link_plain_and_say_so() {
    use crate::tensor::Tensor;
    let n = MAX_LINK_VALUES + 1;
    let program = format!("w = param(zeros([{n}]))\nL = sum(w * w)");
    let mut session = Session::new(&program);
    let big = Tensor::from_vec(vec![n], vec![0.5; n]).unwrap();
    assert!(session.load_inputs(vec![big], Some("training step 2".into())));
    assert_eq!(session.link_leaves_out(), Some(n));
    let state = session.to_url();
    assert!(state.tensors.is_empty() && state.about.is_none());
    assert_eq!(session.about(), Some("training step 2"));
}

#[test]
fn text_can_change_before_it_is_compiled() {
    let mut session = two_paths();
    session.set_text("x1 x2");
    assert!(session.error().is_none(), "not compiled yet");
    assert_eq!(session.source(), "x1 x2");
    session.compile();
    assert!(session.error().is_some());
    let revision = session.revision();
    session.set_source("a * b");
    assert!(session.revision() > revision);
}

/// A session replaced by another (an example, a link, Back) never reuses a revision, so
/// the history list cannot show the old program's steps as the new one's.
#[test]
fn sessions_never_share_a_revision() {
    let first = Session::new("(x1 + x2) * x1");
    let second = Session::new("sin(x)");
    let third = Session::new("(x1 + x2) * x1");
    assert_ne!(first.revision(), second.revision());
    assert_ne!(first.revision(), third.revision());
    assert_ne!(second.revision(), third.revision());
}

#[test]
fn loaded_inputs_replace_the_programs_until_the_next_edit() {
    let mut session = Session::new("w = param([1, 2])\nx = [3, 4]\nL = sum(w * x)");
    session.seek(2);
    let revision = session.revision();
    let values = vec![
        crate::tensor::Tensor::from_vec(vec![2], vec![5.0, 6.0]).unwrap(),
        crate::tensor::Tensor::from_vec(vec![2], vec![1.0, 2.0]).unwrap(),
    ];
    assert!(session.load_inputs(values, None));
    assert!(session.revision() > revision);
    let stepper = session.stepper().unwrap();
    assert_eq!(stepper.cursor(), 0, "the stepping starts over");
    let mut stepper = stepper.clone();
    stepper.run_to_end();
    assert_eq!(stepper.scalar_value(stepper.graph().output()), Some(17.0));
    // Values that do not fit change nothing.
    assert!(!session.load_inputs(vec![crate::tensor::Tensor::scalar(1.0)], None));
    // An edit goes back to the program's values.
    session.set_source("w = param([1, 2])\nx = [3, 4]\nL = sum(w * x) ");
    let mut stepper = session.stepper().unwrap().clone();
    stepper.run_to_end();
    assert_eq!(stepper.scalar_value(stepper.graph().output()), Some(11.0));
}

/// A name the program defines nowhere becomes an input, and the session says which.
#[test]
fn a_name_defined_nowhere_is_reported_as_a_new_input() {
    let mut session = Session::new("x * 2");
    assert!(
        session.new_inputs().is_empty(),
        "the first program brings none"
    );
    session.set_source("x * z");
    assert_eq!(session.new_inputs(), ["z"]);
    let z = session
        .inputs()
        .into_iter()
        .find(|(_, name, _)| name == "z")
        .expect("z is an input");
    assert!(z.2.is_finite());
    session.set_source("x * z + 1");
    assert!(session.new_inputs().is_empty(), "z is no longer new");
    session.set_source("w = 3\nx * z * w");
    assert!(
        session.new_inputs().is_empty(),
        "a bound name is not a free variable"
    );
}

/// Tensor inputs are listed with their shapes and where their values come from.
#[test]
fn tensor_inputs_are_listed_with_shape_and_role() {
    let session = Session::new("W = param([[1, 2], [3, 4]])\nx = [1, 0]\nsum(W @ x)");
    let rows = session.tensor_inputs();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].name, "W");
    assert_eq!(rows[0].shape, "[2×2]");
    assert!(rows[0].role.contains("parameter"));
    assert_eq!(rows[0].values.as_deref(), Some(&[1.0, 2.0, 3.0, 4.0][..]));
    assert_eq!(rows[1].shape, "[2]");
}

/// A small tensor input is edited element by element: the stepper uses the new value,
/// the edit survives other edits and links, and gives way when the program changes the
/// value itself.
#[test]
fn small_tensor_inputs_are_edited_element_by_element() {
    let program = "W = param([[1, 2], [3, 4]])\nx = [1, 0]\nsum(W @ x) * k";
    let mut session = Session::new(program);
    let output = |s: &mut Session| {
        s.jump_to_forward_end();
        let st = s.stepper().unwrap();
        st.value(st.graph().output()).unwrap().item().unwrap()
    };
    assert_eq!(output(&mut session), 4.0, "(1 + 3) · k, k = 1");
    session.seek(2);
    assert!(session.set_tensor_element("W", 2, 10.0));
    assert_eq!(
        session.stepper().unwrap().cursor(),
        2,
        "the step position is kept"
    );
    assert_eq!(output(&mut session), 11.0);
    assert_eq!(
        session.tensor_inputs()[0].values.as_deref(),
        Some(&[1.0, 2.0, 10.0, 4.0][..])
    );

    // Another input's edit keeps it; so does a link.
    session.set_input("k", 2.0);
    assert_eq!(output(&mut session), 22.0);
    let fragment = session.to_url().to_fragment();
    let mut restored = Session::from_url(UrlState::from_fragment(&fragment).unwrap());
    assert_eq!(output(&mut restored), 22.0, "{fragment}");

    // Nothing that is not an editable element changes.
    assert!(!session.set_tensor_element("W", 4, 1.0));
    assert!(!session.set_tensor_element("k", 0, 1.0));
    assert!(!session.set_tensor_element("nope", 0, 1.0));

    // The program's own new value wins over the older edit.
    session.set_source(&program.replace("[3, 4]", "[5, 4]"));
    assert_eq!(output(&mut session), 12.0, "(1 + 5) · 2");
}

/// Minibatches and large tensors are listed without their values.
#[test]
fn minibatches_and_large_tensors_are_not_editable() {
    let mut session = Session::new(
        "X = features(moons, 8, 1)\nW = param(randn([2, 9], 1))\nV = param(ones([2, 5]))\nb = param([0.5])\nsum(X @ W) + sum(b) + sum(V)",
    );
    let rows = session.tensor_inputs();
    let values = |name: &str| rows.iter().find(|t| t.name == name).unwrap().values.clone();
    assert_eq!(values("X"), None, "a minibatch");
    assert_eq!(values("W"), None, "18 numbers");
    assert_eq!(values("V"), None, "10 numbers, but 5 columns");
    assert_eq!(values("b"), Some(vec![0.5]));
    assert!(!session.set_tensor_element("X", 0, 1.0));
    assert!(!session.set_tensor_element("W", 0, 1.0));
    assert!(session.set_tensor_element("b", 0, -1.0));
}

/// Tensor inputs keep the gradient check: the norm, and the largest relative error over
/// sampled elements once the backward pass is done; labels have no row.
#[test]
fn tensor_programs_keep_the_gradient_check() {
    let mut session = Session::new(
        "W = param([[0.5, -0.3], [0.2, 0.8]])\nx = [1, 2]\ny = labels(moons, 8, 4)\nsum(tanh(W @ x))",
    );
    assert!(session.gradients().iter().all(|row| row.gradient.is_none()));
    session.jump_to_backward_end();
    let rows = session.gradients();
    assert!(
        rows.iter().all(|row| row.name != "y"),
        "labels get no gradient row"
    );
    let w = rows
        .iter()
        .find(|row| row.name == "W")
        .expect("a row for W");
    let check = w.tensor.expect("W is a tensor");
    assert_eq!(check.elements, 4);
    assert!(
        (3..=4).contains(&check.sampled),
        "first, last, middle and largest: {check:?}"
    );
    assert!(w.gradient.unwrap() > 0.0);
    assert!(w.relative_error.unwrap() < 1e-6, "{w:?}");
    assert_eq!(w.numeric, None);
}

#[test]
fn forward_mode_says_why_it_is_unavailable() {
    assert_eq!(
        Session::new("(x1 + x2) * x1").forward_mode_unavailable(),
        None
    );
    let why = Session::new("W = [[1, 2], [3, 4]]\nx = [1, 1]\nsum(W @ x)")
        .forward_mode_unavailable()
        .expect("matrix products have no forward rule here");
    assert!(why.contains("matmul"), "{why}");
    assert!(Session::new("2 * 3").forward_mode_unavailable().is_some());
}

/// The gradients' key changes whenever the gradients table does, stepping both ways, so a
/// view that recomputes the table only when the key changes never shows a stale one.
#[test]
fn the_gradients_key_changes_with_the_gradients() {
    for source in [
        "(x1 + x2) * x1",
        "a = x * y\nb = sin(a) + x\nc = b * y + a\nc * z",
    ] {
        let mut session = Session::new(source);
        let steps = session.stepper().unwrap().schedule().len();
        let mut order: Vec<usize> = (0..=steps).collect();
        order.extend((0..steps).rev());
        let mut before = (session.gradients_key(), session.gradients());
        for cursor in order {
            session.seek(cursor);
            let now = (session.gradients_key(), session.gradients());
            if now.1 != before.1 {
                assert_ne!(now.0, before.0, "{source}: at {cursor} the rows changed");
            }
            before = now;
        }
        let key = session.gradients_key();
        session.set_input("x", 2.0);
        assert_ne!(session.gradients_key(), key, "{source}: a rebuild");
    }
}

/// Where central differences straddle a kink the app says so: relu and abs at 0, not
/// elsewhere.
#[test]
fn kinks_are_found_where_relu_or_abs_sit_at_zero() {
    let ops_of = |session: &Session| {
        let graph = session.graph().unwrap().clone();
        session
            .kinks()
            .iter()
            .map(|name| graph.node(graph.find(name).unwrap()).op.name())
            .collect::<Vec<_>>()
    };
    let mut session = Session::new("r = relu(x)\na = abs(y - 1)\nr * 2 + a");
    session.set_input("x", 2.0);
    session.set_input("y", 3.0);
    assert!(session.kinks().is_empty(), "{:?}", session.kinks());
    session.set_input("x", 0.0);
    assert_eq!(ops_of(&session), ["relu"]);
    session.set_input("y", 1.0);
    assert_eq!(ops_of(&session), ["relu", "abs"]);
    // The seeds' tiny network has a unit exactly at 0.
    let tiny = Session::new(crate::examples::find("tiny-relu-network").unwrap().program);
    assert_eq!(ops_of(&tiny), ["relu"]);
    assert!(Session::new("(x1 + x2) * x1").kinks().is_empty());
}

#[test]
fn a_wrong_custom_derivative_is_named_once_a_gradient_is_complete() {
    let program = |derivative: &str| {
        format!(
            "softplus(x) = log(1 + exp(x))\nsoftplus'(x) = {derivative}\nz = 0.5\nsoftplus(2 * z) * 3"
        )
    };
    let mut wrong = Session::new(&program("exp(x)"));
    assert_eq!(
        wrong.wrong_custom_derivatives(),
        vec![],
        "not before the gradients"
    );
    wrong.jump_to_backward_end();
    let named = wrong.wrong_custom_derivatives();
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0].0, "softplus");
    assert!(named[0].1 > 0.1, "{named:?}");
    let mut right = Session::new(&program("sigmoid(x)"));
    right.jump_to_backward_end();
    assert_eq!(right.wrong_custom_derivatives(), vec![]);
}

/// A lab as the gallery loads it: its program, stepped as its `#:` line says.
fn lab(slug: &str) -> Session {
    let example = examples::find(slug).unwrap();
    let mut session = Session::new(example.program);
    session.set_setup(example.setup);
    session
}

#[test]
fn accumulation_steps_through_the_micro_batches_and_a_link_keeps_it() {
    let mut session = lab("accumulation");
    let stepper = session.stepper().unwrap();
    let training = *stepper.training_settings().unwrap();
    assert_eq!((training.micro_batches, training.zero_grad), (4, true));
    assert_eq!(session.to_url().setup.training, Some(training));
    // The jump ends the forward pass of the micro-batch the cursor is in.
    session.jump_to_forward_end();
    let progress = session.stepper().unwrap().progress();
    assert_eq!(progress.to_string(), "micro-batch 1 / 4 · forward 10 / 10");
    session.seek(progress.done + 3 + 10 + 10);
    assert_eq!(
        session.stepper().unwrap().progress().to_string(),
        "micro-batch 2 / 4 · forward 10 / 10"
    );
    let fragment = session.to_url().to_fragment();
    assert!(fragment.contains("steps=micro-batches+4"), "{fragment}");
    let restored = Session::from_url(UrlState::from_fragment(&fragment).unwrap());
    assert_eq!(restored.to_url(), session.to_url());
    assert_eq!(restored.stepper().unwrap(), session.stepper().unwrap());
}

#[test]
fn a_setup_the_program_cannot_take_steps_one_plain_pass() {
    let mut session = two_paths();
    session.set_setup(Setup::parse("micro-batches 4").unwrap());
    let stepper = session.stepper().unwrap();
    assert!(
        stepper.training_settings().is_none(),
        "two-paths has no parameters"
    );
    assert_eq!(stepper.len(), 8);
}

#[test]
fn the_update_step_moves_the_parameter_and_step_back_puts_it_back() {
    let mut session = lab("forgot-zero-grad");
    let w = session.graph().unwrap().find("w").unwrap();
    let first_update = session
        .stepper()
        .unwrap()
        .schedule()
        .iter()
        .position(|&(phase, node)| phase == Phase::Update && node == w)
        .unwrap();
    session.seek(first_update);
    assert_eq!(value(&session, "w"), Some(0.5));
    let record = session.step_forward().unwrap();
    assert_eq!(record.phase, Phase::Update);
    assert_eq!(value(&session, "w"), Some(0.6));
    session.step_back();
    assert_eq!(value(&session, "w"), Some(0.5));
    // The fix is the same program stepped with zero_grad: the gallery tells them apart.
    let fix = lab("forgot-zero-grad-fix");
    assert_eq!(fix.source(), session.source());
    let shown = examples::with_program(fix.source(), fix.setup()).unwrap();
    assert_eq!(shown.slug, "forgot-zero-grad-fix");
}

#[test]
fn the_check_stops_after_the_first_pass_of_an_accumulation() {
    let mut session = lab("accumulation");
    session.seek(3 + 20);
    assert_ne!(session.check_mode(), checking::CheckMode::Skipped);
    session.step_forward();
    assert_eq!(session.check_mode(), checking::CheckMode::Skipped);
}
