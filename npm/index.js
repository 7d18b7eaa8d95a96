// photo-check for the browser: checks a certificate photo (ID photo) live in the camera or from a file.
//
//   import { createChecker } from 'photo-check';
//   const checker = await createChecker({ profile: 'chsi', onProgress: (p) => console.log(p.loaded, p.total) });
//   const { report, capture } = await checker.track(video);  // every frame; capture.phase 'ready': take it
//   const report2 = await checker.checkImage(file);          // a JPEG/PNG from <input type=file>
//   checker.dispose();
//
// The wasm module and the PhotoChecker run in a module Worker (worker.js, engine.js); frames go to it as
// transferred buffers. The module and the three models are fetched from this package's own folder (beside this
// file, i.e. import.meta.url) unless `baseUrl` / `modelsUrl` say another same-origin folder: nothing is fetched
// from another origin. A wasm trap (WebAssembly.RuntimeError) leaves the instance unusable: the call that
// trapped rejects (code 'trap'), the worker is replaced and the checker is usable again once `ready` resolves;
// a trap while loading is retried in a new worker (twice) before `ready` rejects.
// Types: index.d.ts.

/** The model files, in `modelsUrl` (default: models/ beside this file). The one place naming them. */
export const MODEL_FILES = Object.freeze({
  faceDetection: 'face_detection_short_range.nnef.tar',
  faceLandmark: 'face_landmark.nnef.tar',
  selfieSegmentation: 'selfie_segmentation.nnef.tar',
});

/** Traps while loading that the checker answers with a new worker before `ready` rejects (code 'trap'). */
const LOAD_RETRIES = 2;

/** An error with a stable `code` (the wasm module's codes, plus 'unsupported', 'trap', 'restarted', …). */
export class PhotoCheckError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.name = 'PhotoCheckError';
    this.code = code;
    Object.assign(this, extra);
  }
}

/** Why this browser cannot check photos: code 'unsupported', reason 'no_wasm' | 'no_wasm_simd' | 'no_module_worker'. */
export class UnsupportedError extends PhotoCheckError {
  constructor(reason) {
    super('unsupported', `this browser cannot check photos: ${reason}`, { reason });
    this.name = 'UnsupportedError';
  }
}

// The smallest module using a SIMD instruction (v128: i8x16.splat + i8x16.popcnt), as in wasm-feature-detect.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

// Module workers: the Worker constructor reads `type` from its options only where it knows module workers
// (Chrome 80, Safari 15, Firefox 114). The URL does not parse, so nothing is fetched (no CSP report either).
function moduleWorkers() {
  if (typeof Worker !== 'function') return false;
  let asked = false;
  try {
    new Worker('http://[', { get type() { asked = true; return 'module'; } }).terminate();
  } catch { /* the URL's SyntaxError, after the options were read */ }
  return asked;
}

/**
 * Whether this browser can check photos: `{ supported: true }` or `{ supported: false, reason }` with reason
 * 'no_wasm' (no WebAssembly), 'no_wasm_simd' (WebAssembly without SIMD: iOS before 16.4, old Android WebViews) or
 * 'no_module_worker' (only asked with `worker: true`, the default).
 */
export function detectSupport({ worker = true } = {}) {
  if (typeof WebAssembly !== 'object') return { supported: false, reason: 'no_wasm' };
  try {
    if (!WebAssembly.validate(SIMD_PROBE)) return { supported: false, reason: 'no_wasm_simd' };
  } catch {
    return { supported: false, reason: 'no_wasm_simd' };
  }
  if (worker && !moduleWorkers()) return { supported: false, reason: 'no_module_worker' };
  return { supported: true };
}

/**
 * The report to send when the photo could not be checked here (see detectSupport): verdict 'unchecked' with the
 * reason, no checks. A server that checks every upload (photo-check serve) stores it and answers its own verdict.
 */
export function uncheckedReport(reason, { profile = null, width, height } = {}) {
  const report = { verdict: 'unchecked', reason, profile, checks: {} };
  if (width && height) report.image = { width, height };
  return report;
}

/**
 * The message for a check's result (`{ reason, message_zh, message_en }`: a report's `checks[id]` or a live
 * checklist item) in `lang` ('zh' or 'en'). `customMessages` overrides by reason code: `"check_id.reason"`
 * first, then `"reason"`; a value is a string or `{ zh, en }`. Without an override: the report's own message.
 */
export function messageFor(checkId, result, { lang = 'zh', customMessages } = {}) {
  const custom = customMessages?.[`${checkId}.${result.reason}`] ?? customMessages?.[result.reason];
  const own = typeof custom === 'string' ? custom : custom?.[lang];
  return own ?? (lang === 'en' ? result.message_en : result.message_zh) ?? '';
}

/** Starts a checker and waits until it is ready: see startChecker. Rejects with UnsupportedError or PhotoCheckError. */
export function createChecker(options = {}) {
  return startChecker(options).ready;
}

/**
 * Starts a checker and returns it at once; `checker.ready` resolves to it once the module and models are loaded
 * (or rejects: UnsupportedError in a browser without wasm SIMD or module workers; PhotoCheckError code
 * 'model_fetch', 'worker_failed', 'profile', … otherwise). Calls made before then wait for it.
 */
export function startChecker(options = {}) {
  return new Checker(options);
}

const sizeOf = (s) => [
  s.videoWidth || s.displayWidth || s.naturalWidth || s.width, s.videoHeight || s.displayHeight || s.naturalHeight
    || s.height,
];

// One canvas for every frame drawn (live: 640×480 at the camera's rate), resized when the size changes.
let grab = null;
function canvas2d(w, h) {
  if (!grab) {
    const c = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(w, h) : document.createElement('canvas');
    grab = c.getContext('2d', { willReadFrequently: true });
  }
  if (grab.canvas.width !== w || grab.canvas.height !== h) { grab.canvas.width = w; grab.canvas.height = h; }
  return grab;
}

/** RGBA pixels of an ImageData, canvas, video, VideoFrame, ImageBitmap or image, long side at most maxSide. */
async function pixelsOf(source, maxSide = Infinity) {
  if (source instanceof Blob) {
    const bitmap = await createImageBitmap(source);
    try { return pixelsOf(bitmap, maxSide); } finally { bitmap.close(); }
  }
  if (source?.data && source.width > 0 && source.height > 0 && !source.getContext) {
    return { data: source.data, width: source.width, height: source.height }; // ImageData or alike
  }
  const [sw, sh] = source ? sizeOf(source) : [];
  if (!(sw > 0 && sh > 0)) throw new PhotoCheckError('invalid_argument', 'the source has no pixels (yet)');
  const scale = Math.min(1, maxSide / Math.max(sw, sh));
  const w = Math.round(sw * scale), h = Math.round(sh * scale);
  const ctx = canvas2d(w, h);
  ctx.drawImage(source, 0, 0, w, h);
  return ctx.getImageData(0, 0, w, h);
}

async function bytesOf(file) {
  if (file instanceof ArrayBuffer) return file.slice(0);
  if (ArrayBuffer.isView(file)) return file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  if (file instanceof Blob) return file.arrayBuffer();
  throw new PhotoCheckError('invalid_argument', 'checkImage takes a Blob, File, ArrayBuffer or Uint8Array');
}

function sameOrigin(url, what) {
  const u = new URL(url, typeof location === 'object' ? location.href : undefined);
  if (typeof location === 'object' && u.origin !== location.origin) {
    throw new PhotoCheckError('invalid_argument', `${what} must be same-origin: ${u.href}`);
  }
  return u;
}

const folder = (u) => (u.href.endsWith('/') ? u : new URL(`${u.href}/`));

/** A checker: see startChecker. Its methods take the options' `lang` and `customMessages` for messages. */
export class Checker {
  #options;
  #send = null;
  #terminate = () => {};
  #respawn = null; // loads the engine again in a new worker (worker mode)
  #loadTraps = 0; // traps while loading, this start
  #pending = new Map();
  #frames = []; // tracked frames in flight, answered in order
  #nextId = 1;
  #spare = null; // a buffer back from the engine, reused for the next frame
  #disposed = false;

  constructor(options = {}) {
    this.#options = { profile: 'chsi', worker: true, maxFrameSide: 640, lang: 'zh', ...options };
    this.profile = null;
    this.pkg = null;
    this.worker = null;
    this.#start();
  }

  #start() {
    const o = this.#options;
    this.ready = (async () => {
      const reason = o.simulateUnsupported || (detectSupport({ worker: o.worker !== false }).reason ?? null);
      if (reason) throw new UnsupportedError(reason);
      const base = folder(sameOrigin(o.baseUrl ?? new URL('.', import.meta.url), 'baseUrl'));
      const modelsBase = folder(sameOrigin(o.modelsUrl ?? new URL('models/', base), 'modelsUrl'));
      const models = Object.fromEntries(Object.entries(MODEL_FILES).map(([k, f]) => [k, new URL(f, modelsBase).href]));
      const init = {
        type: 'init', profile: o.profile, profileToml: o.profileToml, stableFrames: o.stableFrames,
        holdFrames: o.holdFrames, models, wasm: new URL('pkg/photo_check_bg.wasm', base).href,
      };
      const loaded = new Promise((resolve, reject) => this.#pending.set('init', { resolve, reject }));
      if (o.worker === false) {
        // Same origin as this file: the engine (and its wasm glue) loads beside it.
        const { createEngine } = await import('./engine.js');
        const handle = createEngine((m) => queueMicrotask(() => this.#onMessage(m)));
        this.#send = (m) => handle(m);
        this.#send(init);
      } else {
        this.#loadTraps = 0;
        this.#spawn(new URL('worker.js', base), init);
      }
      const { profile, pkg } = await loaded;
      this.profile = profile;
      this.pkg = pkg;
      o.onReady?.(this);
      return this;
    })();
    this.ready.catch(() => {}); // the caller sees it; an unawaited start does not report an unhandled rejection
  }

  // A new worker that loads the engine (`init`), in place of the current one if any.
  #spawn(url, init) {
    this.#terminate();
    const worker = new Worker(url, { type: 'module' });
    this.worker = worker;
    worker.onmessage = ({ data }) => { if (this.worker === worker) this.#onMessage(data); };
    // The script failed to load or threw outside a message (a 404, a CSP block, a syntax error).
    worker.onerror = (e) => {
      e.preventDefault?.();
      if (this.worker !== worker) return; // a worker already replaced
      const error = new PhotoCheckError('worker_failed', e.message || 'the worker failed');
      if (this.profile) this.#restart(error); else this.#fail(error);
    };
    this.#send = (m, transfer) => worker.postMessage(m, transfer);
    this.#terminate = () => worker.terminate();
    this.#respawn = () => this.#spawn(url, init);
    this.#send(init);
  }

  #onMessage(m) {
    switch (m.type) {
      case 'progress':
        this.#options.onProgress?.({ loaded: m.loaded, total: m.total, what: m.what });
        break;
      case 'ready':
        this.#settle('init', m);
        break;
      case 'csp': // a CSP violation inside the worker (the page's own are reported by the browser)
        console.error(`CSP violation in the worker: ${m.directive} blocked ${m.blocked}`);
        break;
      case 'tracked':
        this.#spare = m.buffer;
        this.#frames.shift()?.resolve({ report: m.report, capture: m.capture });
        break;
      case 'checked':
        this.#spare = m.buffer;
        this.#settle(m.id, m.report);
        break;
      case 'captured':
        this.#settle(m.id, m.frame);
        break;
      case 'image':
        this.#settle(m.id, m.report);
        break;
      case 'standardized':
        this.#settle(m.id, m.jpeg);
        break;
      case 'error': {
        const e = new PhotoCheckError(m.code, m.message, { fatal: !!m.fatal, during: m.during });
        // A trap while loading: the same bytes load in a fresh instance (WebKit's JIT has failed about one
        // load in 60–300, README "Browsers"); `ready` waits for the new worker, up to LOAD_RETRIES times.
        if (m.during === 'init' && m.fatal && this.#respawn && this.#loadTraps < LOAD_RETRIES) {
          this.#loadTraps++;
          console.warn(`photo-check: the engine trapped while loading (${m.message}); loading it again`);
          this.#respawn();
          break;
        }
        if (m.during === 'init') this.#settle('init', null, e);
        else if (m.during === 'frame') this.#frames.shift()?.reject(e);
        else this.#settle(m.id, null, e);
        // a trap while loading that the retries above did not get past: stop (a new start would trap again)
        if (m.fatal && m.during === 'init') this.#fail(e);
        else if (m.fatal) this.#restart(e);
        break;
      }
    }
  }

  #settle(id, value, error) {
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    if (error) p?.reject(error); else p?.resolve(value);
  }

  // Everything in flight fails with `error`; the engine is stopped.
  #fail(error) {
    this.#terminate();
    this.#send = null;
    for (const p of [...this.#pending.values(), ...this.#frames]) p.reject(error);
    this.#pending.clear();
    this.#frames = [];
  }

  // A trap: the instance is unusable. The calls in flight fail (code 'restarted'), a new engine starts.
  #restart(error) {
    this.#fail(new PhotoCheckError('restarted', 'the checker restarted after a wasm trap'));
    this.#options.onCrash?.(error);
    if (this.#disposed) return;
    this.profile = null;
    this.#start();
    this.ready.catch((e) => this.#options.onError?.(e)); // the new engine failed to load
  }

  async #call(msg, transfer = []) {
    if (this.#disposed) throw new PhotoCheckError('disposed', 'the checker was disposed');
    await this.ready;
    if (!this.#send) throw new PhotoCheckError('restarted', 'the checker is restarting');
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (msg.type === 'frame') this.#frames.push({ resolve, reject });
      else this.#pending.set(id, { resolve, reject });
      this.#send({ ...msg, id }, transfer);
    });
  }

  // The pixels as a buffer the engine may take (transferred): the spare buffer back from it when it fits.
  #buffer(pixels) {
    let buffer = this.#spare;
    this.#spare = null;
    if (!buffer || buffer.byteLength !== pixels.data.length) buffer = new ArrayBuffer(pixels.data.length);
    new Uint8ClampedArray(buffer).set(pixels.data);
    return buffer;
  }

  /**
   * Checks one live frame and feeds the capture state machine: `{ report, capture }`. The source (video, canvas,
   * VideoFrame, ImageBitmap or ImageData) is scaled to `maxFrameSide` (640) on its long side.
   */
  async track(source) {
    const px = await pixelsOf(source, this.#options.maxFrameSide);
    const buffer = this.#buffer(px);
    return this.#call({ type: 'frame', buffer, width: px.width, height: px.height }, [buffer]);
  }

  /** Checks one still frame on its own (no tracking): the report. */
  async check(source) {
    const px = await pixelsOf(source);
    const buffer = this.#buffer(px);
    return this.#call({ type: 'still', buffer, width: px.width, height: px.height }, [buffer]);
  }

  /** Checks a JPEG/PNG file (EXIF orientation applied, large photos downscaled): the report. */
  async checkImage(file) {
    const bytes = await bytesOf(file);
    return this.#call({ type: 'image', bytes }, [bytes]);
  }

  /** The best tracked frame so far: `{ image: ImageData, index, score }`, or null before the first frame. */
  async bestFrame() {
    const frame = await this.#call({ type: 'capture' });
    if (!frame) return null;
    const image = new ImageData(new Uint8ClampedArray(frame.buffer), frame.width, frame.height);
    return { image, index: frame.index, score: frame.score };
  }

  /** The standardized 480×640 JPEG (the server's crop, background replaced) of a photo or frame, as a Blob. */
  async standardize(source, { background } = {}) {
    const px = await pixelsOf(source);
    const buffer = new Uint8ClampedArray(px.data).buffer;
    const jpeg = await this.#call({ type: 'standardize', buffer, width: px.width, height: px.height, background },
      [buffer]);
    return new Blob([jpeg], { type: 'image/jpeg' });
  }

  /** Forgets tracking and the capture state (after a capture, a retake, a camera switch). */
  reset() {
    this.#send?.({ type: 'reset' });
  }

  /** A check's message in the options' `lang` (or `lang`), with the options' `customMessages`. */
  message(checkId, result, lang = this.#options.lang) {
    return messageFor(checkId, result, { lang, customMessages: this.#options.customMessages });
  }

  /** Stops the worker and frees the models; pending calls reject with code 'disposed'. */
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#fail(new PhotoCheckError('disposed', 'the checker was disposed'));
  }
}
