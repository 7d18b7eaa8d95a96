// Deterministic camera-like frames made from the sample portrait (512×512): the portrait placed in a
// W×H frame with per-frame jitter, so that no two frames are equal and tracking/caching are not free.
//   - motion: a seeded random walk of the portrait's position (±2 px per frame, bounded to ±24 px), plus
//     a slow ±1.5 % zoom wobble;
//   - brightness: a per-frame gain of 1 ± 8 %, and mild per-pixel sensor noise (±3 levels);
//   - variants, in blocks of 40 frames: frames 20–29 of each block are rotated by ±4° (sign alternating per
//     block), frames 30–39 are darker (gain × 0.6); frames 0–19 are upright at normal exposure.
// Framing: see layout(); around the portrait, a plain grey-to-darker vertical gradient.
// Written as PNG files (the browser decodes them once before timing; the native CLI reads them).
import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** Bumped whenever the frame recipe changes, so cached frames are regenerated. */
const RECIPE = 3;

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The per-frame parameters of the sequence (a pure function of size, count and seed). */
export function frameParams(width, height, count, seed) {
  const r = rng(seed * 7919 + width * 31 + height);
  const out = [];
  let dx = 0, dy = 0;
  for (let i = 0; i < count; i++) {
    dx = Math.max(-24, Math.min(24, dx + (r() * 4 - 2)));
    dy = Math.max(-24, Math.min(24, dy + (r() * 4 - 2)));
    const block = Math.floor(i / 40), pos = i % 40;
    const variant = pos >= 30 ? 'dark' : pos >= 20 ? 'rotated' : 'upright';
    const angle = variant === 'rotated' ? (block % 2 ? -4 : 4) : 0;
    const gain = (1 + (r() * 0.16 - 0.08)) * (variant === 'dark' ? 0.6 : 1);
    const zoom = 1 + 0.015 * Math.sin(i * 0.37);
    out.push({
      i, dx: +dx.toFixed(2), dy: +dy.toFixed(2), angle, gain: +gain.toFixed(4), zoom: +zoom.toFixed(4), variant,
      noiseSeed: Math.floor(r() * 2 ** 31),
    });
  }
  return out;
}

/**
 * Where the portrait goes: it is 90 % of the frame's width (so the face is the same share of the width at
 * 4:3 and 16:9, ~16 %, about 21 px in BlazeFace's letterboxed 128×128 input) with its top 2 % below the
 * frame's top: head and shoulders in view, the lower body cut off, as when framing an ID photo. (The whole
 * portrait at 90 % of the height would make the face ~12 px wide in the detector's input at 1280×720, too
 * small for the short-range detector: no peer finds it.)
 */
export function layout(width, height, sh) {
  const ph = 0.9 * width;
  return { ph, top: ph <= height ? (height - ph) / 2 : 0.02 * height };
}

/** Renders one frame as RGBA (bilinear sampling of the portrait, rotated/zoomed/moved, gain and noise). */
export function renderFrame(sample, width, height, p) {
  const { width: sw, height: sh, data: src } = sample;
  const out = new Uint8ClampedArray(width * height * 4);
  const { ph, top } = layout(width, height, sh);
  const scale = (ph / sh) * p.zoom; // frame pixels per portrait pixel
  const th = (p.angle * Math.PI) / 180, c = Math.cos(th), s = Math.sin(th);
  const cx = width / 2 + p.dx, cy = top + ph / 2 + p.dy;
  let n = p.noiseSeed >>> 0 || 1; // xorshift32 for the noise (fast)
  for (let y = 0; y < height; y++) {
    const bg = 150 - (40 * y) / height;
    for (let x = 0; x < width; x++) {
      // inverse mapping: frame pixel centre → portrait coordinates
      const fx = x + 0.5 - cx, fy = y + 0.5 - cy;
      const u = (c * fx + s * fy) / scale + sw / 2 - 0.5;
      const v = (-s * fx + c * fy) / scale + sh / 2 - 0.5;
      const o = (y * width + x) * 4;
      let R = bg, G = bg, B = bg + 6;
      if (u > -0.5 && v > -0.5 && u < sw - 0.5 && v < sh - 0.5) {
        const x0 = Math.max(0, Math.min(sw - 1, Math.floor(u))), y0 = Math.max(0, Math.min(sh - 1, Math.floor(v)));
        const x1 = Math.min(sw - 1, x0 + 1), y1 = Math.min(sh - 1, y0 + 1);
        const ax = Math.max(0, Math.min(1, u - x0)), ay = Math.max(0, Math.min(1, v - y0));
        const i00 = (y0 * sw + x0) * 4, i10 = (y0 * sw + x1) * 4, i01 = (y1 * sw + x0) * 4, i11 = (y1 * sw + x1) * 4;
        const w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay;
        R = src[i00] * w00 + src[i10] * w10 + src[i01] * w01 + src[i11] * w11;
        G = src[i00 + 1] * w00 + src[i10 + 1] * w10 + src[i01 + 1] * w01 + src[i11 + 1] * w11;
        B = src[i00 + 2] * w00 + src[i10 + 2] * w10 + src[i01 + 2] * w01 + src[i11 + 2] * w11;
      }
      n ^= n << 13; n >>>= 0; n ^= n >>> 17; n ^= n << 5; n >>>= 0;
      const noise = (n & 7) - 3.5;
      out[o] = R * p.gain + noise;
      out[o + 1] = G * p.gain + noise;
      out[o + 2] = B * p.gain + noise;
      out[o + 3] = 255;
    }
  }
  return out;
}

/**
 * Writes `count` frames of `width`×`height` to `dir` (f000.png …) unless a manifest with the same recipe,
 * seed and sample is already there. Returns { dir, files, params }.
 */
export function ensureFrames({ samplePath, dir, width, height, count, seed, log = () => {} }) {
  const sampleBytes = readFileSync(samplePath);
  const key = { recipe: RECIPE, width, height, count, seed, sampleBytes: sampleBytes.length };
  const manifestPath = join(dir, 'manifest.json');
  const params = frameParams(width, height, count, seed);
  const files = params.map((p) => join(dir, `f${String(p.i).padStart(3, '0')}.png`));
  if (existsSync(manifestPath)) {
    try {
      const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
      if (JSON.stringify(m.key) === JSON.stringify(key) && files.every(existsSync)) return { dir, files, params };
    } catch { /* regenerate */ }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sample = PNG.sync.read(sampleBytes);
  const t0 = Date.now();
  for (const [k, p] of params.entries()) {
    const png = new PNG({ width, height });
    png.data = Buffer.from(renderFrame(sample, width, height, p).buffer);
    writeFileSync(files[k], PNG.sync.write(png, { deflateLevel: 1, filterType: 0 }));
  }
  writeFileSync(manifestPath, JSON.stringify({ key, params }, null, 1));
  log(`frames: wrote ${count} × ${width}×${height} to ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { dir, files, params };
}

export function listFrames(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
}
