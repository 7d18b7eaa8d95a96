// The wasm soak, in the page: camera-like frames made deterministically from the sample portrait and fed
// to one PhotoChecker.track, in the same 10-frame cycle as the native soak (examples/soak.rs):
//   6 faces (the sample in a 640×480 frame, shifted ±24 px, brightness ×0.75–1.25),
//   1 no face (alternately: RGB noise of 320–384 × 240–304 px as in the native soak, and the sample's
//     background — the shuttle model — scaled to 640×480),
//   1 two faces (the sample's head and shoulders twice side by side, 640×480),
//   2 bad buffers (wrong lengths, zero/degenerate/huge/NaN/negative/fractional sizes, not a byte array):
//     each must throw a PhotoCheckError with a `code`, never trap the instance.
// bench/soak/run.mjs drives it (scripts/soak-web.sh): window.soak.run(n) checks the next n frames and
// returns the counters and memory figures; the page is served from the repo root (same origin).
const params = new URLSearchParams(location.search);
// The package directory (same-origin path only), e.g. ?pkg=/www/pkg-nosimd/ for the non-SIMD build.
const PKG = /^\/[\w./-]+\/$/.test(params.get('pkg') || '') ? params.get('pkg') : '/www/pkg/';
const status = (t) => { document.getElementById('status').textContent = t; };

/** xorshift32: the same frames on every run. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { next, range: (lo, hi) => lo + (next() % (hi - lo + 1)) };
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function canvas(w, h) {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c.getContext('2d', { willReadFrequently: true });
}

async function setup() {
  const { default: init, PhotoChecker } = await import(`${PKG}photo_check.js`);
  const exports = await init({ module_or_path: `${PKG}photo_check_bg.wasm` });
  const [faceDetection, faceLandmark, selfieSegmentation, sampleBytes] = await Promise.all([
    fetchBytes('/models/face_detection_short_range.nnef.tar'),
    fetchBytes('/models/face_landmark.nnef.tar'),
    fetchBytes('/models/selfie_segmentation.nnef.tar'),
    fetchBytes('/.cache/sample/astronaut.png'),
  ]);
  const t0 = performance.now();
  const checker = PhotoChecker.create({ profile: 'chsi', models: { faceDetection, faceLandmark, selfieSegmentation } });
  const createMs = performance.now() - t0;
  const sample = await createImageBitmap(new Blob([sampleBytes], { type: 'image/png' }));

  const face = canvas(640, 480);
  const faceFrame = (dx, dy, gain) => {
    face.filter = 'none';
    face.fillStyle = '#7f7f7f';
    face.fillRect(0, 0, 640, 480);
    face.filter = `brightness(${gain})`;
    face.drawImage(sample, 80 + dx, dy, 480, 480);
    return face.getImageData(0, 0, 640, 480);
  };
  const bg = canvas(640, 480);
  bg.drawImage(sample, 330, 0, 182, 300, 0, 0, 640, 480); // the shuttle model and the backdrop, no face
  const background = bg.getImageData(0, 0, 640, 480);
  // Two heads big enough for the short-range detector: the sample whole side by side is not (at 960×480
  // or 1024×512 its faces are ~12 px wide in the 128×128 detector input and nothing is found).
  const two = canvas(640, 480);
  two.drawImage(sample, 70, 0, 342, 512, 0, 0, 320, 480);
  two.drawImage(sample, 70, 0, 342, 512, 320, 0, 320, 480);
  const twoFaces = two.getImageData(0, 0, 640, 480);
  return { exports, checker, createMs, faceFrame, background, twoFaces, PhotoChecker };
}

const ready = setup();
ready.then(() => status('ready'), (e) => status(`setup failed: ${e.message}`));

const R = rng(0x9e3779b9);
const counts = {}; // "kind outcome" → count (the verdict, or the error code; and face_count's reason)
const problems = []; // bad buffers accepted, errors without a code, traps
let frame = 0, pipelineFrames = 0, pipelineMs = 0, trapped = null;

/** One bad buffer: [description, data, width, height]. */
function badBuffer() {
  const n = 640 * 480 * 4;
  switch (R.next() % 12) {
    case 0: return ['rgb as rgba', new Uint8ClampedArray(640 * 480 * 3), 640, 480];
    case 1: return ['empty 0×0', new Uint8ClampedArray(0), 0, 0];
    case 2: return ['1×480', new Uint8ClampedArray(4 * 480), 1, 480];
    case 3: return ['4 bytes too many', new Uint8ClampedArray(n + 4), 640, 480];
    case 4: return ['60000×60000 claimed, 64 bytes', new Uint8ClampedArray(64), 60000, 60000];
    case 5: return ['1 byte short', new Uint8Array(n - 1), 640, 480];
    case 6: return ['NaN width', new Uint8ClampedArray(n), NaN, 480];
    case 7: return ['huge height 1e12', new Uint8ClampedArray(n), 640, 1e12];
    case 8: return ['negative width', new Uint8ClampedArray(n), -640, 480];
    case 9: return ['fractional width', new Uint8ClampedArray(n), 640.5, 480];
    case 10: return ['zero width', new Uint8ClampedArray(0), 0, 480];
    default: return ['plain array', Array.from({ length: 16 }, () => 0), 2, 2];
  }
}

function count(key) { counts[key] = (counts[key] || 0) + 1; }

/** Checks the next `n` frames; returns the counters and memory after a GC. */
async function run(n) {
  const { exports, checker, faceFrame, background, twoFaces } = await ready;
  const start = performance.now();
  for (let k = 0; k < n && !trapped; k++) {
    frame += 1;
    let kind, input, bad = null;
    switch (frame % 10) {
      case 0: case 1: case 2: case 4: case 5: case 7:
        kind = 'face';
        input = [faceFrame(R.range(-24, 24), R.range(-24, 24), 0.75 + R.range(0, 50) / 100), 640, 480];
        break;
      case 3:
        kind = 'no_face';
        if ((frame / 10) % 2 < 1) {
          const w = 320 + R.range(0, 64), h = 240 + R.range(0, 64);
          const data = new Uint8ClampedArray(w * h * 4);
          for (let i = 0; i < data.length; i += 4) {
            const v = R.next();
            data[i] = v; data[i + 1] = v >>> 8; data[i + 2] = v >>> 16; data[i + 3] = 255;
          }
          input = [data, w, h];
        } else {
          input = [background, 640, 480];
        }
        break;
      case 6:
        kind = 'two_faces';
        input = [twoFaces, 640, 480];
        break;
      default:
        kind = 'bad_buffer';
        [bad, ...input] = badBuffer();
    }
    const t = performance.now();
    try {
      const { report } = checker.track(...input);
      if (bad) problems.push(`frame ${frame}: bad buffer (${bad}) accepted`);
      count(`${kind} ${report.verdict}`);
      count(`${kind} face_count:${report.checks.face_count?.reason}`);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        trapped = `frame ${frame} (${kind}${bad ? `: ${bad}` : ''}): trap: ${e.message}`;
        problems.push(trapped);
        count(`${kind} trap`);
      } else if (e?.name === 'PhotoCheckError' && typeof e.code === 'string' && e.code) {
        if (!bad) problems.push(`frame ${frame}: ${kind} frame refused: ${e.code}: ${e.message}`);
        count(`${kind} error:${e.code}`);
      } else {
        problems.push(`frame ${frame} (${kind}${bad ? `: ${bad}` : ''}): ` +
          `not a PhotoCheckError with a code: ${e?.name}: ${e?.message}`);
        count(`${kind} uncoded`);
      }
    }
    if (!bad) {
      pipelineMs += performance.now() - t;
      pipelineFrames += 1;
    }
    if (frame % 50 === 0) status(`frame ${frame}`);
  }
  const elapsedMs = performance.now() - start;
  // A full GC before sampling (Chromium with --js-flags=--expose-gc); precise figures need
  // --enable-precise-memory-info, otherwise Chromium rounds usedJSHeapSize.
  if (typeof window.gc === 'function') { window.gc(); window.gc(); }
  return {
    frame,
    elapsedMs,
    pipelineFrames,
    pipelineMs,
    wasmBytes: exports.memory.buffer.byteLength,
    jsHeapBytes: performance.memory?.usedJSHeapSize ?? null,
    gc: typeof window.gc === 'function',
    counts: { ...counts },
    problems: problems.slice(),
    trapped,
  };
}

async function info() {
  const { exports, createMs } = await ready;
  return {
    pkg: PKG,
    createMs,
    wasmBytes: exports.memory.buffer.byteLength,
    jsHeapBytes: performance.memory?.usedJSHeapSize ?? null,
    userAgent: navigator.userAgent,
  };
}

window.soak = { ready: ready.then(() => true), run, info };
