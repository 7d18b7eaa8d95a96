// The page under faults (issue #7 item 5), in headless Chromium with the fake camera (harness.mjs): model
// files that fail to load, the camera track ending mid-stream, the page hidden and shown again, the upload
// server answering 500 / timing out / unreachable; and a browser without wasm SIMD (?simd=0). Each fault must show
// a clear state, keep the captured photo and its report, and retry without a reload.
//   cd tests/e2e && node --test --test-reporter=spec faults.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseMultipart } from '../../scripts/serve.mjs';
import { useHarness, ART, LOAD_TIMEOUT, state, frameIndex, waitFrames, waitState, shown } from './harness.mjs';

const env = useHarness();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Console errors that a fault is expected to cause: the browser logs failed loads.
const expected = (errors) => errors.filter((e) => !/Failed to load resource|net::ERR_/.test(e));

// A marker that a reload would lose: the retries must work in the same document.
const mark = (page) => page.evaluate(() => { window.__sameDocument = true; });
const sameDocument = (page) => page.evaluate(() => window.__sameDocument === true);

// Ends the live camera track as an unplugged camera or a revoked permission does. track.stop() alone does not
// fire 'ended' (the page stopped it), so the event is dispatched as the browser would.
const endTrack = (page) => page.evaluate(() => {
  const stream = window.photoCheck.app.stream;
  window.__lostStream = stream;
  for (const tr of stream.getVideoTracks()) { tr.stop(); tr.dispatchEvent(new Event('ended')); }
});

const tracks = (page, expr) => page.evaluate((expr) => {
  const s = expr === 'current' ? window.photoCheck.app.stream : window[expr];
  return s ? s.getTracks().map((tr) => tr.readyState) : null;
}, expr);

// Whether the page stopped sending frames: the frame index stays put (after an in-flight frame settles).
async function notPumping(page) {
  await sleep(300);
  const a = await frameIndex(page);
  await sleep(800);
  return (await frameIndex(page)) === a;
}

// Hidden/shown as on a phone (app switched, screen locked): headless Chromium stays visible, so the
// properties are overridden and the event dispatched.
const setVisibility = (page, hidden) => page.evaluate((hidden) => {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true, get: () => (hidden ? 'hidden' : 'visible'),
  });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  document.dispatchEvent(new Event('visibilitychange'));
}, hidden);

test('model files fail to load: model-failed names the file, 重试 fetches again without a reload', {
  timeout: 300_000,
}, async () => {
  let hits = 0;
  const { page, context, errors } = await env.open('', {
    setup: (page) => page.route('**/models/face_landmark.nnef.tar', (route) => {
      hits += 1;
      if (hits === 1) return route.fulfill({ status: 500, body: 'model store down' });
      if (hits === 2) return route.abort('connectionreset');
      return route.fallback();
    }),
  });
  await waitState(page, 'model-failed');
  await mark(page);
  assert.match(await page.textContent('#error-text'), /检测模型加载失败/);
  assert.match(await page.textContent('#error-detail'), /models\/face_landmark\.nnef\.tar: HTTP 500/);
  assert.ok(await shown(page, '#retry'));
  assert.equal(await page.textContent('#retry'), '重试');
  await page.click('#lang');
  assert.match(await page.textContent('#error-text'), /The face models failed to load/);
  await page.click('#lang');
  await page.screenshot({ path: join(ART, 'fault-model-failed-360x640.png') });

  await page.click('#retry'); // a network error this time
  await page.waitForFunction(() => document.body.dataset.state === 'model-failed'
    && /face_landmark/.test(document.getElementById('error-detail').textContent)
    && !/HTTP 500/.test(document.getElementById('error-detail').textContent), null, { timeout: LOAD_TIMEOUT });
  await page.click('#retry'); // served
  await waitState(page, 'live');
  await waitFrames(page, 2);
  assert.equal(hits, 3, 'each retry fetched the model again');
  assert.ok(await sameDocument(page));
  assert.deepEqual(expected(errors), []);
  await context.close();
});

test('camera track ends mid-stream: camera-lost, restart without a reload, the earlier photo kept', {
  timeout: 300_000,
}, async () => {
  const { page, context, errors } = await env.open(); // chsi: the sample never auto-captures
  await waitState(page, 'live');
  await waitFrames(page, 2);
  await mark(page);
  await endTrack(page);
  await waitState(page, 'camera-lost', 5_000);
  assert.match(await page.textContent('#error-text'), /摄像头已断开/);
  assert.equal(await page.textContent('#retry'), '重新打开摄像头');
  assert.ok(await shown(page, '#album-label'), 'the album stays available');
  assert.ok(!(await shown(page, '#shoot')));
  assert.ok(!(await shown(page, '#back-to-photo')), 'no photo yet');
  assert.deepEqual(await tracks(page, '__lostStream'), ['ended']);
  assert.equal(await tracks(page, 'current'), null);
  assert.ok(await notPumping(page), 'no frames are sent without a camera');
  await page.screenshot({ path: join(ART, 'fault-camera-lost-360x640.png') });

  await page.click('#retry');
  await waitState(page, 'live', 30_000);
  assert.deepEqual(await tracks(page, 'current'), ['live']);
  await waitFrames(page, 2);

  // With a photo: take one, retake, lose the camera: the photo and its report are offered again.
  await page.click('#shoot');
  await waitState(page, 'preview', 60_000);
  const photo = await page.evaluate(() => ({
    report: JSON.stringify(window.photoCheck.app.photo.report), size: window.photoCheck.app.photo.blob.size,
  }));
  const verdict = await page.textContent('#verdict');
  await page.click('#retake');
  await waitState(page, 'live', 30_000);
  await waitFrames(page, 1);
  await endTrack(page);
  await waitState(page, 'camera-lost', 5_000);
  assert.ok(await shown(page, '#back-to-photo'));
  await page.click('#back-to-photo');
  await waitState(page, 'preview', 10_000);
  assert.deepEqual(await page.evaluate(() => ({
    report: JSON.stringify(window.photoCheck.app.photo.report), size: window.photoCheck.app.photo.blob.size,
  })), photo);
  assert.equal(await page.textContent('#verdict'), verdict);
  assert.ok(await shown(page, '#preview'));
  assert.ok(await shown(page, '#use'));
  assert.ok(await sameDocument(page));
  assert.deepEqual(errors, []);
  await context.close();
});

test('page hidden and shown: camera stopped while hidden, restarted when shown (not over a photo); pagehide stops it', {
  timeout: 300_000,
}, async () => {
  const { page, context, errors } = await env.open();
  await waitState(page, 'live');
  await waitFrames(page, 2);
  await page.evaluate(() => { window.__before = window.photoCheck.app.stream; });

  await setVisibility(page, true);
  assert.equal(await state(page), 'paused');
  assert.deepEqual(await tracks(page, '__before'), ['ended'], 'every track stopped while hidden');
  assert.equal(await tracks(page, 'current'), null);
  assert.equal(await page.evaluate(() => document.getElementById('video').srcObject), null);
  assert.ok(await notPumping(page), 'no frames are sent while hidden');

  await setVisibility(page, false);
  await waitState(page, 'live', 30_000);
  assert.deepEqual(await tracks(page, 'current'), ['live']);
  assert.ok(await page.evaluate(() => window.photoCheck.app.stream !== window.__before), 'a new stream');
  await waitFrames(page, 2);

  // Over a photo the camera stays off when the page comes back.
  await page.click('#shoot');
  await waitState(page, 'preview', 60_000);
  await setVisibility(page, true);
  await setVisibility(page, false);
  await sleep(500);
  assert.equal(await state(page), 'preview');
  assert.equal(await tracks(page, 'current'), null);

  // pagehide (navigation, bfcache) releases the camera too.
  await page.click('#retake');
  await waitState(page, 'live', 30_000);
  await page.evaluate(() => {
    window.__before = window.photoCheck.app.stream;
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
  });
  assert.deepEqual(await tracks(page, '__before'), ['ended']);
  assert.equal(await tracks(page, 'current'), null);
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await waitState(page, 'live', 30_000);
  assert.deepEqual(await tracks(page, 'current'), ['live']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('page opened in the background: the camera starts only when the page is shown', { timeout: 300_000 }, async () => {
  const { page, context, errors } = await env.open('', {
    init: () => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    },
  });
  await waitState(page, 'paused');
  assert.equal(await tracks(page, 'current'), null);
  await setVisibility(page, false);
  await waitState(page, 'live', 30_000);
  await waitFrames(page, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('page hidden while the camera is being opened (after loading, after 重拍): paused, opened when shown',
  { timeout: 300_000 }, async () => {
  const { page, context, errors } = await env.open('', {
    // getUserMedia waits while __gum.hold is set, until __gum.release(): the page is hidden meanwhile.
    init: () => {
      const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      window.__gum = { hold: true, waiting: 0 };
      navigator.mediaDevices.getUserMedia = async (c) => {
        if (window.__gum.hold) {
          window.__gum.waiting += 1;
          await new Promise((r) => { window.__gum.release = r; });
          window.__gum.waiting -= 1;
        }
        return gum(c);
      };
    },
  });
  const held = () => page.waitForFunction(() => window.__gum.waiting === 1, null, { timeout: LOAD_TIMEOUT });
  const hideReleaseShow = async (from) => {
    await held();
    assert.equal(await state(page), from, 'the state stays while the camera is being opened');
    await setVisibility(page, true);
    assert.equal(await state(page), 'paused');
    await page.evaluate(() => { window.__gum.hold = false; window.__gum.release(); });
    await sleep(500);
    assert.equal(await state(page), 'paused');
    assert.equal(await tracks(page, 'current'), null, 'the stream that came late is stopped');
    await setVisibility(page, false);
    await waitState(page, 'live', 30_000);
    assert.deepEqual(await tracks(page, 'current'), ['live']);
  };
  await hideReleaseShow('loading');
  await waitFrames(page, 2);
  await page.click('#shoot');
  await waitState(page, 'preview', 60_000);
  await page.evaluate(() => { window.__gum.hold = true; });
  await page.click('#retake');
  await hideReleaseShow('preview');
  assert.deepEqual(errors, []);
  await context.close();
});

/** Opens the page with the test profile and waits for the auto-captured, passing preview. */
async function toPreview(query = '', setup) {
  const o = await env.open(`?profileUrl=/test-profile.toml${query}`, { setup });
  await waitState(o.page, 'preview');
  assert.equal(await o.page.getAttribute('#verdict', 'data-verdict'), 'pass');
  await mark(o.page);
  o.kept = await o.page.evaluate(() => JSON.stringify(window.photoCheck.app.photo.report));
  return o;
}

// What a fault must leave: the photo on screen with its report and verdict, 重新上传 and 重拍.
async function assertKept(page, kept) {
  assert.equal(await state(page), 'upload-failed');
  assert.ok(await shown(page, '#preview'), 'the photo stays on screen');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'pass');
  assert.equal(await page.evaluate(() => JSON.stringify(window.photoCheck.app.photo.report)), kept);
  assert.ok((await page.$$('#checklist li')).length >= 7, 'the checklist of the photo stays');
  assert.ok(await shown(page, '#retry-upload'));
  assert.ok(await shown(page, '#retake'));
  assert.ok(!(await shown(page, '#use')));
  assert.match(await page.textContent('#upload-kept'), /照片和检查结果已保留/);
}

/** 重新上传 with the server back: the same photo bytes and the same report arrive. */
async function retrySucceeds(page, failedBody, contentType) {
  const before = env.uploads.length;
  await page.click('#retry-upload');
  await waitState(page, 'done', 30_000);
  assert.equal(env.uploads.length, before + 1);
  const up = env.uploads.at(-1);
  assert.match(await page.textContent('#status-line'), new RegExp(up.id));
  if (failedBody) {
    const parts = parseMultipart(failedBody, contentType);
    assert.ok(parts.find((p) => p.name === 'photo').data.equals(up.photo), 'the same JPEG');
    assert.deepEqual(JSON.parse(parts.find((p) => p.name === 'report').data), up.meta, 'the same report');
  }
  assert.ok(await sameDocument(page));
  return up;
}

test('upload answers 500: upload-failed with the status, photo and report kept, 重新上传 sends the same', {
  timeout: 300_000,
}, async () => {
  let failed;
  const { page, context, errors, kept } = await toPreview('', (page) => page.route('**/upload', (route) => {
    failed = { body: route.request().postDataBuffer(), type: route.request().headers()['content-type'] };
    return route.fulfill({ status: 500, body: 'internal error' });
  }));
  await page.click('#use');
  await waitState(page, 'upload-failed', 30_000);
  await assertKept(page, kept);
  assert.match(await page.textContent('#upload-error'), /上传失败：服务器出错（HTTP 500）/);
  await page.click('#lang');
  assert.match(await page.textContent('#upload-error'), /Upload failed: server error \(HTTP 500\)/);
  assert.equal(await page.textContent('#retry-upload'), 'Retry upload');
  await page.click('#lang');
  await page.screenshot({ path: join(ART, 'fault-upload-500-360x640.png') });
  await page.unroute('**/upload');
  const up = await retrySucceeds(page, failed.body, failed.type);
  assert.equal(up.meta.source, 'camera');
  assert.equal(JSON.stringify(up.meta.report), kept);
  assert.deepEqual(expected(errors), []);
  await context.close();
});

test('upload times out (?uploadTimeoutMs): upload-failed says so, 重新上传 succeeds', {
  timeout: 300_000,
}, async () => {
  const held = [];
  const { page, context, errors, kept } = await toPreview('&uploadTimeoutMs=1500', (page) =>
    page.route('**/upload', (route) => { held.push(route); }));
  const t0 = Date.now();
  await page.click('#use');
  assert.equal(await state(page), 'uploading');
  await waitState(page, 'upload-failed', 10_000);
  const waited = Date.now() - t0;
  assert.ok(waited >= 1400 && waited < 8000, `aborted after the timeout (${waited} ms)`);
  assert.equal(held.length, 1);
  await assertKept(page, kept);
  assert.match(await page.textContent('#upload-error'), /服务器 1\.5 秒内没有响应/);
  await page.unroute('**/upload');
  for (const r of held) await r.abort().catch(() => {}); // already cancelled by the page
  await retrySucceeds(page, held[0].request().postDataBuffer(), held[0].request().headers()['content-type']);
  assert.deepEqual(expected(errors), []);
  await context.close();
});

test('upload server unreachable: upload-failed says so, 重新上传 succeeds once it is back', {
  timeout: 300_000,
}, async () => {
  let attempts = 0;
  const { page, context, errors, kept } = await toPreview('', (page) => page.route('**/upload', (route) => {
    attempts += 1;
    return route.abort('connectionrefused');
  }));
  await page.click('#use');
  await waitState(page, 'upload-failed', 30_000);
  await assertKept(page, kept);
  assert.match(await page.textContent('#upload-error'), /无法连接上传服务器/);
  // Still down: the retry fails the same way and keeps everything.
  await page.click('#retry-upload');
  await waitState(page, 'upload-failed', 30_000);
  assert.equal(attempts, 2);
  await assertKept(page, kept);
  await page.unroute('**/upload');
  await retrySucceeds(page);
  assert.deepEqual(expected(errors), []);
  await context.close();
});

test('wasm SIMD module by default; without SIMD (?simd=0) the unsupported state, nothing loaded', {
  timeout: 300_000,
}, async () => {
  for (const query of ['', '?simd=0']) {
    const paths = [];
    const { page, context, errors } = await env.open(query, {
      setup: (page) => page.on('request', (r) => paths.push(new URL(r.url()).pathname)),
    });
    const loaded = () => paths.filter((p) => p.startsWith('/pkg') || p.startsWith('/models'));
    if (query) {
      await waitState(page, 'unsupported');
      assert.deepEqual(loaded(), [], 'no module or model is fetched without SIMD');
      assert.match(await page.locator('#status-line, body').first().innerText(), /SIMD/);
    } else {
      await waitState(page, 'live');
      await waitFrames(page, 2);
      assert.equal(await page.evaluate(() => window.photoCheck.pkg), 'pkg');
      assert.deepEqual(loaded().filter((p) => p.startsWith('/pkg')).sort(),
        ['/pkg/photo_check.js', '/pkg/photo_check_bg.wasm']);
      const report = await page.evaluate(() => window.photoCheck.app.lastReport);
      assert.equal(report.profile, 'chsi');
      assert.equal(report.checks.face_count.status, 'pass');
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
});
