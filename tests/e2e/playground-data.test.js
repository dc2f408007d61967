// Data in the training playground: the real datasets fetched on demand (digits
// trained on WebGPU to a test accuracy of at least 90 %, with its confusion
// matrix, misclassified digits and first-layer weights as 8×8 images, and
// "step into" a real minibatch), and your own data: points added by clicking the
// plot while training goes on, a pasted CSV that trains, and a CSV's error
// pointing at its line and column, and a regression's fitted curve (one feature) or
// surface (two); a CSV of named classes (names in the program, the legend and
// the confusion matrix) and an uploaded one of 1,500 rows kept by the page (the link leaves
// them out and its reader is told).

import assert from 'node:assert/strict';

import { useChromiumArgs } from './lib/browser.js';
import { appTest, waitFor } from './lib/harness.js';
import { button, counter, editor } from './lib/app.js';
import { PLAYGROUND, openPlayground, snapWide, tensorOf, trainStats, waitForBackend, waitForStats } from './lib/playground.js';

useChromiumArgs('--enable-unsafe-webgpu');

const SWIFTSHADER = /^WebGPU — google swiftshader$/;
const TRAINING_TIMEOUT_MS = 180_000;

const program = (page) => editor(page).inputValue();
const testAccuracy = async (page) => {
  const value = await page.locator('.train-stats').getAttribute('data-test-accuracy');
  return value === null || value === '' ? null : Number(value);
};
const ownRows = async (page) => Number(await page.locator('[data-own-rows]').getAttribute('data-own-rows'));

/** Chooses a dataset in the form and waits for the program to read it. */
async function chooseDataset(page, name) {
  await page.getByRole('combobox', { name: 'Dataset' }).selectOption(name);
  await waitFor(`the ${name} program`, async () => new RegExp(`features\\(${name}, `).test(await program(page)));
}

appTest('digits load on demand and a 64-128-10 network reaches 90 % on held-out digits on WebGPU', async (app) => {
  const fetched = [];
  const page = await openPlayground(app);
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
  await waitForBackend(page, 'WebGPU', SWIFTSHADER, { timeout: 30_000 });
  assert.ok(!fetched.some((path) => path.includes('/data/')), 'no dataset before one is chosen');

  await chooseDataset(page, 'digits');
  const widths = page.getByRole('textbox', { name: 'Hidden layer widths' });
  await widths.fill('128');
  await widths.press('Enter');
  await widths.blur();
  await waitFor('a 64-128-10 program', async () => /^W1 = param\(randn\(\[64, 128\], 1\)/m.test(await program(page)) &&
    /^W2 = param\(randn\(\[128, 10\], 2\)/m.test(await program(page)));
  await page.getByRole('combobox', { name: 'Optimizer' }).selectOption('momentum');
  await page.getByRole('spinbutton', { name: 'Learning rate' }).fill('0.1');
  await page.getByRole('spinbutton', { name: 'Learning rate' }).press('Enter');
  await waitFor('the training line', async () => /^# train: momentum, learning rate 0\.1$/m.test(await program(page)));
  await waitFor('the digits file fetched', async () => fetched.some((path) => path.endsWith('/data/digits.csv.gz')));
  await waitForBackend(page, 'WebGPU', SWIFTSHADER);

  await button(page, 'Train').click();
  const started = Date.now();
  await waitFor('a test accuracy of at least 90 % on WebGPU', async () => {
    const accuracy = await testAccuracy(page);
    return accuracy !== null && accuracy >= 0.9 ? { ok: true } : { ok: false, seen: `test accuracy ${accuracy}` };
  }, { timeout: TRAINING_TIMEOUT_MS });
  await button(page, 'Pause training').click();
  await waitFor('the pause', async () => (await page.locator('.train-controls button[name="train"]').getAttribute('aria-pressed')) === 'false');
  // The pause refreshes the report: read it after.
  await waitFor('the report after the pause', async () => (await page.locator('.data-report table.confusion').count()) === 1);
  // The accuracy and the matrix come from the same evaluation once the pause's report is in:
  // wait until the matrix's diagonal is the accuracy shown (a stale one would never agree).
  const confusion = () => page.$$eval('.data-report table.confusion tbody tr', (rows) =>
    rows.map((row) => [...row.querySelectorAll('td')].map((td) => Number(td.dataset.count))));
  const diagonal = (counts) => counts.reduce((sum, row, k) => sum + (row[k] ?? 0), 0);
  await waitFor('the confusion matrix agreeing with the test accuracy', async () => {
    const [shown, counts] = [await testAccuracy(page), await confusion()];
    const ok = shown !== null && Math.abs(diagonal(counts) / 359 - shown) < 1e-9;
    return ok ? { ok } : { ok, seen: `accuracy ${shown}, ${diagonal(counts)} hits` };
  });
  const stats = await trainStats(page);
  const accuracy = await testAccuracy(page);
  console.log(`digits 64-128-10 on WebGPU (SwiftShader): ${stats.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
    `training accuracy ${stats.accuracy}, test accuracy ${accuracy} (359 held-out digits)`);
  assert.ok(accuracy >= 0.9, `test accuracy ${accuracy}`);
  assert.equal((await waitForBackend(page, 'WebGPU', SWIFTSHADER)).backend, 'WebGPU');

  // The confusion matrix: 10 × 10 counts summing to the 359 held-out digits, its diagonal the hits.
  const counts = await confusion();
  assert.equal(counts.length, 10);
  assert.ok(counts.every((row) => row.length === 10));
  assert.equal(counts.flat().reduce((a, b) => a + b, 0), 359);
  const hits = diagonal(counts);
  assert.ok(Math.abs(hits / 359 - accuracy) < 1e-9, `${hits} hits against ${accuracy}`);
  // Misclassified digits and the first layer's weights as 8×8 images.
  const mistakes = await page.locator('.digit-gallery.mistakes img.digit').count();
  assert.equal(mistakes, Math.min(24, 359 - hits));
  assert.equal(await page.locator('.digit-gallery.weights img.digit').count(), 128);
  const size = await page.locator('.digit-gallery.weights img.digit').first().evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  assert.deepEqual(size, [8, 8]);
  await snapWide(app, page, 'digits-trained');
  await app.snap(page, 'digits-trained');

  // Step into the next training step: a real minibatch of 64 digits.
  await button(page, 'Step into the next training step').click();
  await waitFor('the training step in the stepper', async () =>
    (await page.locator('[data-stepping-into]').count()) === 1 && /^forward 0 \//.test(await counter(page)));
  await button(page, 'Jump to end of forward').click();
  await waitFor('X evaluated', async () => (await tensorOf(page, 'X', 'value')) !== null);
  const x = await tensorOf(page, 'X', 'value');
  assert.equal(x.length, 64);
  assert.equal(x[0].length, 64);
  assert.ok(x.flat().some((v) => v !== 0), 'real pixels, not the placeholder zeros');
  const y = await tensorOf(page, 'y', 'value');
  assert.ok(y.every((label) => Number.isInteger(label) && label >= 0 && label <= 9));
});

appTest('points added by clicking change the data while training goes on', async (app) => {
  const page = await openPlayground(app);
  await chooseDataset(page, 'own');
  await waitFor('the own-data panel', async () => (await page.locator('[data-own-rows]').count()) === 1);
  assert.equal(await ownRows(page), 12);
  await waitFor('the points drawn', async () => (await page.locator('svg.boundary circle').count()) === 12);

  await button(page, 'Train').click();
  const before = await waitForStats(page, 'some training', (s) => s.steps >= 20 && s.loss !== null);
  const plot = page.locator('svg.boundary');
  const box = await plot.boundingBox();
  // Empty corners of the plot (the points sit near the middle).
  await page.getByRole('radio', { name: 'Class 1' }).check();
  await plot.click({ position: { x: box.width * 0.1, y: box.height * 0.1 } });
  await waitFor('13 rows', async () => (await ownRows(page)) === 13);
  await plot.click({ position: { x: box.width * 0.9, y: box.height * 0.9 } });
  await waitFor('14 rows', async () => (await ownRows(page)) === 14);
  await waitFor('14 points drawn', async () => (await page.locator('svg.boundary circle').count()) === 14);
  assert.match(await program(page), /^# own rows: .*; -?[\d.]+ -?[\d.]+ 1$/m);
  // Training went on: still training, more steps, a new loss.
  const after = await waitForStats(page, 'training on the changed data', (s) => s.steps > before.steps + 20 && s.loss !== before.loss);
  assert.equal(await page.locator('.train-controls button[name="train"]').getAttribute('aria-pressed'), 'true');
  assert.ok(after.steps > before.steps);

  // Shift-click removes the point just added; the keyboard adds one by its coordinates.
  await plot.click({ position: { x: box.width * 0.9, y: box.height * 0.9 }, modifiers: ['Shift'] });
  await waitFor('13 rows again', async () => (await ownRows(page)) === 13);
  await page.getByRole('spinbutton', { name: 'x', exact: true }).fill('0.5');
  await page.getByRole('spinbutton', { name: 'y', exact: true }).fill('-2');
  await page.getByRole('spinbutton', { name: 'y', exact: true }).press('Tab');
  await button(page, 'Add point').click();
  await waitFor('14 rows with the typed point', async () => (await ownRows(page)) === 14 && /0\.5 -2 1$/m.test(await program(page)));
  await button(page, 'Pause training').click();
  await snapWide(app, page, 'own-points');
  await app.snap(page, 'own-points');

  // The link carries the data: opened again, the same rows.
  const restored = await app.open(page.url());
  await waitFor('the program in the link', async () => (await editor(restored).inputValue()) === (await program(page)));
});

appTest('a pasted CSV trains, and a CSV mistake points at its line and column', async (app) => {
  const page = await openPlayground(app);
  await chooseDataset(page, 'own');
  await waitFor('the own-data panel', async () => (await page.locator('[data-own-rows]').count()) === 1);
  await page.locator('.own-csv summary').click();
  const rows = ['size,weight,ratio,kind'];
  for (let i = 0; i < 40; i++) {
    const kind = i % 2 ? 'big' : 'small';
    const base = i % 2 ? 3 : 1;
    rows.push(`${(base + (i % 5) * 0.1).toFixed(2)},${(base * 2 - (i % 3) * 0.2).toFixed(2)},${(0.5 + (i % 4) * 0.05).toFixed(2)},${kind}`);
  }
  const csv = page.getByRole('textbox', { name: 'CSV text' });
  // A mistake first: its line and column are said.
  await csv.fill(rows.join('\n').replace('3.00,6.00', '3.00,6.o0'));
  await csv.blur();
  await page.getByRole('combobox', { name: 'Label column' }).selectOption('kind');
  await button(page, 'Use this CSV').click();
  const error = page.locator('.own-error');
  await waitFor('the error', async () => (await error.count()) === 1);
  const text = await error.textContent();
  assert.match(text, /^line \d+, column 6: /);
  const line = Number(/^line (\d+)/.exec(text)[1]);
  assert.equal(rows[line - 1].indexOf('6.00') + 1, 6, `line ${line} is the one with the mistake`);

  await csv.fill(rows.join('\n'));
  await csv.blur();
  await button(page, 'Use this CSV').click();
  await waitFor('the CSV in the program', async () => /^# own data: size weight ratio -> class, 2 classes: big small, test 0\.2$/m.test(await program(page)));
  await waitFor('40 rows', async () => (await ownRows(page)) === 40);
  assert.equal(await error.count(), 0);
  // 32 training rows; the batch stays what it was (10, the starting set's training rows).
  assert.match(await program(page), /^X = features\(own, 32, 10\)$/m);
  assert.match(await program(page), /^W1 = param\(randn\(\[3, 16\], 1\)/m);
  for (let i = 0; i < 5; i++) await button(page, 'Train one step').click();
  const stats = await waitForStats(page, '5 steps on the CSV', (s) => s.steps === 5 && s.loss !== null && s.accuracy !== null);
  assert.ok(Number.isFinite(stats.loss));
  await button(page, 'Train').click();
  await waitForStats(page, 'the CSV learnt', (s) => s.accuracy >= 0.9, { timeout: 60_000 });
  await button(page, 'Pause training').click();
});

appTest('a regression CSV trains with mse and the fitted curve is drawn', async (app) => {
  const page = await openPlayground(app);
  await chooseDataset(page, 'own');
  await waitFor('the own-data panel', async () => (await page.locator('[data-own-rows]').count()) === 1);
  await page.locator('.own-csv summary').click();
  const rows = ['x,y'];
  for (let i = 0; i <= 40; i++) {
    const x = -2 + i * 0.1;
    rows.push(`${x.toFixed(2)},${(x * x).toFixed(4)}`);
  }
  const csv = page.getByRole('textbox', { name: 'CSV text' });
  await csv.fill(rows.join('\n'));
  await csv.blur();
  await page.getByRole('combobox', { name: 'Label column' }).selectOption('y');
  await page.getByRole('combobox', { name: 'The label is' }).selectOption('regression');
  await button(page, 'Use this CSV').click();
  await waitFor('a regression program', async () => /^L = mse\(prediction, y\)$/m.test(await program(page)) &&
    /^# own data: x -> target, regression, test 0\.2$/m.test(await program(page)));
  // One step first: it is queued after the playground follows the new program.
  await button(page, 'Train one step').click();
  await waitForStats(page, 'one step of the regression', (s) => s.steps === 1 && s.loss !== null, { timeout: 30_000 });
  await button(page, 'Train').click();
  const first = await waitForStats(page, 'some steps', (s) => s.steps >= 5 && s.loss !== null);
  await waitForStats(page, 'the loss falling', (s) => s.steps > first.steps + 100 && s.loss < first.loss / 4, { timeout: 60_000 });
  await button(page, 'Pause training').click();
  await waitFor('the fitted curve', async () => (await page.locator('.data-report svg.fit-plot polyline').count()) === 1);
  assert.equal(await page.locator('.data-report svg.fit-plot circle').count(), 41);
  // The pause evaluates the paused model; its held-out report follows.
  await waitFor('the held-out mse of the trained model', async () => {
    const mse = Number(await page.locator('[data-test-mse]').getAttribute('data-test-mse'));
    return Number.isFinite(mse) && mse < 1 ? { ok: true } : { ok: false, seen: `held-out mse ${mse}` };
  }, { timeout: 30_000 });
  await snapWide(app, page, 'own-regression');
});

appTest('a regression of two features draws its fitted surface under the rows', async (app) => {
  const page = await openPlayground(app);
  await chooseDataset(page, 'own');
  await waitFor('the own-data panel', async () => (await page.locator('[data-own-rows]').count()) === 1);
  await page.locator('.own-csv summary').click();
  const rows = ['a,b,z'];
  for (let i = 0; i < 36; i++) {
    const a = -1 + (i % 6) * 0.4;
    const b = -1 + Math.floor(i / 6) * 0.4;
    rows.push(`${a.toFixed(2)},${b.toFixed(2)},${(2 * a - b).toFixed(4)}`);
  }
  const csv = page.getByRole('textbox', { name: 'CSV text' });
  await csv.fill(rows.join('\n'));
  await csv.blur();
  await page.getByRole('combobox', { name: 'Label column' }).selectOption('z');
  await page.getByRole('combobox', { name: 'The label is' }).selectOption('regression');
  await button(page, 'Use this CSV').click();
  await waitFor('a regression program', async () => /^L = mse\(prediction, y\)$/m.test(await program(page)) &&
    /^# own data: .*regression/m.test(await program(page)));
  await button(page, 'Train one step').click();
  await waitForStats(page, 'one step of the regression', (s) => s.steps === 1 && s.loss !== null, { timeout: 30_000 });
  await button(page, 'Train').click();
  await waitForStats(page, 'a few steps', (s) => s.steps >= 30 && s.loss !== null, { timeout: 60_000 });
  await button(page, 'Pause training').click();
  const surface = page.locator('.data-report [data-surface]');
  await waitFor('the fitted surface', async () => (await surface.count()) === 1);
  assert.equal(await surface.locator('svg image').count(), 1);
  assert.match(await surface.locator('svg image').getAttribute('href'), /^data:image\/bmp;base64,/);
  assert.equal(await surface.locator('svg circle').count(), 36);
  const legend = surface.locator('.surface-legend');
  const [min, max] = [Number(await legend.getAttribute('data-min')), Number(await legend.getAttribute('data-max'))];
  // The targets run from -3 to 3; the scale holds them and the predictions.
  assert.ok(min <= -3 && max >= 3 && Number.isFinite(min) && Number.isFinite(max), `scale ${min} … ${max}`);
  const mse = Number(await page.locator('[data-test-mse]').getAttribute('data-test-mse'));
  assert.ok(Number.isFinite(mse), `held-out mse ${mse}`);
  await snapWide(app, page, 'own-regression-surface');
});

/** Pastes `lines` as the own-data CSV with `label` as a class and uses it. */
async function useCsv(page, lines, label) {
  await page.locator('.own-csv summary').click();
  const csv = page.getByRole('textbox', { name: 'CSV text' });
  await csv.fill(lines.join('\n'));
  await csv.blur();
  await page.getByRole('combobox', { name: 'Label column' }).selectOption(label);
  await button(page, 'Use this CSV').click();
}

/** Uploads `lines` as a CSV file, waits for its text in the field, and uses it with `label`. */
async function uploadCsv(page, lines, label) {
  const text = lines.join('\n');
  await page.getByLabel('Upload a CSV file').setInputFiles({ name: 'rows.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  await waitFor('the file in the CSV field', async () =>
    (await page.getByRole('textbox', { name: 'CSV text' }).inputValue()) === text);
  await page.getByRole('combobox', { name: 'Label column' }).selectOption(label);
  await button(page, 'Use this CSV').click();
}

appTest('a CSV of named classes keeps its names in the program, the legend and the confusion matrix', async (app) => {
  const page = await openPlayground(app);
  await chooseDataset(page, 'own');
  await waitFor('the own-data panel', async () => (await page.locator('[data-own-rows]').count()) === 1);
  const names = ['setosa', 'versicolor', '<b>big</b>'];
  const rows = ['petal length,petal width,species'];
  for (let i = 0; i < 60; i++) {
    const k = i % 3;
    rows.push(`${(k * 2 - 2 + (i % 5) * 0.1).toFixed(2)},${(2 - k * 2 + (i % 4) * 0.1).toFixed(2)},${names[k]}`);
  }
  await useCsv(page, rows, 'species');
  // Sorted as text; written in the header, so the program and its link keep them.
  const sorted = ['<b>big</b>', 'setosa', 'versicolor'];
  await waitFor('the names in the program', async () =>
    /^# own data: petal_length petal_width -> class, 3 classes: <b>big<\/b> setosa versicolor, test 0\.2$/m.test(await program(page)));
  await waitFor('60 rows', async () => (await ownRows(page)) === 60);
  // The legend: each class by its name with its rows; the class picker offers the names.
  const legend = await page.$$eval('.own-legend li', (items) => items.map((li) =>
    [li.querySelector('.own-class-name').textContent, Number(li.querySelector('.own-class-count').dataset.count)]));
  assert.deepEqual(legend, sorted.map((name) => [name, 20]));
  await page.getByRole('radio', { name: 'versicolor' }).check();
  assert.equal(await page.getByRole('radio', { name: '<b>big</b>' }).count(), 1);
  // A name is text, never markup.
  assert.equal(await page.locator('.own-data b, .data-report b').count(), 0);

  for (let i = 0; i < 5; i++) await button(page, 'Train one step').click();
  await waitForStats(page, '5 steps on the named classes', (s) => s.steps === 5 && s.loss !== null, { timeout: 30_000 });
  await button(page, 'Train').click();
  await waitForStats(page, 'the classes learnt', (s) => s.accuracy >= 0.9, { timeout: 60_000 });
  await button(page, 'Pause training').click();
  const heads = () => page.$$eval('.data-report table.confusion thead th[scope="col"]', (ths) => ths.slice(1).map((th) => th.textContent));
  await waitFor('the confusion matrix by name', async () => JSON.stringify(await heads()) === JSON.stringify(sorted));
  const rowHeads = await page.$$eval('.data-report table.confusion tbody th', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(rowHeads, sorted);
  assert.equal(await page.locator('.own-data b, .data-report b').count(), 0);
  // Misclassified held-out rows are listed by name (none, or each with its names).
  const mistaken = page.locator('.data-report .mistaken-rows');
  assert.equal(await mistaken.count(), 1);
  for (const cell of await mistaken.locator('td.truth, td.predicted').allTextContents()) assert.ok(sorted.includes(cell), cell);
  await snapWide(app, page, 'own-named-classes');
  await app.snap(page, 'own-named-classes');

  // The link carries the names: opened again, the same program.
  const restored = await app.open(page.url());
  await waitFor('the named program in the link', async () => (await editor(restored).inputValue()) === (await program(page)));
});

appTest('1,500 uploaded rows train, kept by the page; the link leaves them out and its reader is told', async (app) => {
  const page = await openPlayground(app);
  await chooseDataset(page, 'own');
  await waitFor('the own-data panel', async () => (await page.locator('[data-own-rows]').count()) === 1);
  const rows = ['a,b,kind'];
  for (let i = 0; i < 1500; i++) {
    const k = i % 2;
    rows.push(`${(k * 3 - 1.5 + (i % 7) * 0.1).toFixed(2)},${((i % 11) * 0.2 - 1).toFixed(2)},${k ? 'right' : 'left'}`);
  }
  await uploadCsv(page, rows, 'kind');
  await waitFor('the rows kept by the page', async () =>
    /^# own data: a b -> class, 2 classes: left right, test 0\.2, 1500 rows kept by the page #[0-9a-f]{8}$/m.test(await program(page)));
  const text = await program(page);
  assert.ok(!text.includes('# own rows:'), 'no row in the program');
  assert.match(text, /^X = features\(own, 1200, 10\)$/m);
  assert.equal(await page.locator('[data-own-kept]').getAttribute('data-own-kept'), '1500');
  assert.equal(await page.locator('.own-error').count(), 0);

  // It trains.
  for (let i = 0; i < 3; i++) await button(page, 'Train one step').click();
  const stats = await waitForStats(page, '3 steps on 1,500 rows', (s) => s.steps === 3 && s.loss !== null, { timeout: 30_000 });
  assert.ok(Number.isFinite(stats.loss));
  await button(page, 'Train').click();
  await waitForStats(page, 'the rows learnt', (s) => s.accuracy >= 0.9, { timeout: 60_000 });
  await button(page, 'Pause training').click();

  // Where the link is copied, it says the rows are left out.
  const note = page.locator('[data-link-own-left-out]');
  await waitFor('the link note', async () => (await note.count()) === 1);
  assert.equal(await note.getAttribute('data-link-own-left-out'), '1500');
  assert.equal((await note.textContent()).trim(),
    'This link leaves out your 1,500 rows of own data (a link holds up to 1,000); its reader is asked to paste or upload the CSV.');
  await button(page, 'Copy link').click();
  await snapWide(app, page, 'own-kept-by-page');
  await app.snap(page, 'own-kept-by-page');

  // Its reader gets the program, and the playground says the rows were left out.
  await waitFor('the address holding the program', async () => decodeURIComponent(page.url().replace(/\+/g, ' ')).includes('rows kept by the page'));
  const reader = await app.open(page.url());
  await reader.locator(PLAYGROUND).waitFor({ timeout: 30_000 });
  await waitFor('the program in the link', async () => (await editor(reader).inputValue()) === text);
  const leftOut = reader.locator('[data-own-left-out]');
  await waitFor('the left-out message', async () => (await leftOut.count()) === 1);
  assert.equal(await leftOut.getAttribute('data-own-left-out'), '1500');
  assert.match(await leftOut.textContent(), /^This program's 1,500 rows of own data stayed in the page they were loaded in \(a link holds up to 1,000 rows\): paste or upload the CSV again to train it\.$/);
  assert.equal(await reader.locator('[data-own-rows]').count(), 0, 'no other rows taken for them');
  // Pasting the CSV again brings them back: the same program, and it trains.
  await uploadCsv(reader, rows, 'kind');
  await waitFor('the rows back', async () => (await reader.locator('[data-own-kept]').count()) === 1);
  assert.equal(await leftOut.count(), 0);
  assert.equal(await editor(reader).inputValue(), text);
  await button(reader, 'Train one step').click();
  await waitForStats(reader, 'a step on the rows pasted again', (s) => s.steps === 1 && s.loss !== null, { timeout: 30_000 });
});
