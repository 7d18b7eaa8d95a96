// photo-check H5 capture page. No framework; inference runs in worker.js.
//
// The page is in one state at a time, shown as body[data-state] (style.css draws each state's screen from it).
// STATES below is the whole state machine, in one table: for each state, the events it accepts and the state
// each one leads to (`on`), and the facts the code asks instead of comparing state names:
//   camera  the camera is live: frames are checked, 手动拍摄 / auto-capture work, hiding the page pauses it
//   resume  the camera is off because the page is hidden: it restarts when the page is shown
//   photo   a photo (captured or chosen) is on screen with its checklist and verdict
//   error   the overlay's [message, hint] (TEXT keys); retry: what 重试 does ('worker' or 'camera'),
//           retryText its label; uploadError: the status line says why the upload failed
// dispatch(event, detail) moves to STATES[state].on[event]; an event the state does not accept changes nothing
// and returns false (can(event) asks first). The events a state accepts are also what its buttons do.
// States: unsupported, loading, model-failed, denied, no-camera, live, paused (page hidden: the camera is off),
// camera-lost (the track ended), checking, preview, uploading, done, upload-failed.
// Opening the camera (startCamera) is not a state: the page keeps the state it was in (loading, preview after
// 重拍, camera-lost after 重新打开摄像头, …) until getUserMedia ends in one of CAMERA_OPENED; app.cameraStarting
// says an opening is under way, and a newer start or stopCamera() discards it (app.cameraGen). Hidden meanwhile,
// the opening is dropped and the page goes to paused (cameraDeferred), to open the camera when shown.
// Nothing is stored (no localStorage, IndexedDB, caches, cookies): the photo and its report live in memory
// and leave the page only in the upload the user asks for (使用此照片).
// The checker is the npm package's (npm/index.js, copied to photo-check.js by scripts/build-web.sh): its module
// worker runs the wasm module; a browser without wasm SIMD or module workers gets the unsupported state, where a
// photo can still be taken (system camera) or chosen and uploaded with the report {verdict: 'unchecked', reason}.
// Guidance (issue #15): guidance.js picks the one thing to do from the checklist, speech.js says it, orientation.js
// says when the phone is not upright, overlay.js draws the failing checks' regions over the video and the photo.

import { planChecklist } from './guidance.js';
import { createSpeaker } from './speech.js';
import { watchOrientation } from './orientation.js';
import { drawRegions, failingRegions, clearRegions } from './overlay.js';
import { startChecker, uncheckedReport } from './photo-check.js';

// Every state with a worker: the checker restarts (a wasm trap, 重试) or fails to load.
const WORKER = { reload: 'loading', modelFailed: 'model-failed' };
// How opening the camera ends, in each state it can be opened from (cameraDeferred: the page is hidden).
const CAMERA_OPENED = {
  cameraOn: 'live', cameraDenied: 'denied', cameraMissing: 'no-camera', cameraDeferred: 'paused',
};
// A photo from the album or the system camera. The picker (live, denied, no-camera, camera-lost) may stay open
// while the page moves on (hidden behind it: paused; auto-capture: checking, preview): those take the file too.
const ALBUM = { album: 'checking' };

const STATES = {
  // no wasm SIMD or no module Worker: nothing is loaded; a photo from the system camera or the album is shown
  // (unchecked) and can be uploaded unchecked
  unsupported: { error: ['unsupported', 'unsupportedHint'], on: { unchecked: 'preview' } },
  // the worker fetches the module and the models; when ready the camera is opened
  loading: { on: { ...WORKER, ...CAMERA_OPENED, unsupported: 'unsupported' } },
  'model-failed': { error: ['modelFailed', 'modelFailedHint'], retry: 'worker', on: { ...WORKER } },
  denied: {
    error: ['denied', 'deniedHint'], retry: 'camera',
    on: { ...WORKER, ...CAMERA_OPENED, ...ALBUM, backToPhoto: 'preview' },
  },
  'no-camera': { error: ['noCamera', 'noCameraHint'], on: { ...WORKER, ...ALBUM, backToPhoto: 'preview' } },
  live: {
    camera: true,
    on: { ...WORKER, ...CAMERA_OPENED, ...ALBUM, capture: 'checking', hidden: 'paused', trackEnded: 'camera-lost' },
  },
  paused: { resume: true, on: { ...WORKER, ...CAMERA_OPENED, ...ALBUM, trackEnded: 'camera-lost' } },
  'camera-lost': {
    error: ['cameraLost', 'cameraLostHint'], retry: 'camera', retryText: 'restartCamera',
    on: { ...WORKER, ...CAMERA_OPENED, ...ALBUM, backToPhoto: 'preview' },
  },
  // a captured or chosen photo is checked; if the check fails the camera is opened again
  checking: { on: { ...WORKER, ...CAMERA_OPENED, ...ALBUM, checked: 'preview' } },
  // 重拍 opens the camera (CAMERA_OPENED); 使用此照片 uploads
  // unchecked: another photo chosen without a checker; noChecker: 重拍 without a checker (back to the pickers)
  preview: {
    photo: true, on: { ...WORKER, ...CAMERA_OPENED, ...ALBUM, upload: 'uploading', unchecked: 'preview',
      noChecker: 'unsupported' },
  },
  uploading: { photo: true, on: { ...WORKER, uploaded: 'done', uploadFailed: 'upload-failed' } },
  done: { photo: true, on: { ...WORKER } },
  // 重新上传 uploads the same photo and report again; 重拍 opens the camera
  'upload-failed': {
    photo: true, uploadError: true, on: { ...WORKER, ...CAMERA_OPENED, upload: 'uploading', noChecker: 'unsupported' },
  },
};

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
  // The upload is aborted (state upload-failed, reason timeout) when the server has not answered by then.
  uploadTimeoutMs: Number(params.get('uploadTimeoutMs')) || Number(body.dataset.uploadTimeoutMs) || 30_000,
  // ?simd=0 pretends the browser lacks wasm SIMD, ?moduleWorker=0 module workers (the unsupported state), for tests.
  simd: params.get('simd'),
  moduleWorker: params.get('moduleWorker'),
};

const TEXT = {
  zh: {
    title: '证件照拍摄', loading: '正在加载检测模型…', retry: '重试', shoot: '手动拍摄', switch: '切换摄像头',
    album: '从相册选择', systemCamera: '用系统相机拍照', retake: '重拍', use: '使用此照片',
    auto: '合格时自动拍摄',
    unsupported_no_wasm: '当前浏览器不支持 WebAssembly，无法在手机上检查照片。',
    unsupported_no_wasm_simd: '当前浏览器不支持 WebAssembly SIMD，无法在手机上检查照片。',
    unsupported_no_module_worker: '当前浏览器不支持模块 Worker，无法在手机上检查照片。',
    unsupportedHint: '仍可用系统相机拍照或从相册选择照片上传，上传后再检查；或用最新版微信、Safari、Chrome 打开。',
    unchecked: '照片未检查（当前浏览器无法检查），上传后再检查。',
    modelFailed: '检测模型加载失败。', modelFailedHint: '请检查网络后重试。',
    denied: '未获得摄像头权限。', deniedHint: '请在设置中允许使用摄像头，或用系统相机/相册上传照片。',
    noCamera: '未找到可用的摄像头。', noCameraHint: '可以用系统相机或从相册选择照片。',
    searching: '请按提示调整', steady: '保持不动…', ready: '合格，正在拍摄',
    pass: '照片合格', fail: '照片不合格：', unknown: '部分项目无法自动判断，请人工确认',
    uploading: '正在上传…', done: '已上传，编号 ', uploadFailed: '上传失败：', checking: '正在检查照片…',
    sourceCamera: '来自摄像头', sourceAlbum: '来自相册', crashed: '检测模块出错，正在重新加载…',
    cameraLost: '摄像头已断开。',
    cameraLostHint: '摄像头被拔出、被其他应用占用或权限被收回。可以重新打开摄像头，或从相册选择照片。',
    restartCamera: '重新打开摄像头', backToPhoto: '返回已拍的照片', paused: '页面在后台，摄像头已关闭',
    starting: '正在打开摄像头…', retryUpload: '重新上传', uploadKept: '照片和检查结果已保留，可以重新上传。',
    uploadHttp: '服务器出错（HTTP {status}）', uploadTimeout: '服务器 {s} 秒内没有响应',
    standardizedCaption: '标准照预览（服务器将裁剪并替换背景）',
    uploadNetwork: '无法连接上传服务器，请检查网络',
    holdStill: '好，保持不动', captured: '已拍好', upright: '请把手机竖直拿稳', waiting: '待上一项完成后检查',
    speechOn: '语音提示：开', speechOff: '语音提示：关',
  },
  en: {
    title: 'ID photo', loading: 'Loading the face models…', retry: 'Retry', shoot: 'Take photo',
    switch: 'Switch camera', album: 'Choose from album', systemCamera: 'Use system camera', retake: 'Retake',
    use: 'Use this photo', auto: 'Capture automatically',
    unsupported_no_wasm: 'This browser cannot run WebAssembly, so photos cannot be checked here.',
    unsupported_no_wasm_simd: 'This browser cannot run WebAssembly with SIMD, so photos cannot be checked here.',
    unsupported_no_module_worker: 'This browser has no module workers, so photos cannot be checked here.',
    unsupportedHint: 'You can still take a photo with the system camera or choose one and upload it; it is checked '
      + 'after the upload. Or open the page in a current WeChat, Safari or Chrome.',
    unchecked: 'Not checked (this browser cannot check photos); it is checked after the upload.',
    modelFailed: 'The face models failed to load.', modelFailedHint: 'Check the network and retry.',
    denied: 'Camera permission was refused.',
    deniedHint: 'Allow the camera in settings, or use the system camera / album.',
    noCamera: 'No camera found.', noCameraHint: 'Use the system camera or choose a photo from the album.',
    searching: 'Follow the hints', steady: 'Hold still…', ready: 'Good — capturing',
    pass: 'The photo passes', fail: 'The photo does not pass: ',
    unknown: 'Some items cannot be checked automatically; check them by eye',
    uploading: 'Uploading…', done: 'Uploaded, id ', uploadFailed: 'Upload failed: ',
    checking: 'Checking the photo…',
    sourceCamera: 'from the camera', sourceAlbum: 'from the album', crashed: 'The checker crashed; reloading…',
    cameraLost: 'The camera stopped.',
    cameraLostHint: 'It was unplugged, taken by another app, or its permission was revoked. '
      + 'Restart it, or choose a photo from the album.',
    restartCamera: 'Restart camera', backToPhoto: 'Back to the photo',
    paused: 'The page is in the background; the camera is off',
    starting: 'Opening the camera…', retryUpload: 'Retry upload',
    uploadKept: 'The photo and its report are kept; you can retry.',
    uploadHttp: 'server error (HTTP {status})', uploadTimeout: 'no answer from the server within {s} s',
    standardizedCaption: 'Standardized preview (the server crops it and replaces the background)',
    uploadNetwork: 'cannot reach the upload server; check the network',
    holdStill: 'Good, hold still', captured: 'Photo taken', upright: 'Hold the phone upright',
    waiting: 'checked once the item above is fixed', speechOn: 'Voice guidance: on', speechOff: 'Voice guidance: off',
  },
};
const CHECK_NAMES = {
  face_count: ['人脸', 'Face'], framing: ['构图', 'Framing'], head_pose: ['头部姿态', 'Head pose'],
  body_tilt: ['身体端正', 'Shoulders level'], ears_visible: ['露出双耳', 'Both ears visible'],
  hair_clear: ['头发不遮眉眼', 'Hair clear of eyes'], no_hat: ['不戴帽子', 'No hat'],
  mouth_closed: ['闭嘴', 'Mouth closed'], eyes_open: ['睁眼', 'Eyes open'],
  lighting_even: ['光线均匀', 'Even lighting'], exposure: ['曝光', 'Exposure'], sharpness: ['清晰', 'Sharp'],
  background_plain: ['背景纯净', 'Plain background'],
  glasses_clear: ['眼镜不反光、不遮眼', 'Glasses clear'], no_jewelry: ['不戴耳环项链', 'No jewellery'],
  clothing_contrast: ['衣服与背景有反差', 'Clothing contrasts'], shadow_free: ['无阴影红眼', 'No shadows or red-eye'],
};

let lang = params.get('lang') === 'en' ? 'en' : 'zh';
const t = (key, vars) => (TEXT[lang][key] ?? key).replace(/\{(\w+)\}/g, (_, k) => vars?.[k] ?? '');

const app = {
  checker: null, // the package's checker (photo-check.js)
  get worker() { return this.checker?.worker ?? null; }, // its module worker (tests talk to a stub one)
  unchecked: null, // why photos cannot be checked here ('no_wasm_simd', …): they are uploaded unchecked
  ready: false,
  busy: false, // a frame is with the worker
  stream: null,
  cameraGen: 0, // bumped by every start/stop: a getUserMedia that resolves late is discarded
  cameraStarting: false, // the camera is being opened (getUserMedia, then video.play)
  pumpGen: 0,
  facing: 'environment',
  frameBuffer: null,
  lastTracked: null,
  photo: null, // { blob, report, source, capture, meta }: kept until another photo is checked
  errorDetail: '',
  uploadError: null, // { key, vars, detail }
  mirrored: false, // the preview is mirrored (front camera), and so is the overlay
  // Voice guidance, on by default with the rear camera (the subject cannot see the screen, the person holding
  // the phone relays), off with the front one; a tap on 🔊 sets it for the camera in use.
  speech: { environment: true, user: false },
  tilted: false, // the phone is pitched away from vertical (orientation.js)
};
const speaker = createSpeaker();
const speechLang = () => (lang === 'zh' ? 'zh-CN' : 'en-US');
// For tests and embedding pages: the state, the last report and upload, and which module runs (null until loaded).
window.photoCheck = { state: () => body.dataset.state, app, pkg: null };

// ---- state ----

const current = () => body.dataset.state; // the HTML starts in loading
const can = (event) => Object.hasOwn(STATES[current()].on, event);

// Moves to the state that the current one leads to on `event`; detail: the technical reason shown under an
// error state's message (not translated). Returns false, changing nothing, if the current state ignores it.
function dispatch(event, detail = '') {
  if (!can(event)) {
    console.debug(`photo-check: ${event} ignored in state ${current()}`);
    return false;
  }
  const prev = current();
  const next = STATES[current()].on[event];
  body.dataset.state = next;
  if (STATES[prev].camera && !STATES[next].camera) leaveLive();
  if (!STATES[next].photo) clearRegions($('overlay'));
  if (STATES[next].error) body.dataset.errorKeys = STATES[next].error.join(',');
  else delete body.dataset.errorKeys;
  app.errorDetail = detail;
  renderError();
  return true;
}

function renderError() {
  const s = STATES[current()];
  const [text, hint] = s.error ?? [];
  $('error-text').textContent = text === 'unsupported' ? t(`unsupported_${app.unchecked}`) : text ? t(text) : '';
  $('error-hint').textContent = hint ? t(hint) : '';
  $('error-detail').textContent = app.errorDetail;
  $('retry').textContent = t(s.retryText ?? 'retry');
  const u = app.uploadError;
  $('upload-error').textContent = u ? t('uploadFailed') + t(u.key, u.vars) : '';
  $('upload-kept').textContent = u ? t('uploadKept') : '';
  if (s.uploadError && u) {
    $('status-line').textContent = t('uploadFailed') + t(u.key, u.vars) + (u.detail ? ` (${u.detail})` : '');
  }
}

// The live guidance is stale once the camera view is left (capture, camera closed, hidden, crashed).
function leaveLive() {
  speaker.cancel();
  clearRegions($('overlay'));
  delete body.dataset.allPass;
  $('next-step').textContent = '';
}

function setPhoto(photo) {
  app.photo = photo;
  if (photo) body.dataset.hasPhoto = ''; else delete body.dataset.hasPhoto;
  delete body.dataset.standardized;
  const img = $('standardized');
  if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
  img.removeAttribute('src');
}

// The standardized photo (480×640, background replaced) of the photo's own JPEG, shown beside it and sent as
// the upload's optional third part. Best effort: without createImageBitmap or a face, there is none.
async function standardizePreview(photo) {
  if (typeof createImageBitmap !== 'function' || !app.checker) return;
  try {
    const jpeg = await app.checker.standardize(photo.blob);
    if (app.photo !== photo) return;
    photo.standardized = jpeg;
    $('standardized').src = URL.createObjectURL(photo.standardized);
    body.dataset.standardized = '';
  } catch (e) {
    console.warn('no standardized preview:', e.code || '', e.message);
  }
}

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('lang').textContent = lang === 'zh' ? 'EN' : '中文';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  if (STATES[current()].photo && app.photo) {
    renderChecklist(photoChecklist(app.photo.report));
    renderVerdict(app.photo.report);
  } else if (app.lastTracked) renderChecklist(app.lastTracked.checklist, { live: true });
  renderSpeechButton();
  if (STATES[current()].camera) guide();
  renderError();
}

// ---- checker ----

// A new checker (the package's: module worker, wasm, models); the old one, if any, is disposed. The package
// replaces its worker itself after a wasm trap (onCrash, then onReady again).
function startWorker() {
  if (!can('reload')) return;
  app.checker?.dispose();
  app.checker = null;
  app.ready = false;
  app.busy = false;
  stopCamera();
  dispatch('reload');
  $('load-progress').removeAttribute('value');
  const simulate = config.simd === '0' ? 'no_wasm_simd' : config.moduleWorker === '0' ? 'no_module_worker' : undefined;
  loadProfileToml().then((profileToml) => {
    if (app.checker || !can('unsupported')) return; // a newer start, or the page moved on
    const checker = startChecker({
      profile: config.profile, profileToml, simulateUnsupported: simulate, onProgress,
      onReady: () => { if (app.checker === checker) onCheckerReady(checker); },
      onCrash: (e) => { if (app.checker === checker) onCrash(e); },
      onError: (e) => { if (app.checker === checker) dispatch('modelFailed', e.message); },
    });
    app.checker = checker;
    checker.ready.catch((e) => {
      if (app.checker !== checker) return;
      if (e.code !== 'unsupported') { dispatch('modelFailed', e.message); return; }
      app.unchecked = e.reason; // no module, no model is fetched: photos are uploaded unchecked
      dispatch('unsupported');
    });
  }).catch((e) => { console.warn(e); dispatch('modelFailed', e.message); });
}

async function loadProfileToml() {
  if (!config.profileUrl) return undefined;
  const url = new URL(config.profileUrl, location.href);
  if (url.origin !== location.origin) throw new Error('profileUrl must be same-origin');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`profile: HTTP ${res.status}`);
  return res.text();
}

function onProgress({ loaded, total }) {
  const bar = $('load-progress');
  if (total) bar.value = loaded / total;
  const mb = (n) => (n / 1e6).toFixed(1);
  $('load-detail').textContent = total ? `${mb(loaded)} / ${mb(total)} MB` : '';
}

function onCheckerReady(checker) {
  app.ready = true;
  body.dataset.profile = checker.profile;
  window.photoCheck.pkg = checker.pkg;
  startCamera();
}

// A wasm trap: the package starts a new worker; the page waits for it (loading) and reopens the camera.
function onCrash(e) {
  console.warn('checker crashed', e.code, e.message);
  app.ready = false;
  app.busy = false;
  stopCamera();
  dispatch('reload');
  $('status-line').textContent = t('crashed');
}

// ---- camera ----

// Opens the camera; the page stays in its state until the opening ends in one of CAMERA_OPENED. A state that
// no longer accepts cameraOn by then (使用此照片 was pressed meanwhile) does not get the camera: it is stopped.
async function startCamera() {
  stopCamera();
  if (!navigator.mediaDevices?.getUserMedia) {
    dispatch('cameraMissing');
    return;
  }
  if (document.visibilityState === 'hidden') { // opened in the background: paused, started when shown
    dispatch('cameraDeferred');
    return;
  }
  const gen = app.cameraGen;
  app.cameraStarting = true;
  $('status-line').textContent = t('starting');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: app.facing }, width: { ideal: 1280 }, height: { ideal: 960 } },
    });
  } catch (e) {
    if (gen !== app.cameraGen) return; // stopped meanwhile (page hidden, album chosen)
    app.cameraStarting = false;
    console.warn('getUserMedia', e.name, e.message);
    dispatch(e.name === 'NotAllowedError' || e.name === 'SecurityError' ? 'cameraDenied' : 'cameraMissing', e.name);
    return;
  }
  if (gen !== app.cameraGen) { stream.getTracks().forEach((tr) => tr.stop()); return; }
  app.stream = stream;
  // Unplugged, taken by another app, permission revoked: the track ends (stop() by the page does not fire this).
  for (const track of stream.getTracks()) track.addEventListener('ended', () => onTrackEnded(stream));
  const video = $('video');
  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  video.muted = true;
  // WeChat on iOS draws nothing until play() is called explicitly.
  try { await video.play(); } catch (e) { console.warn('video.play', e); }
  if (gen !== app.cameraGen) return;
  app.cameraStarting = false;
  if (!dispatch('cameraOn')) { stopCamera(); return; }
  // The front camera's preview is mirrored like a mirror (style.css); the overlay follows (overlay.js).
  const facing = stream.getVideoTracks()[0]?.getSettings?.().facingMode || app.facing;
  app.mirrored = facing === 'user';
  if (app.mirrored) body.dataset.mirrored = ''; else delete body.dataset.mirrored;
  speaker.setEnabled(app.speech[app.mirrored ? 'user' : 'environment']);
  renderSpeechButton();
  app.checker.reset();
  app.lastTracked = null;
  $('status-line').textContent = '';
  const pumpGen = ++app.pumpGen;
  requestAnimationFrame(() => pump(pumpGen));
}

// Stops every track (the camera light goes off) and cancels a getUserMedia still pending.
function stopCamera() {
  speaker.cancel();
  app.cameraGen++;
  app.cameraStarting = false;
  app.stream?.getTracks().forEach((tr) => tr.stop());
  app.stream = null;
  const video = $('video');
  if (video.srcObject) video.srcObject = null;
}

// The live view (and a paused one) becomes camera-lost. While a captured photo is being checked the flow goes
// on (重拍 reopens the camera): checking does not accept trackEnded.
function onTrackEnded(stream) {
  if (stream !== app.stream) return; // a stream the page already stopped
  console.warn('camera track ended');
  stopCamera();
  dispatch('trackEnded');
}

// Hidden (tab switched, app in the background, screen locked) or left: the camera is released, and a live
// view is paused; so is a camera still being opened (after loading, 重拍, 重新打开摄像头), as if it had been
// opened while hidden. Shown again, only a paused page (STATES[…].resume) restarts it: not over a photo or an upload.
function onHidden() {
  const opening = app.cameraStarting;
  if (app.stream || app.cameraStarting) stopCamera();
  if (dispatch(opening ? 'cameraDeferred' : 'hidden')) $('status-line').textContent = t('paused');
}

function onShown() {
  if (STATES[current()].resume && !app.cameraStarting) startCamera();
}

// Sends the current video frame to the checker when it is idle (one frame in flight; the package scales it to
// 640 px on the long side and transfers the pixels to its worker). Stops when the page leaves the live state or a
// newer camera start has its own loop.
function pump(gen) {
  if (!STATES[current()].camera || gen !== app.pumpGen || !app.stream) return;
  const video = $('video');
  const checker = app.checker;
  if (app.ready && !app.busy && video.readyState >= 2 && video.videoWidth) {
    app.busy = true;
    checker.track(video).then(({ report, capture }) => {
      if (checker !== app.checker) return;
      app.lastTracked = capture;
      app.lastReport = report;
      onTracked(report, capture);
    }, (e) => console.warn('checker error', e.code, e.message))
      .finally(() => { if (checker === app.checker) app.busy = false; });
  }
  requestAnimationFrame(() => pump(gen));
}

function onTracked(report, capture) {
  if (!STATES[current()].camera) return;
  renderChecklist(capture.checklist, { live: true });
  guide();
  $('progress').style.width = `${Math.round(capture.progress * 100)}%`;
  $('phase').dataset.phase = capture.phase;
  $('phase-text').textContent = t(capture.phase);
  const { width, height } = report.image;
  $('status-line').textContent = `${report.timing_ms.total.toFixed(0)} ms · ${width}×${height}`;
  if (capture.phase === 'ready' && $('auto').checked) capture_('auto');
}

const messageOf = (i) => (lang === 'zh' ? i.message_zh : i.message_en);

// One message at a time (guidance.js): the first failing or unknown item carries its message (data-view
// primary); the items waiting on it are greyed without repeating it; passing items are ticked. Live, the other
// failing items show their name only (their turn comes); on a photo (live false) they show their message too.
function renderChecklist(items, { live = false } = {}) {
  const { rows } = planChecklist(items);
  $('checklist').replaceChildren(...rows.map((i) => {
    const li = document.createElement('li');
    li.dataset.id = i.id;
    li.dataset.status = i.status;
    li.dataset.reason = i.reason;
    li.dataset.view = i.view;
    const name = document.createElement('b');
    name.textContent = CHECK_NAMES[i.id]?.[lang === 'zh' ? 0 : 1] ?? i.id;
    const msg = document.createElement('span');
    msg.textContent = i.view === 'primary' || (i.view === 'later' && !live) ? messageOf(i)
      : i.view === 'waiting' ? t('waiting') : '';
    li.append(name, msg);
    return li;
  }));
}

// The live guidance from the last checked frame and the phone's tilt: the one instruction (shown over the video
// and spoken), the green guide when everything passes, and the failing checks' regions over the video.
function guide() {
  const tracked = app.lastTracked;
  if (!tracked) return;
  const { primary } = planChecklist(tracked.checklist);
  const instruction = app.tilted ? t('upright') : primary ? messageOf(primary) : t('holdStill');
  const step = $('next-step');
  step.textContent = instruction;
  step.dataset.kind = app.tilted ? 'upright' : primary ? 'fix' : 'ok';
  if (primary) delete body.dataset.allPass; else body.dataset.allPass = '';
  speaker.say(instruction, speechLang());
  drawLiveRegions();
}

function drawLiveRegions() {
  const report = app.lastReport;
  if (!report || !app.lastTracked) return;
  const shown = Object.fromEntries(app.lastTracked.checklist.map((i) => [i.id, i.status]));
  drawRegions($('overlay'), $('video'), failingRegions(report, shown), {
    frameW: report.image?.width, frameH: report.image?.height, mirrored: app.mirrored,
  });
}

function drawPhotoRegions() {
  const report = app.photo?.report;
  if (!report) return;
  drawRegions($('overlay'), $('preview'), failingRegions(report), {
    frameW: report.image?.width, frameH: report.image?.height, mirrored: false,
  });
}

function renderSpeechButton() {
  const b = $('speak');
  b.hidden = !speaker.available;
  b.textContent = speaker.enabled ? '🔊' : '🔇';
  b.setAttribute('aria-pressed', String(speaker.enabled));
  b.setAttribute('aria-label', t(speaker.enabled ? 'speechOn' : 'speechOff'));
  b.title = t(speaker.enabled ? 'speechOn' : 'speechOff');
}

function toggleSpeech() {
  const camera = app.mirrored ? 'user' : 'environment';
  app.speech[camera] = !speaker.enabled;
  speaker.setEnabled(app.speech[camera]);
  renderSpeechButton();
  if (speaker.enabled && STATES[current()].camera) guide();
}

// ---- capture, preview, album ----

function toJpeg(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/jpeg', 0.92);
  });
}

// Captures the best frame so far (auto: the stable passing run; manual: whatever is best) and checks
// the JPEG that will be uploaded, so the report describes exactly the uploaded photo.
async function capture_(trigger) {
  if (!dispatch('capture')) return;
  let frame = null;
  try { frame = await app.checker.bestFrame(); } catch (e) { console.warn('bestFrame', e.code, e.message); }
  let canvas = $('preview');
  if (frame) {
    canvas.width = frame.image.width;
    canvas.height = frame.image.height;
    canvas.getContext('2d').putImageData(frame.image, 0, 0);
  } else { // manual shot before the first checked frame
    const video = $('video');
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
  }
  stopCamera();
  speaker.announce(t('captured'), speechLang()); // after stopCamera, which silences the live guidance
  const blob = await toJpeg(canvas);
  const capture = { trigger, frame_index: frame?.index ?? null, score: frame?.score ?? null };
  await checkPhoto(blob, 'camera', capture);
}

// In state checking (capture or album): checks the photo and shows it, or reopens the camera if it cannot.
async function checkPhoto(blob, source, capture) {
  $('status-line').textContent = t('checking');
  try {
    const report = await app.checker.checkImage(blob);
    if (!can('checked')) return;
    const photo = { blob, report, source, capture };
    setPhoto(photo);
    app.uploadError = null;
    showPreview('checked');
    photo.standardizing = standardizePreview(photo);
  } catch (e) {
    $('status-line').textContent = `${e.code || ''} ${e.message}`;
    if (!app.ready) return; // the worker crashed and restarts: it reopens the camera when ready
    if (app.stream) dispatch('cameraOn'); else startCamera();
  }
}

const photoChecklist = (report) => Object.entries(report.checks).map(([id, r]) => ({ id, ...r }));

// The photo in app.photo with its checklist and verdict: state preview (event: checked or backToPhoto).
function showPreview(event) {
  if (!dispatch(event)) return;
  const { report, source } = app.photo;
  renderChecklist(photoChecklist(report));
  renderVerdict(report);
  drawPhotoRegions();
  $('status-line').textContent = t(source === 'camera' ? 'sourceCamera' : 'sourceAlbum');
}

// From camera-lost / denied / no-camera after 重拍: back to the photo taken before (drawn again from its JPEG).
async function backToPhoto() {
  if (!app.photo || !can('backToPhoto')) return;
  stopCamera();
  if (typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(app.photo.blob);
      const canvas = $('preview');
      canvas.width = bitmap.width; canvas.height = bitmap.height;
      canvas.getContext('2d').drawImage(bitmap, 0, 0);
      bitmap.close();
    } catch (e) { console.warn('createImageBitmap', e); }
  }
  showPreview('backToPhoto');
}

function renderVerdict(report) {
  const failing = Object.entries(report.checks).filter(([, r]) => r.status === 'fail')
    .map(([id]) => CHECK_NAMES[id]?.[lang === 'zh' ? 0 : 1] ?? id);
  const el = $('verdict');
  el.dataset.verdict = report.verdict;
  el.textContent = report.verdict === 'pass' ? t('pass')
    : report.verdict === 'fail' ? t('fail') + failing.join(lang === 'zh' ? '、' : ', ')
      : report.verdict === 'unchecked' ? t('unchecked') : t('unknown');
}

// Album photos: decoded by the browser (EXIF orientation applied), downscaled to maxPhotoSide, and
// re-encoded as the JPEG that is checked and uploaded. Without createImageBitmap the file is checked as is.
async function onAlbum(file) {
  if (!file) return;
  if (app.unchecked) { await onUncheckedPhoto(file); return; }
  if (!can('album')) return;
  stopCamera();
  dispatch('album');
  const { blob } = await albumJpeg(file);
  await checkPhoto(blob, 'album', { trigger: 'album', original_bytes: file.size, original_type: file.type });
}

// The album photo drawn on the preview canvas and re-encoded: { blob, width, height } (the file as is, without
// sizes, where the browser cannot decode it).
async function albumJpeg(file) {
  if (typeof createImageBitmap !== 'function') return { blob: file };
  try {
    let bitmap = await createImageBitmap(file);
    const scale = Math.min(1, config.maxPhotoSide / Math.max(bitmap.width, bitmap.height));
    if (scale < 1) {
      const resized = await createImageBitmap(bitmap, {
        resizeWidth: Math.round(bitmap.width * scale), resizeHeight: Math.round(bitmap.height * scale),
        resizeQuality: 'high',
      });
      bitmap.close();
      bitmap = resized;
    }
    const canvas = $('preview');
    canvas.width = bitmap.width; canvas.height = bitmap.height;
    canvas.getContext('2d').drawImage(bitmap, 0, 0);
    bitmap.close();
    return { blob: await toJpeg(canvas), width: canvas.width, height: canvas.height };
  } catch (e) {
    console.warn('createImageBitmap failed; using the file as is', e);
    return { blob: file };
  }
}

// Without a checker (unsupported): the photo from the system camera or the album is shown, not checked, and
// uploaded with the report {verdict: 'unchecked', reason} (the receiver checks every upload itself).
async function onUncheckedPhoto(file) {
  if (!can('unchecked')) return;
  const { blob, width, height } = await albumJpeg(file);
  if (!can('unchecked')) return;
  const report = uncheckedReport(app.unchecked, { profile: body.dataset.profile, width, height });
  setPhoto({ blob, report, source: 'album', capture: { trigger: 'album', original_bytes: file.size,
    original_type: file.type } });
  app.uploadError = null;
  showPreview('unchecked');
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

function uploadKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

class UploadError extends Error {
  constructor(key, vars, detail) { super(detail || key); this.key = key; this.vars = vars; this.detail = detail; }
}

// POSTs the photo and its report. On HTTP errors, a timeout (config.uploadTimeoutMs) or no connection: state
// upload-failed with the reason; the photo and report stay, and 重新上传 sends exactly the same two parts again
// (the report, with its upload_key, is serialised once per photo, so a server can drop a repeated upload).
async function upload() {
  const photo = app.photo;
  if (!photo || !can('upload')) return;
  app.uploadError = null;
  dispatch('upload');
  $('status-line').textContent = t('uploading');
  // the standardized preview is usually ready; wait a little for it (never for a worker that went away)
  await Promise.race([photo.standardizing, new Promise((r) => setTimeout(r, 5000))]);
  photo.meta ??= JSON.stringify({
    report: photo.report,
    source: photo.source, // 'camera' | 'album'
    capture: photo.capture,
    // The report was computed by the full pipeline on the uploaded JPEG itself: nothing carried over.
    carried_over: [],
    upload_key: uploadKey(), // the same on every retry of this photo
    page: { lang, profile: body.dataset.profile, user_agent: navigator.userAgent },
  });
  const form = new FormData();
  form.append('photo', photo.blob, 'photo.jpg');
  form.append('report', new Blob([photo.meta], { type: 'application/json' }), 'report.json');
  // optional: the standardized preview; the photo above stays the photo of record
  if (photo.standardized) form.append('standardized', photo.standardized, 'standardized.jpg');
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; abort.abort(); }, config.uploadTimeoutMs);
  const timeout = () => new UploadError('uploadTimeout', { s: Math.round(config.uploadTimeoutMs / 100) / 10 });
  let uploadId;
  try {
    let res;
    try {
      res = await fetch(config.upload, { method: 'POST', body: form, signal: abort.signal });
    } catch (e) {
      throw timedOut ? timeout() : new UploadError('uploadNetwork', {}, e.message);
    }
    if (!res.ok) throw new UploadError('uploadHttp', { status: res.status });
    let answer = {};
    try { answer = await res.json(); } catch { if (timedOut) throw timeout(); } // no JSON: uploaded, without an id
    uploadId = answer?.id ?? answer?.uploadId ?? null;
  } catch (e) {
    if (app.photo !== photo || !can('uploadFailed')) return;
    console.warn('upload failed', e.message);
    app.uploadError = e instanceof UploadError ? { key: e.key, vars: e.vars, detail: e.detail }
      : { key: 'uploadNetwork', vars: {}, detail: e.message };
    dispatch('uploadFailed');
    return;
  } finally {
    clearTimeout(timer);
  }
  if (app.photo !== photo || !dispatch('uploaded')) return;
  $('status-line').textContent = t('done') + (uploadId ?? '');
  if (await inMiniProgram()) {
    // postMessage is delivered on back/destroy/share: send the report and the id, not the JPEG.
    window.wx.miniProgram.postMessage({ data: { report: photo.report, uploadId, source: photo.source } });
    window.wx.miniProgram.navigateBack();
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

function main() {
  $('lang').onclick = () => { lang = lang === 'zh' ? 'en' : 'zh'; applyLanguage(); };
  $('shoot').onclick = () => capture_('manual');
  $('switch').onclick = () => { app.facing = app.facing === 'environment' ? 'user' : 'environment'; startCamera(); };
  // 重拍 keeps the previous photo (返回已拍的照片 offers it again if the camera fails) until another is checked.
  $('retake').onclick = () => {
    $('verdict').textContent = '';
    app.uploadError = null;
    if (app.unchecked) dispatch('noChecker'); else startCamera(); // without a checker: back to the pickers
  };
  $('use').onclick = () => upload();
  $('retry-upload').onclick = () => upload();
  $('back-to-photo').onclick = () => backToPhoto();
  // model-failed: a new worker fetches the module and models again; camera-lost / denied: getUserMedia again.
  $('retry').onclick = () => (STATES[current()].retry === 'worker' || !app.ready ? startWorker() : startCamera());
  document.addEventListener('visibilitychange', () => (document.visibilityState === 'hidden' ? onHidden() : onShown()));
  window.addEventListener('pagehide', onHidden);
  window.addEventListener('pageshow', (e) => { if (e.persisted && document.visibilityState !== 'hidden') onShown(); });
  $('speak').onclick = toggleSpeech;
  // Tilt: shown and said while live. On iOS the events need a permission asked on a user gesture: the page
  // has no start button, so the first tap anywhere (🔊, 切换摄像头, …) asks; refused or absent: nothing shows.
  const orientation = watchOrientation((tilted) => {
    app.tilted = tilted;
    if (STATES[current()].camera) guide();
  });
  // The first tap also unlocks speech on iOS (speechSynthesis stays silent until speak() runs in a gesture).
  const firstTap = () => { orientation.requestOnGesture(); speaker.unlock(); };
  document.addEventListener('click', firstTap, { once: true, capture: true });
  // The overlay follows the video/photo box when the page is resized or rotated.
  window.addEventListener('resize', () => {
    if (STATES[current()].camera) drawLiveRegions(); else if (STATES[current()].photo) drawPhotoRegions();
  });
  // the input is emptied once read, so that the same photo can be chosen again (after 重拍)
  const picked = (e) => { const file = e.target.files[0]; e.target.value = ''; onAlbum(file); };
  $('album').onchange = picked;
  $('system-camera').onchange = picked;
  applyLanguage();
  loadWeixinSdk();
  startWorker(); // a browser without wasm SIMD or module workers ends in unsupported, nothing loaded
}

main();
