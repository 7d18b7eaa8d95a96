// Loads the checker again and again in one engine and counts the loads that fail (README "Browsers": WebKit's
// JIT has trapped in about one PhotoChecker.create() in 60–300 on bytes that load every other time):
//   node bench/load-stress.mjs [--engine webkit] [--pages 20] [--per-page 10]
// Each page (tests/e2e/probe/, under the page's CSP) makes --per-page loads, each in a fresh wasm instance.
// Prints one line a page (create() ms, or FAIL and the error) and the count. Needs www/pkg
// (scripts/build-web.sh) and tests/e2e/node_modules. Natively: cargo run --release --example load_time -- --repeat N.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/serve.mjs';
import { launch, missing } from '../tests/e2e/engines.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ENGINE = arg('--engine', 'webkit');
const PAGES = Number(arg('--pages', 20));
const PER_PAGE = Number(arg('--per-page', 10));
const why = missing(ENGINE);
if (why) throw new Error(`${ENGINE}: ${why}`);

const server = await startServer({
  root: join(ROOT, 'www'), log: () => {},
  extra: {
    '/probe.html': join(ROOT, 'tests/e2e/probe/probe.html'), '/probe.js': join(ROOT, 'tests/e2e/probe/probe.js'),
  },
});
const engine = await launch(ENGINE, { width: 800, height: 600 });
let failed = 0, total = 0;
try {
  for (let page = 0; page < PAGES; page++) {
    await engine.goto(`${server.url}probe.html?page=${page}`);
    await engine.waitFor(() => !!window.probe, null, { what: 'probe.js' });
    const out = await engine.evaluate((n) => window.probe.loads(n), PER_PAGE);
    const errors = out.filter((x) => typeof x === 'string');
    total += out.length;
    failed += errors.length;
    console.log(`page ${page}: ${out.map((x) => (typeof x === 'string' ? 'FAIL' : Math.round(x))).join(' ')}`);
    for (const e of errors) console.log(`  ${e.replaceAll('\n', '\n  ')}`);
  }
} finally {
  await engine.close();
  server.server.close();
}
console.log(`${ENGINE} ${engine.version}: ${failed} of ${total} loads failed`);
