// End-to-end test of www/ in headless Chromium (system /usr/bin/chromium via playwright-core) with a fake
// camera playing a video made from the sample portrait (harness.mjs). Run by scripts/test-web.sh (after
// build-web.sh). Faults: faults.test.mjs; CSP, requests and storage: privacy.test.mjs. Uploads go through
// the page server to the real receiver, `photo-check serve` with the same test profile (harness.mjs).
//   cd tests/e2e && node --test *.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { useHarness, ART, ROOT, SAMPLE, RELAXED, LOAD_TIMEOUT, state, waitFrames } from './harness.mjs';

const env = useHarness({ receiver: true });
const { uploads } = env;
const open = (...a) => env.open(...a);

test('chsi: the page loads, lists the failing items and never auto-captures the sample', {
  timeout: 300_000,
}, async () => {
  const { page, context, errors } = await open();
  await page.waitForSelector('body[data-state="live"]', { timeout: LOAD_TIMEOUT });
  await page.waitForSelector('#checklist li[data-id="mouth_closed"][data-status="fail"]', { timeout: LOAD_TIMEOUT });
  await waitFrames(page, 10);
  assert.equal(await state(page), 'live', 'no auto-capture under chsi');
  const items = await page.$$eval('#checklist li', (lis) =>
    lis.map((li) => ({ id: li.dataset.id, status: li.dataset.status, text: li.textContent })));
  const by = Object.fromEntries(items.map((i) => [i.id, i]));
  // one row per check chsi requires (the CLI's report of the same photo says which)
  const cli = JSON.parse(readFileSync(join(ROOT, '.cache/sample/astronaut.cli.json'), 'utf8'));
  const required = Object.values(cli.checks).filter((c) => c.status !== 'not_required').length;
  assert.ok(required >= 15);
  assert.equal(items.length, required, `chsi requires ${required} checks`);
  assert.equal(by.mouth_closed.status, 'fail');
  assert.match(by.mouth_closed.text, /闭嘴/);
  assert.equal(by.face_count.status, 'pass');
  for (const id of ['framing', 'background_plain', 'ears_visible']) {
    assert.equal(by[id].status, 'fail', id);
  }
  assert.equal(by.no_hat.status, 'pass');
  const report = await page.evaluate(() => window.photoCheck.app.lastReport);
  assert.equal(report.verdict, 'fail');
  assert.equal(report.profile, 'chsi');
  console.log(`  chsi failing: ${items.filter((i) => i.status === 'fail').map((i) => i.id).join(', ')}; ` +
    `frame ${report.timing_ms.total.toFixed(0)} ms`);
  await page.screenshot({ path: join(ART, 'chsi-live-360x640.png') });
  // English switch.
  await page.click('#lang');
  assert.match(await page.textContent('#checklist li[data-id="mouth_closed"]'), /Mouth closed/);
  assert.equal(uploads.length, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

/** [width, height] from a JPEG's start-of-frame segment (walking the marker segments). */
function jpegSize(jpeg) {
  for (let i = 2; i + 9 < jpeg.length; i += 2 + jpeg.readUInt16BE(i + 2)) {
    const marker = jpeg[i + 1];
    if (marker >= 0xc0 && marker <= 0xc2) return [jpeg.readUInt16BE(i + 7), jpeg.readUInt16BE(i + 5)];
  }
  return null;
}

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
  const { page, context, errors } = await open('?profileUrl=/test-profile.toml', {
    viewport: { width: 1280, height: 800 },
  });
  await page.waitForSelector('body[data-state="preview"]', { timeout: LOAD_TIMEOUT });
  await page.waitForSelector('body[data-standardized] #standardized-preview', { state: 'visible', timeout: 30_000 });
  assert.deepEqual(await page.$eval('#standardized', (img) => [img.naturalWidth, img.naturalHeight]), [480, 640]);
  await page.screenshot({ path: join(ART, 'test-profile-preview-desktop.png') });
  const up = await captureAndUpload(page);
  assert.equal(up.meta.source, 'camera');
  assert.equal(up.meta.capture.trigger, 'auto');
  assert.equal(up.meta.report.profile, 'e2e-sample');
  assert.equal(up.meta.report.verdict, 'pass');
  for (const id of RELAXED) assert.equal(up.meta.report.checks[id].status, 'not_required');
  assert.deepEqual(up.meta.carried_over, []);
  assert.ok(up.photo.length > 5000, 'a real JPEG');
  // the standardized preview: shown beside the photo, uploaded as the optional third part, 480×640 ≤ 40 KB
  assert.ok(up.standardized && up.standardized.length <= 40_000, 'a standardized JPEG within 40 KB');
  assert.deepEqual(jpegSize(up.standardized), [480, 640]);
  assert.match(await page.textContent('#status-line'), new RegExp(up.id));
  // the receiver checked the JPEG again with the same profile: same verdict, no check differs
  assert.match(up.id, /^[0-9a-f]{32}$/);
  assert.deepEqual(up.answer, { id: up.id, verdict: 'pass', mismatch: [] });
  const auth = { headers: { Authorization: `Bearer ${env.receiver.token}` } };
  const stored = await (await fetch(`${env.receiver.url}/uploads/${up.id}`, auth)).json();
  assert.equal(stored.server_report.profile, 'e2e-sample');
  assert.equal(stored.page_report.upload_key, up.meta.upload_key);
  const photo = Buffer.from(await (await fetch(`${env.receiver.url}/uploads/${up.id}/photo`, auth)).arrayBuffer());
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  assert.equal(sha(photo), sha(up.photo), 'the stored photo is the uploaded JPEG');
  assert.equal((await fetch(`${env.receiver.url}/uploads/${up.id}`)).status, 401, 'nothing without the token');
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
  assert.equal(up.answer.id, up.id, 'the bridge carries the receiver\'s id');
  assert.equal(wx.messages[0].data.report.verdict, 'pass');
  assert.equal(wx.messages[0].data.source, 'camera');
  assert.equal(wx.back, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('album path: the sample photo is checked with checkImage and fails chsi on the mouth', {
  timeout: 300_000,
}, async () => {
  const { page, context, errors } = await open();
  await page.waitForSelector('body[data-state="live"]', { timeout: LOAD_TIMEOUT });
  await page.setInputFiles('#album', SAMPLE);
  await page.waitForSelector('body[data-state="preview"]', { timeout: 60_000 });
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'fail');
  assert.equal(await page.getAttribute('#checklist li[data-id="mouth_closed"]', 'data-status'), 'fail');
  const photo = await page.evaluate(() => ({
    source: window.photoCheck.app.photo.source, profile: window.photoCheck.app.photo.report.profile,
  }));
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
