// The checker's engine: the wasm module and one PhotoChecker, driven by messages. worker.js runs it in a module
// Worker (the default: the camera preview never freezes); index.js runs it on the page with { worker: false }.
// Protocol (client → engine), every message but frame/reset with an id the answer repeats:
//   {type:'init', profile, profileToml, stableFrames, holdFrames, models: {faceDetection, faceLandmark,
//     selfieSegmentation} (URLs, resolved by index.js), wasm (URL, optional: ./pkg/ beside this file)}
//   {type:'frame', buffer, width, height}   RGBA, tracked (buffer transferred; sent back for reuse)
//   {type:'still', buffer, width, height}   RGBA, checked on its own (checkStill)
//   {type:'capture'}                        → best frame so far as RGBA (transferred)
//   {type:'image', bytes}                   → report for a JPEG/PNG
//   {type:'standardize', buffer, width, height, background} → the 480×640 standardized JPEG of those pixels
//   {type:'reset'}
// Engine → client: {type:'progress', loaded, total, what} {type:'ready', profile, pkg}
//   {type:'tracked', report, capture, buffer} {type:'checked', id, report, buffer} {type:'captured', id, frame}
//   {type:'image', id, report} {type:'standardized', id, jpeg} (an ArrayBuffer, transferred)
//   {type:'error', id, code, message, fatal, during} {type:'csp', directive, blocked} (a CSP violation in the worker)
// Nothing is stored: frames and photos live only in this engine's memory while they are checked.

// A failure names the file (e.g. "https://…/models/<model file>: HTTP 500"): the page shows it under model-failed.
const failed = (url, why) => Object.assign(new Error(`${url}: ${why}`), { code: 'model_fetch' });

// Fetches every URL with one combined progress report.
async function fetchAll(urls, post) {
  const state = urls.map(() => ({ loaded: 0, total: 0 }));
  const report = (what) => {
    const loaded = state.reduce((a, s) => a + s.loaded, 0);
    const total = state.every((s) => s.total) ? state.reduce((a, s) => a + s.total, 0) : 0;
    post({ type: 'progress', loaded, total, what });
  };
  const named = (url) => (e) => { throw e.code ? e : failed(url, e.message); };
  return Promise.all(urls.map((url, i) => fetchOne(url, i).catch(named(url))));
  async function fetchOne(url, i) {
    // Only this page's origin: the package never fetches from anywhere else.
    if (typeof location === 'object' && new URL(url, location.href).origin !== location.origin) {
      throw failed(url, 'not same-origin');
    }
    const res = await fetch(url);
    if (!res.ok) throw failed(url, `HTTP ${res.status}`);
    state[i].total = Number(res.headers.get('content-length')) || 0;
    if (!res.body) {
      const buf = new Uint8Array(await res.arrayBuffer());
      state[i].loaded = buf.length;
      report(url);
      return buf;
    }
    const reader = res.body.getReader();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      state[i].loaded += value.length;
      report(url);
    }
    const out = new Uint8Array(state[i].loaded);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}

function errorMessage(e, id) {
  // A WebAssembly.RuntimeError is a trap: the instance is unusable, the client must start a new engine.
  const fatal = e instanceof WebAssembly.RuntimeError;
  return { type: 'error', id, code: e?.code || (fatal ? 'trap' : 'internal'), message: String(e?.message || e), fatal };
}

/** An engine: `post(message, transfer)` carries its answers; returns the function that takes a message. */
export function createEngine(post) {
  let checker = null;

  async function start(msg) {
    // pkg/ is built with wasm SIMD; the client checked that the browser has it (index.js detectSupport()).
    const pkg = 'pkg';
    const m = msg.models || {};
    if (!m.faceDetection || !m.faceLandmark || !m.selfieSegmentation) {
      throw Object.assign(new Error('init: models {faceDetection, faceLandmark, selfieSegmentation} missing'),
        { code: 'invalid_argument' });
    }
    const wasmUrl = msg.wasm || new URL('./pkg/photo_check_bg.wasm', import.meta.url).href;
    const [glue, [wasmBytes, fd, fl, ss]] = await Promise.all([
      import('./pkg/photo_check.js'),
      fetchAll([wasmUrl, m.faceDetection, m.faceLandmark, m.selfieSegmentation], post),
    ]);
    const { default: init, PhotoChecker } = glue;
    await init({ module_or_path: wasmBytes });
    post({ type: 'progress', what: 'compile', loaded: 1, total: 1 });
    checker = PhotoChecker.create({
      profile: msg.profile || 'chsi',
      profileToml: msg.profileToml || undefined,
      stableFrames: msg.stableFrames || undefined,
      holdFrames: msg.holdFrames || undefined,
      models: { faceDetection: fd, faceLandmark: fl, selfieSegmentation: ss },
    });
    post({ type: 'ready', id: msg.id, profile: checker.profileName, pkg });
    // The networks' first run is the slow one (0.1–0.5 s each in a cold JIT tier): done now, while the client
    // opens the camera, instead of on its first frame (messages queue behind it). Optional, so a failure here
    // is left to the first frame to report.
    try { checker.warmUp(); } catch { /* the first frame reports it */ }
  }

  return async function handle(msg) {
    try {
      switch (msg.type) {
        case 'init':
          await start(msg);
          break;
        case 'frame': {
          const pixels = new Uint8ClampedArray(msg.buffer);
          const { report, capture } = checker.track(pixels, msg.width, msg.height);
          post({ type: 'tracked', id: msg.id, report, capture, buffer: msg.buffer }, [msg.buffer]);
          break;
        }
        case 'still': {
          const report = checker.checkStill(new Uint8ClampedArray(msg.buffer), msg.width, msg.height);
          post({ type: 'checked', id: msg.id, report, buffer: msg.buffer }, [msg.buffer]);
          break;
        }
        case 'capture': {
          const best = checker.bestFrame();
          if (!best) { post({ type: 'captured', id: msg.id, frame: null }); break; }
          const { data, width, height, index, score } = best;
          const frame = { buffer: data.buffer, width, height, index, score };
          post({ type: 'captured', id: msg.id, frame }, [data.buffer]);
          break;
        }
        case 'image': {
          const report = checker.checkImage(new Uint8Array(msg.bytes));
          post({ type: 'image', id: msg.id, report });
          break;
        }
        case 'standardize': {
          const pixels = new Uint8ClampedArray(msg.buffer);
          const jpeg = checker.standardize(pixels, msg.width, msg.height, msg.background ?? undefined);
          post({ type: 'standardized', id: msg.id, jpeg: jpeg.buffer }, [jpeg.buffer]);
          break;
        }
        case 'reset':
          checker?.reset();
          break;
        default:
          throw Object.assign(new Error(`unknown message ${msg.type}`), { code: 'internal' });
      }
    } catch (e) {
      post({ ...errorMessage(e, msg.id), during: msg.type });
    }
  };
}
