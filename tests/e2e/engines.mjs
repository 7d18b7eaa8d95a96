// One small driver over the three browser engines photo-check's users have, all headless and from Debian's
// packages: Chromium (V8; playwright-core over CDP), Firefox ESR (SpiderMonkey; puppeteer-core over WebDriver
// BiDi) and WebKitGTK's MiniBrowser (JavaScriptCore, the engine of WKWebView on the iPhone; W3C WebDriver through
// WebKitWebDriver under xvfb-run, spoken with plain fetch calls). Each gives the same three verbs: goto(url),
// evaluate(fn, arg) (fn's source runs in the page; arg and the result are JSON) and screenshot(file).
// Cameras: Chromium plays a y4m file (the sample portrait), Firefox its fake stream, WebKit its mock capture
// device (both without a face). ENGINES=chromium,firefox limits which ones run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

export const ENGINES = (process.env.ENGINES || 'chromium,firefox,webkit').split(',').filter(Boolean);
const BIN = {
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  firefox: process.env.FIREFOX || '/usr/bin/firefox-esr',
  webkit: process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  webkitDriver: process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver',
};

/** Why `name` cannot run here (its binary is missing), or null. */
export function missing(name) {
  const need = name === 'webkit' ? [BIN.webkit, BIN.webkitDriver] : [BIN[name]];
  const absent = need.filter((f) => !existsSync(f));
  return absent.length ? `${absent.join(', ')} not installed (scripts/web-tools.sh installs it)` : null;
}

/**
 * Starts `name` with a page of `width`×`height` CSS pixels. `y4m`: the video Chromium's fake camera plays.
 * Resolves to {name, version, goto, evaluate, waitFor, screenshot, close}.
 */
export async function launch(name, { width = 390, height = 844, y4m } = {}) {
  const engine = await { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit }[name]({
    width, height, y4m,
  });
  engine.name = name;
  /** Polls `fn(arg)` in the page until it returns a truthy value; resolves to it. */
  engine.waitFor = async (fn, arg, { timeout = 120_000, every = 250, what = 'condition' } = {}) => {
    const end = Date.now() + timeout;
    for (;;) {
      const v = await engine.evaluate(fn, arg).catch(() => null); // navigation in progress: try again
      if (v) return v;
      if (Date.now() > end) throw new Error(`${name}: timed out after ${timeout} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, every));
    }
  };
  return engine;
}

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
];

async function launchChromium({ width, height, y4m }) {
  const browser = await chromium.launch({
    executablePath: BIN.chromium, headless: true,
    args: [...CHROMIUM_ARGS, ...(y4m ? [`--use-file-for-fake-video-capture=${y4m}`] : [])],
  });
  const context = await browser.newContext({ viewport: { width, height }, permissions: ['camera'] });
  const page = await context.newPage();
  return {
    version: browser.version(),
    goto: (url) => page.goto(url),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    screenshot: (file) => page.screenshot({ path: file }),
    close: () => browser.close(),
    /** Chromium only: network emulation (DevTools), e.g. a weak 4G link for bench/engines.mjs --throttle. */
    throttle: async ({ mbit, latencyMs }) => {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const bytesPerSecond = (mbit * 1e6) / 8;
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: latencyMs, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond,
      });
    },
  };
}

async function launchFirefox({ width, height }) {
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: BIN.firefox, headless: true,
    // a fake camera (a test pattern, no face) that needs no permission prompt
    extraPrefsFirefox: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true },
  });
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  return {
    version: await browser.version(),
    goto: (url) => page.goto(url),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    screenshot: (file) => page.screenshot({ path: file }),
    close: () => browser.close(),
  };
}

const freePort = () => new Promise((ok, fail) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  s.on('error', fail);
});

/** An error thrown in the page as text: its name and message, then its stack (runs in the page). */
const errorText = (e) => {
  const text = String(e), stack = String(e?.stack ?? '');
  return stack.includes(text) ? stack : `${text}\n${stack}`.trim();
};

async function launchWebKit({ width, height }) {
  const port = await freePort();
  // MiniBrowser has no headless mode: xvfb-run gives it (and the driver that starts it) a virtual display.
  const driver = spawn('xvfb-run', ['-a', BIN.webkitDriver, `--port=${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'], detached: true,
  });
  let driverLog = '';
  driver.stderr.on('data', (d) => { driverLog = (driverLog + d).slice(-4000); });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const res = await fetch(base + path, {
      method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body),
    });
    const json = await res.json();
    if (json.value?.error) throw new Error(`WebDriver ${path}: ${json.value.error}: ${json.value.message}`);
    return json.value;
  };
  // Ends the driver (xvfb-run's child) so that xvfb-run stops Xvfb and removes its temp folder itself; the
  // whole process group only if that takes more than 5 s.
  const exited = new Promise((ok) => driver.on('exit', ok));
  const stop = async () => {
    const kids = spawnSync('pgrep', ['-P', String(driver.pid)], { encoding: 'utf8' }).stdout.split('\n');
    for (const pid of kids.filter(Boolean)) {
      try { process.kill(Number(pid), 'SIGTERM'); } catch { /* already gone */ }
    }
    const late = setTimeout(() => { try { process.kill(-driver.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(late);
  };
  let session;
  try {
    for (let i = 0; ; i++) {
      try { await call('GET', '/status'); break; } catch (e) {
        if (i > 100) throw new Error(`WebKitWebDriver did not start: ${e.message} ${driverLog}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    session = await call('POST', '/session', { capabilities: { alwaysMatch: {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: BIN.webkit, args: ['--automation', '--enable-mock-capture-devices=true'] },
    } } });
  } catch (e) {
    await stop();
    throw e;
  }
  const s = `/session/${session.sessionId}`;
  await call('POST', `${s}/timeouts`, { script: 30 * 60_000, pageLoad: 120_000 });
  // The window's outer size includes MiniBrowser's toolbar: set it, measure the viewport, correct once.
  let rect = { width, height };
  await call('POST', `${s}/window/rect`, rect);
  const inner = await call('POST', `${s}/execute/sync`, { script: 'return [innerWidth, innerHeight]', args: [] });
  rect = { width: width + (width - inner[0]), height: height + (height - inner[1]) };
  await call('POST', `${s}/window/rect`, rect);
  const evaluate = async (fn, arg) => {
    // JavaScriptCore's e.stack lacks the message (V8's starts with it): the error carries both
    const script = `const [arg, done] = arguments; const errorText = ${errorText};` +
      `Promise.resolve().then(() => (${fn})(arg))` +
      '.then((ok) => done({ ok: ok === undefined ? null : ok }), (e) => done({ error: errorText(e) }));';
    const out = await call('POST', `${s}/execute/async`, { script, args: [arg ?? null] });
    if (out && 'error' in out) throw new Error(out.error);
    return out?.ok;
  };
  return {
    version: session.capabilities.browserVersion,
    goto: (url) => call('POST', `${s}/url`, { url }),
    evaluate,
    screenshot: async (file) => writeFileSync(file, Buffer.from(await call('GET', `${s}/screenshot`), 'base64')),
    close: async () => {
      await call('DELETE', s).catch(() => {});
      await stop();
    },
  };
}
