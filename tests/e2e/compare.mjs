// The agreement tests' shared parts: the sample set made from the sample portrait, the report comparison with
// its tolerance, and the CLI run over many files. Used by agreement.test.mjs (native vs wasm in Node) and
// engines.test.mjs (native vs wasm in Chromium, Firefox and WebKit).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'tests/e2e/artifacts/agreement');
const SAMPLE = join(ROOT, '.cache/sample/astronaut.png');
const SEEDS = join(ROOT, 'fuzz/corpus/check_image');
// Tolerance for numbers (reports are rounded to 3 decimals): |native − wasm| ≤ ABS + REL·max(|native|, |wasm|).
export const ABS = 1e-2;
export const REL = 1e-3;

// ---- the sample set ---------------------------------------------------------------------------------

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

function image(width, height, fill = [128, 128, 128]) {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = fill[0]; data[i + 1] = fill[1]; data[i + 2] = fill[2]; data[i + 3] = 255;
  }
  return { width, height, data };
}

/** Bilinear sample of channel c at (x, y); null outside. */
function at(img, x, y, c) {
  if (x < 0 || y < 0 || x > img.width - 1 || y > img.height - 1) return null;
  const x0 = Math.floor(x), y0 = Math.floor(y),
    x1 = Math.min(x0 + 1, img.width - 1), y1 = Math.min(y0 + 1, img.height - 1);
  const fx = x - x0, fy = y - y0, p = (xx, yy) => img.data[(yy * img.width + xx) * 4 + c];
  return (p(x0, y0) * (1 - fx) + p(x1, y0) * fx) * (1 - fy) + (p(x0, y1) * (1 - fx) + p(x1, y1) * fx) * fy;
}

function map(src, width, height, fn) {
  const out = image(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 4;
    for (let c = 0; c < 3; c++) {
      const v = fn(x, y, c, i);
      if (v != null) out.data[i + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return out;
}

function rotate(src, deg) {
  const a = (deg * Math.PI) / 180, cos = Math.cos(a), sin = Math.sin(a),
    cx = (src.width - 1) / 2, cy = (src.height - 1) / 2;
  return map(src, src.width, src.height, (x, y, c) =>
    at(src, cx + (x - cx) * cos + (y - cy) * sin, cy - (x - cx) * sin + (y - cy) * cos, c));
}

function boxBlur(src, r, passes = 3) {
  let img = src;
  for (let p = 0; p < passes; p++) {
    for (const horizontal of [true, false]) {
      const cur = img;
      img = map(cur, cur.width, cur.height, (x, y, c) => {
        let s = 0, n = 0;
        for (let k = -r; k <= r; k++) {
          const xx = horizontal ? Math.min(cur.width - 1, Math.max(0, x + k)) : x;
          const yy = horizontal ? y : Math.min(cur.height - 1, Math.max(0, y + k));
          s += cur.data[(yy * cur.width + xx) * 4 + c]; n++;
        }
        return s / n;
      });
    }
  }
  return img;
}

function crop(src, x0, y0, w, h) {
  return map(src, w, h, (x, y, c) => src.data[((y + y0) * src.width + x + x0) * 4 + c]);
}

/** `src` with the region (sx, sy, w, h) pasted at (dx, dy). */
function paste(src, sx, sy, w, h, dx, dy) {
  return map(src, src.width, src.height, (x, y, c, i) => {
    const u = x - dx, v = y - dy;
    return u >= 0 && v >= 0 && u < w && v < h ? src.data[((sy + v) * src.width + sx + u) * 4 + c] : src.data[i + c];
  });
}

const png = (img) =>
  PNG.sync.write(Object.assign(new PNG({ width: img.width, height: img.height }), { data: img.data }));

/** A PNG whose IHDR claims `w`×`h` (CRC fixed up), with no image data worth decoding. */
function hugeHeader(w, h) {
  const small = png(image(16, 16));
  const out = Buffer.from(small);
  out.writeUInt32BE(w, 16);
  out.writeUInt32BE(h, 20);
  // CRC-32 over "IHDR" + 13 data bytes
  let crc = ~0;
  for (const b of out.subarray(12, 29)) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  out.writeUInt32BE(~crc >>> 0, 29);
  return out;
}

/** A baseline JPEG with its SOF0 size patched to `w`×`h`. */
function hugeJpeg(jpeg, w, h) {
  const out = Buffer.from(jpeg);
  const at = out.indexOf(Buffer.from([0xff, 0xc0]));
  assert.ok(at > 0, 'a baseline JPEG has SOF0');
  out.writeUInt16BE(h, at + 5); // FFC0, length (2), precision (1), height (2), width (2)
  out.writeUInt16BE(w, at + 7);
  return out;
}

/** Writes the sample set; returns [name, path] pairs. */
export function makeSampleSet(dir = DIR) {
  mkdirSync(dir, { recursive: true });
  const bytes = readFileSync(SAMPLE);
  const s = PNG.sync.read(bytes);
  const random = rng(20240607);
  const files = {
    'sample.png': bytes,
    'rotated-plus15.png': png(rotate(s, 15)),
    'rotated-minus15.png': png(rotate(s, -15)),
    'left-half-dark.png': png(map(s, s.width, s.height, (x, y, c, i) => s.data[i + c] * (x < s.width / 2 ? 0.45 : 1))),
    'blurred.png': png(boxBlur(s, 3)),
    'second-face.png': png(paste(s, 150, 10, 160, 190, 340, 40)), // her head again, over the shuttle
    'head-cut-off.png': png(crop(s, 0, 80, s.width, s.height - 80)),
    'odd-size.png': png(crop(s, 60, 20, 391, 473)),
    'plain-grey.png': png(image(480, 640)),
    'noisy.png': png(map(s, s.width, s.height, (x, y, c, i) =>
      s.data[i + c] + (random() + random() + random() - 1.5) * 60)),
    'truncated.png': bytes.subarray(0, 2000),
    'not-an-image.png': Buffer.from('this is not a PNG file\n'),
    'huge-header.png': hugeHeader(60000, 60000),
    // JPEGs from the fuzz seeds (committed): a small face, EXIF orientation 6, CMYK, progressive
    ...Object.fromEntries(['face160', 'exif6', 'cmyk', 'progressive']
      .map((n) => [`seed-${n}.jpg`, readFileSync(join(SEEDS, `seed-${n}.jpg`))])),
    'huge-header.jpg': hugeJpeg(readFileSync(join(SEEDS, 'seed-q90.jpg')), 60000, 60000),
  };
  return Object.entries(files).map(([name, data]) => {
    const file = join(dir, name);
    writeFileSync(file, data);
    return [name, file];
  });
}

// ---- comparing reports ----------------------------------------------------------------------------

/** Drops timings (and the CLI's `file`). */
export function comparable(report) {
  const { timing_ms, file, ...rest } = report;
  return rest;
}

/**
 * Differences between two JSON values: [{ path, a, b, why }]. Numbers within tolerance are not listed
 * but their largest absolute and relative gaps are kept in `stats`.
 */
export function diff(a, b, path = '', stats = { maxAbs: 0, maxRel: 0, worst: null, numbers: 0 }, out = []) {
  if (typeof a === 'number' && typeof b === 'number') {
    stats.numbers++;
    const d = Math.abs(a - b), scale = Math.max(Math.abs(a), Math.abs(b));
    if (d > stats.maxAbs) { stats.maxAbs = d; stats.worst = { path, a, b }; }
    if (scale > 0) stats.maxRel = Math.max(stats.maxRel, d / scale);
    if (!(d <= ABS + REL * scale)) out.push({ path, a, b, why: `differs by ${d}` });
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push({ path, a: a.length, b: b.length, why: 'array lengths differ' });
    else a.forEach((x, i) => diff(x, b[i], `${path}[${i}]`, stats, out));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      if (!(k in a) || !(k in b)) out.push({ path: `${path}.${k}`, a: a[k], b: b[k], why: 'key missing on one side' });
      else diff(a[k], b[k], `${path}.${k}`, stats, out);
    }
  } else if (a !== b) {
    out.push({ path, a, b, why: 'values differ' });
  }
  return { out, stats };
}

// ---- the two implementations ----------------------------------------------------------------------

/** The CLI on all files in one run: { byFile: Map(path → report | {error}), status }. */
export function runCli(paths) {
  const cli = process.env.PHOTO_CHECK_CLI;
  const [cmd, args] = cli ? [cli, []] : ['cargo', ['run', '--quiet', '--']];
  const r = spawnSync(cmd, [...args, 'check', '--json', ...paths], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 45 * 60_000,
  });
  if (r.error) throw r.error;
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(lines.length, paths.length, `the CLI printed one line per file (stderr: ${r.stderr.slice(-2000)})`);
  return { lines, status: r.status };
}
