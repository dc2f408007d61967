//! `backprop memory` and `backprop trace --checkpoint` end to end: the per-step table,
//! JSON figures, recompute steps, and errors with exit status 2.

use serde_json::Value;
use std::process::{Command, Output};

fn backprop(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn json(args: &[&str]) -> Value {
    let output = backprop(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout(&output)).expect("stdout is one JSON object")
}

/// Fails as a user error: status 2, nothing on stdout; the report on stderr.
fn user_error(args: &[&str]) -> String {
    let output = backprop(args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}: {}",
        stdout(&output)
    );
    assert!(output.stdout.is_empty(), "{args:?}");
    String::from_utf8(output.stderr).expect("stderr is UTF-8")
}

/// The seeds' example, counted by hand (8 bytes a number): x1, x2, v3, v4 make 32 bytes;
/// v4's backward step adds v̄4, v̄3 and x̄1 (56, the peak) and releases v3 and v̄4.
#[test]
fn the_memory_table_of_the_seed_example() {
    let output = backprop(&["memory", "(x1+x2)*x1", "--at", "x1=3,x2=4"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains("step  phase     node  inputs  values  adjoints  held  peak  freed\n"),
        "{text}"
    );
    assert!(
        text.contains("   5  backward  v4        16       8        16    40    56  v3\n"),
        "{text}"
    );
    assert!(text.ends_with("Peak: 56 bytes.\n"), "{text}");

    let table = json(&["memory", "example:two-paths", "--format", "json"]);
    assert_eq!(table["bytes_per_number"], 8);
    assert_eq!(table["peak"], 56);
    let steps = table["steps"].as_array().unwrap();
    let held: Vec<u64> = steps.iter().map(|s| s["held"].as_u64().unwrap()).collect();
    assert_eq!(held, [8, 16, 24, 32, 40, 40, 40, 40]);
    assert_eq!(steps[4]["phase"], "backward");
    assert_eq!(steps[4]["node"], "v4");
    assert_eq!(steps[4]["freed"], serde_json::json!(["v3"]));
}

/// The deep chain: √N checkpoints keep h5, h10, h15, h20 and halve the peak, for 40
/// recompute steps; the trace's gradients are the plain trace's.
#[test]
fn checkpointing_the_deep_chain() {
    let table = json(&[
        "memory",
        "example:deep-chain",
        "--checkpoint",
        "sqrt",
        "--format",
        "json",
    ]);
    assert_eq!(
        table["checkpoints"],
        serde_json::json!(["h5", "h10", "h15", "h20"])
    );
    assert_eq!(table["peak"], 6152);
    assert_eq!(table["plain_peak"], 14344);
    assert!(table["peak"].as_u64().unwrap() * 2 <= table["plain_peak"].as_u64().unwrap());
    assert_eq!(table["recomputes"], 40);
    assert_eq!(table["forward_steps"], 52);

    let plain = json(&["trace", "example:deep-chain", "--format", "json"]);
    let kept = json(&[
        "trace",
        "example:deep-chain",
        "--format",
        "json",
        "--checkpoint",
        "sqrt",
    ]);
    assert_eq!(kept["gradients"], plain["gradients"]);
    assert_eq!(kept["output"], plain["output"]);
    let steps = kept["steps"].as_array().unwrap();
    let recomputes = steps.iter().filter(|s| s["phase"] == "recompute").count();
    assert_eq!(recomputes, 40);
    assert_eq!(steps.len(), plain["steps"].as_array().unwrap().len() + 40);
    assert_eq!(kept["memory"]["peak"], 6152);
    assert_eq!(plain["memory"]["peak"], 14344);
    assert!(plain["memory"].get("checkpoints").is_none());
    let last = steps.last().unwrap();
    assert_eq!(last["memory"]["peak"], 6152);
    // Held at the end: x, w, L, and the gradients of x and w: (64 · 4 + 1) · 8 bytes.
    assert_eq!(last["memory"]["held"], (64 * 4 + 1) * 8);

    let output = backprop(&["trace", "example:deep-chain", "--checkpoint", "every:12"]);
    let text = stdout(&output);
    assert!(
        text.contains("Recompute v27 = w · h12 = tensor 64, h13 = tanh(v27)"),
        "{}",
        &text[..text.len().min(3000)]
    );
}

#[test]
fn checkpoint_plans_that_cannot_be_used_are_user_errors() {
    let report = user_error(&["memory", "example:two-paths", "--checkpoint", "every:0"]);
    assert!(
        report.contains("`every:0` needs a whole number"),
        "{report}"
    );
    assert!(
        report.contains("hint: write `--checkpoint every:3`"),
        "{report}"
    );
    let report = user_error(&["trace", "example:two-paths", "--checkpoint", "v3,v9"]);
    assert!(report.contains("no node is named `v9`"), "{report}");
    let report = user_error(&[
        "trace",
        "example:two-paths",
        "--mode",
        "forward",
        "--wrt",
        "x1",
        "--checkpoint",
        "sqrt",
    ]);
    assert!(
        report.contains("checkpointing is for reverse mode"),
        "{report}"
    );
}

/// The f16 example: every gradient number underflows (r̄ = 2⁻²⁸ is flagged where it is
/// stored); a loss scale of 1024 brings all nine back, equal to f64's; bf16 loses them to
/// cancellation instead; f16 halves nothing of the schedule but the bytes: 2 per number.
#[test]
fn loss_scaling_rescues_the_f16_gradients() {
    let run = |extra: &[&str]| {
        let mut args = vec!["trace", "example:f16-underflow", "--format", "json"];
        args.extend_from_slice(extra);
        json(&args)
    };
    let plain = run(&[]);
    assert!(plain.get("precision").is_none());
    let f16 = run(&["--precision", "f16"]);
    assert_eq!(f16["precision"]["precision"], "f16");
    assert_eq!(f16["precision"]["zeroed"], 9);
    assert_eq!(
        f16["gradients"]["w"],
        serde_json::json!([0.0, 0.0, 0.0, 0.0])
    );
    let lost: Vec<(Value, Value)> = f16["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["updates"].as_array().cloned().unwrap_or_default())
        .filter(|u| u.get("lost").is_some())
        .map(|u| (u["target"].clone(), u["lost"].clone()))
        .collect();
    assert_eq!(lost, [(Value::from("r"), Value::from("underflow"))]);
    assert_eq!(f16["memory"]["bytes_per_number"], 2);

    let scaled = run(&["--precision", "f16", "--loss-scale", "1024"]);
    assert_eq!(scaled["precision"]["zeroed"], 0);
    assert_eq!(scaled["gradients"], plain["gradients"]);
    for name in ["x", "w", "t"] {
        assert_eq!(
            scaled["precision"]["gradients"][name]["relative_error"],
            0.0
        );
    }
    let bf16 = run(&["--precision", "bf16"]);
    assert_eq!(bf16["precision"]["zeroed"], 9);
    assert_eq!(bf16["nodes"][5]["name"], "r");
    assert_eq!(bf16["nodes"][5]["value"], 0.0);

    let text = stdout(&backprop(&[
        "trace",
        "example:f16-underflow",
        "--precision",
        "f16",
    ]));
    assert!(
        text.ends_with(
            "Stored in f16 (loss scale 1); gradients against f64:\n  \
             x: relative error 1, 4 nonzero in f64 but 0 here\n  \
             w: relative error 1, 4 nonzero in f64 but 0 here\n  \
             t: relative error 1, 1 nonzero in f64 but 0 here\n\
             Gradient numbers lost to 0: 9 of 9.\n"
        ),
        "{text}"
    );
    let table = json(&[
        "memory",
        "example:deep-chain",
        "--precision",
        "f16",
        "--format",
        "json",
    ]);
    assert_eq!(table["peak"], 14344 / 4);
    let report = backprop(&["trace", "example:f16-underflow", "--loss-scale", "dynamic"]);
    assert_eq!(report.status.code(), Some(2));
    let report = backprop(&["trace", "example:f16-underflow", "--loss-scale", "-1"]);
    assert_eq!(report.status.code(), Some(2));
}

/// Training in f16 with GradScaler: the first step's scale 65536 overflows f16, so it is
/// skipped and the scale halves; the next steps train.
#[test]
fn train_with_f16_and_dynamic_loss_scaling() {
    let report = json(&[
        "train",
        "example:moons-mlp",
        "--steps",
        "3",
        "--precision",
        "f16",
        "--loss-scale",
        "dynamic",
        "--format",
        "json",
    ]);
    assert_eq!(report["precision"], "f16");
    assert_eq!(report["backend"], "CPU (f16)");
    assert_eq!(report["skipped"], serde_json::json!([1]));
    assert_eq!(
        report["loss_scales"],
        serde_json::json!([65536.0, 32768.0, 32768.0])
    );
    let plain = json(&[
        "train",
        "example:moons-mlp",
        "--steps",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(plain["precision"], "f64");
    assert!(plain.get("skipped").is_none());
    let bad = backprop(&["train", "example:moons-mlp", "--loss-scale", "often"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The sweep over k on the deep chain: k = 1 keeps all 24 tape values (the plain peak, no
/// recomputation); the lowest peak is near √24 ≈ 5, for under one extra forward pass.
#[test]
fn the_sweep_over_checkpoint_intervals() {
    let rows = json(&[
        "memory",
        "example:deep-chain",
        "--sweep",
        "--format",
        "json",
    ]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 25);
    assert_eq!(rows[0]["peak"], 14344);
    assert_eq!(rows[1]["checkpoints"], 24);
    assert_eq!(rows[1]["peak"], 14344);
    assert_eq!(rows[1]["recomputes"], 0);
    let best = rows
        .iter()
        .min_by_key(|r| r["peak"].as_u64().unwrap())
        .unwrap();
    assert!((4..=6).contains(&best["k"].as_u64().unwrap()), "{best}");
    assert!(best["recomputes"].as_u64().unwrap() < 52);
    assert_eq!(rows[5]["peak"], 6152);
    let text = stdout(&backprop(&["memory", "example:deep-chain", "--sweep"]));
    assert!(text.contains("  ← √N\n"), "{text}");
    let both = backprop(&[
        "memory",
        "example:deep-chain",
        "--sweep",
        "--checkpoint",
        "sqrt",
    ]);
    assert_eq!(both.status.code(), Some(2));
}

/// The JSON trace's per-step memory is the memory table's, step for step, with and without
/// checkpoints.
#[test]
fn trace_and_memory_table_agree() {
    for extra in [&[][..], &["--checkpoint", "every:3"][..]] {
        let mut trace_args = vec!["trace", "example:tiny-relu-network", "--format", "json"];
        trace_args.extend_from_slice(extra);
        let mut memory_args = vec!["memory", "example:tiny-relu-network", "--format", "json"];
        memory_args.extend_from_slice(extra);
        let (trace, table) = (json(&trace_args), json(&memory_args));
        let steps = trace["steps"].as_array().unwrap();
        let rows = table["steps"].as_array().unwrap();
        assert_eq!(steps.len(), rows.len());
        for (step, row) in steps.iter().zip(rows) {
            assert_eq!(step["phase"], row["phase"]);
            assert_eq!(step["node"], row["node"]);
            assert_eq!(step["memory"]["held"], row["held"]);
            assert_eq!(step["memory"]["peak"], row["peak"]);
            assert_eq!(step["memory"]["freed"], row["freed"]);
        }
        assert_eq!(trace["memory"]["peak"], table["peak"]);
    }
    let plain = json(&["memory", "example:tiny-relu-network", "--format", "json"]);
    assert_eq!(plain["peak"], 288);
}
