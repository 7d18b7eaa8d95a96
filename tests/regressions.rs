//! Replays every saved fuzz input (tests/regressions/<target>/*) and every committed seed
//! (fuzz/corpus/<target>/seed-*) through the entry point its fuzz target drives: no panic, and a report
//! or a typed error with a known code. CI guards them without fuzzing.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use photo_check::models::{ModelBytes, EMBEDDED};
use photo_check::{LiveStream, Models, Profile};

/// The saved crashing inputs of `target` (tests/regressions/<target>/*), then its committed fuzz seeds
/// (fuzz/corpus/<target>/seed-*; decode_small shares decode's; model_bytes' is the detector model), so
/// every replay has inputs to check.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = if target == "decode_small" { "decode" } else { target };
    let list = |dir: PathBuf, prefix: &str| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_file() && p.file_name().unwrap().to_string_lossy().starts_with(prefix))
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        files
    };
    let mut files = list(root.join("tests/regressions").join(target), "");
    files.extend(list(root.join("fuzz/corpus").join(seeds), "seed-"));
    if target == "model_bytes" {
        // its seeds are the committed model itself in both formats (scripts/fuzz.sh copies them into the
        // ignored corpus)
        files.retain(|p| !p.file_name().unwrap().to_string_lossy().starts_with("seed-face_detection_short_range."));
        files.push(root.join("models/face_detection_short_range.onnx"));
        files.push(root.join("models/face_detection_short_range.nnef.tar"));
    }
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

/// Runs `f` on every input of `target`. (How long each takes is not asserted here: a timing belongs in a
/// benchmark, and a hang would stop the test run.)
fn replay(target: &str, mut f: impl FnMut(&[u8]) -> Result<(), String>) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "{target}: no regression inputs and no seeds");
    for (path, bytes) in inputs {
        if let Err(e) = f(&bytes) {
            panic!("{}: {e}", path.display());
        }
    }
}

fn known(code: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&code) {
        Ok(())
    } else {
        Err(format!("unexpected error code {code}"))
    }
}

#[test]
fn decode_regressions() {
    replay("decode", |bytes| match photo_check::decode::decode(bytes, &Default::default()) {
        Ok(d) => (d.frame.width().max(d.frame.height()) <= 2048).then_some(()).ok_or("not downscaled".into()),
        Err(e) => known(e.code(), &["decode", "too_large", "bad_dimensions"]),
    });
}

#[test]
fn decode_small_regressions() {
    // the limits of fuzz/fuzz_targets/decode_small.rs
    let limits = photo_check::frame::Limits { max_pixels: 1 << 16, max_bytes: 1 << 20, max_working_side: 128 };
    replay("decode_small", |bytes| match photo_check::decode::decode(bytes, &limits) {
        Ok(d) => (d.frame.width().max(d.frame.height()) <= 128).then_some(()).ok_or("not downscaled".into()),
        Err(e) => known(e.code(), &["decode", "too_large", "bad_dimensions"]),
    });
}

#[test]
fn check_image_regressions() {
    replay("check_image", |bytes| match checker().check_image(bytes) {
        Ok(_) => Ok(()),
        Err(e) => known(e.code(), &["decode", "too_large", "bad_dimensions"]),
    });
}

#[test]
fn check_rgba_regressions() {
    // same layout as the fuzz target: u16 LE width, u16 LE height, a mode byte, then the RGBA bytes
    // (tiled to exactly width × height × 4 when the mode's bit 0 is set and that is at most 16 MB)
    replay("check_rgba", |bytes| {
        if bytes.len() < 5 {
            return Ok(());
        }
        let w = u16::from_le_bytes([bytes[0], bytes[1]]) as u32;
        let h = u16::from_le_bytes([bytes[2], bytes[3]]) as u32;
        let rest = &bytes[5..];
        let want = w as usize * h as usize * 4;
        let rgba: Vec<u8> = if bytes[4] & 1 == 1 && want <= 16 << 20 {
            if rest.is_empty() {
                vec![0; want]
            } else {
                rest.iter().copied().cycle().take(want).collect()
            }
        } else {
            rest.to_vec()
        };
        match LiveStream::new().check_rgba(checker(), &rgba, w, h) {
            Ok(_) => Ok(()),
            Err(e) => known(e.code(), &["bad_dimensions", "buffer_length", "too_large"]),
        }
    });
}

#[test]
fn profile_regressions() {
    replay("profile", |bytes| match std::str::from_utf8(bytes) {
        Ok(text) => Profile::from_toml(text).map(|_| ()).or_else(|e| known(e.code(), &["profile", "too_large"])),
        Err(_) => Ok(()),
    });
}

#[test]
fn model_bytes_regressions() {
    replay("model_bytes", |bytes| match Models::from_bytes(ModelBytes { face_detection: bytes, ..EMBEDDED }) {
        Ok(_) => Ok(()),
        Err(e) => known(e.code(), &["model_load", "too_large"]),
    });
}
