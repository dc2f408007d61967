//! Tables handed to the data layer at run time, by name: in the browser the shipped
//! datasets' files are fetched on demand and their tables provided here, so
//! `DataSpec::load` finds them (natively the embedded files serve instead); and the
//! rows of the page (`own`), which compiling a program provides from its comments.

use super::table::Table;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A provided table and the share of its rows held out for testing.
type Entry = (Arc<Table>, f64);

thread_local! {
    /// Per thread: the page has one; tests running side by side do not share theirs.
    static PROVIDED: RefCell<BTreeMap<String, Entry>> = const { RefCell::new(BTreeMap::new()) };
}

fn with_registry<T>(f: impl FnOnce(&mut BTreeMap<String, Entry>) -> T) -> T {
    PROVIDED.with(|registry| f(&mut registry.borrow_mut()))
}

/// Make `table` the rows of the dataset called `name` (replacing any before), with
/// [`super::TEST_SHARE`] of them held out.
pub fn provide(name: &str, table: Table) {
    provide_split(name, table, super::TEST_SHARE);
}

/// [`provide`] with `test_share` of the rows held out.
pub fn provide_split(name: &str, table: Table, test_share: f64) {
    with_registry(|r| r.insert(name.to_owned(), (Arc::new(table), test_share)));
}

/// Forget the table of `name`.
pub fn remove(name: &str) {
    with_registry(|r| r.remove(name));
}

/// The table provided for `name`, if any.
pub fn get(name: &str) -> Option<Arc<Table>> {
    with_registry(|r| r.get(name).map(|(table, _)| Arc::clone(table)))
}

/// The table provided for `name` and the share of it held out.
pub fn get_split(name: &str) -> Option<Entry> {
    with_registry(|r| r.get(name).cloned())
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
        provide_split("provided-test", table(1.0), 0.5);
        assert_eq!(
            get_split("provided-test").map(|(_, share)| share),
            Some(0.5)
        );
        remove("provided-test");
        assert!(!has("provided-test"));
    }
}
