// Inference worker: owns the wasm module and the PhotoChecker, so the camera preview never freezes.
// Protocol (main → worker): {type:'init', profile, profileToml, stableFrames}
//   {type:'frame', buffer, width, height}   (buffer transferred; sent back for reuse)
//   {type:'capture'}                        → best frame so far as RGBA (transferred)
//   {type:'image', bytes}                   → report for a JPEG/PNG (album and captured photo)
//   {type:'standardize', buffer, width, height} → the 480×640 standardized JPEG of those RGBA pixels
//   {type:'reset'}
// Worker → main: {type:'progress', loaded, total, what} {type:'ready', profile, pkg}
//   {type:'tracked', report, capture, buffer} {type:'captured', ...} {type:'image', id, report}
//   {type:'standardized', id, jpeg} (an ArrayBuffer, transferred)
//   {type:'error', id, code, message, fatal} {type:'csp', directive, blocked} (a CSP violation in the worker)
// Nothing is stored: frames and photos live only in this worker's memory while they are checked.

const MODELS = {
  faceDetection: 'models/face_detection_short_range.nnef.tar',
  faceLandmark: 'models/face_landmark.nnef.tar',
  selfieSegmentation: 'models/selfie_segmentation.nnef.tar',
};

let checker = null;

// A CSP violation inside the worker fires here, not on the page's document: tell the page, which logs it.
self.addEventListener('securitypolicyviolation', (e) => {
  postMessage({ type: 'csp', directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI });
});

// Fetches every URL with one combined progress report.
async function fetchAll(urls) {
  const state = urls.map(() => ({ loaded: 0, total: 0 }));
  const report = (what) => {
    const loaded = state.reduce((a, s) => a + s.loaded, 0);
    const total = state.every((s) => s.total) ? state.reduce((a, s) => a + s.total, 0) : 0;
    postMessage({ type: 'progress', loaded, total, what });
  };
  // A failure names the file (e.g. "models/face_landmark.nnef.tar: HTTP 500"): the page shows it under model-failed.
  const failed = (url, why) => Object.assign(new Error(`${url}: ${why}`), { code: 'model_fetch' });
  const named = (url) => (e) => { throw e.code ? e : failed(url, e.message); };
  return Promise.all(urls.map((url, i) => fetchOne(url, i).catch(named(url))));
  async function fetchOne(url, i) {
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
  // A WebAssembly.RuntimeError is a trap: the instance is unusable, the page must start a new worker.
  const fatal = e instanceof WebAssembly.RuntimeError;
  return { type: 'error', id, code: e?.code || (fatal ? 'trap' : 'internal'), message: String(e?.message || e), fatal };
}

async function start(msg) {
  // pkg/ is built with wasm SIMD; the page checked that the browser has it (app.js supported()).
  const pkg = 'pkg';
  const [glue, [wasmBytes, fd, fl, ss]] = await Promise.all([
    import(`./${pkg}/photo_check.js`),
    fetchAll([`${pkg}/photo_check_bg.wasm`, MODELS.faceDetection, MODELS.faceLandmark, MODELS.selfieSegmentation]),
  ]);
  const { default: init, PhotoChecker } = glue;
  await init({ module_or_path: wasmBytes });
  postMessage({ type: 'progress', what: 'compile', loaded: 1, total: 1 });
  checker = PhotoChecker.create({
    profile: msg.profile || 'chsi',
    profileToml: msg.profileToml || undefined,
    stableFrames: msg.stableFrames || undefined,
    models: { faceDetection: fd, faceLandmark: fl, selfieSegmentation: ss },
  });
  postMessage({ type: 'ready', profile: checker.profileName, pkg });
}

onmessage = async ({ data: msg }) => {
  try {
    switch (msg.type) {
      case 'init':
        await start(msg);
        break;
      case 'frame': {
        const pixels = new Uint8ClampedArray(msg.buffer);
        const { report, capture } = checker.track(pixels, msg.width, msg.height);
        postMessage({ type: 'tracked', report, capture, buffer: msg.buffer }, [msg.buffer]);
        break;
      }
      case 'capture': {
        const best = checker.bestFrame();
        if (!best) { postMessage({ type: 'captured', id: msg.id, frame: null }); break; }
        const { data, width, height, index, score } = best;
        const frame = { buffer: data.buffer, width, height, index, score };
        postMessage({ type: 'captured', id: msg.id, frame }, [data.buffer]);
        break;
      }
      case 'image': {
        const report = checker.checkImage(new Uint8Array(msg.bytes));
        postMessage({ type: 'image', id: msg.id, report });
        break;
      }
      case 'standardize': {
        const jpeg = checker.standardize(new Uint8ClampedArray(msg.buffer), msg.width, msg.height);
        postMessage({ type: 'standardized', id: msg.id, jpeg: jpeg.buffer }, [jpeg.buffer]);
        break;
      }
      case 'reset':
        checker?.reset();
        break;
      default:
        throw Object.assign(new Error(`unknown message ${msg.type}`), { code: 'internal' });
    }
  } catch (e) {
    postMessage({ ...errorMessage(e, msg.id), during: msg.type });
  }
};
