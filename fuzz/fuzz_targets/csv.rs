//! CSV text through `read_csv` (the label column named by the first line's last field,
//! as classes and as numbers) and the space-separated reader: errors, never a panic.

#![no_main]

use backprop_viz::data::csv::{LIMITS, records};
use backprop_viz::data::table::{Task, read_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let label = text
        .lines()
        .next()
        .and_then(|line| line.rsplit(',').next())
        .unwrap_or("y");
    for task in [Task::Classification, Task::Regression] {
        if let Ok(table) = read_csv(text, label, task, LIMITS) {
            assert_eq!(table.features.len(), table.rows() * table.width());
            let _ = table.split(0.2, 0);
        }
    }
    let _ = records(text, ' ', LIMITS);
});
