// The npm package's Checker in Chromium, with a scripted stub in place of its worker (served by page.route at the
// worker's URL, as guidance.test.mjs does): a wasm trap makes the package replace the worker (the call that trapped
// rejects with code 'trap', the others in flight with 'restarted', onCrash, then onReady again, and the checker
// works again); a trap while loading is retried in a new worker twice before `ready` rejects; dispose() rejects
// what is pending and what comes after with 'disposed'; a cross-origin baseUrl or modelsUrl is refused before
// anything is fetched. The page is a blank one on the page server's origin (the
// package's entry is the page's copy, /photo-check.js). And { worker: false }: the real engine and wasm on the page,
// the CLI's report for the sample. The real worker and wasm: consumer.test.mjs, e2e.test.mjs.
//   cd tests/e2e && node --test --test-reporter=spec package.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useHarness, ROOT, SAMPLE } from './harness.mjs';
import { comparable, diff } from './compare.mjs';

const env = useHarness();

// Ready at once; 'frame' traps (as engine.js reports a WebAssembly.RuntimeError); 'image' answers after 300 ms.
const STUB_WORKER = `
onmessage = ({ data: m }) => {
  if (m.type === 'init') postMessage({ type: 'ready', profile: 'stub', pkg: 'stub' });
  else if (m.type === 'frame') {
    postMessage({ type: 'error', id: m.id, code: 'trap', message: 'unreachable', fatal: true, during: 'frame' });
  } else if (m.type === 'image') {
    setTimeout(() => postMessage({ type: 'image', id: m.id, report: { verdict: 'pass', bytes: m.bytes.byteLength } }),
      300);
  }
};`;

// Traps while loading, as engine.js reports a WebAssembly.RuntimeError thrown by PhotoChecker.create.
const TRAP_ON_INIT = `
onmessage = ({ data: m }) => {
  if (m.type === 'init') {
    postMessage({ type: 'error', id: m.id, code: 'trap', message: 'call_indirect to a null table entry', fatal: true,
      during: 'init' });
  }
};`;

/** A blank page whose worker is a stub: the first `traps` workers started trap while loading, then STUB_WORKER. */
async function blankPage({ traps = 0 } = {}) {
  let started = 0;
  const warnings = [];
  const { page, context, errors } = await env.open('blank.html', {
    setup: async (page) => {
      const blank = '<!doctype html><p>blank';
      page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
      await page.route('**/blank.html', (r) => r.fulfill({ contentType: 'text/html', body: blank }));
      await page.route('**/worker.js', (r) => r.fulfill({
        contentType: 'text/javascript', body: started++ < traps ? TRAP_ON_INIT : STUB_WORKER,
      }));
    },
  });
  return { page, context, errors, warnings, started: () => started };
}

test('a wasm trap: the worker is replaced, the calls in flight reject (trap, restarted), then it works again', {
  timeout: 60_000,
}, async () => {
  const { page, context, errors } = await blankPage();
  const out = await page.evaluate(async () => {
    const m = await import('/photo-check.js');
    const events = [];
    const checker = m.startChecker({
      onCrash: (e) => events.push(`crash ${e.code}`), onReady: (c) => events.push(`ready ${c.profile}`),
    });
    const first = checker.worker;
    await checker.ready;
    const slow = checker.checkImage(new Uint8Array([1, 2, 3])).then(() => 'answered', (e) => e.code);
    const trapped = await checker.track(new ImageData(4, 4)).then(() => null,
      (e) => ({ name: e.name, code: e.code, fatal: e.fatal, typed: e instanceof m.PhotoCheckError }));
    const inFlight = await slow;
    await checker.ready;
    const replaced = checker.worker !== first && checker.worker instanceof Worker;
    const after = await checker.checkImage(new Uint8Array([1, 2, 3, 4]));
    return { events, trapped, inFlight, replaced, after };
  });
  assert.deepEqual(out, {
    events: ['ready stub', 'crash trap', 'ready stub'],
    trapped: { name: 'PhotoCheckError', code: 'trap', fatal: true, typed: true },
    inFlight: 'restarted',
    replaced: true,
    after: { verdict: 'pass', bytes: 4 },
  });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a trap while loading: a new worker loads (twice at most), then ready resolves or rejects with trap', {
  timeout: 60_000,
}, async () => {
  // once: the second worker loads, ready resolves and the checker works; the first worker is gone
  const once = await blankPage({ traps: 1 });
  const loaded = await once.page.evaluate(async () => {
    const m = await import('/photo-check.js');
    const events = [];
    const checker = m.startChecker({
      onCrash: (e) => events.push(`crash ${e.code}`), onReady: () => events.push('ready'),
    });
    const first = checker.worker;
    await checker.ready;
    const after = await checker.checkImage(new Uint8Array([1, 2, 3]));
    return { events, replaced: checker.worker !== first, profile: checker.profile, after };
  });
  assert.deepEqual(loaded, {
    events: ['ready'], replaced: true, profile: 'stub', after: { verdict: 'pass', bytes: 3 },
  });
  assert.equal(once.started(), 2);
  assert.equal(once.warnings.filter((w) => w.includes('trapped while loading')).length, 1, once.warnings.join('\n'));
  assert.deepEqual(once.errors, []);
  await once.context.close();

  // always: three workers (the first and two retries), then ready rejects with the trap
  const always = await blankPage({ traps: 10 });
  const failed = await always.page.evaluate(async () => {
    const m = await import('/photo-check.js');
    const checker = m.startChecker({});
    const out = await checker.ready.then(() => 'ready', (e) => ({ code: e.code, fatal: e.fatal, during: e.during }));
    await new Promise((r) => setTimeout(r, 500)); // no worker starts after that
    return out;
  });
  assert.deepEqual(failed, { code: 'trap', fatal: true, during: 'init' });
  assert.equal(always.started(), 3);
  assert.equal(always.warnings.filter((w) => w.includes('trapped while loading')).length, 2);
  await always.context.close();
});

test('dispose: pending and later calls reject with disposed; cross-origin baseUrl / modelsUrl are refused', {
  timeout: 60_000,
}, async () => {
  const { page, context, errors } = await blankPage();
  const out = await page.evaluate(async () => {
    const m = await import('/photo-check.js');
    const checker = await m.createChecker();
    const pending = checker.checkImage(new Uint8Array([1])).then(() => 'answered', (e) => e.code);
    checker.dispose();
    const later = await checker.checkImage(new Uint8Array([1])).then(() => 'answered', (e) => e.code);
    const refused = [];
    for (const o of [{ baseUrl: 'https://cdn.example.com/photo-check/' }, { modelsUrl: 'https://example.com/m/' }]) {
      refused.push(await m.createChecker(o).then(() => 'created', (e) => `${e.code}: ${e.message}`));
    }
    return { pending: await pending, later, refused };
  });
  assert.equal(out.pending, 'disposed');
  assert.equal(out.later, 'disposed');
  assert.match(out.refused[0], /^invalid_argument: baseUrl must be same-origin/);
  assert.match(out.refused[1], /^invalid_argument: modelsUrl must be same-origin/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('worker: false runs the real engine on the page: checkImage gives the CLI\'s report; check and track work', {
  timeout: 180_000,
}, async () => {
  const { page, context, errors } = await blankPage();
  await page.route('**/sample.png', (r) => r.fulfill({ contentType: 'image/png', body: readFileSync(SAMPLE) }));
  const out = await page.evaluate(async () => {
    const m = await import('/photo-check.js');
    const checker = await m.createChecker({ worker: false, lang: 'en' });
    const photo = await (await fetch('/sample.png')).blob();
    const report = await checker.checkImage(photo);
    const bitmap = await createImageBitmap(photo);
    const still = await checker.check(bitmap);
    const tracked = await checker.track(bitmap);
    const best = await checker.bestFrame();
    const message = checker.message('mouth_closed', report.checks.mouth_closed);
    checker.dispose();
    return { worker: checker.worker, report, still: still.verdict, phase: tracked.capture.phase,
      best: best && [best.image.width, best.image.height], message };
  });
  const cli = JSON.parse(readFileSync(join(ROOT, '.cache/sample/astronaut.cli.json'), 'utf8'));
  assert.deepEqual(diff(comparable(cli), comparable(out.report)).out, [], 'the CLI\'s report');
  assert.equal(out.worker, null, 'no worker');
  assert.equal(out.still, 'fail');
  assert.equal(out.phase, 'searching', 'the sample fails chsi: no capture');
  assert.deepEqual(out.best, [512, 512]);
  assert.equal(out.message, cli.checks.mouth_closed.message_en);
  assert.deepEqual(errors, []);
  await context.close();
});
