// How quickly the page answers a click: a page busy computing answers late.

/**
 * For `ms` milliseconds, the page clicks `selector` every 50 ms and measures each click
 * from its dispatch to the frame after its handlers ran (in the page, so the test's own
 * round trips do not count); resolves with the slowest, in ms.
 */
export function slowestClick(page, selector, ms = 2000) {
  return page.evaluate(
    ({ selector, ms }) =>
      new Promise((done) => {
        let slowest = 0;
        const end = performance.now() + ms;
        const click = () => {
          const start = performance.now();
          document.querySelector(selector)?.click();
          requestAnimationFrame(() =>
            setTimeout(() => {
              slowest = Math.max(slowest, performance.now() - start);
              if (performance.now() < end) setTimeout(click, 50);
              else done(slowest);
            }, 0),
          );
        };
        click();
      }),
    { selector, ms },
  );
}
