// A/B of wasm builds in Node (not the browser benchmark): the same steady checkFrame loop as the page's
// photo-check row, over the frames bench/run.sh generated, for each given build of www/pkg. Node's V8
// runs the same wasm as Chromium; use it to compare two builds in one run (alternate them, machine
// quiet), then confirm with bash bench/run.sh.
//   node bench/node-ab.mjs [--size 640x480] [--frames 100] PKG_DIR...   (default: www/pkg)
// Also prints each build's PhotoChecker.create time (parse + optimise the three models, in Node).
//   --profile N   also each network's time per run and its op types above 5 % (profileNetworks(N), per build)
//   --ops-min P   with --profile: list the op types above P % instead (0: all of them)
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const opt = { size: '640x480', frames: 100, profile: 0, opsMin: 5, pkgs: [] };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--size') opt.size = args[++i];
  else if (args[i] === '--frames') opt.frames = +args[++i];
  else if (args[i] === '--profile') opt.profile = +args[++i];
  else if (args[i] === '--ops-min') opt.opsMin = +args[++i];
  else opt.pkgs.push(resolve(args[i]));
}
if (!opt.pkgs.length) opt.pkgs.push(join(ROOT, 'www/pkg'));

const dir = join(ROOT, '.cache/bench-frames', opt.size);
const frames = readdirSync(dir).filter((f) => f.endsWith('.png')).sort().slice(0, opt.frames).map((f) => {
  const p = PNG.sync.read(readFileSync(join(dir, f)));
  return {
    data: new Uint8ClampedArray(p.data.buffer, p.data.byteOffset, p.data.length), width: p.width, height: p.height,
  };
});
const model = (f) => readFileSync(join(ROOT, 'models', f));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const WARMUP = 10;

// Every frame's report without its timings, per build: the builds must give the same reports.
let firstReports = null;
for (const pkg of opt.pkgs) {
  const mod = await import(join(pkg, 'photo_check.js') + `?${pkg}`);
  await mod.default({ module_or_path: readFileSync(join(pkg, 'photo_check_bg.wasm')) });
  // NNEF archives; a build from before them (ONNX only) gets the ONNX files, so old and new builds compare.
  const create = (ext) => {
    const t = performance.now();
    const c = mod.PhotoChecker.create({
      profile: 'chsi',
      models: {
        faceDetection: model(`face_detection_short_range${ext}`),
        faceLandmark: model(`face_landmark${ext}`),
        selfieSegmentation: model(`selfie_segmentation${ext}`),
      },
    });
    return { checker: c, ext, createMs: performance.now() - t };
  };
  let made;
  try {
    made = create('.nnef.tar');
  } catch (e) {
    if (e.code !== 'model_load') throw e;
    made = create('.onnx');
  }
  const { checker } = made;
  const rows = [];
  const reports = [];
  frames.forEach((f, i) => {
    const t = performance.now();
    const r = checker.checkFrame(f.data, f.width, f.height);
    if (i >= WARMUP) rows.push({ js: performance.now() - t, ...r.timing_ms });
    reports.push(JSON.stringify({ ...r, timing_ms: undefined }));
  });
  const profiles = opt.profile ? checker.profileNetworks(opt.profile) : [];
  checker.free();
  const col = (k) => median(rows.map((r) => r[k])).toFixed(1);
  console.log(`${pkg} (models *${made.ext}, create ${made.createMs.toFixed(0)} ms) ${opt.size}: ` +
    `total ${col('js')} ms (in wasm ${col('total')}; decode ${col('decode')}, ` +
    `landmarks ${col('landmarks')}, checks ${col('checks')}) median of ${rows.length} steady frames`);
  firstReports ??= reports;
  const same = reports.filter((r, i) => r === firstReports[i]).length;
  console.log(`  reports identical to the first build's: ${same} of ${reports.length} frames`);
  for (const p of profiles) {
    const ops = p.ops.filter((o) => o.ms >= (p.total_ms * opt.opsMin) / 100)
      .map((o) => `${o.op} ×${o.nodes} ${o.ms.toFixed(2)}`);
    console.log(`  ${p.model}: ${p.total_ms.toFixed(2)} ms per run (${ops.join(', ')})`);
  }
}
