//! Bytes → the face-detection model slot of Models::from_bytes (the other two models are the real ones).
//! Slow (each accepted graph is optimised and dry-run): run it briefly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use photo_check::models::{ModelBytes, EMBEDDED};
use photo_check::Models;

fuzz_target!(|data: &[u8]| {
    // Only the detector slot is fuzzed; it is loaded first, so a refusal there is cheap.
    match Models::from_bytes(ModelBytes { face_detection: data, ..EMBEDDED }) {
        Ok(_) => {}
        Err(e) => assert!(["model_load", "too_large"].contains(&e.code()), "unexpected error {e}"),
    }
});
