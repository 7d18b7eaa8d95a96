// Shared by the E2E test files: the page server (scripts/serve.mjs, strict CSP), system Chromium via
// playwright-core with a fake camera playing a video made from the sample portrait, and page helpers.
// Each test file calls useHarness() once at top level; it registers before/after hooks.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { startServer } from '../../scripts/serve.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ART = join(ROOT, 'tests/e2e/artifacts');
export const SAMPLE = join(ROOT, '.cache/sample/astronaut.png');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// The CLI that `cargo run` (scripts/test-web.sh) built; its `serve` subcommand is the real upload receiver.
export const PHOTO_CHECK_BIN = process.env.PHOTO_CHECK_BIN
  || join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'debug/photo-check');
export const RECEIVER_TOKEN = `e2e-${process.pid}-${Math.random().toString(36).slice(2)}`;

/**
 * Starts `photo-check serve --port 0` on a fresh data folder with `profile` and waits for its first line
 * ("… listening on http://127.0.0.1:PORT …"). Resolves to {url, data, stop()}.
 */
async function startReceiver(profile, log) {
  assert.ok(existsSync(PHOTO_CHECK_BIN), `${PHOTO_CHECK_BIN} missing: cargo build --bin photo-check`);
  const data = mkdtempSync(join(tmpdir(), 'photo-check-e2e-receiver-'));
  const child = spawn(PHOTO_CHECK_BIN, ['serve', '--port', '0', '--data', data, '--profile', profile], {
    env: { ...process.env, PHOTO_CHECK_TOKEN: RECEIVER_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (d) => log(`receiver: ${d.toString().trim()}`));
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[0-9.]+:\d+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`photo-check serve exited (${code}): ${out}`)));
  });
  return {
    url, data,
    stop: () => new Promise((ok) => { child.on('exit', ok); child.kill('SIGTERM'); }),
  };
}
export const LOAD_TIMEOUT = 180_000; // models compile in a non-SIMD wasm build on a busy CI machine

// What the sample genuinely fails under chsi (`photo-check check .cache/sample/astronaut.png`): mouth_closed
// (she smiles, teeth showing), framing (no room above the head in the 512×512 crop), background_plain (a busy
// NASA backdrop), ears_visible (her hair covers her ears); body_tilt is borderline (shoulder line 12.9° against
// a limit of 14.5°, the frames' jitter can cross it); hair_clear is
// borderline on her shaded left forehead (skin share 0.28 against a limit of 0.25 on the PNG; the camera's
// JPEG capture falls below it). This profile is chsi with exactly those six switched off so that a capture
// can happen (chsi's own not_required list, no_jewelry, stays off too); the other eight (face_count, head_pose,
// no_hat, eyes_open, lighting_even, exposure, sharpness, glasses_clear: the sample wears no glasses)
// still decide.
export const RELAXED = ['ears_visible', 'hair_clear', 'mouth_closed', 'framing', 'body_tilt', 'background_plain'];
function testProfile() {
  const chsi = readFileSync(join(ROOT, 'profiles/chsi.toml'), 'utf8');
  // chsi's own `not_required` list (checks it does not require) stays off too: one key, merged
  const own = chsi.match(/^not_required = \[(.*)\]\n/m)?.[1].split(',').map((c) => c.trim()).filter(Boolean) ?? [];
  const header = `name = "e2e-sample"\n# tests only: chsi with the sample's real failures off\n` +
    `not_required = [${[...RELAXED.map((c) => `"${c}"`), ...own].join(', ')}]\n`;
  const out = chsi.replace(/^not_required = .*\n/m, '').replace(/^name = "chsi"\n/m, header);
  assert.notEqual(out, chsi);
  return out;
}

/** YUV4MPEG2 (4:2:0) from an RGBA PNG: the fake camera's input. */
export function y4mFromPng(file, frames = 5) {
  const png = PNG.sync.read(readFileSync(file));
  const { width: w, height: h, data } = png;
  assert.ok(w % 2 === 0 && h % 2 === 0, 'even sizes for 4:2:0');
  const Y = Buffer.alloc(w * h), U = Buffer.alloc((w / 2) * (h / 2)), V = Buffer.alloc((w / 2) * (h / 2));
  const px = (x, y) => { const i = (y * w + x) * 4; return [data[i], data[i + 1], data[i + 2]]; };
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const [r, g, b] = px(x, y);
    Y[y * w + x] = Math.round(16 + 0.257 * r + 0.504 * g + 0.098 * b);
  }
  for (let y = 0; y < h / 2; y++) for (let x = 0; x < w / 2; x++) {
    let r = 0, g = 0, b = 0;
    for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const p = px(2 * x + dx, 2 * y + dy);
      r += p[0] / 4; g += p[1] / 4; b += p[2] / 4;
    }
    U[y * (w / 2) + x] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
    V[y * (w / 2) + x] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
  }
  const parts = [Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from('FRAME\n'), Y, U, V);
  return Buffer.concat(parts);
}

/**
 * Registers before/after hooks and returns the environment, filled in by `before`:
 *   base (the page URL), origin, uploads (every valid upload the page server received), open(query, opts).
 * With `uploadServer: true` a second server on another port (another origin) takes the uploads: its URL is
 * `uploadUrl`, its uploads land in `crossUploads`, and the page server's CSP allows its origin in connect-src.
 * With `receiver: true` the page server forwards POST /upload to a real `photo-check serve` (same test
 * profile): `env.receiver` = {url, data, token}; `uploads` then hold the receiver's `answer` too.
 */
export function useHarness({ uploadServer = false, receiver = false } = {}) {
  const env = { uploads: [], crossUploads: [] };
  const servers = [];
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const profileFile = join(tmpdir(), `photo-check-e2e-${tag}.toml`);
  const y4m = join(tmpdir(), `photo-check-e2e-${tag}.y4m`);
  const log = (m) => console.log(`  [server] ${m}`);

  before(async () => {
    mkdirSync(ART, { recursive: true });
    writeFileSync(y4m, y4mFromPng(SAMPLE));
    writeFileSync(profileFile, testProfile());
    let uploadOrigin;
    if (uploadServer) {
      const up = await startServer({
        root: join(ROOT, 'www'), corsOrigin: () => env.origin, onUpload: (u) => env.crossUploads.push(u),
        log: (m) => log(`upload server: ${m}`),
      });
      servers.push(up.server);
      env.uploadUrl = new URL('upload', up.url).href;
      uploadOrigin = new URL(up.url).origin;
      env.uploadOrigin = uploadOrigin;
    }
    let uploadProxy;
    if (receiver) {
      const r = await startReceiver(profileFile, log);
      env.stopReceiver = r.stop;
      env.receiver = { url: r.url, data: r.data, token: RECEIVER_TOKEN };
      uploadProxy = r.url;
    }
    const page = await startServer({
      root: join(ROOT, 'www'), extra: { '/test-profile.toml': profileFile }, onUpload: (u) => env.uploads.push(u),
      log, uploadOrigin, uploadProxy,
    });
    servers.push(page.server);
    env.base = page.url;
    env.origin = new URL(page.url).origin;
    env.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Chromium as root in a container needs --no-sandbox; playwright manages the profile dir itself.
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
        '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${y4m}`,
      ],
    });
  });

  after(async () => {
    await env.browser?.close();
    for (const s of servers) s.close();
    await env.stopReceiver?.();
    if (env.receiver) rmSync(env.receiver.data, { recursive: true, force: true });
    rmSync(profileFile, { force: true });
    rmSync(y4m, { force: true });
  });

  /**
   * Opens the page (base + query) in a fresh context with camera permission. `init` runs before the page's
   * scripts (page.addInitScript); `setup(page)` runs before navigation (routes, listeners). Returns
   * {page, context, errors, response}: errors are page errors and console errors.
   */
  env.open = async (query = '', { viewport = { width: 360, height: 640 }, init, setup } = {}) => {
    const context = await env.browser.newContext({ viewport, permissions: ['camera'] });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    if (init) await page.addInitScript(init);
    if (setup) await setup(page);
    const response = await page.goto(env.base + query);
    return { page, context, errors, response };
  };
  return env;
}

export const state = (page) => page.evaluate(() => document.body.dataset.state);
export const frameIndex = (page) => page.evaluate(() => window.photoCheck.app.lastTracked?.frame_index ?? -1);

export async function waitFrames(page, n) {
  await page.waitForFunction((n) => (window.photoCheck.app.lastTracked?.frame_index ?? -1) >= n, n, {
    timeout: LOAD_TIMEOUT,
  });
}

export async function waitState(page, s, timeout = LOAD_TIMEOUT) {
  await page.waitForSelector(`body[data-state="${s}"]`, { timeout });
}

/** Whether an element is displayed (CSS display/visibility, not just present). */
export const shown = (page, sel) => page.$eval(sel, (el) => el.checkVisibility());
