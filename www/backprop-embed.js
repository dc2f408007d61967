// <backprop-graph>: a computation graph to step through, for any page.
//
//   <script type="module" src="…/backprop-embed.js"></script>
//   <backprop-graph program="(x1+x2)*x1" at="x1=3,x2=4" step="backward:2"
//                   controls="minimal" theme="light"></backprop-graph>
//
// Attributes (all data, never markup): program, at, mode (reverse | forward:<input>),
// step (a number of steps, forward:K, backward:K or end), controls (none | minimal |
// full), theme (light | dark | auto), layout (full | compact), autoplay. Changing one
// updates that element only. Given a height (a slide's), the element fills it.
// Keys the element uses while it has the focus (←/→, Home, End, Space) stop there, so a
// slide deck around it does not act on them; other keys reach the page.
// Methods: stepForward(), stepBack(), reset(), seek(n); calls made before the element is
// ready apply once it is (await element.ready). Each change of step dispatches a `step`
// event whose detail is { step, steps, phase, counter, record, fragment }.
//
// Everything loads from beside this file: the viewer's wasm module (embed.js, once per
// page), the stylesheets of the shadow roots, and the fonts. No other origin is asked.

const BASE = new URL('./', import.meta.url);
const asset = (path) => new URL(path, BASE).href;

const ATTRIBUTES = [
  'program', 'at', 'mode', 'steps', 'step', 'controls', 'theme', 'layout', 'autoplay', 'quiz',
  'checkpoint', 'precision', 'loss-scale',
];
const STYLESHEETS = ['style.css', 'embed.css'];

// Shadow roots cannot declare fonts, so the page gets them, once.
const FONTS = [
  ['Source Sans 3', 'fonts/source-sans-3-latin-400-normal.woff2', { weight: '400' }],
  ['Source Sans 3', 'fonts/source-sans-3-latin-600-normal.woff2', { weight: '600' }],
  ['Source Code Pro', 'fonts/source-code-pro-latin-400-normal.woff2', { weight: '400' }],
  ['STIX Two Math', 'fonts/stix-two-math-latin-400-normal.woff2', {}],
];

let fontsDeclared = false;
function declareFonts() {
  if (fontsDeclared || !('fonts' in document) || typeof FontFace !== 'function') return;
  fontsDeclared = true;
  for (const [family, file, descriptors] of FONTS) {
    const face = new FontFace(family, `url(${JSON.stringify(asset(file))}) format("woff2")`, {
      display: 'swap',
      ...descriptors,
    });
    document.fonts.add(face);
  }
}

let viewer = null;
/** The viewer's wasm module, fetched and started once for every element of the page. */
function loadViewer() {
  viewer ??= import(asset('embed.js'))
    .then(async (module) => {
      await module.default({ module_or_path: asset('embed_bg.wasm') });
      return module;
    })
    .catch((error) => {
      viewer = null; // the next element tries again
      throw error;
    });
  return viewer;
}

/** The element's attributes as the viewer's configuration text. */
function configuration(element) {
  const query = new URLSearchParams();
  for (const name of ATTRIBUTES) {
    const value = element.getAttribute(name);
    if (value !== null) query.set(name, value);
  }
  return query.toString();
}

function message(className, text) {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

class BackpropGraph extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #embed = null;
  #container;
  #styled;
  #started = false;
  #pending = [];
  #configureQueued = false;
  #ready;
  #resolveReady;
  #rejectReady;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const loads = STYLESHEETS.map((sheet) => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = asset(sheet);
      root.append(link);
      return new Promise((done) => {
        link.addEventListener('load', done, { once: true });
        link.addEventListener('error', done, { once: true });
      });
    });
    // The graph fits itself to its frame when it mounts, so the frame must be styled.
    this.#styled = Promise.all(loads);
    this.#container = document.createElement('div');
    this.#container.className = 'mount';
    this.#container.append(message('loading', 'Loading the graph…'));
    root.append(this.#container);
    this.#ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // A failure is shown in the element; awaiting `ready` is optional.
    this.#ready.catch(() => {});
  }

  /** Resolves once the viewer is mounted (rejects if the module could not load). */
  get ready() {
    return this.#ready;
  }

  connectedCallback() {
    if (this.#started) return;
    this.#started = true;
    declareFonts();
    Promise.all([loadViewer(), this.#styled]).then(
      ([module]) => {
        if (!this.isConnected) {
          // Removed while loading: mount when it comes back.
          this.#started = false;
          return;
        }
        this.#embed = new module.Embed(
          this.#container,
          configuration(this),
          asset('index.html'),
          (json) => this.#dispatchStep(json),
        );
        for (const call of this.#pending.splice(0)) call(this.#embed);
        this.#resolveReady(this);
      },
      (error) => {
        this.#container.replaceChildren(
          message('failed', `The graph could not load: ${error?.message ?? error}`),
        );
        this.#rejectReady(error);
      },
    );
  }

  disconnectedCallback() {
    // Moving the element reconnects it at once; one removed for good frees its viewer.
    queueMicrotask(() => {
      if (this.isConnected || !this.#embed) return;
      this.#embed.free();
      this.#embed = null;
      this.#started = false;
      this.#container.replaceChildren(message('loading', 'Loading the graph…'));
    });
  }

  attributeChangedCallback() {
    // Several attributes set one after the other apply together.
    if (!this.#embed || this.#configureQueued) return;
    this.#configureQueued = true;
    queueMicrotask(() => {
      this.#configureQueued = false;
      this.#embed?.configure(configuration(this));
    });
  }

  /** Takes the next step; returns whether it moved (undefined before ready). */
  stepForward() {
    return this.#call((embed) => embed.stepForward());
  }

  /** Undoes the last step; returns whether it moved (undefined before ready). */
  stepBack() {
    return this.#call((embed) => embed.stepBack());
  }

  reset() {
    this.#call((embed) => embed.reset());
  }

  /** Goes to `steps` steps taken (a whole number ≥ 0; beyond the end: the end). */
  seek(steps) {
    const n = Number(steps);
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`seek(n) takes a whole number of steps ≥ 0, not ${String(steps)}`);
    }
    this.#call((embed) => embed.seek(Math.min(n, 0xffffffff)));
  }

  /** The current step, as the `step` event's detail (null before ready). */
  get state() {
    return this.#embed ? JSON.parse(this.#embed.state()) : null;
  }

  /** The text of an export: 'svg', 'markdown', 'latex' or 'pytorch' (throws before ready). */
  export(format) {
    if (!this.#embed) throw new Error('the graph is not ready yet: await element.ready');
    return this.#embed.export(String(format));
  }

  #call(action) {
    if (this.#embed) return action(this.#embed);
    this.#pending.push(action);
    return undefined;
  }

  #dispatchStep(json) {
    // Listeners run after the viewer's update, so they may call its methods.
    const detail = JSON.parse(json);
    queueMicrotask(() =>
      this.dispatchEvent(new CustomEvent('step', { detail, bubbles: true, composed: true })),
    );
  }
}

if (!customElements.get('backprop-graph')) {
  customElements.define('backprop-graph', BackpropGraph);
}
