// photo-check H5 capture page. No framework; inference runs in worker.js.
// States (body[data-state]): unsupported, loading, model-failed, denied, no-camera, live, checking,
// preview, uploading, done, upload-failed.

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const body = document.body;

const config = {
  upload: params.get('upload') || body.dataset.upload || 'upload',
  profile: params.get('profile') || body.dataset.profile || 'chsi',
  // A profile TOML served from this origin (e.g. ?profileUrl=profiles/test.toml), for tests and custom rules.
  profileUrl: params.get('profileUrl'),
  maxFrameSide: 640, // frames sent to the checker: long side at most this
  maxPhotoSide: 1600, // album photos are downscaled to this long side before checking and upload
};

const TEXT = {
  zh: {
    title: '证件照拍摄', loading: '正在加载检测模型…', retry: '重试', shoot: '手动拍摄', switch: '切换摄像头',
    album: '从相册选择', systemCamera: '用系统相机拍照', retake: '重拍', use: '使用此照片', auto: '合格时自动拍摄',
    unsupported: '当前浏览器不支持 WebAssembly，无法检查照片。', unsupportedHint: '请用最新版微信、Safari 或 Chrome 打开。',
    modelFailed: '检测模型加载失败。', modelFailedHint: '请检查网络后重试。',
    denied: '未获得摄像头权限。', deniedHint: '请在设置中允许使用摄像头，或用系统相机/相册上传照片。',
    noCamera: '未找到可用的摄像头。', noCameraHint: '可以用系统相机或从相册选择照片。',
    searching: '请按提示调整', steady: '保持不动…', ready: '合格，正在拍摄',
    pass: '照片合格', fail: '照片不合格：', unknown: '部分项目无法自动判断，请人工确认',
    uploading: '正在上传…', done: '已上传，编号 ', uploadFailed: '上传失败：', checking: '正在检查照片…',
    sourceCamera: '来自摄像头', sourceAlbum: '来自相册', crashed: '检测模块出错，正在重新加载…',
  },
  en: {
    title: 'ID photo', loading: 'Loading the face models…', retry: 'Retry', shoot: 'Take photo', switch: 'Switch camera',
    album: 'Choose from album', systemCamera: 'Use system camera', retake: 'Retake', use: 'Use this photo', auto: 'Capture automatically',
    unsupported: 'This browser cannot run WebAssembly, so photos cannot be checked.', unsupportedHint: 'Open the page in a current WeChat, Safari or Chrome.',
    modelFailed: 'The face models failed to load.', modelFailedHint: 'Check the network and retry.',
    denied: 'Camera permission was refused.', deniedHint: 'Allow the camera in settings, or use the system camera / album.',
    noCamera: 'No camera found.', noCameraHint: 'Use the system camera or choose a photo from the album.',
    searching: 'Follow the hints', steady: 'Hold still…', ready: 'Good — capturing',
    pass: 'The photo passes', fail: 'The photo does not pass: ', unknown: 'Some items cannot be checked automatically; check them by eye',
    uploading: 'Uploading…', done: 'Uploaded, id ', uploadFailed: 'Upload failed: ', checking: 'Checking the photo…',
    sourceCamera: 'from the camera', sourceAlbum: 'from the album', crashed: 'The checker crashed; reloading…',
  },
};
const CHECK_NAMES = {
  face_count: ['人脸', 'Face'], framing: ['构图', 'Framing'], head_pose: ['头部姿态', 'Head pose'],
  body_tilt: ['身体端正', 'Shoulders level'], ears_visible: ['露出双耳', 'Both ears visible'],
  hair_clear: ['头发不遮眉眼', 'Hair clear of eyes'], no_hat: ['不戴帽子', 'No hat'],
  mouth_closed: ['闭嘴', 'Mouth closed'], eyes_open: ['睁眼', 'Eyes open'], lighting_even: ['光线均匀', 'Even lighting'],
  exposure: ['曝光', 'Exposure'], sharpness: ['清晰', 'Sharp'], background_plain: ['背景纯净', 'Plain background'],
};

let lang = params.get('lang') === 'en' ? 'en' : 'zh';
const t = (key) => TEXT[lang][key] ?? key;

const app = {
  worker: null,
  ready: false,
  busy: false, // a frame is with the worker
  stream: null,
  facing: 'environment',
  frameBuffer: null,
  lastTracked: null,
  photo: null, // { blob, report, source, capture }
  nextId: 1,
  pending: new Map(),
};
// For tests and embedding pages: the last report and upload.
window.photoCheck = { state: () => body.dataset.state, app };

function setState(state, error) {
  body.dataset.state = state;
  if (error) {
    $('error-text').textContent = t(error[0]);
    $('error-hint').textContent = t(error[1]);
  }
}

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('lang').textContent = lang === 'zh' ? 'EN' : '中文';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  if (app.lastTracked) renderChecklist(app.lastTracked.checklist);
  if (app.photo) renderVerdict(app.photo.report);
  const err = body.dataset.errorKeys;
  if (err) setState(body.dataset.state, err.split(','));
}

function fail(state, keys) {
  body.dataset.errorKeys = keys.join(',');
  setState(state, keys);
}

// ---- worker ----

function startWorker() {
  app.worker?.terminate();
  app.ready = false;
  app.busy = false;
  setState('loading');
  $('load-progress').removeAttribute('value');
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  app.worker = worker;
  worker.onmessage = ({ data: m }) => onWorkerMessage(m);
  worker.onerror = (e) => { console.error('worker', e.message); fail('model-failed', ['modelFailed', 'modelFailedHint']); };
  loadProfileToml().then((profileToml) => worker.postMessage({ type: 'init', profile: config.profile, profileToml }))
    .catch((e) => { console.error(e); fail('model-failed', ['modelFailed', 'modelFailedHint']); });
}

async function loadProfileToml() {
  if (!config.profileUrl) return undefined;
  const url = new URL(config.profileUrl, location.href);
  if (url.origin !== location.origin) throw new Error('profileUrl must be same-origin');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`profile: HTTP ${res.status}`);
  return res.text();
}

function call(msg, transfer = []) {
  const id = app.nextId++;
  return new Promise((resolve, reject) => {
    app.pending.set(id, { resolve, reject });
    app.worker.postMessage({ ...msg, id }, transfer);
  });
}

function onWorkerMessage(m) {
  switch (m.type) {
    case 'progress': {
      const bar = $('load-progress');
      if (m.total) bar.value = m.loaded / m.total;
      $('load-detail').textContent = m.total ? `${(m.loaded / 1e6).toFixed(1)} / ${(m.total / 1e6).toFixed(1)} MB` : '';
      break;
    }
    case 'ready':
      app.ready = true;
      body.dataset.profile = m.profile;
      startCamera();
      break;
    case 'tracked':
      app.busy = false;
      app.frameBuffer = m.buffer;
      app.lastTracked = m.capture;
      app.lastReport = m.report;
      onTracked(m.report, m.capture);
      break;
    case 'captured':
    case 'image': {
      const p = app.pending.get(m.id);
      app.pending.delete(m.id);
      p?.resolve(m);
      break;
    }
    case 'error': {
      console.warn('checker error', m.code, m.message);
      const p = app.pending.get(m.id);
      app.pending.delete(m.id);
      if (p) p.reject(Object.assign(new Error(m.message), { code: m.code }));
      if (m.during === 'init') { fail('model-failed', ['modelFailed', 'modelFailedHint']); break; }
      if (m.fatal) { // a wasm trap: the instance is gone; start a fresh worker
        $('status-line').textContent = t('crashed');
        startWorker();
        break;
      }
      if (m.during === 'frame') app.busy = false;
      break;
    }
  }
}

// ---- camera ----

async function startCamera() {
  stopCamera();
  if (!navigator.mediaDevices?.getUserMedia) {
    fail('no-camera', ['noCamera', 'noCameraHint']);
    return;
  }
  try {
    app.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: app.facing }, width: { ideal: 1280 }, height: { ideal: 960 } },
    });
  } catch (e) {
    console.warn('getUserMedia', e.name, e.message);
    if (e.name === 'NotAllowedError' || e.name === 'SecurityError') fail('denied', ['denied', 'deniedHint']);
    else fail('no-camera', ['noCamera', 'noCameraHint']);
    return;
  }
  delete body.dataset.errorKeys;
  const video = $('video');
  video.srcObject = app.stream;
  video.setAttribute('playsinline', '');
  video.muted = true;
  // WeChat on iOS draws nothing until play() is called explicitly.
  try { await video.play(); } catch (e) { console.warn('video.play', e); }
  app.worker.postMessage({ type: 'reset' });
  app.lastTracked = null;
  setState('live');
  requestAnimationFrame(pump);
}

function stopCamera() {
  app.stream?.getTracks().forEach((tr) => tr.stop());
  app.stream = null;
}

const grab = document.createElement('canvas');
const grabCtx = grab.getContext('2d', { willReadFrequently: true });

// Sends the current video frame to the worker when it is idle (one frame in flight).
function pump() {
  if (body.dataset.state !== 'live') return;
  const video = $('video');
  if (app.ready && !app.busy && video.readyState >= 2 && video.videoWidth) {
    const scale = Math.min(1, config.maxFrameSide / Math.max(video.videoWidth, video.videoHeight));
    const w = Math.round(video.videoWidth * scale);
    const h = Math.round(video.videoHeight * scale);
    if (grab.width !== w || grab.height !== h) { grab.width = w; grab.height = h; }
    grabCtx.drawImage(video, 0, 0, w, h);
    const pixels = grabCtx.getImageData(0, 0, w, h).data;
    let buffer = app.frameBuffer;
    if (!buffer || buffer.byteLength !== pixels.length) buffer = new ArrayBuffer(pixels.length);
    new Uint8ClampedArray(buffer).set(pixels);
    app.frameBuffer = null;
    app.busy = true;
    app.worker.postMessage({ type: 'frame', buffer, width: w, height: h }, [buffer]);
  }
  requestAnimationFrame(pump);
}

function onTracked(report, capture) {
  if (body.dataset.state !== 'live') return;
  renderChecklist(capture.checklist);
  $('progress').style.width = `${Math.round(capture.progress * 100)}%`;
  $('phase').dataset.phase = capture.phase;
  $('phase-text').textContent = t(capture.phase);
  $('status-line').textContent = `${report.timing_ms.total.toFixed(0)} ms · ${report.image.width}×${report.image.height}`;
  if (capture.phase === 'ready' && $('auto').checked) capture_('auto');
}

function renderChecklist(items) {
  const list = $('checklist');
  list.replaceChildren(...items.filter((i) => i.status !== 'not_required').map((i) => {
    const li = document.createElement('li');
    li.dataset.id = i.id;
    li.dataset.status = i.status;
    li.dataset.reason = i.reason;
    const name = document.createElement('b');
    name.textContent = CHECK_NAMES[i.id]?.[lang === 'zh' ? 0 : 1] ?? i.id;
    const msg = document.createElement('span');
    msg.textContent = i.status === 'pass' ? '' : (lang === 'zh' ? i.message_zh : i.message_en);
    li.append(name, msg);
    return li;
  }));
}

// ---- capture, preview, album ----

function toJpeg(canvas) {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/jpeg', 0.92));
}

// Captures the best frame so far (auto: the stable passing run; manual: whatever is best) and checks
// the JPEG that will be uploaded, so the report describes exactly the uploaded photo.
async function capture_(trigger) {
  if (body.dataset.state !== 'live') return;
  setState('checking');
  const { frame } = await call({ type: 'capture' });
  let canvas = $('preview');
  if (frame) {
    canvas.width = frame.width;
    canvas.height = frame.height;
    canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(frame.buffer), frame.width, frame.height), 0, 0);
  } else { // manual shot before the first checked frame
    const video = $('video');
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
  }
  stopCamera();
  const blob = await toJpeg(canvas);
  const capture = { trigger, frame_index: frame?.index ?? null, score: frame?.score ?? null };
  await checkPhoto(blob, 'camera', capture);
}

async function checkPhoto(blob, source, capture) {
  setState('checking');
  $('status-line').textContent = t('checking');
  try {
    const bytes = await blob.arrayBuffer();
    const { report } = await call({ type: 'image', bytes }, [bytes]);
    app.photo = { blob, report, source, capture };
    renderChecklist(Object.entries(report.checks).map(([id, r]) => ({ id, ...r })));
    renderVerdict(report);
    setState('preview');
    $('status-line').textContent = t(source === 'camera' ? 'sourceCamera' : 'sourceAlbum');
  } catch (e) {
    $('status-line').textContent = `${e.code || ''} ${e.message}`;
    if (app.stream) setState('live'); else startCamera();
  }
}

function renderVerdict(report) {
  const failing = Object.entries(report.checks).filter(([, r]) => r.status === 'fail')
    .map(([id]) => CHECK_NAMES[id]?.[lang === 'zh' ? 0 : 1] ?? id);
  const el = $('verdict');
  el.dataset.verdict = report.verdict;
  el.textContent = report.verdict === 'pass' ? t('pass') : report.verdict === 'fail' ? t('fail') + failing.join(lang === 'zh' ? '、' : ', ') : t('unknown');
}

// Album photos: decoded by the browser (EXIF orientation applied), downscaled to maxPhotoSide, and
// re-encoded as the JPEG that is checked and uploaded. Without createImageBitmap the file is checked as is.
async function onAlbum(file) {
  if (!file) return;
  stopCamera();
  setState('checking');
  let blob = file;
  if (typeof createImageBitmap === 'function') {
    try {
      let bitmap = await createImageBitmap(file);
      const scale = Math.min(1, config.maxPhotoSide / Math.max(bitmap.width, bitmap.height));
      if (scale < 1) {
        const resized = await createImageBitmap(bitmap, {
          resizeWidth: Math.round(bitmap.width * scale), resizeHeight: Math.round(bitmap.height * scale), resizeQuality: 'high',
        });
        bitmap.close();
        bitmap = resized;
      }
      const canvas = $('preview');
      canvas.width = bitmap.width; canvas.height = bitmap.height;
      canvas.getContext('2d').drawImage(bitmap, 0, 0);
      bitmap.close();
      blob = await toJpeg(canvas);
    } catch (e) {
      console.warn('createImageBitmap failed; checking the file as is', e);
    }
  }
  await checkPhoto(blob, 'album', { trigger: 'album', original_bytes: file.size, original_type: file.type });
}

// ---- upload and the mini-program bridge ----

async function inMiniProgram() {
  const mp = window.wx?.miniProgram;
  if (!mp || typeof mp.postMessage !== 'function') return false;
  if (window.__wxjs_environment === 'miniprogram') return true;
  if (typeof mp.getEnv !== 'function') return false;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 1000);
    mp.getEnv((res) => { clearTimeout(timer); resolve(!!res?.miniprogram); });
  });
}

async function upload() {
  const photo = app.photo;
  if (!photo) return;
  setState('uploading');
  $('status-line').textContent = t('uploading');
  const meta = {
    report: photo.report,
    source: photo.source, // 'camera' | 'album'
    capture: photo.capture,
    // The report was computed by the full pipeline on the uploaded JPEG itself: nothing carried over.
    carried_over: [],
    page: { lang, profile: body.dataset.profile, user_agent: navigator.userAgent },
  };
  const form = new FormData();
  form.append('photo', photo.blob, 'photo.jpg');
  form.append('report', new Blob([JSON.stringify(meta)], { type: 'application/json' }), 'report.json');
  try {
    const res = await fetch(config.upload, { method: 'POST', body: form });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const answer = await res.json().catch(() => ({}));
    const uploadId = answer.id ?? answer.uploadId ?? null;
    setState('done');
    $('status-line').textContent = t('done') + (uploadId ?? '');
    if (await inMiniProgram()) {
      // postMessage is delivered on back/destroy/share: send the report and the id, not the JPEG.
      window.wx.miniProgram.postMessage({ data: { report: photo.report, uploadId, source: photo.source } });
      window.wx.miniProgram.navigateBack();
    }
  } catch (e) {
    setState('upload-failed');
    $('status-line').textContent = t('uploadFailed') + e.message;
  }
}

// ---- start ----

function loadWeixinSdk() {
  // Only inside WeChat: the vendored npm weixin-js-sdk (same origin; optional, absent in a plain checkout).
  if (window.wx || !/MicroMessenger|miniProgram/i.test(navigator.userAgent)) return;
  const s = document.createElement('script');
  s.src = 'vendor/jweixin.js';
  document.head.append(s);
}

function supported() {
  try {
    // The smallest valid module: magic + version.
    return typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))
      && typeof Worker === 'function';
  } catch { return false; }
}

function main() {
  $('lang').onclick = () => { lang = lang === 'zh' ? 'en' : 'zh'; applyLanguage(); };
  $('shoot').onclick = () => capture_('manual');
  $('switch').onclick = () => { app.facing = app.facing === 'environment' ? 'user' : 'environment'; startCamera(); };
  $('retake').onclick = () => { app.photo = null; $('verdict').textContent = ''; startCamera(); };
  $('use').onclick = () => upload();
  $('retry').onclick = () => (app.ready ? startCamera() : startWorker());
  $('album').onchange = (e) => onAlbum(e.target.files[0]);
  $('system-camera').onchange = (e) => onAlbum(e.target.files[0]);
  applyLanguage();
  loadWeixinSdk();
  if (!supported()) { fail('unsupported', ['unsupported', 'unsupportedHint']); return; }
  startWorker();
}

main();
