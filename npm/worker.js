// The package's worker entry: runs engine.js (the wasm module and the PhotoChecker) in a module Worker.
// index.js starts it with new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }).
import { createEngine } from './engine.js';

// A CSP violation inside the worker fires here, not on the page's document: tell the page, which logs it.
self.addEventListener('securitypolicyviolation', (e) => {
  postMessage({ type: 'csp', directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI });
});

const handle = createEngine((message, transfer = []) => postMessage(message, transfer));
onmessage = ({ data }) => handle(data);
