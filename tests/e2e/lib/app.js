// Page helpers that speak the DOM contract (tests/e2e/README.md): find the
// controls by their accessible names, read the graph's data-* attributes and
// the step counter, and wait for an expected view.

import { waitFor } from './wait.js';

export const GRAPH = 'svg[aria-label="Computation graph"]';

export const button = (page, name) => page.getByRole('button', { name, exact: true });
export const editor = (page) => page.getByRole('textbox', { name: 'Program', exact: true });
export const numberInput = (page, name) => page.getByRole('spinbutton', { name, exact: true });

/** Clicks "Step forward" `n` times. */
export async function stepForward(page, n = 1) {
  for (let i = 0; i < n; i++) await button(page, 'Step forward').click();
}

/** Clicks "Step back" `n` times. */
export async function stepBack(page, n = 1) {
  for (let i = 0; i < n; i++) await button(page, 'Step back').click();
}

/** Presses `key` with the focus outside any text field (where the shortcuts apply). */
export async function pressShortcut(page, key) {
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.keyboard.press(key);
}

/** The step counter's text, whitespace collapsed ("forward 2 / 4"). */
export async function counter(page) {
  const text = await page.locator('[data-step-counter]').first().textContent({ timeout: 1000 });
  return text.replace(/\s+/g, ' ').trim();
}

/** One node's { value, adjoint, tangent } (null for a missing attribute), or null if absent. */
export async function nodeState(page, name) {
  const graph = await graphState(page);
  return graph[name] ?? null;
}

/** Every node of the graph: { name: { value, adjoint, tangent } }. */
export function graphState(page) {
  return page.evaluate((selector) => {
    const state = {};
    for (const g of document.querySelectorAll(`${selector} g[data-node]`)) {
      state[g.getAttribute('data-node')] = {
        value: g.getAttribute('data-value'),
        adjoint: g.getAttribute('data-adjoint'),
        tangent: g.getAttribute('data-tangent'),
      };
    }
    return state;
  }, GRAPH);
}

/** The graph's node names, sorted. */
export async function nodeNames(page) {
  return Object.keys(await graphState(page)).sort();
}

/**
 * Waits until the page shows `view`: { counter?, nodes? } where `nodes` maps a
 * node name to the attributes to check ({ value, adjoint, tangent }, any
 * subset). Nodes not listed are not checked. Fails with a table of what the
 * page showed.
 */
export async function expectView(page, view, label) {
  await waitFor(label, async () => {
    const problems = [];
    let shownCounter = null;
    if (view.counter !== undefined) {
      shownCounter = await counter(page).catch((error) => `<${error.message.split('\n')[0]}>`);
      if (shownCounter !== view.counter) {
        problems.push(`counter ${JSON.stringify(shownCounter)}, expected ${JSON.stringify(view.counter)}`);
      }
    }
    const graph = await graphState(page);
    for (const [name, want] of Object.entries(view.nodes ?? {})) {
      const got = graph[name];
      if (!got) {
        problems.push(`no node ${name} (nodes: ${Object.keys(graph).join(' ') || 'none'})`);
        continue;
      }
      for (const [attribute, value] of Object.entries(want)) {
        if (got[attribute] !== value) {
          problems.push(
            `${name} data-${attribute}=${JSON.stringify(got[attribute])}, expected ${JSON.stringify(value)}`,
          );
        }
      }
    }
    return problems.length ? { ok: false, seen: problems.join('; ') } : { ok: true };
  });
}

/** Waits until the graph has exactly the nodes `names` (any order). */
export function expectNodes(page, names, label = `the nodes ${names.join(' ')}`) {
  const want = [...names].sort().join(' ');
  return waitFor(label, async () => {
    const got = (await nodeNames(page)).join(' ');
    return got === want ? { ok: true } : { ok: false, seen: `nodes "${got}"` };
  });
}

/** The cells of the gradient row of `input`, as trimmed texts. */
export function gradientRow(page, input) {
  return page.evaluate((name) => {
    const row = document.querySelector(`table[aria-label="Gradients"] tr[data-gradient="${name}"]`);
    return row ? [...row.cells].map((cell) => cell.textContent.trim()) : null;
  }, input);
}

/** Parses a number as the app shows it (Unicode minus, NaN, ±∞ allowed). */
export function parseShownNumber(text) {
  const t = String(text).trim().replace(/\u2212/g, '-');
  if (/^[+-]?(inf|∞)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return t === '' ? NaN : Number(t);
}

/** The URL fragment's parameters (program, at, mode, step). */
export function fragmentParams(url) {
  return new URLSearchParams(new URL(url).hash.replace(/^#/, ''));
}
