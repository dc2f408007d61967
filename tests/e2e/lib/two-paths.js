// The worked example `two-paths`, (x1 + x2) * x1 at x1 = 3, x2 = 4, step by
// step: the numbers every test checks, written out in full.

export const NODES = ['x1', 'x2', 'v3', 'v4'];

// Reverse mode. Per row: the counter, then [data-value, data-adjoint] of
// x1, x2, v3, v4 ('' = not known yet). Backward step 1 visits v4 (seeds it
// with 1, gives v3 its 3 and x1 its first contribution 7), step 2 visits v3
// (x1 gets 7 + 3 = 10, x2 gets 3), steps 3 and 4 visit x2 and x1, which have
// no inputs and change nothing.
const REVERSE_ROWS = [
  ['forward 0 / 4', ['', ''], ['', ''], ['', ''], ['', '']],
  ['forward 1 / 4', ['3', ''], ['', ''], ['', ''], ['', '']],
  ['forward 2 / 4', ['3', ''], ['4', ''], ['', ''], ['', '']],
  ['forward 3 / 4', ['3', ''], ['4', ''], ['7', ''], ['', '']],
  ['forward 4 / 4', ['3', ''], ['4', ''], ['7', ''], ['21', '']],
  ['backward 1 / 4', ['3', '7'], ['4', ''], ['7', '3'], ['21', '1']],
  ['backward 2 / 4', ['3', '10'], ['4', '3'], ['7', '3'], ['21', '1']],
  ['backward 3 / 4', ['3', '10'], ['4', '3'], ['7', '3'], ['21', '1']],
  ['backward 4 / 4', ['3', '10'], ['4', '3'], ['7', '3'], ['21', '1']],
];

/** REVERSE[k]: the view after k steps in reverse mode (data-tangent stays empty). */
export const REVERSE = REVERSE_ROWS.map(([counter, ...cells]) => ({
  counter,
  nodes: Object.fromEntries(
    NODES.map((name, i) => [name, { value: cells[i][0], adjoint: cells[i][1], tangent: '' }]),
  ),
}));

// Forward mode, differentiating by x1: per row the counter, then
// [data-value, data-tangent] of x1, x2, v3, v4. v4's tangent is
// v3' * x1 + v3 * x1' = 1 * 3 + 7 * 1 = 10.
const FORWARD_BY_X1_ROWS = [
  ['forward 0 / 4', ['', ''], ['', ''], ['', ''], ['', '']],
  ['forward 1 / 4', ['3', '1'], ['', ''], ['', ''], ['', '']],
  ['forward 2 / 4', ['3', '1'], ['4', '0'], ['', ''], ['', '']],
  ['forward 3 / 4', ['3', '1'], ['4', '0'], ['7', '1'], ['', '']],
  ['forward 4 / 4', ['3', '1'], ['4', '0'], ['7', '1'], ['21', '10']],
];

/** FORWARD_BY_X1[k]: the view after k steps in forward mode by x1 (data-adjoint stays empty). */
export const FORWARD_BY_X1 = FORWARD_BY_X1_ROWS.map(([counter, ...cells]) => ({
  counter,
  nodes: Object.fromEntries(
    NODES.map((name, i) => [name, { value: cells[i][0], tangent: cells[i][1], adjoint: '' }]),
  ),
}));

/** The gradients at (3, 4): ∂f/∂x1 = 2·x1 + x2, ∂f/∂x2 = x1. */
export const GRADIENTS = { x1: 10, x2: 3 };
