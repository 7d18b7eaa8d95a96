// The npm package's types and helpers (npm/; issue #19). index.d.ts is written by hand, once; these tests hold it to
// the Rust types and to real reports:
//   1. its check ids, statuses, common reasons and every check's own reason codes equal the Rust sources'
//      (src/report/check.rs, the reasons! blocks of src/checks/*.rs), asserted as type equalities by tsc;
//   2. the CLI's JSON report for the sample (.cache/sample/astronaut.cli.json), the wasm module's report for it and
//      a tracked frame's {report, capture} type-check as Report / TrackResult (tsc --strict, object literals: no
//      key missing, none extra, every reason a known one); a wrong reason, a missing check and an unknown key must
//      not type-check (@ts-expect-error);
//   3. messageFor's customMessages, uncheckedReport, detectSupport in Node (no Worker: no_module_worker).
//   cd tests/e2e && node --test --test-reporter=spec npm.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { MODEL_FILES, detectSupport, messageFor, uncheckedReport, UnsupportedError } from '../../npm/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'tests/e2e/node_modules/typescript/bin/tsc');
const DTS = join(ROOT, 'npm/index.d.ts');

/** Runs tsc --strict on `files` ({name: source}) in a temp folder; returns {status, out}. */
function tsc(files) {
  const dir = mkdtempSync(join(tmpdir(), 'photo-check-tsc-'));
  try {
    writeFileSync(join(dir, 'index.d.ts'), readFileSync(DTS));
    for (const [name, src] of Object.entries(files)) writeFileSync(join(dir, name), src);
    const r = spawnSync(process.execPath, [TSC, '--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext',
      '--moduleResolution', 'bundler', '--lib', 'es2022,dom', ...Object.keys(files)], { cwd: dir, encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the Rust side ---------------------------------------------------------------------------------------

const rust = (p) => readFileSync(join(ROOT, p), 'utf8');
/** Every `Name = "code" =>` in the reasons! blocks of a Rust source: { enumName: [codes] }. */
function reasonBlocks(src) {
  const out = {};
  for (const [, body] of src.matchAll(/reasons!\s*\{([\s\S]*?)\n\}/g)) {
    const name = /enum\s+(\w+)/.exec(body)[1];
    out[name] = [...body.matchAll(/^\s*\w+\s*=\s*"([a-z0-9_]+)"\s*=>/gm)].map((m) => m[1]);
  }
  return out;
}
function rustTypes() {
  const check = rust('src/report/check.rs');
  const ids = [...check.matchAll(/CheckId::\w+ => "([a-z_]+)"/g)].map((m) => m[1]);
  const statuses = [...check.matchAll(/Status::\w+ => "([a-z_]+)"/g)].map((m) => m[1]);
  const common = reasonBlocks(check).Common;
  const own = {};
  for (const id of ids) own[id] = reasonBlocks(rust(`src/checks/${id}.rs`)).Reason;
  const errors = [...rust('src/error.rs').matchAll(/Error::\w+[^=\n]*=> "([a-z_]+)"/g)].map((m) => m[1]);
  return { ids, statuses, common, own, errors };
}

const union = (xs) => xs.map((x) => `'${x}'`).join(' | ');

test('index.d.ts: check ids, statuses and every reason code equal the Rust sources', () => {
  const r = rustTypes();
  assert.equal(r.ids.length, 17, 'the 17 check ids (CheckId::as_str)');
  assert.deepEqual(r.statuses, ['pass', 'fail', 'unknown', 'not_required']);
  assert.deepEqual(r.common, ['no_face', 'multiple_faces', 'face_too_small', 'not_required']);
  for (const id of r.ids) assert.ok(r.own[id]?.includes('ok'), `${id}: its reasons! block was read`);
  assert.ok(r.errors.includes('decode') && r.errors.length >= 8, `error codes read: ${r.errors}`);
  const eq = (name, a, b) => `const ${name}: Eq<${a}, ${b}> = true;\n`;
  let src = `import type { CheckId, Status, CommonReason, OwnReasons, ErrorCode } from './index.js';\n` +
    'type Eq<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;\n';
  src += eq('ids', 'CheckId', union(r.ids));
  src += eq('statuses', 'Status', union(r.statuses));
  src += eq('common', 'CommonReason', union(r.common));
  src += eq('checks', 'keyof OwnReasons', union(r.ids));
  for (const id of r.ids) src += eq(id, `OwnReasons['${id}']`, union(r.own[id]));
  src += `const errors: Eq<Extract<ErrorCode, ${union(r.errors)}>, ${union(r.errors)}> = true;\n`;
  const { status, out } = tsc({ 'rust.ts': src });
  assert.equal(status, 0, `index.d.ts differs from the Rust types:\n${out}`);
  // and the check is not vacuous: one code less makes tsc fail
  const broken = src.replace(`'teeth_showing'`, `'teeth_showing_not'`);
  assert.notEqual(tsc({ 'rust.ts': broken }).status, 0, 'a changed reason code is caught');
});

async function wasmReports() {
  const mod = await import(join(ROOT, 'www/pkg/photo_check.js'));
  await mod.default({ module_or_path: readFileSync(join(ROOT, 'www/pkg/photo_check_bg.wasm')) });
  const model = (f) => readFileSync(join(ROOT, 'models', f));
  const models = Object.fromEntries(Object.entries(MODEL_FILES).map(([k, f]) => [k, model(f)]));
  const checker = mod.PhotoChecker.create({ profile: 'chsi', models });
  const sample = join(ROOT, '.cache/sample/astronaut.png');
  const image = checker.checkImage(readFileSync(sample));
  const png = PNG.sync.read(readFileSync(sample));
  const pixels = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
  checker.track(pixels, png.width, png.height);
  const tracked = checker.track(pixels, png.width, png.height);
  checker.dispose();
  return { image, tracked };
}

test('the CLI report and the wasm reports type-check against index.d.ts (Report, TrackResult)', async () => {
  const { file, ...cli } = JSON.parse(readFileSync(join(ROOT, '.cache/sample/astronaut.cli.json'), 'utf8'));
  assert.ok(file, 'the CLI JSON names its file (left out: Report is the wasm and receiver shape)');
  const { image, tracked } = await wasmReports();
  assert.equal(image.verdict, cli.verdict);
  assert.ok(tracked.capture.checklist.length > 0);
  const lit = (v) => JSON.stringify(v, null, 1);
  const good = `import type { Report, TrackResult } from './index.js';\n` +
    `export const cli: Report = ${lit(cli)};\n` +
    `export const wasm: Report = ${lit(image)};\n` +
    `export const tracked: TrackResult = ${lit(tracked)};\n`;
  const r = tsc({ 'reports.ts': good });
  assert.equal(r.status, 0, `a real report does not type-check:\n${r.out.slice(0, 4000)}`);
  // wrong ones must not: a reason the check does not have, a check missing, a key the report does not have
  const mouth = cli.checks.mouth_closed;
  const { no_hat: _, ...fewer } = cli.checks;
  const line = (v) => JSON.stringify(v); // one line: @ts-expect-error covers the next line only
  const bad = `import type { Report } from './index.js';\n` +
    `// @ts-expect-error\nexport const a: Report = ${line({ ...cli, checks: { ...cli.checks, mouth_closed:
      { ...mouth, reason: 'hat' } } })};\n` +
    `// @ts-expect-error\nexport const b: Report = ${line({ ...cli, checks: fewer })};\n` +
    `// @ts-expect-error\nexport const c: Report = ${line({ ...cli, extra: 1 })};\n` +
    `// @ts-expect-error\nexport const d: Report = ${line({ ...cli, verdict: 'not_required' })};\n`;
  const rb = tsc({ 'bad.ts': bad });
  assert.equal(rb.status, 0, `every wrong report must be a type error (an unused @ts-expect-error fails):\n${rb.out}`);
});

test('the package names its models in one place, and they exist', () => {
  const onDisk = readdirSync(join(ROOT, 'models'));
  for (const f of Object.values(MODEL_FILES)) assert.ok(onDisk.includes(f), `models/${f}`);
  const js = ['index.js', 'engine.js', 'worker.js'].map((f) => readFileSync(join(ROOT, 'npm', f), 'utf8')).join('\n');
  for (const f of Object.values(MODEL_FILES)) {
    assert.equal(js.split(f).length - 1, 1, `${f} is named once in npm/*.js (MODEL_FILES)`);
  }
});

test('messageFor: the report\'s own zh/en message, customMessages by "check.reason" then by reason', () => {
  const r = { reason: 'mouth_open', message_zh: '请闭上嘴', message_en: 'Close your mouth' };
  assert.equal(messageFor('mouth_closed', r), '请闭上嘴', 'zh by default');
  assert.equal(messageFor('mouth_closed', r, { lang: 'en' }), 'Close your mouth');
  const customMessages = {
    mouth_open: { zh: '嘴巴请闭上', en: 'Mouth closed, please' },
    'mouth_closed.mouth_open': 'Lips together',
    no_face: 'Nobody there',
  };
  assert.equal(messageFor('mouth_closed', r, { lang: 'en', customMessages }), 'Lips together', 'check.reason wins');
  assert.equal(messageFor('eyes_open', { ...r }, { lang: 'zh', customMessages: { mouth_open: { zh: '嘴巴请闭上' } } }),
    '嘴巴请闭上', 'by reason, in the language asked');
  assert.equal(messageFor('eyes_open', r, { lang: 'en', customMessages: { mouth_open: { zh: '嘴巴请闭上' } } }),
    'Close your mouth', 'no override in that language: the report\'s');
  assert.equal(messageFor('framing', { reason: 'no_face', message_zh: 'x', message_en: 'y' }, { customMessages }),
    'Nobody there', 'a common reason, any check');
});

test('uncheckedReport and detectSupport (Node has WebAssembly SIMD, no Worker)', () => {
  assert.deepEqual(uncheckedReport('no_wasm_simd', { profile: 'chsi', width: 4, height: 3 }),
    { verdict: 'unchecked', reason: 'no_wasm_simd', profile: 'chsi', checks: {}, image: { width: 4, height: 3 } });
  assert.deepEqual(detectSupport({ worker: false }), { supported: true });
  assert.deepEqual(detectSupport(), { supported: false, reason: 'no_module_worker' });
  const e = new UnsupportedError('no_module_worker');
  assert.deepEqual([e.name, e.code, e.reason, e instanceof Error], ['UnsupportedError', 'unsupported',
    'no_module_worker', true]);
});
