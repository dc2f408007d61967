//! The work budget: programs over it are refused at their costliest expression, constants
//! are refused before they are folded, and every shipped example fits.

use super::*;
use crate::graph::cost::{STEP_BUDGET, cost};
use std::time::{Duration, Instant};

/// Three products of 1448 × 1448 matrices: within every size limit, but about a minute.
const THREE_PRODUCTS: &str = "A = randn([1448,1448],1); B = A @ A; C = B @ A; D = C @ B; sum(D)";

#[test]
fn three_large_products_are_refused_at_the_costliest() {
    let e = error(THREE_PRODUCTS);
    let LowerError::TooMuchWork {
        needed,
        partial,
        what,
        alone,
        span,
    } = &e
    else {
        panic!("{e:?}")
    };
    // Each product is 1448³ terms: 2 operations each forward, 4 backward.
    let product = 6 * 1448u64.pow(3);
    assert_eq!(*alone, product);
    assert!(*needed > 3 * product && !partial, "{needed}");
    // The three cost the same; the last of them is named.
    assert_eq!(what, "C @ B");
    assert_eq!(&THREE_PRODUCTS[span.start..span.end], "C @ B");
    assert_eq!(
        e.to_string(),
        "this program needs about 5.5e10 floating-point operations; the limit is 2.0e8 \
         — `C @ B` alone needs 1.8e10"
    );
    assert!(e.hint().unwrap().contains("smaller tensors"));
}

#[test]
fn the_costliest_is_the_largest_product() {
    let source =
        "A = randn([300, 300], 1); v = randn([300], 2); B = A @ A; sum(B @ v) + sum(A @ A @ A)";
    let e = error(source);
    assert!(matches!(e, LowerError::TooMuchWork { .. }), "{e:?}");
    let span = e.span();
    assert_eq!(&source[span.start..span.end], "A @ A @ A");
    assert!(
        e.to_string().ends_with("`A @ A @ A` alone needs 1.6e8"),
        "{e}"
    );
}

#[test]
fn programs_at_the_budget_compile() {
    // 6 · 320³ ≈ 1.97e8 for the product, with its inputs' folding and the sum inside.
    let g = graph("A = randn([320, 320], 1); B = randn([320, 320], 2); sum(A @ B)");
    assert!(cost(&g).total <= STEP_BUDGET);
    let e = error("A = randn([330, 330], 1); B = randn([330, 330], 2); sum(A @ B)");
    assert!(matches!(e, LowerError::TooMuchWork { .. }), "{e:?}");
}

#[test]
fn every_shipped_example_compiles() {
    for example in crate::examples::all() {
        graph(example.source);
    }
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/www/examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "bp") {
            let source = std::fs::read_to_string(&path).unwrap();
            // A lab refused on purpose (a change in place) must stay refused.
            if crate::examples::refused()
                .iter()
                .any(|r| r.source == source)
            {
                error(&source);
            } else {
                graph(&source);
            }
        }
    }
}

#[test]
fn folding_is_counted_by_its_plan() {
    let planned = |source: &str| {
        let program = parse(source).unwrap();
        let plan = constant::plan(program.statements[0].value()).unwrap();
        (plan.shape, plan.flops)
    };
    // randn draws cost 10 each, zeros and ones 1; then + and · 1 per output number, exp 10.
    assert_eq!(planned("randn([2, 3], 1) * 2"), (vec![2, 3], 66));
    assert_eq!(
        planned("ones([4]) + zeros([3, 1])"),
        (vec![3, 4], 4 + 3 + 12)
    );
    assert_eq!(planned("[1, 2, -3]"), (vec![3], 4));
    assert_eq!(planned("exp(zeros([5]))"), (vec![5], 5 + 50));
}

/// Faster than computing would be, even unoptimized: the refusal comes from the plan.
fn refused_quickly(source: &str) -> LowerError {
    let started = Instant::now();
    let e = error(source);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{source:.60}: {:?}",
        started.elapsed()
    );
    e
}

#[test]
fn constants_over_the_budget_are_refused_before_they_are_folded() {
    // 60 passes over 4 Mi numbers: about 2.5e8 operations, refused as a whole.
    let nested = format!(
        "{}randn([2048, 2048], 1){}",
        "exp(".repeat(60),
        ")".repeat(60)
    );
    let e = refused_quickly(&format!("W = param({nested})\nsum(W)"));
    assert!(
        matches!(e, LowerError::TooMuchWork { partial: true, .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().starts_with("this program needs more than"),
        "{e}"
    );
    assert_eq!(e.span().start, 10);
    // Constants kept as values are held to the graph's size before they are made.
    let many: String = (0..40)
        .map(|i| format!("W{i} = param(zeros([2048, 2048]))\n"))
        .collect();
    let e = refused_quickly(&format!("{many}W0 + W1"));
    assert!(matches!(e, LowerError::TooManyElements { .. }), "{e:?}");
    assert_eq!(&many[e.span().start..e.span().end], "zeros([2048, 2048])");
}

#[test]
fn seeds_shapes_and_axes_are_checked_before_they_are_computed() {
    let big = "randn([2048, 2048], 7)";
    for source in [
        format!("W = randn([2], {big})\nsum(W)"),
        format!("W = zeros({big})\nsum(W)"),
        format!("x = [1, 2]\nsum(x, {big})"),
        format!("X = features(moons, {big}, 4)\nsum(X)"),
        format!("x = [{big}]\nsum(x)"),
    ] {
        let e = refused_quickly(&source);
        assert!(
            matches!(
                e,
                LowerError::BadArgument { .. } | LowerError::NotConstant { .. }
            ),
            "{source}: {e:?}"
        );
    }
}

#[test]
fn nested_shape_arguments_are_planned_once() {
    // zeros of a zero-length shape is a number, and zeros of a number one dimension:
    // 120 levels, each planned once rather than twice per level.
    let mut source = "[0]".to_string();
    for _ in 0..120 {
        source = format!("zeros({source})");
    }
    let started = Instant::now();
    lower(&parse(&format!("W = {source}\nsum(W)")).unwrap()).unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
}
