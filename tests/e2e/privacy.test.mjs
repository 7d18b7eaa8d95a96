// Privacy and the strict CSP (issue #7 item 6): the page served with
//   default-src 'self'; script-src 'self' 'wasm-unsafe-eval';
//   connect-src 'self' <upload origin>; img-src 'self' blob: data:
// runs a full capture + upload to a separate upload server (another origin) with no CSP violation, sends
// no request except its own assets and the one upload the user asked for, and leaves nothing stored.
//   cd tests/e2e && node --test --test-reporter=spec privacy.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, waitState } from './harness.mjs';

const env = useHarness({ uploadServer: true });

// The page's own assets: everything it may fetch before the user asks for an upload.
const ASSETS = new Set([
  '/', '/style.css', '/app.js', '/worker.js', '/pkg/photo_check.js', '/pkg/photo_check_bg.wasm',
  '/photo-check.js', '/engine.js', // the npm package's entry and engine (npm/, copied by scripts/build-npm.sh)
  '/guidance.js', '/speech.js', '/orientation.js', '/overlay.js', // the live guidance's modules (app.js imports them)
  '/models/face_detection_short_range.nnef.tar', '/models/face_landmark.nnef.tar',
  '/models/selfie_segmentation.nnef.tar',
  '/test-profile.toml', // ?profileUrl= (same origin) in this test
]);

// Collects CSP violations on the page's document (the worker forwards its own to the console, see worker.js).
function listenForViolations() {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push({
      directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
    });
  });
}

test('strict CSP: capture + cross-origin upload with no violation, no stray request, nothing stored', {
  timeout: 300_000,
}, async () => {
  const requests = [];
  let clicked = false;
  const query = `?profileUrl=/test-profile.toml&upload=${encodeURIComponent(env.uploadUrl)}`;
  const { page, context, errors, response } = await env.open(query, {
    viewport: { width: 1280, height: 800 },
    init: listenForViolations,
    // Every request of the page and its worker (Chromium reports the worker's fetches on the page).
    setup: (page) => page.on('request', (r) =>
      requests.push({ method: r.method(), url: r.url(), afterClick: clicked })),
  });
  const csp = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; ` +
    `connect-src 'self' ${env.uploadOrigin}; img-src 'self' blob: data:`;
  assert.equal(response.headers()['content-security-policy'], csp, 'the exact CSP');
  assert.notEqual(env.uploadOrigin, env.origin, 'the upload goes to another origin');

  await waitState(page, 'preview');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'pass');
  const workerScript = await fetch(new URL('worker.js', env.base)); // from node, not the page
  assert.equal(workerScript.headers.get('content-security-policy'), csp, 'the worker runs under the same CSP');
  await page.waitForTimeout(500);
  assert.equal(requests.filter((r) => r.afterClick).length, 0);
  clicked = true;
  await page.click('#use');
  await waitState(page, 'done', 30_000);
  assert.equal(env.crossUploads.length, 1, 'one upload, to the configured server');
  assert.equal(env.uploads.length, 0, 'nothing posted to the page server');
  assert.match(await page.textContent('#status-line'), new RegExp(env.crossUploads[0].id),
    'the upload server\'s answer was readable (CORS)');
  await page.waitForTimeout(500);

  // No CSP violation anywhere (page events, the browser's console reports, the worker's forwarded ones).
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);

  // Requests: the page's own assets before the click, then exactly the one POST to the upload URL. A blob: URL
  // is the page's own memory (the standardized preview made in the worker), never the network.
  const isBlob = (r) => r.url.startsWith(`blob:${env.origin}/`);
  for (const r of requests.filter((r) => !r.afterClick && !isBlob(r))) {
    const u = new URL(r.url);
    assert.equal(r.method, 'GET', r.url);
    assert.equal(u.origin, env.origin, `same origin: ${r.url}`);
    assert.ok(ASSETS.has(u.pathname), `an asset of the page: ${r.url}`);
  }
  const after = requests.filter((r) => r.afterClick && !isBlob(r));
  assert.deepEqual(after.map((r) => `${r.method} ${r.url}`), [`POST ${env.uploadUrl}`]);
  const paths = requests.map((r) => new URL(r.url).pathname);
  for (const p of ['/', '/app.js', '/worker.js', '/pkg/photo_check_bg.wasm', '/models/face_landmark.nnef.tar']) {
    assert.ok(paths.includes(p), p);
  }
  console.log(`  ${requests.length} requests: ` +
    `${requests.map((r) => `${r.method} ${new URL(r.url).pathname}`).join(', ')}`);

  // Nothing stored: no photo or report in any storage of the page's origin, no cookies.
  const stored = await page.evaluate(async () => ({
    localStorage: localStorage.length,
    sessionStorage: sessionStorage.length,
    indexedDB: (await indexedDB.databases()).map((d) => d.name),
    caches: await caches.keys(),
    serviceWorkers: (await navigator.serviceWorker.getRegistrations()).length,
    cookie: document.cookie,
    usage: (await navigator.storage.estimate()).usage,
  }));
  assert.deepEqual(stored, {
    localStorage: 0, sessionStorage: 0, indexedDB: [], caches: [], serviceWorkers: 0, cookie: '', usage: 0,
  });
  assert.deepEqual(await context.cookies(), []);

  // The detectors work: a blocked fetch from the page and from the worker is seen.
  await page.evaluate(() => fetch('http://127.0.0.2:9/leak').catch(() => {}));
  await page.waitForFunction(() => window.__csp.length > 0);
  assert.equal(await page.evaluate(() => window.__csp[0].directive), 'connect-src');
  const [worker] = page.workers();
  await worker.evaluate(() => fetch('http://127.0.0.2:9/leak').catch(() => {}));
  await page.waitForTimeout(300);
  assert.ok(errors.some((e) => /CSP violation in the worker: connect-src/.test(e)), errors.join('\n'));
  await context.close();
});
