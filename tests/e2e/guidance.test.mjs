// Live guidance (issue #15 parts 1, 2, 4, 5): one message at a time in the checklist, spoken instructions,
// the hold-the-phone-upright hint, and the failing checks' regions over the video and the photo.
//
// Test seam: a scripted stub worker. page.route serves STUB_WORKER in place of www/worker.js (same URL, so the
// page's code is untouched); it speaks the worker protocol (init → ready, frame → tracked, capture, image) and
// answers every frame with the report the test last sent it ({type: 'script'} posted to
// window.photoCheck.app.worker). The page, the fake camera, the frame pump, the capture and the preview are the
// real ones; only the checker's answers are scripted. Reports are the sample's real CLI report
// (.cache/sample/astronaut.cli.json) with statuses changed and `region`s added as the Rust side will emit them.
// The real wasm is used in the last two tests. speechSynthesis and SpeechSynthesisUtterance are stubbed with
// addInitScript (every speak() recorded with its text, lang and time).
//   cd tests/e2e && node --test --test-reporter=spec guidance.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useHarness, ART, ROOT, LOAD_TIMEOUT, waitState, waitFrames } from './harness.mjs';

const env = useHarness();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const GAP = 3000; // www/speech.js SPEECH_GAP_MS

const ORDER = [
  'face_count',
  'framing',
  'head_pose',
  'body_tilt',
  'ears_visible',
  'hair_clear',
  'no_hat',
  'mouth_closed',
  'eyes_open',
  'lighting_even',
  'exposure',
  'sharpness',
  'background_plain',
  'clothing_contrast',
  'shadow_free',
];
const CLI = JSON.parse(readFileSync(join(ROOT, '.cache/sample/astronaut.cli.json'), 'utf8'));
const NO_FACE = ['no_face', '未检测到人脸，请让对方正对镜头', 'No face found: have the person face the camera'];

// Where the sample's ears are (512×512 frame; face box x 179–272, y 81–174 from the CLI report): just outside
// the face box at eye-to-mouth height, under her hair. The regions below are what the Rust side will send.
const [fx, fy, fw, fh] = CLI.face.box;
const LEFT_EAR = [
  [fx + fw, fy + 0.3 * fh],
  [fx + fw + 20, fy + 0.3 * fh],
  [fx + fw + 20, fy + 0.75 * fh],
  [fx + fw, fy + 0.75 * fh],
];
const RIGHT_EAR = LEFT_EAR.map(([x, y]) => [2 * fx + fw - x, y]); // mirrored about the face's centre line
const HAT_BAND = [
  [fx, fy - 10],
  [fx + fw, fy - 10],
  [fx + fw, fy + 5],
  [fx, fy + 5],
];
const SHOULDERS = [
  [120, 470],
  [400, 480],
];

/** A report and live capture state: the sample's report with `changes` = {id: [status, reason, zh, en]}. */
function scripted(changes = {}, { regions = false, phase = 'searching' } = {}) {
  const checks = {};
  for (const id of ORDER) {
    if (!CLI.checks[id]) continue;
    const [status, reason, zh, en] = changes[id] ?? [
      'pass',
      'ok',
      CLI.checks[id].message_zh,
      CLI.checks[id].message_en,
    ];
    checks[id] = { ...CLI.checks[id], status, reason, message_zh: zh, message_en: en };
  }
  if (regions) {
    checks.ears_visible.region = [
      { name: 'left_ear', points: LEFT_EAR },
      { name: 'right_ear', points: RIGHT_EAR },
    ];
    checks.no_hat.region = [{ name: 'hat_band', points: HAT_BAND }];
    checks.body_tilt.region = [{ name: 'shoulder_line', points: SHOULDERS }];
  }
  const verdict = Object.values(checks).some((c) => c.status === 'fail')
    ? 'fail'
    : Object.values(checks).every((c) => c.status === 'pass')
      ? 'pass'
      : 'unknown';
  const report = {
    ...CLI,
    checks,
    verdict,
    profile: 'stub',
    image: { width: 512, height: 512 },
    timing_ms: { total: 5 },
  };
  const checklist = Object.entries(checks).map(([id, c]) => ({
    id,
    status: c.status,
    reason: c.reason,
    message_zh: c.message_zh,
    message_en: c.message_en,
  }));
  return { report, capture: { phase, progress: phase === 'searching' ? 0 : 0.5, checklist } };
}
const own = (id) => ['fail', id, `${id}-zh`, `${id}-en`];
const noFace = () =>
  Object.fromEntries(ORDER.map((id) => [id, id === 'face_count' ? ['fail', ...NO_FACE] : ['unknown', ...NO_FACE]]));
const FRAMING = ['fail', 'no_room_above', CLI.checks.framing.message_zh, CLI.checks.framing.message_en];
const MOUTH = ['fail', 'mouth_open', CLI.checks.mouth_closed.message_zh, CLI.checks.mouth_closed.message_en];
const EARS = ['fail', 'left_ear_covered', CLI.checks.ears_visible.message_zh, CLI.checks.ears_visible.message_en];

// The stub checker (a module worker): answers frames with the scripted report, ~30 ms each.
const STUB_WORKER = `
let script = null, photo = null, index = 0;
onmessage = async ({ data: m }) => {
  if (m.type === 'init') {
    postMessage({ type: 'progress', loaded: 1, total: 1 });
    postMessage({ type: 'ready', profile: 'stub', pkg: 'stub' });
  }
  else if (m.type === 'script') { script = m.live ?? script; photo = m.photo ?? photo; }
  else if (m.type === 'frame') {
    await new Promise((r) => setTimeout(r, 30));
    if (!script) { postMessage({ type: 'error', code: 'stub', message: 'no script yet', during: 'frame' }); return; }
    const capture = { ...script.capture, frame_index: index++, pass_run: 0, score: 1, new_best: true,
      best_index: 0, best_score: 1 };
    postMessage({ type: 'tracked', report: script.report, capture, buffer: m.buffer }, [m.buffer]);
  } else if (m.type === 'capture') postMessage({ type: 'captured', id: m.id, frame: null });
  else if (m.type === 'image') postMessage({ type: 'image', id: m.id, report: (photo ?? script).report });
};`;

const stubWorker = (page) =>
  page.route('**/worker.js', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/javascript; charset=utf-8',
      body: STUB_WORKER,
    }),
  );

// Records speechSynthesis.speak calls (text, lang, time) in window.__spoken; cancel() calls in window.__cancels;
// the empty utterance that unlocks speech on iOS (speech.js unlock(), on the first tap) in window.__unlocks.
const speechStub = () => {
  window.__spoken = [];
  window.__cancels = 0;
  window.__unlocks = 0;
  window.SpeechSynthesisUtterance = class {
    constructor(text) {
      this.text = text;
      this.lang = '';
    }
  };
  Object.defineProperty(window, 'speechSynthesis', {
    configurable: true,
    value: {
      speak: (u) =>
        u.text ? window.__spoken.push({ text: u.text, lang: u.lang, at: performance.now() }) : window.__unlocks++,
      cancel: () => {
        window.__cancels += 1;
      },
      pause() {},
      resume() {},
      getVoices: () => [],
      speaking: false,
      pending: false,
    },
  });
};

/** Sends the stub worker the live report (and optionally the photo's), then waits until the page shows it. */
async function play(page, live, photo) {
  await page.evaluate(
    ({ live, photo }) => {
      window.photoCheck.app.worker.postMessage({ type: 'script', live, photo });
    },
    { live, photo },
  );
  await page.waitForFunction((live) => {
    const r = window.photoCheck.app.lastReport;
    return (
      r &&
      Object.entries(live.report.checks).every(
        ([id, c]) => r.checks[id]?.status === c.status && r.checks[id]?.reason === c.reason,
      )
    );
  }, live);
}

async function openStub(query = '', opts = {}) {
  const o = await env.open(query, { viewport: opts.viewport, init: opts.init ?? speechStub, setup: stubWorker });
  // The first script before the page's first frame (the stub answers nothing until it has one).
  await o.page.waitForFunction(() => window.photoCheck.app.worker);
  await o.page.evaluate(
    (live) => window.photoCheck.app.worker.postMessage({ type: 'script', live }),
    opts.first ?? scripted(noFace()),
  );
  await waitState(o.page, 'live', 30_000);
  await waitFrames(o.page, 1);
  return o;
}
const spoken = (page) => page.evaluate(() => window.__spoken);
const rows = (page) =>
  page.$$eval('#checklist li', (lis) =>
    lis.map((li) => ({
      id: li.dataset.id,
      view: li.dataset.view,
      status: li.dataset.status,
      text: li.querySelector('span').textContent,
    })),
  );

test(
  'no face: one message, the face-dependent checks greyed as waiting (zh and en)',
  { timeout: 120_000 },
  async () => {
    const { page, context, errors } = await openStub();
    const r = await rows(page);
    assert.equal(r[0].id, 'face_count');
    assert.equal(r[0].view, 'primary');
    assert.equal(r[0].text, NO_FACE[1]);
    assert.ok(r.length >= 12);
    for (const row of r.slice(1)) assert.equal(row.view, 'waiting', row.id);
    assert.equal(r.filter((x) => x.text.includes('未检测到人脸')).length, 1, 'the message is not repeated');
    assert.equal(await page.textContent('#next-step'), NO_FACE[1]);
    // query and read in one task: every frame re-renders the list, so a located <li> can be detached (and its
    // computed style empty) by the time a second call reads it
    const waitingColour = () =>
      getComputedStyle(document.querySelector('#checklist li[data-view="waiting"]')).color;
    assert.equal(await page.evaluate(waitingColour), 'rgb(170, 170, 170)');
    await page.screenshot({ path: join(ART, 'guidance-no-face-360x640.png') });
    // A face with two failures: the first (framing) carries its message, mouth_closed shows its name only; the
    // passing checks are ticked.
    await play(page, scripted({ framing: FRAMING, mouth_closed: MOUTH }));
    const r2 = Object.fromEntries((await rows(page)).map((x) => [x.id, x]));
    assert.deepEqual([r2.framing.view, r2.framing.text], ['primary', FRAMING[2]]);
    assert.deepEqual([r2.mouth_closed.view, r2.mouth_closed.text], ['later', '']);
    assert.equal(r2.face_count.view, 'pass');
    assert.equal(r2.exposure.view, 'pass');
    await page.click('#lang');
    assert.equal(await page.textContent('#next-step'), FRAMING[3]);
    assert.equal(await page.textContent('#checklist li[data-id="framing"] span'), FRAMING[3]);
    await play(page, scripted(noFace()));
    assert.equal(await page.textContent('#checklist li[data-id="face_count"] span'), NO_FACE[2]);
    assert.match(await page.textContent('#checklist li[data-id="framing"] span'), /once the item above is fixed/);
    assert.deepEqual(errors, []);
    await context.close();
  },
);

test(
  'spoken guidance: one instruction at a time, only on change, at most every 3 s; all-pass and capture phrases',
  {
    timeout: 120_000,
  },
  async () => {
    const { page, context, errors } = await openStub();
    await page.waitForFunction(() => window.__spoken.length >= 1);
    assert.equal(await page.getAttribute('#speak', 'aria-pressed'), 'true', 'on by default with the rear camera');
    assert.equal(await page.getAttribute('#speak', 'aria-label'), '语音提示：开');
    await sleep(500);
    await play(page, scripted({ framing: FRAMING, mouth_closed: MOUTH })); // within the gap: waits …
    await sleep(300);
    await play(page, scripted({ mouth_closed: MOUTH })); // … and is replaced before it is said
    await page.waitForFunction(() => window.__spoken.length >= 2, null, { timeout: 10_000 });
    await sleep(GAP + 1000); // unchanged for more than a gap: nothing more
    await play(page, scripted({}, { phase: 'steady' }));
    await page.waitForFunction(() => window.__spoken.length >= 3, null, { timeout: 10_000 });
    assert.equal(
      await page.$eval('#guide ellipse', (e) => getComputedStyle(e).stroke),
      'rgb(7, 193, 96)',
      'the guide turns green',
    );
    assert.equal(await page.textContent('#next-step'), '好，保持不动');
    assert.equal(await page.evaluate(() => window.__unlocks), 0);
    await page.click('#shoot'); // the first tap: unlocks speech (iOS) once
    await waitState(page, 'preview', 30_000);
    await page.waitForFunction(() => window.__spoken.length >= 4);
    assert.equal(await page.evaluate(() => window.__unlocks), 1);
    const said = await spoken(page);
    console.log(`  spoken: ${said.map((s) => `${Math.round(s.at)} ms ${s.text}`).join(' | ')}`);
    assert.deepEqual(
      said.map((s) => s.text),
      [NO_FACE[1], MOUTH[2], '好，保持不动', '已拍好'],
    );
    assert.ok(said.every((s) => s.lang === 'zh-CN'));
    assert.ok(said[1].at - said[0].at >= GAP - 50, 'throttled: the change waited for the gap');
    assert.ok(said[2].at - said[1].at >= GAP - 50, 'throttled');
    assert.ok((await page.evaluate(() => window.__cancels)) >= 1, 'leaving the live view cancels pending speech');
    await sleep(GAP + 500);
    assert.equal((await spoken(page)).length, 4, 'nothing more over the preview');
    assert.deepEqual(errors, []);
    await context.close();
  },
);

test(
  'spoken guidance in English; toggle off says nothing; the front camera starts with it off',
  { timeout: 120_000 },
  async () => {
    const { page, context, errors } = await openStub('?lang=en');
    await page.waitForFunction(() => window.__spoken.length >= 1);
    assert.deepEqual(await spoken(page).then((s) => s.map((x) => [x.text, x.lang])), [[NO_FACE[2], 'en-US']]);
    await page.click('#speak');
    assert.equal(await page.getAttribute('#speak', 'aria-pressed'), 'false');
    assert.equal(await page.getAttribute('#speak', 'aria-label'), 'Voice guidance: off');
    await play(page, scripted({ mouth_closed: MOUTH }));
    await sleep(GAP + 500);
    await play(page, scripted({}, { phase: 'steady' }));
    await sleep(500);
    assert.equal((await spoken(page)).length, 1, 'nothing said with the toggle off');
    // On again: the current instruction is said.
    await page.click('#speak');
    await page.waitForFunction(() => window.__spoken.length >= 2, null, { timeout: 10_000 });
    assert.equal((await spoken(page)).at(-1).text, 'Good, hold still');
    // Front camera: mirrored preview, voice off by default (the subject can read the screen).
    await page.click('#switch');
    await page.waitForFunction(
      () => document.body.hasAttribute('data-mirrored') && document.body.dataset.state === 'live',
    );
    assert.equal(await page.getAttribute('#speak', 'aria-pressed'), 'false');
    const n = (await spoken(page)).length;
    await play(page, scripted({ mouth_closed: MOUTH }));
    await sleep(GAP + 500);
    assert.equal((await spoken(page)).length, n, 'nothing said with the front camera');
    assert.equal(await page.$eval('#video', (v) => getComputedStyle(v).transform), 'matrix(-1, 0, 0, 1, 0, 0)');
    assert.deepEqual(errors, []);
    await context.close();
  },
);

test('without speechSynthesis the page works and shows no 🔊 button', { timeout: 120_000 }, async () => {
  const { page, context, errors } = await openStub('', {
    init: () => {
      Object.defineProperty(window, 'speechSynthesis', { configurable: true, value: undefined });
      delete window.SpeechSynthesisUtterance;
    },
  });
  assert.equal(await page.evaluate(() => typeof window.speechSynthesis), 'undefined');
  assert.equal(await page.$eval('#speak', (b) => b.checkVisibility()), false);
  await play(page, scripted({ mouth_closed: MOUTH }));
  assert.equal(await page.textContent('#next-step'), MOUTH[1 + 1]);
  await page.click('#shoot');
  await waitState(page, 'preview', 30_000);
  assert.deepEqual(errors, []);
  await context.close();
});

const tiltTo = (page, beta, gamma = 0) =>
  page.evaluate(
    ([beta, gamma]) => {
      window.dispatchEvent(new DeviceOrientationEvent('deviceorientation', { alpha: 0, beta, gamma, absolute: false }));
    },
    [beta, gamma],
  );

test(
  'hold the phone upright: a pitched phone shows and says it, upright clears it (portrait and landscape)',
  {
    timeout: 120_000,
  },
  async () => {
    const { page, context, errors } = await openStub('', { first: scripted({ mouth_closed: MOUTH }) });
    await page.waitForFunction(() => window.__spoken.length >= 1);
    await tiltTo(page, 88);
    assert.equal(await page.textContent('#next-step'), MOUTH[2], 'upright: the checks guide');
    await tiltTo(page, 70); // pitched 20°
    assert.equal(await page.textContent('#next-step'), '请把手机竖直拿稳');
    assert.equal(await page.getAttribute('#next-step', 'data-kind'), 'upright');
    await page.waitForFunction(() => window.__spoken.some((s) => s.text === '请把手机竖直拿稳'), null, {
      timeout: 10_000,
    });
    await tiltTo(page, 89);
    assert.equal(await page.textContent('#next-step'), MOUTH[2], 'cleared');
    await tiltTo(page, 0, 85); // landscape, upright
    assert.equal(await page.textContent('#next-step'), MOUTH[2]);
    await tiltTo(page, 0, 60); // landscape, pitched 30°
    assert.equal(await page.textContent('#next-step'), '请把手机竖直拿稳');
    await tiltTo(page, 0, -89);
    assert.equal(await page.textContent('#next-step'), MOUTH[2]);
    assert.deepEqual(errors, []);
    await context.close();
  },
);

// iOS sends no events until permission is granted, which synthetic events cannot show: this asserts that the
// permission is asked once, on the first tap (the page has no start button), and that a refusal or an exception
// is silent.
test(
  'hold the phone upright on iOS: permission asked once, on the first tap; refused: silent',
  { timeout: 120_000 },
  async () => {
    for (const answer of ['granted', 'denied', 'throws']) {
      const { page, context, errors } = await openStub('', {
        first: scripted({ mouth_closed: MOUTH }),
        init: `(${speechStub})(); window.__asked = 0;
        DeviceOrientationEvent.requestPermission = () => { window.__asked += 1;
          return ${JSON.stringify(answer)} === 'throws'
            ? Promise.reject(new DOMException('no gesture', 'NotAllowedError'))
            : Promise.resolve(${JSON.stringify(answer)}); };`,
      });
      await sleep(300);
      assert.equal(await page.evaluate(() => window.__asked), 0, 'not asked without a gesture');
      await page.click('h1');
      assert.equal(await page.evaluate(() => window.__asked), 1, `${answer}: asked on the tap`);
      await page.click('h1');
      assert.equal(await page.evaluate(() => window.__asked), 1, 'asked once');
      await sleep(200);
      assert.equal(await page.textContent('#next-step'), MOUTH[2]);
      assert.deepEqual(errors, [], answer);
      await context.close();
    }
  },
);

// Where a frame point is on the page for a 512×512 video in `rect` (object-fit: contain, centred): computed
// here independently of overlay.js.
function expectedOnPage([x, y], rect, mirrored) {
  const s = Math.min(rect.width / 512, rect.height / 512);
  const ox = (rect.width - 512 * s) / 2;
  const oy = (rect.height - 512 * s) / 2;
  const px = ox + x * s;
  return [rect.left + (mirrored ? rect.width - px : px), rect.top + oy + y * s];
}
const mean = (pts) => [pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length];

// The overlay's drawing: the shapes drawn (names, centroids in page px), the media box, and the overlay
// canvas's pixel at each centroid (red fill expected).
const overlayState = (page, media) =>
  page.evaluate((media) => {
    const c = document.getElementById('overlay');
    const r = c.getBoundingClientRect();
    const dpr = devicePixelRatio;
    const ctx = c.getContext('2d');
    const drawn = (c.drawn ?? []).map((d) => {
      const [x, y] = d.centroid;
      const px = ctx.getImageData(Math.round((x - r.left) * dpr), Math.round((y - r.top) * dpr), 1, 1).data;
      return { name: d.name, check: d.check, centroid: d.centroid, pixel: [...px] };
    });
    const m = document.getElementById(media).getBoundingClientRect();
    return { drawn, rect: { left: m.left, top: m.top, width: m.width, height: m.height } };
  }, media);

function assertEarDrawn(st, mirrored, label) {
  assert.deepEqual(
    st.drawn.map((d) => d.name).sort(),
    ['left_ear', 'right_ear'],
    `${label}: only the failing check's zones (not the passing no_hat or body_tilt)`,
  );
  const left = st.drawn.find((d) => d.name === 'left_ear');
  const want = expectedOnPage(mean(LEFT_EAR), st.rect, mirrored);
  assert.ok(
    Math.hypot(left.centroid[0] - want[0], left.centroid[1] - want[1]) < 1,
    `${label}: ${left.centroid} vs ${want}`,
  );
  // And over the ear: between the face box's right edge and 25 px beyond it, at eye-to-mouth height.
  const edge = expectedOnPage([fx + fw, fy + 0.5 * fh], st.rect, mirrored);
  const beyond = expectedOnPage([fx + fw + 25, fy + 0.5 * fh], st.rect, mirrored);
  const [lo, hi] = [Math.min(edge[0], beyond[0]), Math.max(edge[0], beyond[0])];
  assert.ok(left.centroid[0] > lo && left.centroid[0] < hi, `${label}: x ${left.centroid[0]} in ${lo}–${hi}`);
  assert.ok(Math.abs(left.centroid[1] - edge[1]) < 0.15 * fh * (st.rect.width / 512) + 2, `${label}: y`);
  // The subject's left ear is on the image's right; mirrored, on the page's left of the face.
  const right = st.drawn.find((d) => d.name === 'right_ear');
  assert.equal(left.centroid[0] > right.centroid[0], !mirrored, `${label}: sides`);
  const [r, g, b, a] = left.pixel;
  assert.ok(a > 50 && r > 150 && g < 120 && b < 120, `${label}: red at the centroid, got ${left.pixel}`);
}

for (const [label, viewport] of [
  ['360x640', { width: 360, height: 640 }],
  ['desktop', { width: 1280, height: 800 }],
]) {
  test(`regions of failing checks over the live video and the photo (${label})`, { timeout: 120_000 }, async () => {
    const live = scripted({ ears_visible: EARS }, { regions: true });
    const { page, context, errors } = await openStub('', { viewport, first: live });
    await page.waitForFunction(() => document.getElementById('overlay').drawn?.length > 0);
    assertEarDrawn(await overlayState(page, 'video'), false, `live ${label}`);
    assert.notEqual(await page.$eval('#guide ellipse', (e) => getComputedStyle(e).stroke), 'rgb(7, 193, 96)');
    await page.screenshot({ path: join(ART, `guidance-regions-live-${label}.png`) });
    // Passing: nothing drawn, the guide turns green.
    await play(page, scripted({}, { regions: true, phase: 'steady' }));
    await page.waitForFunction(() => document.getElementById('overlay').drawn?.length === 0);
    assert.equal(await page.$eval('#guide ellipse', (e) => getComputedStyle(e).stroke), 'rgb(7, 193, 96)');
    // Front camera: the video is mirrored, so are the regions.
    if (label === 'desktop') {
      await page.click('#switch');
      await page.waitForFunction(
        () => document.body.hasAttribute('data-mirrored') && document.body.dataset.state === 'live',
      );
      await play(page, live);
      await page.waitForFunction(() => document.getElementById('overlay').drawn?.length > 0);
      assertEarDrawn(await overlayState(page, 'video'), true, `live mirrored ${label}`);
      await page.screenshot({ path: join(ART, `guidance-regions-mirrored-${label}.png`) });
    }
    // The captured photo: its report's failing regions over the preview (never mirrored).
    await page.evaluate((photo) => window.photoCheck.app.worker.postMessage({ type: 'script', photo }), live);
    await page.click('#shoot');
    await waitState(page, 'preview', 30_000);
    await page.waitForFunction(() => document.getElementById('overlay').drawn?.length > 0);
    assertEarDrawn(await overlayState(page, 'preview'), false, `preview ${label}`);
    await page.screenshot({ path: join(ART, `guidance-regions-preview-${label}.png`) });
    // Resized (rotated phone, resized window): redrawn to the new box.
    const before = (await overlayState(page, 'preview')).drawn[0].centroid;
    await page.setViewportSize(label === 'desktop' ? { width: 700, height: 500 } : { width: 640, height: 360 });
    await page.waitForFunction(([x, y]) => {
      const d = document.getElementById('overlay').drawn?.[0];
      return d && Math.hypot(d.centroid[0] - x, d.centroid[1] - y) > 5;
    }, before);
    assertEarDrawn(await overlayState(page, 'preview'), false, `preview rotated ${label}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test(
  'real pipeline: the chsi sample says its first failing check once; the test profile ends with the capture',
  {
    timeout: 400_000,
  },
  async () => {
    const { page, context, errors } = await env.open('', { init: speechStub });
    await waitState(page, 'live');
    await waitFrames(page, 15);
    const said = await spoken(page);
    const report = await page.evaluate(() => window.photoCheck.app.lastReport);
    const tracked = await page.evaluate(() => window.photoCheck.app.lastTracked.checklist);
    const first = tracked.find((i) => i.status === 'fail' || i.status === 'unknown');
    console.log(`  chsi spoken: ${said.map((s) => s.text).join(' | ')}; first failing: ${first.id}`);
    assert.ok(said.length >= 1 && said.length <= 3, 'one utterance per change, not per frame');
    assert.equal(said.at(-1).text, first.message_zh);
    for (let i = 1; i < said.length; i++) {
      assert.notEqual(said[i].text, said[i - 1].text);
      assert.ok(said[i].at - said[i - 1].at >= GAP - 50);
    }
    assert.equal(await page.textContent('#next-step'), first.message_zh);
    assert.equal((await rows(page)).filter((r) => r.view === 'primary').length, 1);
    assert.equal(report.verdict, 'fail');
    // Real regions from the wasm: the sample's covered left ear is drawn right of her face box (subject's left =
    // image right; rear camera: not mirrored).
    assert.ok(report.checks.ears_visible.region?.length, 'the wasm reports the ear zones');
    await page.waitForFunction(() => document.getElementById('overlay').drawn?.some((d) => d.check === 'ears_visible'));
    const st = await overlayState(page, 'video');
    const ear = st.drawn.find((d) => d.check === 'ears_visible' && /left/.test(d.name));
    assert.ok(ear, `a left-ear shape among ${st.drawn.map((d) => d.name)}`);
    const [bx, by, bw, bh] = report.face.box;
    const frame = report.image.width;
    const toPage = ([x, y]) => expectedOnPage([(x * 512) / frame, (y * 512) / frame], st.rect, false);
    const [x0, y0] = toPage([bx + 0.5 * bw, by]);
    const [x1, y1] = toPage([bx + 1.6 * bw, by + 1.2 * bh]);
    assert.ok(
      ear.centroid[0] > x0 && ear.centroid[0] < x1 && ear.centroid[1] > y0 && ear.centroid[1] < y1,
      `the real left-ear zone ${ear.centroid} lies right of the face, within ${[x0, y0, x1, y1]}`,
    );
    await page.screenshot({ path: join(ART, 'guidance-real-regions-360x640.png') });
    await context.close();

    const t = await env.open('?profileUrl=/test-profile.toml', { init: speechStub });
    await waitState(t.page, 'preview', LOAD_TIMEOUT);
    await t.page.waitForFunction(() => window.__spoken.at(-1)?.text === '已拍好');
    const s2 = await spoken(t.page);
    console.log(`  test profile spoken: ${s2.map((s) => s.text).join(' | ')}`);
    for (let i = 1; i < s2.length; i++) assert.notEqual(s2[i].text, s2[i - 1].text);
    assert.deepEqual(errors, []);
    assert.deepEqual(t.errors, []);
    await t.context.close();
  },
);
