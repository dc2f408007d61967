//! Own data of more rows than a program holds ([`super::MAX_ROWS`]) kept by the page,
//! per thread, under a key computed from the rows: the program's header names the key
//! (`5000 rows kept by the page #3f9a0c1e`), so text naming rows the page does not hold
//! (a link opened elsewhere, other rows since) is an error, never other rows. The last
//! [`KEPT`] tables are kept, so undo finds recent ones.

use crate::data::table::{Table, Task};
use std::cell::RefCell;
use std::sync::Arc;

/// How many tables the page keeps.
pub const KEPT: usize = 4;

thread_local! {
    static HELD: RefCell<Vec<(u32, Arc<Table>)>> = const { RefCell::new(Vec::new()) };
}

/// The key of `table`'s rows read as `task`: FNV-1a over its shape, numbers and targets
/// (not its names, which the header carries), folded to 32 bits.
pub fn key(table: &Table, task: Task) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |word: u64| {
        for byte in word.to_le_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(table.width() as u64);
    eat(table.rows() as u64);
    eat(u64::from(task == Task::Regression));
    for value in table.features.iter().chain(&table.targets) {
        eat(value.to_bits());
    }
    (hash ^ (hash >> 32)) as u32
}

/// Keep `table` (read as `task`) in the page; its key.
pub fn hold(table: &Table, task: Task) -> u32 {
    let key = key(table, task);
    HELD.with(|held| {
        let mut held = held.borrow_mut();
        held.retain(|(k, _)| *k != key);
        held.push((key, Arc::new(table.clone())));
        let over = held.len().saturating_sub(KEPT);
        held.drain(..over);
    });
    key
}

/// The table kept under `key`, if the page holds it.
pub fn get(key: u32) -> Option<Arc<Table>> {
    HELD.with(|held| {
        held.borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, table)| Arc::clone(table))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(seed: usize) -> Table {
        Table {
            feature_names: vec!["a".into()],
            features: (0..10).map(|i| (i * seed) as f64).collect(),
            targets: (0..10).map(|i| (i % 2) as f64).collect(),
            class_names: vec!["0".into(), "1".into()],
        }
    }

    #[test]
    fn a_table_is_found_by_its_key_and_the_oldest_goes_first() {
        let first = hold(&table(1), Task::Classification);
        assert_eq!(get(first).as_deref(), Some(&table(1)));
        assert_ne!(
            key(&table(1), Task::Classification),
            key(&table(1), Task::Regression)
        );
        let keys: Vec<u32> = (2..2 + KEPT)
            .map(|seed| hold(&table(seed), Task::Classification))
            .collect();
        assert_eq!(get(first), None, "the oldest of {} is let go", KEPT + 1);
        for (seed, key) in (2..).zip(keys) {
            assert_eq!(get(key).as_deref(), Some(&table(seed)));
        }
        // Other names, the same rows: the same key.
        let mut renamed = table(2);
        renamed.class_names = vec!["no".into(), "yes".into()];
        assert_eq!(
            key(&renamed, Task::Classification),
            key(&table(2), Task::Classification)
        );
    }
}
