// Node unit tests of the page's pure modules (no browser): the frame → page mapping of the overlay
// (object-fit cover/contain × portrait/landscape × mirrored), the one-message-at-a-time checklist plan, the
// speech throttle, and the tilt from deviceorientation angles.
//   cd tests/e2e && node --test units.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameToPage, failingRegions } from '../../www/overlay.js';
import { planChecklist } from '../../www/guidance.js';
import { createSpeaker, SPEECH_GAP_MS } from '../../www/speech.js';
import { tiltFromVertical, watchOrientation } from '../../www/orientation.js';

const near = (a, b, msg) => {
  assert.ok(Math.abs(a[0] - b[0]) < 1e-9 && Math.abs(a[1] - b[1]) < 1e-9, `${msg}: ${a} vs ${b}`);
};

test('frameToPage: contain letterboxes, cover crops, centred; mirrored flips about the element centre', () => {
  const elemRect = { left: 10, top: 20, width: 300, height: 400 }; // a 3:4 element
  // Landscape 640×480 frame in a portrait element. contain: scale 300/640, bars top and bottom.
  const land = { frameW: 640, frameH: 480, elemRect };
  const s = 300 / 640;
  const oy = (400 - 480 * s) / 2;
  near(frameToPage([0, 0], { ...land, fit: 'contain' }), [10, 20 + oy], 'contain, landscape, corner');
  near(
    frameToPage([640, 480], { ...land, fit: 'contain' }),
    [310, 20 + oy + 480 * s],
    'contain, landscape, far corner',
  );
  near(frameToPage([320, 240], { ...land, fit: 'contain' }), [160, 220], 'contain: centre to centre');
  near(
    frameToPage([100, 50], { ...land, fit: 'contain', mirrored: true }),
    [10 + 300 - 100 * s, 20 + oy + 50 * s],
    'contain, landscape, mirrored',
  );
  // cover: scale 400/480, cropped left and right.
  const c = 400 / 480;
  const ox = (300 - 640 * c) / 2;
  near(frameToPage([0, 0], { ...land, fit: 'cover' }), [10 + ox, 20], 'cover, landscape, corner (off the element)');
  near(frameToPage([100, 50], { ...land, fit: 'cover' }), [10 + ox + 100 * c, 20 + 50 * c], 'cover, landscape');
  near(
    frameToPage([100, 50], { ...land, fit: 'cover', mirrored: true }),
    [10 + 300 - (ox + 100 * c), 20 + 50 * c],
    'cover, landscape, mirrored',
  );
  // Portrait 480×640 frame in a landscape element.
  const wide = { left: 0, top: 0, width: 800, height: 450 };
  const por = { frameW: 480, frameH: 640, elemRect: wide };
  const sp = 450 / 640;
  const oxp = (800 - 480 * sp) / 2;
  near(frameToPage([100, 50], { ...por, fit: 'contain' }), [oxp + 100 * sp, 50 * sp], 'contain, portrait');
  near(
    frameToPage([100, 50], { ...por, fit: 'contain', mirrored: true }),
    [800 - (oxp + 100 * sp), 50 * sp],
    'contain, portrait, mirrored',
  );
  const cp = 800 / 480;
  const oyp = (450 - 640 * cp) / 2;
  near(frameToPage([100, 50], { ...por, fit: 'cover' }), [100 * cp, oyp + 50 * cp], 'cover, portrait');
  near(
    frameToPage([100, 50], { ...por, fit: 'cover', mirrored: true }),
    [800 - 100 * cp, oyp + 50 * cp],
    'cover, portrait, mirrored',
  );
  // The checked frame is the video downscaled (same aspect): frame points scale to the video first.
  near(
    frameToPage([320, 180], { frameW: 640, frameH: 360, videoW: 1280, videoH: 720, elemRect: wide, fit: 'contain' }),
    [400, 225],
    'downscaled frame of a 1280×720 video',
  );
  // fill stretches.
  near(frameToPage([320, 240], { ...land, fit: 'fill' }), [160, 220], 'fill');
  near(frameToPage([640, 0], { ...land, fit: 'fill' }), [310, 20], 'fill corner');
});

test('failingRegions: only failing checks with a region; the shown (live) status wins over the raw one', () => {
  const region = [
    {
      name: 'left_ear',
      points: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    },
  ];
  const report = {
    checks: {
      ears_visible: { status: 'fail', region },
      no_hat: {
        status: 'pass',
        region: [
          {
            name: 'hat_band',
            points: [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          },
        ],
      },
      mouth_closed: { status: 'fail' }, // no zone
      body_tilt: { status: 'fail', region: [] },
    },
  };
  assert.deepEqual(
    failingRegions(report).map((r) => r.name),
    ['left_ear'],
  );
  assert.deepEqual(
    failingRegions(report, { ears_visible: 'pass', no_hat: 'fail' }).map((r) => r.name),
    ['hat_band'],
  );
  assert.deepEqual(failingRegions({}), []);
});

const item = (id, status, reason = status === 'pass' ? 'ok' : id) => ({
  id,
  status,
  reason,
  message_zh: `${id}-zh`,
  message_en: `${id}-en`,
});

test('planChecklist: one primary, the face-dependent checks wait on face_count, passing stay ticked', () => {
  const noFace = planChecklist([
    item('face_count', 'fail', 'no_face'),
    item('framing', 'unknown', 'no_face'),
    item('head_pose', 'unknown', 'no_face'),
    item('exposure', 'pass'),
    item('ears_visible', 'not_required', 'not_required'),
  ]);
  assert.equal(noFace.primary.id, 'face_count');
  assert.deepEqual(
    noFace.rows.map((r) => [r.id, r.view]),
    [
      ['face_count', 'primary'],
      ['framing', 'waiting'],
      ['head_pose', 'waiting'],
      ['exposure', 'pass'],
    ],
  );
  const face = planChecklist([
    item('face_count', 'pass'),
    item('framing', 'fail'),
    item('mouth_closed', 'fail'),
    item('ears_visible', 'unknown', 'face_too_small'),
  ]);
  assert.equal(face.primary.id, 'framing');
  assert.deepEqual(
    face.rows.map((r) => r.view),
    ['pass', 'primary', 'later', 'waiting'],
  );
  assert.equal(planChecklist([item('face_count', 'pass'), item('framing', 'pass')]).primary, null);
});

// A fake clock and timers for the speaker.
function fakeSpeech() {
  let t = 0;
  const timers = [];
  const said = [];
  const synth = {
    speak: (u) => said.push({ text: u.text, lang: u.lang, at: t }),
    cancel: () => said.push({ cancel: true, at: t }),
  };
  class Utterance {
    constructor(text) {
      this.text = text;
    }
  }
  const speaker = createSpeaker({
    synth,
    Utterance,
    now: () => t,
    setTimer: (f, ms) => {
      timers.push({ f, at: t + ms });
      return timers.length;
    },
    clearTimer: (id) => {
      timers[id - 1].f = null;
    },
  });
  const advance = (ms) => {
    const end = t + ms;
    for (;;) {
      const next = timers.filter((x) => x.f && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      t = next.at;
      const f = next.f;
      next.f = null;
      f();
    }
    t = end;
  };
  return { speaker, said: () => said.filter((s) => !s.cancel), advance };
}

test('speaker: says an instruction once, throttles changes to one per gap (the newest wins), announces at once', () => {
  const { speaker, said, advance } = fakeSpeech();
  speaker.say('a', 'zh-CN');
  assert.deepEqual(said(), [], 'off by default');
  speaker.setEnabled(true);
  speaker.say('a', 'zh-CN');
  speaker.say('a', 'zh-CN');
  advance(5000);
  speaker.say('a', 'zh-CN');
  assert.deepEqual(
    said().map((s) => s.text),
    ['a'],
    'unchanged: said once',
  );
  speaker.say('b', 'zh-CN'); // 5 s later: at once
  advance(1000);
  speaker.say('c', 'zh-CN'); // within the gap: waits
  advance(500);
  speaker.say('d', 'zh-CN'); // replaces c
  advance(SPEECH_GAP_MS);
  assert.deepEqual(
    said().map((s) => [s.text, s.at]),
    [
      ['a', 0],
      ['b', 5000],
      ['d', 5000 + SPEECH_GAP_MS],
    ],
  );
  speaker.say('e', 'zh-CN');
  advance(100);
  speaker.say('d', 'zh-CN'); // back to what was said: the pending e is dropped
  advance(SPEECH_GAP_MS * 2);
  assert.equal(said().length, 3);
  speaker.announce('captured', 'zh-CN');
  assert.equal(said().at(-1).text, 'captured');
  speaker.cancel();
  speaker.say('d', 'zh-CN'); // forgotten after cancel: said again (after the gap)
  advance(SPEECH_GAP_MS);
  assert.equal(said().at(-1).text, 'd');
  speaker.setEnabled(false);
  speaker.say('z', 'zh-CN');
  advance(SPEECH_GAP_MS * 2);
  assert.notEqual(said().at(-1).text, 'z');
  speaker.unlock();
  speaker.unlock();
  assert.equal(said().filter((s) => s.text === '').length, 1, 'unlock: one empty utterance');
  assert.equal(createSpeaker({ synth: undefined, Utterance: undefined }).available, false);
});

test('tilt from vertical: portrait and landscape upright are 0°, flat is 90°; the watch has hysteresis', () => {
  assert.ok(tiltFromVertical(90, 0) < 1e-9, 'portrait upright');
  assert.ok(Math.abs(tiltFromVertical(75, 0) - 15) < 1e-9, 'portrait pitched 15°');
  assert.ok(Math.abs(tiltFromVertical(105, 0) - 15) < 1e-9, 'portrait pitched back 15°');
  assert.ok(tiltFromVertical(0, 90) < 1e-9 && tiltFromVertical(0, -90) < 1e-9, 'landscape upright');
  assert.ok(Math.abs(tiltFromVertical(0, 70) - 20) < 1e-9, 'landscape pitched 20°');
  assert.ok(Math.abs(tiltFromVertical(0, 0) - 90) < 1e-9, 'flat');
  assert.equal(tiltFromVertical(null, null), null);
  const listeners = {};
  const win = {
    DeviceOrientationEvent: function DOE() {},
    addEventListener: (n, f) => {
      listeners[n] = f;
    },
    screen: { orientation: { angle: 0 } },
  };
  const changes = [];
  watchOrientation((tilted) => changes.push(tilted), { win });
  for (const beta of [90, 85, 79, 81, 83, 90]) listeners.deviceorientation({ beta, gamma: 0 });
  assert.deepEqual(changes, [true, false], 'on beyond 10°, off only below 8°');
  // iOS: permission asked once, on a gesture; a refusal is silent.
  let asked = 0;
  const ios = {
    DeviceOrientationEvent: Object.assign(function DOE() {}, {
      requestPermission: () => {
        asked += 1;
        return Promise.reject(new Error('not allowed'));
      },
    }),
    addEventListener: () => {},
  };
  const w = watchOrientation(() => {}, { win: ios });
  assert.equal(w.needsPermission, true);
  assert.equal(asked, 0, 'not asked before a gesture');
  w.requestOnGesture();
  w.requestOnGesture();
  assert.equal(asked, 1);
});
