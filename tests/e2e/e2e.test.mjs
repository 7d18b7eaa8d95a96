// End-to-end test of www/ in headless Chromium (system /usr/bin/chromium via playwright-core) with a fake
// camera playing a video made from the sample portrait. Run by scripts/test-web.sh (after build-web.sh).
//   cd tests/e2e && node --test e2e.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { startServer } from '../../scripts/serve.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ART = join(ROOT, 'tests/e2e/artifacts');
const SAMPLE = join(ROOT, '.cache/sample/astronaut.png');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LOAD_TIMEOUT = 180_000; // models compile in a non-SIMD wasm build on a busy CI machine

// What the sample genuinely fails under chsi (`photo-check check .cache/sample/astronaut.png`): mouth_closed
// (she smiles, teeth showing), framing (no room above the head in the 512×512 crop), body_tilt (shoulders
// tilted), background_plain (a busy NASA backdrop), ears_visible (her hair covers her ears); hair_clear is
// borderline on her shaded left forehead (skin share 0.28 against a limit of 0.25 on the PNG; the camera's
// JPEG capture falls below it). This profile is chsi with exactly those six switched off so that a capture
// can happen; the other seven (face_count, head_pose, no_hat, eyes_open, lighting_even, exposure, sharpness)
// still decide.
const RELAXED = ['ears_visible', 'hair_clear', 'mouth_closed', 'framing', 'body_tilt', 'background_plain'];
function testProfile() {
  const chsi = readFileSync(join(ROOT, 'profiles/chsi.toml'), 'utf8');
  const header = `name = "e2e-sample"\n# tests only: chsi with the sample's real failures off\nnot_required = [${RELAXED.map((c) => `"${c}"`).join(', ')}]\n`;
  const out = chsi.replace(/^name = "chsi"\n/m, header);
  assert.notEqual(out, chsi);
  return out;
}

/** YUV4MPEG2 (4:2:0) from an RGBA PNG: the fake camera's input. */
function y4mFromPng(file, frames = 5) {
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
    for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) { const p = px(2 * x + dx, 2 * y + dy); r += p[0] / 4; g += p[1] / 4; b += p[2] / 4; }
    U[y * (w / 2) + x] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
    V[y * (w / 2) + x] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
  }
  const parts = [Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from('FRAME\n'), Y, U, V);
  return Buffer.concat(parts);
}

let server, base, browser, uploads = [];
const profileFile = join(tmpdir(), `photo-check-e2e-${process.pid}.toml`);
const userDataDir = join(tmpdir(), `photo-check-e2e-chromium-${process.pid}`);

before(async () => {
  mkdirSync(ART, { recursive: true });
  const y4m = join(ART, 'sample.y4m');
  writeFileSync(y4m, y4mFromPng(SAMPLE));
  writeFileSync(profileFile, testProfile());
  ({ server, url: base } = await startServer({
    root: join(ROOT, 'www'),
    extra: { '/test-profile.toml': profileFile },
    onUpload: (u) => uploads.push(u),
    log: (m) => console.log(`  [server] ${m}`),
  }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${userDataDir}`,
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`,
    ].filter((a) => !a.startsWith('--user-data-dir')), // playwright manages the profile dir itself (launchPersistentContext otherwise)
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  rmSync(profileFile, { force: true });
  rmSync(userDataDir, { recursive: true, force: true });
});

async function open(query = '', { viewport = { width: 360, height: 640 }, init } = {}) {
  const context = await browser.newContext({ viewport, permissions: ['camera'] });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (init) await page.addInitScript(init);
  await page.goto(base + query);
  return { page, context, errors };
}

const state = (page) => page.evaluate(() => document.body.dataset.state);
const framesSeen = (page) => page.evaluate(() => window.photoCheck.app.lastTracked?.frame_index ?? -1);

async function waitFrames(page, n) {
  await page.waitForFunction((n) => (window.photoCheck.app.lastTracked?.frame_index ?? -1) >= n, n, { timeout: LOAD_TIMEOUT });
}

test('chsi: the page loads, lists the failing items and never auto-captures the sample', { timeout: 300_000 }, async () => {
  const { page, context, errors } = await open();
  await page.waitForSelector('body[data-state="live"]', { timeout: LOAD_TIMEOUT });
  await page.waitForSelector('#checklist li[data-id="mouth_closed"][data-status="fail"]', { timeout: LOAD_TIMEOUT });
  await waitFrames(page, 10);
  assert.equal(await state(page), 'live', 'no auto-capture under chsi');
  const items = await page.$$eval('#checklist li', (lis) => lis.map((li) => ({ id: li.dataset.id, status: li.dataset.status, text: li.textContent })));
  const by = Object.fromEntries(items.map((i) => [i.id, i]));
  assert.equal(items.length, 13, 'chsi requires all 13 checks');
  assert.equal(by.mouth_closed.status, 'fail');
  assert.match(by.mouth_closed.text, /闭嘴/);
  assert.equal(by.face_count.status, 'pass');
  for (const id of ['framing', 'body_tilt', 'background_plain', 'ears_visible']) assert.equal(by[id].status, 'fail', id);
  assert.equal(by.no_hat.status, 'pass');
  const report = await page.evaluate(() => window.photoCheck.app.lastReport);
  assert.equal(report.verdict, 'fail');
  assert.equal(report.profile, 'chsi');
  console.log(`  chsi failing: ${items.filter((i) => i.status === 'fail').map((i) => i.id).join(', ')}; frame ${report.timing_ms.total.toFixed(0)} ms`);
  await page.screenshot({ path: join(ART, 'chsi-live-360x640.png') });
  // English switch.
  await page.click('#lang');
  assert.match(await page.textContent('#checklist li[data-id="mouth_closed"]'), /Mouth closed/);
  assert.equal(uploads.length, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

async function captureAndUpload(page) {
  await page.waitForSelector('body[data-state="preview"]', { timeout: LOAD_TIMEOUT });
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'pass');
  const before = uploads.length;
  await page.click('#use');
  await page.waitForSelector('body[data-state="done"]', { timeout: 30_000 });
  assert.equal(uploads.length, before + 1);
  return uploads[uploads.length - 1];
}

test('test profile: auto-capture, preview, and a well-formed multipart upload', { timeout: 300_000 }, async () => {
  const { page, context, errors } = await open('?profileUrl=/test-profile.toml', { viewport: { width: 1280, height: 800 } });
  await page.waitForSelector('body[data-state="preview"]', { timeout: LOAD_TIMEOUT });
  await page.screenshot({ path: join(ART, 'test-profile-preview-desktop.png') });
  const up = await captureAndUpload(page);
  assert.equal(up.meta.source, 'camera');
  assert.equal(up.meta.capture.trigger, 'auto');
  assert.equal(up.meta.report.profile, 'e2e-sample');
  assert.equal(up.meta.report.verdict, 'pass');
  for (const id of RELAXED) assert.equal(up.meta.report.checks[id].status, 'not_required');
  assert.deepEqual(up.meta.carried_over, []);
  assert.ok(up.photo.length > 5000, 'a real JPEG');
  assert.match(await page.textContent('#status-line'), new RegExp(up.id));
  await page.screenshot({ path: join(ART, 'test-profile-done-desktop.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('mini-program bridge: postMessage(report, uploadId) then navigateBack', { timeout: 300_000 }, async () => {
  const stub = () => {
    window.__wx = { messages: [], back: 0 };
    window.wx = { miniProgram: {
      getEnv: (cb) => cb({ miniprogram: true }),
      postMessage: (m) => window.__wx.messages.push(JSON.parse(JSON.stringify(m))),
      navigateBack: () => { window.__wx.back += 1; },
    } };
  };
  const { page, context, errors } = await open('?profileUrl=/test-profile.toml', { init: stub });
  const up = await captureAndUpload(page);
  const wx = await page.evaluate(() => window.__wx);
  assert.equal(wx.messages.length, 1);
  assert.equal(wx.messages[0].data.uploadId, up.id);
  assert.equal(wx.messages[0].data.report.verdict, 'pass');
  assert.equal(wx.messages[0].data.source, 'camera');
  assert.equal(wx.back, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('album path: the sample photo is checked with checkImage and fails chsi on the mouth', { timeout: 300_000 }, async () => {
  const { page, context, errors } = await open();
  await page.waitForSelector('body[data-state="live"]', { timeout: LOAD_TIMEOUT });
  await page.setInputFiles('#album', SAMPLE);
  await page.waitForSelector('body[data-state="preview"]', { timeout: 60_000 });
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'fail');
  assert.equal(await page.getAttribute('#checklist li[data-id="mouth_closed"]', 'data-status'), 'fail');
  const photo = await page.evaluate(() => ({ source: window.photoCheck.app.photo.source, profile: window.photoCheck.app.photo.report.profile }));
  assert.deepEqual(photo, { source: 'album', profile: 'chsi' });
  await page.screenshot({ path: join(ART, 'album-preview-360x640.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('unsupported browser (no WebAssembly) gets a clear message', { timeout: 60_000 }, async () => {
  const { page, context } = await open('', { init: () => { delete window.WebAssembly; } });
  await page.waitForSelector('body[data-state="unsupported"]', { timeout: 10_000 });
  assert.match(await page.textContent('#error-text'), /WebAssembly/);
  await context.close();
});
