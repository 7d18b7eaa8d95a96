// No dead end without WebAssembly SIMD or module workers (issue #14 part 3): the page shows the unsupported state
// without loading the module or a model, offers the system camera and the album, shows the chosen photo as not
// checked (zh and en), and uploads it through the page server to the real receiver (`photo-check serve`, test
// profile: harness.mjs) with the report {verdict: 'unchecked', reason}. The receiver stores it with the page's
// report and answers its own verdict. ?simd=0 pretends SIMD is missing, ?moduleWorker=0 module workers.
//   cd tests/e2e && node --test --test-reporter=spec unchecked.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useHarness, ART, SAMPLE, shown, waitState } from './harness.mjs';

const env = useHarness({ receiver: true });

const CASES = [
  { query: '?simd=0', reason: 'no_wasm_simd', input: '#album', error: /WebAssembly SIMD/, verdict: /照片未检查/ },
  {
    query: '?moduleWorker=0&lang=en', reason: 'no_module_worker', input: '#system-camera',
    error: /no module workers/, verdict: /Not checked/,
  },
];

for (const c of CASES) {
  test(`${c.query}: unsupported (${c.reason}), a photo from ${c.input} shown unchecked and uploaded unchecked`, {
    timeout: 300_000,
  }, async () => {
    const paths = [];
    const { page, context, errors } = await env.open(c.query, {
      setup: (page) => page.on('request', (r) => paths.push(new URL(r.url()).pathname)),
    });
    await waitState(page, 'unsupported', 30_000);
    assert.match(await page.textContent('#error-text'), c.error);
    assert.ok(await shown(page, '#album-label'), '从相册选择 is offered');
    assert.ok(await shown(page, '#system-camera-label'), '用系统相机拍照 is offered');
    assert.ok(!(await shown(page, '#shoot')), 'no 手动拍摄 without a checker');
    await page.screenshot({ path: join(ART, `unchecked-${c.reason}-unsupported.png`) });

    await page.setInputFiles(c.input, SAMPLE);
    await waitState(page, 'preview', 30_000);
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'unchecked');
    assert.match(await page.textContent('#verdict'), c.verdict);
    assert.equal(await page.$$eval('#checklist li', (lis) => lis.length), 0, 'no checklist: nothing was checked');
    assert.ok(await shown(page, '#preview'), 'the photo is on screen');
    assert.deepEqual(await page.$eval('#preview', (cv) => [cv.width, cv.height]), [512, 512]);
    await page.screenshot({ path: join(ART, `unchecked-${c.reason}-preview.png`) });

    // 重拍 goes back to the pickers; another photo, then 使用此照片
    await page.click('#retake');
    await waitState(page, 'unsupported', 10_000);
    await page.setInputFiles(c.input, SAMPLE);
    await waitState(page, 'preview', 30_000);
    const before = env.uploads.length;
    await page.click('#use');
    await waitState(page, 'done', 60_000);
    assert.equal(env.uploads.length, before + 1, 'one upload');
    const up = env.uploads.at(-1);
    assert.deepEqual(up.meta.report, {
      verdict: 'unchecked', reason: c.reason, profile: 'chsi', checks: {}, image: { width: 512, height: 512 },
    });
    assert.equal(up.meta.source, 'album');
    assert.ok(up.photo[0] === 0xff && up.photo[1] === 0xd8, 'the photo is a JPEG');
    assert.match(await page.textContent('#status-line'), new RegExp(up.id));
    // the receiver checked the photo itself: its verdict, its report; the page's report is kept as sent
    assert.match(up.answer.id, /^[0-9a-f]{32}$/);
    assert.ok(['pass', 'fail', 'unknown'].includes(up.answer.verdict), `the receiver's verdict: ${up.answer.verdict}`);
    const auth = { headers: { Authorization: `Bearer ${env.receiver.token}` } };
    const stored = await (await fetch(`${env.receiver.url}/uploads/${up.id}`, auth)).json();
    assert.equal(stored.page_report.report.verdict, 'unchecked');
    assert.equal(stored.page_report.report.reason, c.reason);
    assert.equal(stored.page_verdict, 'unchecked');
    assert.equal(stored.server_report.verdict, up.answer.verdict);
    assert.equal(stored.server_report.checks.face_count.status, 'pass', 'the receiver found the face');
    // With no page statuses every check and the verdict count as differing: the upload is listed for review.
    assert.ok(up.answer.mismatch.includes('verdict'), `mismatch: ${up.answer.mismatch}`);

    assert.deepEqual(paths.filter((p) => p.startsWith('/pkg') || p.startsWith('/models')), [],
      'no module or model is fetched');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// The package's own detection (no ?simd=0): a browser whose WebAssembly.validate refuses the SIMD probe, and one
// whose Worker constructor does not know the `type` option (module workers missing): createChecker rejects with
// the typed error, and the page ends in unsupported with that reason, nothing loaded.
const NO_SIMD = () => { WebAssembly.validate = () => false; };
const NO_MODULE_WORKER = () => {
  window.Worker = class { constructor() { throw new TypeError('classic workers only, and not this one'); } };
};
for (const [reason, init] of [['no_wasm_simd', NO_SIMD], ['no_module_worker', NO_MODULE_WORKER]]) {
  test(`detectSupport in the browser: ${reason} → createChecker rejects with UnsupportedError`, {
    timeout: 60_000,
  }, async () => {
    const paths = [];
    const { page, context, errors } = await env.open('', {
      init, setup: (page) => page.on('request', (r) => paths.push(new URL(r.url()).pathname)),
    });
    await waitState(page, 'unsupported', 30_000);
    assert.equal(await page.evaluate(() => window.photoCheck.app.unchecked), reason);
    const rejected = await page.evaluate(async () => {
      const m = await import('/photo-check.js');
      return m.createChecker({ profile: 'chsi' }).then(() => null, (e) => ({
        name: e.name, code: e.code, reason: e.reason, typed: e instanceof m.UnsupportedError,
        detected: m.detectSupport(),
      }));
    });
    assert.deepEqual(rejected, {
      name: 'UnsupportedError', code: 'unsupported', reason, typed: true, detected: { supported: false, reason },
    });
    assert.deepEqual(paths.filter((p) => p.startsWith('/pkg') || p.startsWith('/models') || p === '/worker.js'), []);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
