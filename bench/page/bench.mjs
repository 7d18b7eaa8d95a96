// The in-browser half of the benchmark: loads the frames, then runs one peer over them and returns raw
// per-frame timings (performance.now(), ms). bench/bench.mjs (Node) opens a fresh page for every run and
// computes the statistics. Nothing here caches anything by frame content.

// models/<stem>.nnef.tar for photo-check (what its page loads), models/<stem>.onnx for onnxruntime-web
const MODEL_STEMS = {
  faceDetection: 'face_detection_short_range', faceLandmark: 'face_landmark', selfieSegmentation: 'selfie_segmentation',
};
const ORT_DIST = '/bench/node_modules/onnxruntime-web/dist/';
const MEDIAPIPE_DIR = '/bench/node_modules/@mediapipe/face_mesh/';

const now = () => performance.now();

/** The decoded frames of this page: [{ data: Uint8ClampedArray (RGBA), width, height }]. */
let frames = [];

/** Fetches and decodes the PNG frames (untimed). Returns their count and size. */
export async function loadFrames(urls) {
  frames = [];
  for (const url of urls) {
    const blob = await (await fetch(url)).blob();
    const bmp = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const canvas = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(bmp, 0, 0);
    bmp.close();
    frames.push(ctx.getImageData(0, 0, canvas.width, canvas.height));
  }
  return { count: frames.length, width: frames[0]?.width, height: frames[0]?.height };
}

async function modelBytes(ext = '.nnef.tar') {
  const out = {};
  for (const [k, stem] of Object.entries(MODEL_STEMS)) {
    out[k] = new Uint8Array(await (await fetch(`/models/${stem}${ext}`)).arrayBuffer());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// photo-check (wasm-bindgen --target web)

let instances = 0;
/** A new instance of a pkg's module (its own wasm memory): { mod, wasm (exports incl. memory), initMs }. */
async function photoCheckModule(pkg) {
  const t0 = now();
  // a distinct URL gives a distinct ES module instance, hence a fresh wasm instance and memory
  const mod = await import(`/www/${pkg}/photo_check.js?instance=${++instances}`);
  const wasm = await mod.default({ module_or_path: `/www/${pkg}/photo_check_bg.wasm` });
  return { mod, wasm, initMs: now() - t0 };
}

function pcCreate(mod, models) {
  return mod.PhotoChecker.create({ models, profile: 'chsi' });
}

/**
 * Runs one PhotoChecker over the frames.
 *   mode 'steady': checkFrame on every frame in order (tracking kept between frames);
 *   mode 'cold':   reset() before every frame (no tracking state; reset itself is not timed).
 * Also returns the start-up costs of this fresh instance: module fetch+compile+instantiate, create(),
 * and the very first checkFrame.
 */
export async function runPhotoCheck({ pkg, mode, warmup }) {
  const { mod, wasm, initMs } = await photoCheckModule(pkg);
  const models = await modelBytes();
  let t = now();
  const checker = pcCreate(mod, models);
  const createMs = now() - t;
  const memAfterCreate = wasm.memory.buffer.byteLength;
  const rows = [];
  let firstFrameMs = null, firstBox = null;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (mode === 'cold') checker.reset();
    t = now();
    const r = checker.checkFrame(f.data, f.width, f.height);
    const js = now() - t;
    if (i === 0) { firstFrameMs = js; firstBox = r.face?.box ?? null; }
    if (i >= warmup) {
      const tm = r.timing_ms;
      rows.push({
        total: js, wasmTotal: tm.total, decode: tm.decode, detect: tm.detect, landmarks: tm.landmarks,
        segment: tm.segment, checks: tm.checks, face: r.face ? 1 : 0,
      });
    }
  }
  const memEnd = wasm.memory.buffer.byteLength;
  checker.free();
  return {
    rows, startup: { initMs, createMs, firstFrameMs }, memory: { afterCreate: memAfterCreate, end: memEnd }, firstBox,
  };
}

/**
 * Peak wasm memory: one PhotoChecker fed `total` steady frames (the sequence repeated); memory.buffer
 * .byteLength sampled before the first frame, after the warm-up, every `every` frames and at the end.
 * Also the median checkFrame time of the first and the last `every` frames (drift).
 */
export async function runMemory({ pkg, total, every, warmup }) {
  const { mod, wasm } = await photoCheckModule(pkg);
  const models = await modelBytes();
  const mem = () => wasm.memory.buffer.byteLength;
  const samples = [{ frame: 0, bytes: mem(), what: 'start (module + create)' }];
  const checker = pcCreate(mod, models);
  samples.push({ frame: 0, bytes: mem(), what: 'after create' });
  const times = [];
  for (let i = 0; i < total; i++) {
    const f = frames[i % frames.length];
    const t = now();
    checker.checkFrame(f.data, f.width, f.height);
    times.push(now() - t);
    const n = i + 1;
    if (n === warmup) samples.push({ frame: n, bytes: mem(), what: 'after warm-up' });
    if (n % every === 0) samples.push({ frame: n, bytes: mem(), what: n === total ? 'end' : '' });
  }
  checker.free();
  return { samples, firstTimes: times.slice(0, every), lastTimes: times.slice(-every) };
}

/**
 * Where tract spends the time: `PhotoChecker.profileNetworks(runs)` on a fresh instance — each network
 * run `runs` times on a constant input, timed by tract op type.
 */
export async function runProfile({ pkg, runs }) {
  const { mod } = await photoCheckModule(pkg);
  const checker = pcCreate(mod, await modelBytes());
  const networks = checker.profileNetworks(runs);
  checker.free();
  return { networks };
}

// ---------------------------------------------------------------------------------------------------
// onnxruntime-web: the same three ONNX models, wasm execution provider, one thread, JS pre/post-processing

/**
 * Bilinear resampling of an RGBA frame into an NHWC float RGB buffer in [lo, hi]. Output pixel (ox, oy)
 * samples the source at (x0 + (ox + 0.5) * sx, y0 + (oy + 0.5) * sy) in pixel-edge coordinates; samples
 * outside the frame get the padding value `lo` (black).
 */
function resample(src, sw, sh, out, ow, oh, x0, y0, sx, sy, lo, hi) {
  const k = (hi - lo) / 255;
  let o = 0;
  for (let oy = 0; oy < oh; oy++) {
    const fy = y0 + (oy + 0.5) * sy - 0.5;
    const inY = fy > -1 && fy < sh;
    const yi = Math.floor(fy), ay = fy - yi;
    const ya = Math.max(0, yi), yb = Math.min(sh - 1, yi + 1);
    for (let ox = 0; ox < ow; ox++, o += 3) {
      const fx = x0 + (ox + 0.5) * sx - 0.5;
      if (!inY || fx <= -1 || fx >= sw) { out[o] = lo; out[o + 1] = lo; out[o + 2] = lo; continue; }
      const xi = Math.floor(fx), ax = fx - xi;
      const xa = Math.max(0, xi), xb = Math.min(sw - 1, xi + 1);
      const i00 = (ya * sw + xa) * 4, i10 = (ya * sw + xb) * 4, i01 = (yb * sw + xa) * 4, i11 = (yb * sw + xb) * 4;
      const w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay;
      for (let c = 0; c < 3; c++) {
        out[o + c] = lo + k * (src[i00 + c] * w00 + src[i10 + c] * w10 + src[i01 + c] * w01 + src[i11 + c] * w11);
      }
    }
  }
}

/** BlazeFace short-range anchors: strides 8, 16, 16, 16; 2 + 6 anchors per cell = 896 (centres only). */
function blazeFaceAnchors() {
  const a = [];
  for (const [stride, perCell] of [[8, 2], [16, 6]]) {
    const g = 128 / stride;
    for (let y = 0; y < g; y++) {
      for (let x = 0; x < g; x++) {
        for (let k = 0; k < perCell; k++) a.push([(x + 0.5) / g, (y + 0.5) / g]);
      }
    }
  }
  return a;
}

const sigmoid = (x) => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, x))));

/** Square ROI {cx, cy, size} around a box, ×1.5 (MediaPipe's face-mesh crop, without the rotation). */
const roiAround = (cx, cy, w, h) => ({ cx, cy, size: Math.max(w, h) * 1.5 });

export async function runOrt({ warmup, schedule }) {
  const { detectEvery, segmentEvery } = schedule;
  let t = now();
  const ort = await import(`${ORT_DIST}ort.wasm.min.mjs`);
  ort.env.wasm.wasmPaths = ORT_DIST;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const m = await modelBytes('.onnx');
  const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  const initMs = now() - t; // the JS module only: ort loads its .wasm with the first session
  t = now();
  const det = await ort.InferenceSession.create(m.faceDetection, opts);
  const lm = await ort.InferenceSession.create(m.faceLandmark, opts);
  const seg = await ort.InferenceSession.create(m.selfieSegmentation, opts);
  const createMs = now() - t;

  const anchors = blazeFaceAnchors();
  const detIn = new Float32Array(128 * 128 * 3), lmIn = new Float32Array(192 * 192 * 3),
    segIn = new Float32Array(256 * 256 * 3);
  let tracked = null; // the previous frame's landmark ROI
  let firstBox = null, firstMaskMean = null;
  const rows = [];
  let firstFrameMs = null;
  for (let i = 0; i < frames.length; i++) {
    const { data, width: w, height: h } = frames[i];
    const st = { convert: 0, detect: 0, landmarks: 0, segment: 0 };
    let face = 0;
    const t0 = now();
    let roi = tracked;
    if (!tracked || i % detectEvery === 0) {
      // letterbox into 128×128, [-1, 1]
      t = now();
      const s = Math.max(w, h) / 128, padX = (128 - w / s) / 2, padY = (128 - h / s) / 2;
      resample(data, w, h, detIn, 128, 128, -padX * s, -padY * s, s, s, -1, 1);
      st.convert += now() - t;
      t = now();
      const out = await det.run({ [det.inputNames[0]]: new ort.Tensor('float32', detIn, [1, 128, 128, 3]) });
      const regs = out.regressors?.data ?? out[det.outputNames[0]].data;
      const logits = out.classificators?.data ?? out[det.outputNames[1]].data;
      let best = -1, bestScore = 0.5;
      for (let a = 0; a < 896; a++) {
        const sc = sigmoid(logits[a]);
        if (sc >= bestScore) { bestScore = sc; best = a; }
      }
      if (best >= 0) {
        const r = regs.subarray(best * 16, best * 16 + 4);
        const cx = (r[0] / 128 + anchors[best][0]) * 128, cy = (r[1] / 128 + anchors[best][1]) * 128;
        const fromDet = roiAround((cx - padX) * s, (cy - padY) * s, r[2] * s, r[3] * s);
        if (i === 0) {
          firstBox = [(cx - padX - r[2] / 2) * s, (cy - padY - r[3] / 2) * s, r[2] * s, r[3] * s]
            .map((v) => Math.round(v * 10) / 10);
        }
        // keep the tracked ROI while it still matches the detection (as photo-check does)
        roi = tracked && Math.hypot(tracked.cx - fromDet.cx, tracked.cy - fromDet.cy) < 0.25 * fromDet.size
          ? tracked : fromDet;
      } else {
        roi = null;
      }
      st.detect += now() - t;
    }
    tracked = null;
    if (roi) {
      t = now();
      const sc = roi.size / 192;
      resample(data, w, h, lmIn, 192, 192, roi.cx - roi.size / 2, roi.cy - roi.size / 2, sc, sc, 0, 1);
      st.convert += now() - t;
      t = now();
      const out = await lm.run({ [lm.inputNames[0]]: new ort.Tensor('float32', lmIn, [1, 192, 192, 3]) });
      const outs = lm.outputNames.map((n) => out[n].data);
      const pts = outs.find((d) => d.length === 1404), presenceLogit = outs.find((d) => d.length === 1)[0];
      if (sigmoid(presenceLogit) >= 0.5) {
        face = 1;
        let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        for (let p = 0; p < 468; p++) {
          const x = roi.cx - roi.size / 2 + pts[p * 3] * sc, y = roi.cy - roi.size / 2 + pts[p * 3 + 1] * sc;
          if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
        }
        tracked = roiAround((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0);
      }
      st.landmarks += now() - t;
    }
    if (i % segmentEvery === 0) {
      t = now();
      resample(data, w, h, segIn, 256, 256, 0, 0, w / 256, h / 256, 0, 1);
      st.convert += now() - t;
      t = now();
      const out = await seg.run({ [seg.inputNames[0]]: new ort.Tensor('float32', segIn, [1, 256, 256, 3]) });
      const mask = out[seg.outputNames[0]].data;
      let sum = 0;
      for (let p = 0; p < mask.length; p++) sum += mask[p];
      st.segment += now() - t;
      if (i === 0) firstMaskMean = sum / mask.length;
    }
    const total = now() - t0;
    if (i === 0) firstFrameMs = total;
    if (i >= warmup) rows.push({ total, ...st, face });
  }
  await Promise.all([det.release(), lm.release(), seg.release()]);
  return { rows, startup: { initMs, createMs, firstFrameMs }, firstBox, firstMaskMean };
}

// ---------------------------------------------------------------------------------------------------
// MediaPipe's own web face mesh (npm @mediapipe/face_mesh: its wasm, graph and models)

function loadScript(src) {
  return new Promise((ok, fail) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = ok;
    s.onerror = () => fail(new Error(`cannot load ${src}`));
    document.head.appendChild(s);
  });
}

function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([p, new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  })])
    .finally(() => clearTimeout(timer));
}

/**
 * send({image: canvas}) per frame, timed from send() to onResults (putImageData into the canvas is not
 * timed). `cpuInference` sets MediaPipe's graph option useCpuInference (its own switch between the
 * TFLite CPU/XNNPACK path and WebGL inference); the input still goes through WebGL either way.
 * Stops early once `budgetMs` of measured time is used (the row then says how many frames it got).
 */
export async function runMediaPipe({ warmup, cpuInference, budgetMs = 120_000 }) {
  const info = {};
  const probe = document.createElement('canvas');
  const gl = probe.getContext('webgl2') || probe.getContext('webgl');
  info.webgl = gl
    ? (gl.getParameter(gl.getExtension('WEBGL_debug_renderer_info')?.UNMASKED_RENDERER_WEBGL ?? gl.RENDERER) || 'yes')
    : null;
  if (!gl) {
    return {
      rows: [], error: 'no WebGL context in this headless Chromium (MediaPipe feeds frames through WebGL)', info,
    };
  }
  await loadScript(`${MEDIAPIPE_DIR}face_mesh.js`);
  const fm = new window.FaceMesh({ locateFile: (f) => MEDIAPIPE_DIR + f });
  const options = { maxNumFaces: 1, refineLandmarks: false };
  if (cpuInference !== undefined) options.useCpuInference = cpuInference;
  fm.setOptions(options);
  let resolveResults = null;
  fm.onResults((r) => resolveResults?.(r));
  let t = now();
  await withTimeout(fm.initialize(), 120_000, 'FaceMesh.initialize');
  const initMs = now() - t;
  const { width, height } = frames[0];
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  const rows = [];
  let used = 0, firstFrameMs = null;
  for (let i = 0; i < frames.length && used < budgetMs; i++) {
    ctx.putImageData(frames[i], 0, 0);
    const results = new Promise((ok) => { resolveResults = ok; });
    t = now();
    await withTimeout(fm.send({ image: canvas }), 60_000, 'FaceMesh.send');
    const r = await withTimeout(results, 60_000, 'FaceMesh.onResults');
    const total = now() - t;
    if (i === 0) firstFrameMs = total;
    if (i >= warmup) { rows.push({ total, face: r.multiFaceLandmarks?.length ? 1 : 0 }); used += total; }
  }
  await fm.close();
  return { rows, startup: { initMs, firstFrameMs }, info, stoppedEarly: rows.length < frames.length - warmup };
}
