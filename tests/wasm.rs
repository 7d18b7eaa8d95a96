//! The wasm API in a real browser: `wasm-pack test --headless --chrome --release -- --no-default-features`
//! (scripts/test-web.sh runs it with the Chromium flags this machine needs).
//!
//! Needs `.cache/sample/astronaut.png` (scripts/fetch-sample.sh) and `.cache/sample/astronaut.cli.json`
//! (the CLI's `check --json` on it; scripts/test-web.sh writes both).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Reflect, Uint8Array, Uint8ClampedArray};
use photo_check::wasm::PhotoChecker;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SAMPLE_PNG: &[u8] = include_bytes!("../.cache/sample/astronaut.png");
const SAMPLE_CLI_JSON: &str = include_str!("../.cache/sample/astronaut.cli.json");
const FD: &[u8] = include_bytes!("../models/face_detection_short_range.nnef.tar");
const FL: &[u8] = include_bytes!("../models/face_landmark.nnef.tar");
const SS: &[u8] = include_bytes!("../models/selfie_segmentation.nnef.tar");

fn set(obj: &Object, key: &str, value: &JsValue) {
    Reflect::set(obj, &key.into(), value).unwrap();
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |v, k| Reflect::get(&v, &k.into()).unwrap())
}

fn models(fd: &[u8]) -> Object {
    let m = Object::new();
    set(&m, "faceDetection", &Uint8Array::from(fd).into());
    set(&m, "faceLandmark", &Uint8Array::from(FL).into());
    set(&m, "selfieSegmentation", &Uint8Array::from(SS).into());
    m
}

fn options(profile: &str) -> Object {
    let o = Object::new();
    set(&o, "profile", &profile.into());
    set(&o, "models", &models(FD).into());
    o
}

fn checker() -> PhotoChecker {
    PhotoChecker::create(options("chsi").into()).expect("create")
}

/// The `code` of a thrown error (and checks it is a real JS Error).
fn code(err: JsValue) -> String {
    assert!(err.is_instance_of::<js_sys::Error>(), "not an Error: {err:?}");
    get(&err, "code").as_string().unwrap_or_else(|| panic!("no code on {err:?}"))
}

fn sample_rgba() -> (Vec<u8>, u32, u32) {
    let img = image::load_from_memory(SAMPLE_PNG).unwrap().to_rgba8();
    let (w, h) = img.dimensions();
    (img.into_raw(), w, h)
}

fn status(report: &JsValue, id: &str) -> String {
    get(report, &format!("checks.{id}.status")).as_string().unwrap()
}

fn crop(rgba: &[u8], w: u32, x0: u32, y0: u32, cw: u32, ch: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity((cw * ch * 4) as usize);
    for y in y0..y0 + ch {
        let row = ((y * w + x0) * 4) as usize;
        out.extend_from_slice(&rgba[row..row + (cw * 4) as usize]);
    }
    out
}

/// The ops swapped in at load give tract's own bits on whole networks in the browser build, where their SIMD
/// loops compile (and the 1×1 convolutions are swapped at all): natively `models::nnef_tests` checks the same.
#[wasm_bindgen_test]
fn swapped_ops_keep_tracts_bits_in_wasm() {
    assert_eq!(photo_check::models::swaps_keep_tracts_bits([FD, FL, SS], 3), Ok(()));
}

/// The frame warp behind every network's input, its neighbours summed in wasm SIMD lanes, gives the bits of
/// the per-neighbour reference: crops inside, across the edges and outside a noise frame, rotated, shrunk
/// and enlarged, both borders and both ranges (natively `imaging`'s tests check the same).
#[wasm_bindgen_test]
fn warp_keeps_the_reference_bits_in_wasm() {
    use photo_check::imaging::{warp_reference, warp_to_tensor, Affine, Border, Point};
    let mut s = 29u32;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        s
    };
    let (w, h) = (37, 23);
    let rgba: Vec<u8> = (0..w * h * 4).map(|_| next() as u8).collect();
    let frame = photo_check::Frame::from_rgba(&rgba, w, h).unwrap();
    let mut unit = move || (next() >> 8) as f32 / (1 << 24) as f32;
    for round in 0..40 {
        let centre = Point::new(40.0 * unit(), 25.0 * unit());
        let side = 4.0 + 60.0 * unit();
        let map = Affine::from_rotated_rect(centre, side, side, 6.4 * unit(), 16.0, 16.0);
        let border = if round % 2 == 0 { Border::Zero } else { Border::Replicate };
        let range = if round % 3 == 0 { (-1.0, 1.0) } else { (0.0, 1.0) };
        let mut out = vec![0f32; 16 * 16 * 3];
        warp_to_tensor(&frame, &map, 16, 16, border, range, &mut out);
        let want = warp_reference(&frame, &map, 16, border, range);
        let same = out.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "round {round}: centre {centre:?}, side {side}, {border:?}");
    }
}

#[wasm_bindgen_test]
fn sample_frame_fails_chsi_on_the_smile() {
    let mut c = checker();
    c.warm_up().expect("each network runs once on zeros");
    let (rgba, w, h) = sample_rgba();
    let data = Uint8ClampedArray::from(rgba.as_slice());
    let report = c.check_frame(data.into(), w as f64, h as f64).unwrap();
    assert_eq!(get(&report, "verdict").as_string().unwrap(), "fail");
    assert_eq!(get(&report, "profile").as_string().unwrap(), "chsi");
    assert_eq!(status(&report, "face_count"), "pass");
    assert_eq!(status(&report, "mouth_closed"), "fail", "she smiles with her teeth showing");
    assert_eq!(status(&report, "ears_visible"), "fail", "her hair covers her ears");
    assert_eq!(status(&report, "hair_clear"), "pass");
    assert_eq!(status(&report, "no_hat"), "pass");
    // A plain object, not a Map: JSON.stringify sees the checks.
    let text: String = js_sys::JSON::stringify(&report).unwrap().into();
    assert!(text.contains("\"mouth_closed\":{\"status\":\"fail\""), "{text}");
    assert!(!get(&report, "checks").is_instance_of::<js_sys::Map>());
    // Tracking across frames: the next frame (same pixels) gives the same answer.
    let again = c.check_frame(Uint8Array::from(rgba.as_slice()).into(), w as f64, h as f64).unwrap();
    assert_eq!(status(&again, "mouth_closed"), "fail");
}

#[wasm_bindgen_test]
fn image_data_odd_sizes_and_variants() {
    let mut c = checker();
    let (rgba, w, h) = sample_rgba();
    // ImageData-like object.
    let obj = Object::new();
    set(&obj, "data", &Uint8ClampedArray::from(rgba.as_slice()).into());
    set(&obj, "width", &w.into());
    set(&obj, "height", &h.into());
    let report = c.check_frame(obj.into(), w as f64, h as f64).unwrap();
    assert_eq!(status(&report, "face_count"), "pass");
    // Odd size crop around the face: a valid frame.
    let (cw, ch) = (481, 501);
    let odd = crop(&rgba, w, 15, 0, cw, ch);
    let report = c.check_frame(Uint8ClampedArray::from(odd.as_slice()).into(), cw as f64, ch as f64).unwrap();
    assert_eq!(get(&report, "image.width").as_f64(), Some(cw as f64));
    assert_eq!(status(&report, "face_count"), "pass");
    // Much darker: exposure fails.
    let dark: Vec<u8> = rgba.chunks(4).flat_map(|p| [p[0] / 6, p[1] / 6, p[2] / 6, 255]).collect();
    c.reset().unwrap();
    let report = c.check_frame(Uint8ClampedArray::from(dark.as_slice()).into(), w as f64, h as f64).unwrap();
    assert_eq!(get(&report, "verdict").as_string().unwrap(), "fail");
    assert_ne!(status(&report, "exposure"), "pass");
    // A flat grey frame: no face, not an error.
    let grey = vec![128u8; (w * h * 4) as usize];
    let report = c.check_frame(Uint8ClampedArray::from(grey.as_slice()).into(), w as f64, h as f64).unwrap();
    assert_eq!(status(&report, "face_count"), "fail");
    assert!(get(&report, "face").is_null());
}

#[wasm_bindgen_test]
fn check_image_matches_the_cli_json() {
    let mut c = checker();
    let report = c.check_image(Uint8Array::from(SAMPLE_PNG).into()).unwrap();
    let wasm: serde_json::Value =
        serde_json::from_str(&String::from(js_sys::JSON::stringify(&report).unwrap())).unwrap();
    let mut cli: serde_json::Value = serde_json::from_str(SAMPLE_CLI_JSON).unwrap();
    // The CLI adds the input's path; everything else is the same report.
    cli.as_object_mut().unwrap().remove("file");
    fn same(path: &str, a: &serde_json::Value, b: &serde_json::Value) {
        use serde_json::Value::*;
        match (a, b) {
            (Number(x), Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                assert!((x - y).abs() <= 2e-3 * (1.0 + x.abs().max(y.abs())), "{path}: wasm {x} vs cli {y}");
            }
            (Object(x), Object(y)) => {
                let mut kx: Vec<_> = x.keys().collect();
                let mut ky: Vec<_> = y.keys().collect();
                kx.sort();
                ky.sort();
                assert_eq!(kx, ky, "{path}: keys");
                for k in x.keys() {
                    if path.is_empty() && k == "timing_ms" {
                        continue;
                    }
                    same(&format!("{path}.{k}"), &x[k], &y[k]);
                }
            }
            (Array(x), Array(y)) => {
                assert_eq!(x.len(), y.len(), "{path}: length");
                x.iter().zip(y).enumerate().for_each(|(i, (a, b))| same(&format!("{path}[{i}]"), a, b));
            }
            _ => assert_eq!(a, b, "{path}"),
        }
    }
    same("", &wasm, &cli);
}

#[wasm_bindgen_test]
fn capture_state_machine_through_wasm() {
    // chsi: her ears are covered and she smiles: never ready.
    let mut c = checker();
    let (rgba, w, h) = sample_rgba();
    for i in 0..6 {
        let out = c.track(Uint8ClampedArray::from(rgba.as_slice()).into(), w as f64, h as f64).unwrap();
        assert_eq!(get(&out, "capture.phase").as_string().unwrap(), "searching", "frame {i}");
        assert_eq!(get(&out, "capture.frame_index").as_f64(), Some(i as f64));
        let list: Array = get(&out, "capture.checklist").dyn_into().unwrap();
        assert_eq!(list.length() as usize, photo_check::CheckId::ALL.len(), "one row per check");
    }
    let best = c.best_frame().unwrap();
    assert_eq!(get(&best, "width").as_f64(), Some(w as f64));
    assert_eq!(Uint8ClampedArray::from(get(&best, "data")).length(), w * h * 4);
    // The full pipeline on the captured frame.
    let still = c.check_still(get(&best, "data"), w as f64, h as f64).unwrap();
    assert_eq!(status(&still, "mouth_closed"), "fail");
    c.reset().unwrap();
    assert!(c.best_frame().unwrap().is_null());
}

#[wasm_bindgen_test]
fn capture_becomes_ready_with_a_profile_that_passes() {
    // A profile relaxing only what is needed for a passing input: an all-`not_required` profile
    // stands in for "a passing frame" here (the sample's real failures are covered above).
    let chsi = photo_check::profile::BUILTIN[0].1;
    let all = photo_check::CheckId::ALL.iter().map(|c| format!("\"{}\"", c.as_str())).collect::<Vec<_>>().join(", ");
    // chsi's own `not_required` line gives way to the all-off one (a TOML key may appear once)
    let chsi: String = chsi.lines().filter(|l| !l.starts_with("not_required")).map(|l| format!("{l}\n")).collect();
    let toml = chsi.replacen("name = \"chsi\"", &format!("name = \"all-off\"\nnot_required = [{all}]"), 1);
    let o = options("chsi");
    set(&o, "profileToml", &toml.into());
    set(&o, "stableFrames", &3.into());
    let mut c = PhotoChecker::create(o.into()).unwrap();
    assert_eq!(c.profile_name().unwrap(), "all-off");
    let (rgba, w, h) = sample_rgba();
    let phases: Vec<String> = (0..4)
        .map(|_| {
            let out = c.track(Uint8ClampedArray::from(rgba.as_slice()).into(), w as f64, h as f64).unwrap();
            get(&out, "capture.phase").as_string().unwrap()
        })
        .collect();
    assert_eq!(phases, ["steady", "steady", "ready", "ready"]);
}

#[wasm_bindgen_test]
fn standardize_makes_the_chsi_jpeg_and_refuses_bad_input() {
    let mut c = checker();
    let (rgba, w, h) = sample_rgba();
    let data = || JsValue::from(Uint8ClampedArray::from(rgba.as_slice()));
    for background in [None, Some("white".to_string())] {
        let jpeg = c.standardize(data(), w as f64, h as f64, background.clone()).unwrap().to_vec();
        let img = image::load_from_memory(&jpeg).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (480, 640));
        assert!((20_000..=40_000).contains(&jpeg.len()), "{} bytes", jpeg.len());
        // the top corner is the new background (blue by default for chsi)
        let want: [i32; 3] = if background.is_some() { [255, 255, 255] } else { [100, 197, 255] };
        let got = img.get_pixel(4, 4).0;
        assert!((0..3).all(|k| (got[k] as i32 - want[k]).abs() <= 6), "{got:?} vs {want:?}");
    }
    assert_eq!(code(c.standardize(data(), w as f64, h as f64, Some("pink".into())).unwrap_err()), "invalid_argument");
    let px = JsValue::from(Uint8ClampedArray::from(vec![0u8; 10].as_slice()));
    assert_eq!(code(c.standardize(px, 32.0, 32.0, None).unwrap_err()), "buffer_length");
}

#[wasm_bindgen_test]
fn bad_frames_are_errors_with_codes() {
    let mut c = checker();
    let px = |n: usize| JsValue::from(Uint8ClampedArray::from(vec![0u8; n].as_slice()));
    assert_eq!(code(c.check_frame(px(10), 32.0, 32.0).unwrap_err()), "buffer_length");
    assert_eq!(code(c.check_frame(px(32 * 32 * 4 + 4), 32.0, 32.0).unwrap_err()), "buffer_length");
    assert_eq!(code(c.check_frame(px(0), 0.0, 0.0).unwrap_err()), "bad_dimensions");
    assert_eq!(code(c.check_frame(px(0), 0.0, 10.0).unwrap_err()), "bad_dimensions");
    assert_eq!(code(c.check_frame(px(64 * 4), 1.0, 64.0).unwrap_err()), "bad_dimensions");
    assert_eq!(code(c.check_frame(px(16), f64::NAN, 2.0).unwrap_err()), "invalid_argument");
    assert_eq!(code(c.check_frame(px(16), -2.0, -2.0).unwrap_err()), "invalid_argument");
    assert_eq!(code(c.check_frame(px(16), 1.5, 2.0).unwrap_err()), "invalid_argument");
    assert_eq!(code(c.check_frame("pixels".into(), 2.0, 2.0).unwrap_err()), "invalid_argument");
    assert_eq!(code(c.check_frame(JsValue::NULL, 2.0, 2.0).unwrap_err()), "invalid_argument");
    assert_eq!(code(c.check_frame(Object::new().into(), 2.0, 2.0).unwrap_err()), "invalid_argument");
    // 100 000 × 100 000 is refused from the header, before any allocation.
    assert_eq!(code(c.check_frame(px(16), 100_000.0, 100_000.0).unwrap_err()), "buffer_length");
    assert_eq!(code(c.track(px(10), 32.0, 32.0).unwrap_err()), "buffer_length");
    assert_eq!(code(c.check_still(px(10), 32.0, 32.0).unwrap_err()), "buffer_length");
    // Still usable afterwards.
    let (rgba, w, h) = sample_rgba();
    let report = c.check_frame(Uint8ClampedArray::from(rgba.as_slice()).into(), w as f64, h as f64).unwrap();
    assert_eq!(status(&report, "face_count"), "pass");
}

#[wasm_bindgen_test]
fn corrupt_images_are_errors_with_codes() {
    let mut c = checker();
    let bytes = |b: &[u8]| JsValue::from(Uint8Array::from(b));
    assert_eq!(code(c.check_image(bytes(&[])).unwrap_err()), "decode");
    assert_eq!(code(c.check_image(bytes(b"not an image at all")).unwrap_err()), "decode");
    assert_eq!(code(c.check_image(bytes(&SAMPLE_PNG[..SAMPLE_PNG.len() / 2])).unwrap_err()), "decode");
    let mut flipped = SAMPLE_PNG.to_vec();
    for b in flipped.iter_mut().skip(2000).step_by(97) {
        *b ^= 0x5a;
    }
    assert_eq!(code(c.check_image(bytes(&flipped)).unwrap_err()), "decode");
    assert_eq!(code(c.check_image(JsValue::from(42)).unwrap_err()), "invalid_argument");
    // Found by fuzzing: this JPEG made zune-jpeg's scalar IDCT panic, which aborted the module.
    let fuzzed = include_bytes!("regressions/decode_small/zune-jpeg-scalar-idct-1x1-panic-aborted-wasm.jpg");
    assert_eq!(code(c.check_image(bytes(fuzzed)).unwrap_err()), "decode");
    // An ArrayBuffer works as well as a Uint8Array.
    let report = c.check_image(Uint8Array::from(SAMPLE_PNG).buffer().into()).unwrap();
    assert_eq!(status(&report, "mouth_closed"), "fail");
}

#[wasm_bindgen_test]
fn bad_options_are_errors_with_codes() {
    assert_eq!(code(PhotoChecker::create(JsValue::UNDEFINED).err().unwrap()), "invalid_options");
    assert_eq!(code(PhotoChecker::create(Object::new().into()).err().unwrap()), "invalid_options");
    assert_eq!(code(PhotoChecker::create(options("nope").into()).err().unwrap()), "profile");
    let o = options("chsi");
    set(&o, "profileToml", &"name = 3".into());
    assert_eq!(code(PhotoChecker::create(o.into()).err().unwrap()), "profile");
    let o = options("chsi");
    set(&o, "stableFrames", &0.into());
    assert_eq!(code(PhotoChecker::create(o.into()).err().unwrap()), "invalid_options");
    let o = options("chsi");
    set(&o, "models", &models(b"\x08\x01garbage that is not an onnx model").into());
    assert_eq!(code(PhotoChecker::create(o.into()).err().unwrap()), "model_load");
    let o = options("chsi");
    set(&o, "models", &models(&FD[..FD.len() / 3]).into());
    assert_eq!(code(PhotoChecker::create(o.into()).err().unwrap()), "model_load");
    // Found by fuzzing: a graph output that nothing produces made tract panic, which aborted the module.
    let o = options("chsi");
    set(&o, "models", &models(include_bytes!("regressions/model_bytes/graph-output-produced-by-nothing.onnx")).into());
    assert_eq!(code(PhotoChecker::create(o.into()).err().unwrap()), "model_load");
    let o = options("chsi");
    let m = models(FD);
    set(&m, "faceLandmark", &"x".into());
    set(&o, "models", &m.into());
    assert_eq!(code(PhotoChecker::create(o.into()).err().unwrap()), "invalid_argument");
}

#[wasm_bindgen_test]
fn calls_after_dispose_and_free_throw() {
    let mut c = checker();
    c.dispose();
    let px = JsValue::from(Uint8ClampedArray::from(vec![0u8; 64 * 64 * 4].as_slice()));
    assert_eq!(code(c.check_frame(px.clone(), 64.0, 64.0).unwrap_err()), "freed");
    assert_eq!(code(c.check_image(Uint8Array::from(SAMPLE_PNG).into()).unwrap_err()), "freed");
    assert_eq!(code(c.reset().unwrap_err()), "freed");
    assert_eq!(code(c.profile_name().unwrap_err()), "freed");
    assert_eq!(code(c.warm_up().unwrap_err()), "freed");
    c.dispose(); // twice is fine

    // Through the generated JS class: free() then a call throws a JS exception (no trap), and the
    // module keeps working for other instances.
    let js: JsValue = checker().into();
    let method = |name: &str| Function::from(get(&js, name));
    let args = Array::of3(&px, &64.into(), &64.into());
    assert!(Reflect::apply(&method("checkFrame"), &js, &args).is_ok());
    method("free").call0(&js).unwrap();
    let err = Reflect::apply(&method("checkFrame"), &js, &args).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>(), "{err:?}");
    let mut other = checker();
    assert!(other.check_frame(px, 64.0, 64.0).is_ok());
}
