// Polling assertions: playwright-core has no `expect`, so tests wait for a
// condition with waitFor() and fail with a message that says what was awaited
// and what was last seen.

export const DEFAULT_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 5000);

/**
 * Calls `probe` (sync or async) until it returns { ok: true, value }, then
 * resolves to `value`. Any other result, or a thrown error, is recorded as the
 * last observation; after `timeout` ms waitFor throws
 * "timed out after N ms waiting for <what>; last seen: <observation>".
 * A probe may also return a plain boolean.
 */
export async function waitFor(what, probe, { timeout = DEFAULT_TIMEOUT_MS, interval = 25 } = {}) {
  const deadline = Date.now() + timeout;
  let last = 'nothing yet';
  for (;;) {
    try {
      const result = await probe();
      if (result === true) return true;
      if (result && typeof result === 'object' && 'ok' in result) {
        if (result.ok) return result.value;
        last = result.seen ?? 'not yet';
      } else {
        last = describe(result);
      }
    } catch (error) {
      last = `error: ${error?.message ?? error}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen: ${last}`);
    }
    await new Promise((ok) => setTimeout(ok, interval));
  }
}

/** Waits until `read()` returns a value equal (as JSON) to `expected`. */
export function waitForEqual(what, read, expected, options) {
  const want = JSON.stringify(expected);
  return waitFor(
    what,
    async () => {
      const got = await read();
      return JSON.stringify(got) === want
        ? { ok: true, value: got }
        : { ok: false, seen: `${JSON.stringify(got)}, expected ${want}` };
    },
    options,
  );
}

function describe(value) {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
