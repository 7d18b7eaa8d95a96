// The npm package as an integrator gets it (issue #19): scripts/build-npm.sh packs it (target/npm/*.tgz); a fresh
// folder outside the repository installs the tarball and esbuild (from the npm registry), type-checks and bundles
// a five-line page (main.ts), copies the package's worker, module and models beside the bundle as its README says
// (the models into another folder, named with the `modelsUrl` option), serves it with the strict CSP and checks the
// sample in headless Chromium: the report must be the CLI's (.cache/sample/astronaut.cli.json), compared as
// agreement.test.mjs compares (compare.mjs), and every request must stay on the page's origin.
//   cd tests/e2e && node --test --test-reporter=spec consumer.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { comparable, diff } from './compare.mjs';
import { MODEL_FILES } from '../../npm/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ESBUILD = '0.28.2';

// The page an integrator writes: five lines.
const MAIN = `import { createChecker } from 'photo-check';
const checker = await createChecker({ profile: 'chsi', modelsUrl: '/face-models/' });
const photo = await (await fetch('astronaut.png')).blob();
const report = await checker.checkImage(photo);
document.body.dataset.report = JSON.stringify(report);
`;

test('npm pack → npm install in a fresh folder → esbuild → Chromium: the CLI\'s report for the sample', {
  timeout: 600_000,
}, async (t) => {
  const tgz = join(ROOT, execFileSync('bash', [join(ROOT, 'scripts/build-npm.sh')], { encoding: 'utf8' }).trim());
  const gz = statSync(tgz).size;
  t.diagnostic(`${tgz}: ${(gz / 1e6).toFixed(2)} MB packed`);
  const dir = mkdtempSync(join(tmpdir(), 'photo-check-consumer-'));
  assert.ok(!dir.startsWith(ROOT), 'outside the repository');
  const profile = mkdtempSync(join(tmpdir(), 'photo-check-consumer-chromium-'));
  let browser, server;
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const npm = (args) => {
      const r = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
    };
    npm(['install', tgz]);
    npm(['install', '--save-dev', `esbuild@${ESBUILD}`]);
    const installed = join(dir, 'node_modules/photo-check');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    assert.equal(pkg.version, /^version = "(.*)"$/m.exec(readFileSync(join(ROOT, 'Cargo.toml'), 'utf8'))[1]);
    for (const f of ['index.js', 'index.d.ts', 'worker.js', 'engine.js', 'pkg/photo_check_bg.wasm']) {
      assert.ok(statSync(join(installed, f)).size > 0, `the package has ${f}`);
    }

    // the five lines type-check against the package's own types, then bundle
    writeFileSync(join(dir, 'main.ts'), MAIN);
    const tsc = spawnSync(process.execPath, [join(ROOT, 'tests/e2e/node_modules/typescript/bin/tsc'), '--noEmit',
      '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom',
      'main.ts'], { cwd: dir, encoding: 'utf8' });
    assert.equal(tsc.status, 0, `main.ts does not type-check: ${tsc.stdout}${tsc.stderr}`);
    const dist = join(dir, 'dist');
    const esbuild = spawnSync(join(dir, 'node_modules/.bin/esbuild'), ['main.ts', '--bundle', '--format=esm',
      '--target=es2022', `--outfile=${join(dist, 'main.js')}`], { cwd: dir, encoding: 'utf8' });
    assert.equal(esbuild.status, 0, `esbuild: ${esbuild.stderr}`);
    // the package's files beside the bundle (its default baseUrl: the bundle's folder); the models elsewhere
    for (const f of ['worker.js', 'engine.js', 'pkg']) cpSync(join(installed, f), join(dist, f), { recursive: true });
    cpSync(join(installed, 'models'), join(dist, 'face-models'), { recursive: true });
    cpSync(join(ROOT, '.cache/sample/astronaut.png'), join(dist, 'astronaut.png'));
    writeFileSync(join(dist, 'index.html'),
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">' +
      '<script type="module" src="main.js"></script>\n');

    server = (await startServer({ root: dist, log: () => {} })).server;
    const base = `http://127.0.0.1:${server.address().port}/`;
    // a new profile (user data dir) of its own: nothing cached from another run
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    const page = await browser.newPage();
    const errors = [], requests = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(base);
    await page.waitForSelector('body[data-report]', { state: 'attached', timeout: 180_000 });
    const report = JSON.parse(await page.getAttribute('body', 'data-report'));
    await browser.close();
    browser = null;

    const cli = JSON.parse(readFileSync(join(ROOT, '.cache/sample/astronaut.cli.json'), 'utf8'));
    const { out, stats } = diff(comparable(cli), comparable(report));
    t.diagnostic(`${stats.numbers} numbers compared, largest difference ${stats.maxAbs}`);
    assert.deepEqual(out, [], 'the browser\'s report is the CLI\'s');
    assert.ok(stats.numbers > 50, 'the reports hold the measured values');
    assert.equal(report.verdict, 'fail');
    assert.deepEqual(errors, []);
    const paths = requests.map((u) => new URL(u)).map((u) => (u.origin === new URL(base).origin ? u.pathname : u.href));
    assert.deepEqual(paths.filter((p) => !p.startsWith('/')), [], 'nothing from another origin');
    const models = Object.values(MODEL_FILES).map((f) => `/face-models/${f}`);
    for (const p of ['/worker.js', '/engine.js', '/pkg/photo_check.js', '/pkg/photo_check_bg.wasm', ...models]) {
      assert.ok(paths.includes(p), `${p} fetched (${paths.join(' ')})`);
    }
  } finally {
    await browser?.close();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
});
