#!/usr/bin/env bash
# Release build of the browser app into dist/ (Trunk, offline, tools from
# PATH), then prints the gzipped size of what each page loads and fails over a
# budget (the bundle size is a product metric):
#   - the app page's first load: its wasm + JS + CSS, within PAGE_BUDGET_BYTES below;
#   - each module loaded on demand (dist/<name>.js + <name>_bg.wasm, built by
#     Trunk as data-type="worker" links in index.html): its own budget below.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

# The first load grew past its 300 KB goal with the work budget, links to training steps,
# edge-label placement, tensor editing, the kink note (326,178), then folding and the
# minimap (+12 KB), the pitfalls' ops and labs (+10 KB), slides and the tape's memory
# (+3 KB), and the check of large programs in a worker (+7 KB): measured about 360,000.
# Moving the explanation renderers and tensor pictures into a module loaded on demand is
# what brings it back down; until then this ceiling stops further growth. The lessons' tabs
# and host (+6.7 KB); gradient accumulation in the stepper (zero_grad and update steps,
# passes over micro-batches drawn from the dataset, the stepping setup a link and an example
# carry, the passes control) and four more labs (+18 KB; the embed +18 KB, the checker
# +6 KB, which build the same sessions); the node highlighted across the graph (hover and
# focus), the editor (its span) and the Code lesson, and the quiz's score in the link and
# its message to the app (+3.0 KB); checkpoints, precision and loss scaling in the app's
# session and link (the checkpointed schedule, rounding, the dynamic scale, the graph's
# discarded/underflow marks, +8.5 KB), pressing nodes for a lesson: measured 400,682. The
# step history drawn a window at a time and the editor's mirror redrawn line by line (steps
# at 3,000 nodes 2-3x cheaper; +2.5 KB), the link's note on own rows it leaves out (+1.4 KB):
# measured 404,841. Long seeks in a worker (the stepper's work through `Compute`, the log
# replayed and kept with the build, +2.2 KB; the seek worker's glue, its hook and the
# status under the controls, +6.5 KB): measured 413,499.
PAGE_BUDGET_BYTES=414000
# Budgets of the modules loaded on demand, in gzipped bytes of wasm + JS.
declare -A MODULE_BUDGET_BYTES=(
    [playground]=413000 # measured 385,316: about 311,500 before; the training options (precision, loss scaling, clipping, initialisation, layer sizes) +15.6 KB; the fused dense kernels' WGSL and the code that finds the layers and packs the parameters (9 dispatches a step instead of 27) +12.5 KB; the data views, CSV and own data +46.8 KB; the 2-feature regression surface +1.9 KB; then CPU training handed to the worker (the run's whole state read out and restored, the f64 tape both ways, the worker's glue and evaluations) +14.4 KB: measured 399,715; class names and rows kept by the page, the misclassified rows, the link's note (+4.9 KB), the GPU's loss log and 4×8 register blocks (+3.8 KB), the worker given the page's rows: measured 410,597
    [checker]=187000 # the check of large programs in a Web Worker (it builds the same sessions); measured 139,858 with the stepping setup, the link's storage and quiz; then the playground's CPU training (the compiler with own rows, the trainer and CPU backend, the run, its options and evaluation, the f64 tape) +40.4 KB: measured 180,235; own rows the page keeps, sent with the seed: 182,859; long seeks recorded for the page (the seeker, the log written): 186,434
    [embed]=395000 # measured 388,508: 351,836 with the stepping setup; the quiz (the `quiz` attribute) +25 KB; checkpoints and precision +9.7 KB; the step history drawn a window at a time +3.5 KB: measured 392,358; the stepper's work through `Compute` and the log kept with the build +2.3 KB: 394,634
    [lessons]=376000 # the lesson views under the graph: measured 156,764 with placeholder views, 366,678 with the six views (chain rule, four ways, backward graph about 94 KB; code and quiz about 63 KB; memory about 77 KB); its session's long seeks in a worker as the app's (+7.8 KB): 375,000
)

# trunk --offline also runs cargo offline, so make sure every crate is fetched.
cargo fetch --quiet
trunk build --release --offline "$@"

gz() { cat "$@" | gzip -9 -c | wc -c; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
failed=0

shopt -s nullglob
app_wasm=(dist/backprop-viz-*_bg.wasm)
[[ -f dist/backprop-viz_bg.wasm ]] && app_wasm+=(dist/backprop-viz_bg.wasm)
((${#app_wasm[@]} == 1)) || { echo "expected one app .wasm in dist/, found ${#app_wasm[@]}" >&2; exit 1; }
app_js=("${app_wasm[0]%_bg.wasm}.js")
# The stylesheets the app page links (dist/ also holds unhashed copies for the embeds).
# (The page is minified: attribute values may be unquoted.)
mapfile -t css < <(grep -oE '<link[^>]+>' dist/index.html | grep -E 'rel="?stylesheet' \
    | grep -oE 'href="?[^" >]+[.]css' | sed -E 's/^href="?//; s|^[.]/||; s|^|dist/|')
((${#css[@]} > 0)) || { echo "dist/index.html links no stylesheet" >&2; exit 1; }
page=$(( $(gz "${app_wasm[0]}") + $(gz "${app_js[@]}") + $(gz "${css[@]}") ))
echo "wasm size: ${app_wasm[0]}: $(wc -c <"${app_wasm[0]}") bytes, $(gz "${app_wasm[0]}") bytes gzipped ($(kib "$(gz "${app_wasm[0]}")"))"
echo "page size: wasm + JS + CSS the app page loads: $page bytes gzipped ($(kib "$page")), budget $PAGE_BUDGET_BYTES"
if ((page > PAGE_BUDGET_BYTES)); then
    echo "page size budget exceeded: $page > $PAGE_BUDGET_BYTES bytes gzipped" >&2
    failed=1
fi

for wasm in dist/*_bg.wasm; do
    name=$(basename "$wasm" _bg.wasm)
    [[ "$wasm" == "${app_wasm[0]}" ]] && continue
    budget=${MODULE_BUDGET_BYTES[$name]:-}
    [[ -n "$budget" ]] || { echo "no size budget for the module $name ($wasm)" >&2; failed=1; continue; }
    size=$(( $(gz "$wasm") + $(gz "dist/$name.js") ))
    echo "module size: $name (loaded on demand): wasm + JS $size bytes gzipped ($(kib "$size")), budget $budget"
    if ((size > budget)); then
        echo "module size budget exceeded: $name: $size > $budget bytes gzipped" >&2
        failed=1
    fi
done
exit "$failed"
