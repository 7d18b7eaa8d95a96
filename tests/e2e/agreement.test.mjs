// Same answer everywhere: the native CLI and the wasm module give the same report for the same file, and
// the same file checked twice gives the same report (timings aside). Run by scripts/test-web.sh:
//   cd tests/e2e && node --test agreement.test.mjs
// Needs www/pkg (scripts/build-web.sh) and the sample (scripts/fetch-sample.sh). The CLI is
// `cargo run --quiet -- check --json` (warm after `cargo test`), or $PHOTO_CHECK_CLI if set.
//
// The sample set, made here deterministically from the sample portrait (PNGs in the git-ignored
// tests/e2e/artifacts/agreement/): the sample; rotated ±15°; left half darkened; blurred; a second face
// pasted; the head cut off at the top; an odd-size crop; plain grey; noisy; four small JPEGs from the
// fuzz seeds (a face, EXIF orientation 6, CMYK, progressive); and four files both sides must refuse with
// the same error code (truncated PNG, not an image, PNG and JPEG headers claiming 60000×60000).
//
// Tolerance for numbers (reports are rounded to 3 decimals): |native − wasm| ≤ ABS + REL·max(|native|, |wasm|).
// Everything else — verdict, profile, every check's status and reason and messages, array lengths and
// keys — must be equal. The measured largest differences are printed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ABS, REL, comparable, diff, makeSampleSet, runCli } from './compare.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let wasm;
async function wasmChecker() {
  if (wasm) return wasm;
  const mod = await import(join(ROOT, 'www/pkg/photo_check.js'));
  await mod.default({ module_or_path: readFileSync(join(ROOT, 'www/pkg/photo_check_bg.wasm')) });
  const m = (f) => readFileSync(join(ROOT, 'models', f));
  wasm = mod.PhotoChecker.create({
    profile: 'chsi',
    models: {
      faceDetection: m('face_detection_short_range.nnef.tar'),
      faceLandmark: m('face_landmark.nnef.tar'),
      selfieSegmentation: m('selfie_segmentation.nnef.tar'),
    },
  });
  return wasm;
}

function wasmCheck(checker, path) {
  try {
    return checker.checkImage(readFileSync(path));
  } catch (e) {
    assert.equal(e.name, 'PhotoCheckError', `${path}: wasm threw ${e.name}: ${e.message}`);
    return { error: { code: e.code, message: e.message } };
  }
}

// ---- the test -------------------------------------------------------------------------------------

let files;
before(() => { files = makeSampleSet(); });

test('the comparison catches what it must', () => {
  const a = {
    verdict: 'fail',
    checks: { x: { status: 'fail', reason: 'r', value: { v: 100, n: [1, 2] } } },
    timing_ms: { total: 1 },
  };
  const same = (b) => diff(comparable(a), comparable(b)).out.length === 0;
  assert.ok(same({ ...a, timing_ms: { total: 99 } }), 'timings are ignored');
  assert.ok(same({ ...a, checks: { x: { ...a.checks.x, value: { v: 100.1, n: [1, 2.005] } } } }),
    'within 0.01 + 0.1 %');
  assert.ok(!same({ ...a, checks: { x: { ...a.checks.x, value: { v: 100.2, n: [1, 2] } } } }), 'beyond the tolerance');
  assert.ok(!same({ ...a, checks: { x: { ...a.checks.x, value: { v: 100, n: [1, 2.02] } } } }),
    'beyond the tolerance, small values');
  assert.ok(!same({ ...a, checks: { x: { ...a.checks.x, reason: 's' } } }), 'reasons differ');
  assert.ok(!same({ ...a, checks: { x: { ...a.checks.x, value: { v: 100, n: [1] } } } }), 'lengths differ');
  assert.ok(!same({ ...a, checks: { x: { ...a.checks.x, extra: 1 } } }), 'a key missing');
  assert.ok(!same({ ...a, verdict: 'pass' }), 'verdicts differ');
});

test('native CLI and wasm agree on every verdict, check and value; repeated checks are identical', {
  timeout: 60 * 60_000,
}, async () => {
  const paths = files.map(([, p]) => p);
  const t0 = Date.now();
  // every file twice in one CLI run: the second report must equal the first
  const { lines, status } = runCli([...paths, ...paths]);
  const tCli = Date.now() - t0;
  const checker = await wasmChecker();
  const t1 = Date.now();
  const stats = { maxAbs: 0, maxRel: 0, worst: null, numbers: 0 };
  const problems = [];
  const summary = [];
  let expectStatus = 0;
  for (const [i, [name, path]] of files.entries()) {
    const native = lines[i], nativeAgain = lines[i + files.length];
    assert.equal(native.file, path);
    const w1 = wasmCheck(checker, path), w2 = wasmCheck(checker, path);
    // the same input, the same answer: twice in wasm, twice in the CLI (timings aside), exactly
    assert.deepEqual(comparable(w2), comparable(w1), `${name}: wasm gave two different reports`);
    assert.deepEqual(comparable(nativeAgain), comparable(native), `${name}: the CLI gave two different reports`);
    const what = (r) => (r.error ? `error ${r.error.code} (${r.error.message})` : r.verdict);
    if (native.error) expectStatus = 2;
    if (native.error || w1.error) {
      if (native.error?.code !== w1.error?.code) problems.push(`${name}: native ${what(native)}, wasm ${what(w1)}`);
      summary.push(`${name}: native ${what(native)}; wasm ${what(w1)}`);
      continue;
    }
    if (w1.verdict !== native.verdict) problems.push(`${name}: verdict native ${native.verdict}, wasm ${w1.verdict}`);
    if (native.verdict !== 'pass') expectStatus = Math.max(expectStatus, 1);
    const fileStats = { maxAbs: 0, maxRel: 0, worst: null, numbers: 0 };
    const { out } = diff(comparable(native), comparable(w1), '', fileStats);
    problems.push(...out.map((d) =>
      `${name}${d.path}: native ${JSON.stringify(d.a)}, wasm ${JSON.stringify(d.b)} (${d.why})`));
    stats.numbers += fileStats.numbers;
    if (fileStats.maxAbs > stats.maxAbs) {
      stats.maxAbs = fileStats.maxAbs;
      stats.worst = { file: name, ...fileStats.worst };
    }
    stats.maxRel = Math.max(stats.maxRel, fileStats.maxRel);
    const failing = Object.entries(native.checks)
      .filter(([, c]) => c.status !== 'pass' && c.status !== 'not_required')
      .map(([id, c]) => `${id}:${c.reason}`);
    summary.push(`${name}: ${native.verdict} (${failing.join(', ') || 'all pass'}); ` +
      `max |Δ| ${fileStats.maxAbs.toFixed(4)}` +
      `${fileStats.worst && fileStats.maxAbs > 0 ? ` at ${fileStats.worst.path}` : ''}`);
  }
  const tWasm = Date.now() - t1;
  console.log(summary.map((s) => `  ${s}`).join('\n'));
  console.log(`  ${stats.numbers} numbers compared; largest native–wasm difference: ${stats.maxAbs} absolute` +
    `${stats.worst ? ` (${stats.worst.file}${stats.worst.path}: ${stats.worst.a} vs ${stats.worst.b})` : ''}, ` +
    `${stats.maxRel.toExponential(2)} relative; tolerance ${ABS} + ${REL}·|value|`);
  console.log(`  CLI ${(tCli / 1000).toFixed(1)} s for ${2 * files.length} checks (incl. cargo), ` +
    `wasm ${(tWasm / 1000).toFixed(1)} s for ${2 * files.length}`);
  assert.deepEqual(problems, [], 'native and wasm reports differ');
  assert.equal(status, expectStatus, 'CLI exit status: 0 all pass, 1 any fail/unknown, 2 any error');
  // the set covers what it says: faces found, refused, and errors on both sides
  const verdicts = new Set(lines.map((l) => l.error?.code ?? l.checks.face_count.reason));
  for (const want of ['ok', 'no_face', 'multiple_faces']) {
    assert.ok(verdicts.has(want), `the sample set has a ${want} case (got ${[...verdicts]})`);
  }
});
