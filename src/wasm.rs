//! The WebAssembly API (wasm-bindgen), built with `wasm-pack build --target web`.
//!
//! ```js
//! import init, { PhotoChecker } from './pkg/photo_check.js';
//! await init();
//! const models = { faceDetection, faceLandmark, selfieSegmentation };
//! const checker = PhotoChecker.create({ profile: 'chsi', models });
//! const report = checker.checkFrame(imageData, imageData.width, imageData.height);
//! ```
//!
//! Models are passed in as bytes (the page fetches them from its own origin, with progress), so the
//! module stays small and the models are cached by the browser separately from the code.
//!
//! Every input is validated before the core sees it; errors are thrown as JS `Error`s with a stable
//! `code` (see [`crate::Error::code`], plus `invalid_options`, `freed`). A panic would trap the instance,
//! so none is expected here; `console_error_panic_hook` only makes a bug readable if one happens.

use js_sys::{Object, Reflect, Uint8Array, Uint8ClampedArray};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::capture::{CaptureConfig, CaptureTracker};
use crate::error::Error;
use crate::frame::Frame;
use crate::models::{ModelBytes, Models};
use crate::pipeline::{Checker, LiveStream};
use crate::profile::Profile;
use crate::report::Report;
use crate::standardize::Background;

/// A JS `Error` with `code` and `name = "PhotoCheckError"`.
fn js_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("PhotoCheckError");
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(code));
    err.into()
}

fn core_error(e: Error) -> JsValue {
    js_error(e.code(), &e.to_string())
}

fn options_error(message: impl AsRef<str>) -> JsValue {
    js_error("invalid_options", message.as_ref())
}

fn freed() -> JsValue {
    js_error("freed", "this PhotoChecker was disposed")
}

/// Plain JS objects (no `Map`s): for the capture state.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("serialize", &e.to_string()))
}

/// The report as a plain JS object, byte-for-byte the JSON the CLI prints: it goes through serde_json
/// and `JSON.parse`, because serde-wasm-bindgen widens `f32` to `f64` (0.92 → 0.9200000166893005) and
/// the uploaded report should read the same as the CLI's.
fn report_to_js(report: &Report) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(report).map_err(|e| js_error("serialize", &e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| js_error("serialize", "JSON.parse failed"))
}

fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| options_error(format!("cannot read option {key}")))
}

/// Bytes from a `Uint8Array`, `Uint8ClampedArray`, `ArrayBuffer` or `ImageData`-like `{ data }`.
fn bytes_of(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(a) = value.dyn_ref::<Uint8Array>() {
        return Ok(a.to_vec());
    }
    if let Some(a) = value.dyn_ref::<Uint8ClampedArray>() {
        return Ok(a.to_vec());
    }
    if let Some(b) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(b).to_vec());
    }
    Err(js_error("invalid_argument", &format!("{what} must be a Uint8Array, Uint8ClampedArray or ArrayBuffer")))
}

/// Copies RGBA pixels from `data` (ImageData, Uint8ClampedArray or Uint8Array) into `buf`, checking the
/// length against width × height × 4 before anything is allocated.
fn rgba_into(data: &JsValue, width: u32, height: u32, buf: &mut Vec<u8>) -> Result<(), JsValue> {
    let data =
        if data.is_object() && !data.is_instance_of::<Uint8ClampedArray>() && !data.is_instance_of::<Uint8Array>() {
            // ImageData (or any `{ data }`): take its pixel array.
            let inner = get(data, "data")?;
            if inner.is_undefined() {
                return Err(js_error("invalid_argument", "data must be ImageData, Uint8ClampedArray or Uint8Array"));
            }
            inner
        } else {
            data.clone()
        };
    let len = if let Some(a) = data.dyn_ref::<Uint8ClampedArray>() {
        a.length()
    } else if let Some(a) = data.dyn_ref::<Uint8Array>() {
        a.length()
    } else {
        return Err(js_error("invalid_argument", "data must be ImageData, Uint8ClampedArray or Uint8Array"));
    };
    if width == 0 || height == 0 {
        return Err(core_error(Error::BadDimensions { width, height, why: "zero size" }));
    }
    let expected = width as u64 * height as u64 * 4;
    if len as u64 != expected {
        return Err(core_error(Error::BufferLength { width, height, channels: 4, expected, actual: len as u64 }));
    }
    buf.resize(len as usize, 0);
    if let Some(a) = data.dyn_ref::<Uint8ClampedArray>() {
        a.copy_to(buf);
    } else if let Some(a) = data.dyn_ref::<Uint8Array>() {
        a.copy_to(buf);
    }
    Ok(())
}

/// Width/height from JS must be non-negative integers that fit in u32 (NaN, 1.5, -1 are refused).
fn dim(value: f64, what: &str) -> Result<u32, JsValue> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= u32::MAX as f64 {
        Ok(value as u32)
    } else {
        Err(js_error("invalid_argument", &format!("{what} must be a non-negative integer, got {value}")))
    }
}

struct Inner {
    checker: Checker,
    /// The camera stream's tracking state (stills and photos reset it, as a new stream starts after them).
    stream: LiveStream,
    capture: CaptureTracker,
    /// The RGBA input buffer, reused across frames (iOS Safari: keep wasm memory small).
    frame_buf: Vec<u8>,
    /// The best frame so far (RGBA) and its size, as chosen by the capture tracker.
    best: Option<(Vec<u8>, u32, u32)>,
}

impl Inner {
    /// Copies one live frame's RGBA into the reused buffer and checks it; the frame is checked in that
    /// buffer (no second copy), which comes back afterwards, also on an error.
    fn check_live(&mut self, data: &JsValue, w: u32, h: u32) -> Result<Report, JsValue> {
        let mut buf = std::mem::take(&mut self.frame_buf);
        if let Err(e) = rgba_into(data, w, h, &mut buf) {
            self.frame_buf = buf;
            return Err(e);
        }
        let (result, buf) = self.stream.check_rgba_vec(&self.checker, buf, w, h);
        self.frame_buf = buf;
        result.map_err(core_error)
    }
}

/// Checks camera frames and photos in the browser. Create with `PhotoChecker.create(options)`.
#[wasm_bindgen]
pub struct PhotoChecker {
    inner: Option<Inner>,
}

fn profile_from(options: &JsValue) -> Result<Profile, JsValue> {
    let toml = get(options, "profileToml")?;
    if let Some(text) = toml.as_string() {
        return Profile::from_toml(&text).map_err(core_error);
    }
    if !toml.is_undefined() && !toml.is_null() {
        return Err(options_error("profileToml must be a string"));
    }
    let name = get(options, "profile")?;
    if name.is_undefined() || name.is_null() {
        return Ok(Profile::chsi());
    }
    let name = name.as_string().ok_or_else(|| options_error("profile must be a string (chsi, icao)"))?;
    Profile::builtin(&name).map_err(core_error)
}

fn capture_config_from(options: &JsValue) -> Result<CaptureConfig, JsValue> {
    let mut config = CaptureConfig::default();
    for (key, slot) in [("stableFrames", &mut config.stable_frames), ("holdFrames", &mut config.hold_frames)] {
        let v = get(options, key)?;
        if v.is_undefined() || v.is_null() {
            continue;
        }
        let n = v.as_f64().ok_or_else(|| options_error(format!("{key} must be a number")))?;
        if !(n.is_finite() && (1.0..=1000.0).contains(&n) && n.fract() == 0.0) {
            return Err(options_error(format!("{key} must be an integer from 1 to 1000")));
        }
        *slot = n as u32;
    }
    Ok(config)
}

#[wasm_bindgen]
impl PhotoChecker {
    /// `options`: `{ models: { faceDetection, faceLandmark, selfieSegmentation }` (Uint8Array or
    /// ArrayBuffer each), `profile?: 'chsi' | 'icao'`, `profileToml?: string` (wins over `profile`),
    /// `stableFrames?`, `holdFrames?` (capture tuning) `}`.
    pub fn create(options: JsValue) -> Result<PhotoChecker, JsValue> {
        console_error_panic_hook::set_once();
        if !options.is_object() {
            return Err(options_error("options must be an object"));
        }
        let profile = profile_from(&options)?;
        let capture = capture_config_from(&options)?;
        let models = get(&options, "models")?;
        if !models.is_object() {
            return Err(options_error(
                "options.models must be an object with faceDetection, faceLandmark, selfieSegmentation",
            ));
        }
        let fd = bytes_of(&get(&models, "faceDetection")?, "models.faceDetection")?;
        let fl = bytes_of(&get(&models, "faceLandmark")?, "models.faceLandmark")?;
        let ss = bytes_of(&get(&models, "selfieSegmentation")?, "models.selfieSegmentation")?;
        let models =
            Models::from_bytes(ModelBytes { face_detection: &fd, face_landmark: &fl, selfie_segmentation: &ss })
                .map_err(core_error)?;
        Ok(PhotoChecker {
            inner: Some(Inner {
                checker: Checker::new(models, profile),
                stream: LiveStream::new(),
                capture: CaptureTracker::new(capture),
                frame_buf: Vec::new(),
                best: None,
            }),
        })
    }

    fn inner(&mut self) -> Result<&mut Inner, JsValue> {
        self.inner.as_mut().ok_or_else(freed)
    }

    /// A diagnostic for benchmarks: each network run `runs` times (1–100) on a constant input, timed by
    /// tract op type: `[{ model, total_ms, ops: [{ op, nodes, ms }] }]`, slowest op first.
    #[wasm_bindgen(js_name = profileNetworks)]
    pub fn profile_networks(&self, runs: u32) -> Result<JsValue, JsValue> {
        let inner = self.inner.as_ref().ok_or_else(freed)?;
        to_js(&inner.checker.profile_networks(runs.clamp(1, 100) as usize).map_err(core_error)?)
    }

    /// Runs each network once on zeros (see `Checker::warm_up`): call it right after `create`, while the
    /// camera opens, so the first frame is not the slow one.
    #[wasm_bindgen(js_name = warmUp)]
    pub fn warm_up(&self) -> Result<(), JsValue> {
        let inner = self.inner.as_ref().ok_or_else(freed)?;
        inner.checker.warm_up().map_err(core_error)
    }

    /// The active profile's name.
    #[wasm_bindgen(getter, js_name = profileName)]
    pub fn profile_name(&self) -> Result<String, JsValue> {
        self.inner.as_ref().map(|i| i.checker.profile().name.clone()).ok_or_else(freed)
    }

    /// Checks one live camera frame (RGBA: `ImageData`, `Uint8ClampedArray` or `Uint8Array`); keeps
    /// face tracking for the next frame. Returns the report (the CLI's JSON schema).
    #[wasm_bindgen(js_name = checkFrame)]
    pub fn check_frame(&mut self, data: JsValue, width: f64, height: f64) -> Result<JsValue, JsValue> {
        let (w, h) = (dim(width, "width")?, dim(height, "height")?);
        let inner = self.inner()?;
        report_to_js(&inner.check_live(&data, w, h)?)
    }

    /// Like `checkFrame`, and feeds the capture state machine: returns `{ report, capture }` where
    /// `capture` is `{ phase: 'searching'|'steady'|'ready', progress, pass_run, frame_index, score,
    /// new_best, best_index, best_score, checklist: [{ id, status, reason, message_zh, message_en }] }`.
    /// The best frame's pixels are kept (see `bestFrame`).
    pub fn track(&mut self, data: JsValue, width: f64, height: f64) -> Result<JsValue, JsValue> {
        let (w, h) = (dim(width, "width")?, dim(height, "height")?);
        let inner = self.inner()?;
        let report = inner.check_live(&data, w, h)?;
        let update = inner.capture.push(&report);
        if update.new_best {
            match &mut inner.best {
                Some((best, bw, bh)) => {
                    best.clear();
                    best.extend_from_slice(&inner.frame_buf);
                    (*bw, *bh) = (w, h);
                }
                None => inner.best = Some((inner.frame_buf.clone(), w, h)),
            }
        }
        let out = Object::new();
        Reflect::set(&out, &"report".into(), &report_to_js(&report)?)?;
        Reflect::set(&out, &"capture".into(), &to_js(&update)?)?;
        Ok(out.into())
    }

    /// The best frame so far: `{ data: Uint8ClampedArray (RGBA), width, height, index, score }`, or
    /// `null` before the first tracked frame.
    #[wasm_bindgen(js_name = bestFrame)]
    pub fn best_frame(&mut self) -> Result<JsValue, JsValue> {
        let inner = self.inner()?;
        let (Some((data, w, h)), Some((index, score))) = (&inner.best, inner.capture.best()) else {
            return Ok(JsValue::NULL);
        };
        let out = Object::new();
        Reflect::set(&out, &"data".into(), &Uint8ClampedArray::from(data.as_slice()))?;
        Reflect::set(&out, &"width".into(), &JsValue::from(*w))?;
        Reflect::set(&out, &"height".into(), &JsValue::from(*h))?;
        Reflect::set(&out, &"index".into(), &JsValue::from(index as f64))?;
        Reflect::set(&out, &"score".into(), &JsValue::from(score))?;
        Ok(out.into())
    }

    /// Forgets tracking and the capture state (after a capture, a retake or a camera switch).
    pub fn reset(&mut self) -> Result<(), JsValue> {
        let inner = self.inner()?;
        inner.stream.reset();
        inner.capture.reset();
        inner.best = None;
        Ok(())
    }

    /// Checks a still frame on its own (no tracking, landmarks refined twice): use it on the captured
    /// frame so the uploaded report describes exactly that frame.
    #[wasm_bindgen(js_name = checkStill)]
    pub fn check_still(&mut self, data: JsValue, width: f64, height: f64) -> Result<JsValue, JsValue> {
        let (w, h) = (dim(width, "width")?, dim(height, "height")?);
        let inner = self.inner()?;
        let mut buf = std::mem::take(&mut inner.frame_buf);
        let max_pixels = inner.checker.profile().limits.max_pixels;
        let result = rgba_into(&data, w, h, &mut buf)
            .and_then(|_| Frame::from_rgba_limited(&buf, w, h, max_pixels).map_err(core_error))
            .and_then(|frame| inner.checker.check_still(&frame).map_err(core_error));
        inner.stream.reset();
        inner.frame_buf = buf;
        report_to_js(&result?)
    }

    /// The standardized 480×640 photo of an RGBA frame (the server's crop, background replaced) as JPEG
    /// bytes. `background`: `'blue'`, `'white'` or `'grey'`; undefined for the profile's first background
    /// (CHSI light blue). Checks the frame as a still to find the crop; tracking is reset.
    pub fn standardize(
        &mut self,
        data: JsValue,
        width: f64,
        height: f64,
        background: Option<String>,
    ) -> Result<Uint8Array, JsValue> {
        let (w, h) = (dim(width, "width")?, dim(height, "height")?);
        let background = background.as_deref().map(Background::parse).transpose().map_err(core_error)?;
        let inner = self.inner()?;
        let mut buf = std::mem::take(&mut inner.frame_buf);
        let max_pixels = inner.checker.profile().limits.max_pixels;
        let result = rgba_into(&data, w, h, &mut buf)
            .and_then(|_| Frame::from_rgba_limited(&buf, w, h, max_pixels).map_err(core_error))
            .and_then(|frame| inner.checker.standardize(&frame, background).map_err(core_error));
        inner.stream.reset();
        inner.frame_buf = buf;
        Ok(Uint8Array::from(result?.0.jpeg.as_slice()))
    }

    /// Checks a photo file (JPEG/PNG bytes as `Uint8Array` or `ArrayBuffer`): EXIF orientation is
    /// applied and large photos are downscaled.
    #[wasm_bindgen(js_name = checkImage)]
    pub fn check_image(&mut self, bytes: JsValue) -> Result<JsValue, JsValue> {
        let inner = self.inner()?;
        let bytes = bytes_of(&bytes, "bytes")?;
        inner.stream.reset();
        let report = inner.checker.check_image(&bytes).map_err(core_error)?;
        report_to_js(&report)
    }

    /// Releases the models now (the object then throws `code: 'freed'`); `free()` also works.
    pub fn dispose(&mut self) {
        self.inner = None;
    }
}
