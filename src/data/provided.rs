//! Tables handed to the data layer at run time, by name: in the browser the shipped
//! datasets' files are fetched on demand and their tables provided here, so
//! `DataSpec::load` finds them (natively the embedded files serve instead).

use super::table::Table;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

static PROVIDED: Mutex<BTreeMap<String, Arc<Table>>> = Mutex::new(BTreeMap::new());

/// Make `table` the rows of the dataset called `name` (replacing any before).
pub fn provide(name: &str, table: Table) {
    PROVIDED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(name.to_owned(), Arc::new(table));
}

/// The table provided for `name`, if any.
pub fn get(name: &str) -> Option<Arc<Table>> {
    PROVIDED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(name)
        .cloned()
}

/// Whether a table was provided for `name`.
pub fn has(name: &str) -> bool {
    get(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provided_table_is_found_by_its_name_and_replaced_by_the_next() {
        let table = |target: f64| Table {
            feature_names: vec!["a".into()],
            features: vec![1.0],
            targets: vec![target],
            class_names: vec!["0".into(), "1".into()],
        };
        assert!(!has("provided-test"));
        provide("provided-test", table(0.0));
        assert_eq!(
            get("provided-test").map(|t| t.targets.clone()),
            Some(vec![0.0])
        );
        provide("provided-test", table(1.0));
        assert_eq!(
            get("provided-test").map(|t| t.targets.clone()),
            Some(vec![1.0])
        );
        assert!(!has("provided-other"));
    }
}
