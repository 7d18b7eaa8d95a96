// The wasm module driven directly in whichever engine loads this page (Chromium, Firefox, WebKit), under the
// page's CSP: what tests/e2e/engines.test.mjs asserts and bench/engines.mjs times. Every function returns
// plain JSON (WebDriver, BiDi and CDP all carry it back).

const MODELS = {
  faceDetection: 'models/face_detection_short_range.nnef.tar',
  faceLandmark: 'models/face_landmark.nnef.tar',
  selfieSegmentation: 'models/selfie_segmentation.nnef.tar',
};
let glue = null; // the module's JS glue (a fresh copy per attempt at loading)
let wasm = null;
let checker = null;
const bytes = async (url) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
};
const errorOf = (e) => ({ error: { name: e?.name, code: e?.code, message: String(e?.message ?? e) } });
const memory = () => wasm.memory.buffer.byteLength;

/**
 * Fetches, compiles, creates and warms up (the networks' first run, as the page does); times each step. A trap
 * while creating (WebKit's JIT, see README "Browsers") is retried in a fresh instance, twice at most, as the
 * npm package does: `trapped` lists those traps, so the caller sees every one.
 */
async function load({ profile = 'chsi' } = {}) {
  const t0 = performance.now();
  const [wasmBytes, fd, fl, ss] = await Promise.all([
    bytes('pkg/photo_check_bg.wasm'), bytes(MODELS.faceDetection), bytes(MODELS.faceLandmark),
    bytes(MODELS.selfieSegmentation),
  ]);
  const models = { faceDetection: fd, faceLandmark: fl, selfieSegmentation: ss };
  const t1 = performance.now();
  const trapped = [];
  let t2, t3;
  for (;;) {
    // the glue holds its instance: a new instance needs a new copy of the glue
    glue = await import(trapped.length ? `./pkg/photo_check.js?attempt=${trapped.length}` : './pkg/photo_check.js');
    wasm = await glue.default({ module_or_path: wasmBytes });
    t2 = performance.now();
    try {
      checker = glue.PhotoChecker.create({ profile, models });
      t3 = performance.now();
      break;
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError) || trapped.length === 2) throw e;
      trapped.push(`${e}\n${e.stack}`);
    }
  }
  checker.warmUp();
  const t4 = performance.now();
  return {
    fetchMs: t1 - t0, compileMs: t2 - t1, createMs: t3 - t2, warmUpMs: t4 - t3, memory: memory(),
    userAgent: navigator.userAgent, trapped,
  };
}

let copies = 0;
/**
 * `n` loads, each in a fresh instance (a new copy of the glue) and each checker freed: per load its
 * `create()` ms, or the error text and stack (bench/load-stress.mjs counts WebKit's traps while loading).
 */
async function loads(n) {
  const [wasmBytes, fd, fl, ss] = await Promise.all([
    bytes('pkg/photo_check_bg.wasm'), bytes(MODELS.faceDetection), bytes(MODELS.faceLandmark),
    bytes(MODELS.selfieSegmentation),
  ]);
  const out = [];
  for (let i = 0; i < n; i++) {
    const copy = await import(`./pkg/photo_check.js?copy=${++copies}`);
    await copy.default({ module_or_path: wasmBytes });
    const t = performance.now();
    try {
      const c = copy.PhotoChecker.create({ models: { faceDetection: fd, faceLandmark: fl, selfieSegmentation: ss } });
      out.push(performance.now() - t);
      c.free();
    } catch (e) {
      out.push(`${e}\n${e.stack}`);
    }
  }
  return out;
}

/** The report for an image file from this origin, or {error}. */
async function checkImage(url) {
  try {
    return checker.checkImage(await bytes(url));
  } catch (e) {
    return errorOf(e);
  }
}

let sample = null;
async function sampleBitmap() {
  sample ??= await createImageBitmap(new Blob([await bytes('sample.png')], { type: 'image/png' }));
  return sample;
}

/**
 * `n` live frames of `width`×`height` through checkFrame, each jittered (a 1–3 px shift and a brightness step)
 * so nothing is free: `face` draws the sample portrait to cover the frame, `none` a textured wall without a
 * face. Returns per-frame ms (pixels read from the canvas included), reasons seen, memory before and after.
 */
async function frames({ kind = 'face', n = 30, width = 640, height = 480, reset = true } = {}) {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const img = kind === 'face' ? await sampleBitmap() : null;
  if (reset) checker.reset();
  const ms = [], reasons = {}, memoryBefore = memory();
  for (let i = 0; i < n; i++) {
    const dx = (i % 3) - 1, dy = ((i >> 1) % 3) - 1;
    if (img) {
      const s = Math.max(width / img.width, height / img.height);
      ctx.drawImage(img, (width - img.width * s) / 2 + dx, (height - img.height * s) / 2 + dy,
        img.width * s, img.height * s);
    } else {
      const g = ctx.createLinearGradient(dx, 0, width, height + dy);
      g.addColorStop(0, '#8fa3b8');
      g.addColorStop(1, '#d9d2c3');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = 'rgba(60,50,40,0.5)';
      for (let k = 0; k < 12; k++) ctx.fillRect(((k * 97 + i * 7) % width), (k * 53) % height, 40, 60);
    }
    ctx.fillStyle = `rgba(255,255,255,${(i % 4) * 0.02})`;
    ctx.fillRect(0, 0, width, height);
    const t = performance.now();
    const pixels = ctx.getImageData(0, 0, width, height);
    const report = checker.checkFrame(pixels.data, width, height);
    ms.push(performance.now() - t);
    const r = report.checks.face_count.reason;
    reasons[r] = (reasons[r] ?? 0) + 1;
  }
  return { ms, reasons, memoryBefore, memoryAfter: memory() };
}

/** Bad input on each entry point: each must throw a PhotoCheckError with a code, and the checker stays usable. */
async function badInputs() {
  const out = {};
  const attempt = (name, fn) => {
    try {
      fn();
      out[name] = { error: null };
    } catch (e) {
      out[name] = errorOf(e).error;
    }
  };
  attempt('short buffer', () => checker.checkFrame(new Uint8Array(10), 640, 480));
  attempt('zero width', () => checker.checkFrame(new Uint8Array(0), 0, 480));
  attempt('NaN height', () => checker.checkFrame(new Uint8Array(16), 2, NaN));
  attempt('huge frame', () => checker.checkFrame(new Uint8Array(4), 100000, 100000));
  attempt('corrupt JPEG', () => checker.checkImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])));
  const junk = new Uint8Array(100);
  attempt('corrupt model', () => glue.PhotoChecker.create({
    models: { faceDetection: junk, faceLandmark: junk, selfieSegmentation: junk },
  }));
  const after = await frames({ kind: 'face', n: 1 });
  out.stillUsable = after.reasons;
  return out;
}

window.probe = { load, loads, checkImage, frames, badInputs, memory };
document.getElementById('status').textContent = '就绪 ready';
