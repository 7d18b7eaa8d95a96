//! Replays every saved fuzz input (tests/regressions/<target>/*) through the entry point its fuzz target
//! drives: no panic, and a report or a typed error with a known code. CI guards them without fuzzing.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use photo_check::models::{ModelBytes, EMBEDDED};
use photo_check::{Models, Profile};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions").join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

/// Runs `f` on every input of `target`; each must finish within `budget`.
fn replay(target: &str, budget: Duration, mut f: impl FnMut(&[u8]) -> Result<(), String>) {
    for (path, bytes) in inputs(target) {
        let start = Instant::now();
        if let Err(e) = f(&bytes) {
            panic!("{}: {e}", path.display());
        }
        assert!(start.elapsed() < budget, "{}: took {:?}", path.display(), start.elapsed());
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
    replay("decode", Duration::from_secs(20), |bytes| match photo_check::decode::decode(bytes, &Default::default()) {
        Ok(d) => (d.frame.width().max(d.frame.height()) <= 2048).then_some(()).ok_or("not downscaled".into()),
        Err(e) => known(e.code(), &["decode", "too_large", "bad_dimensions"]),
    });
}

#[test]
fn check_image_regressions() {
    replay("check_image", Duration::from_secs(30), |bytes| match checker().check_image(bytes) {
        Ok(_) => Ok(()),
        Err(e) => known(e.code(), &["decode", "too_large", "bad_dimensions"]),
    });
}

#[test]
fn check_rgba_regressions() {
    // same layout as the fuzz target: u16 LE width, u16 LE height, a mode byte, then the RGBA bytes
    // (tiled to exactly width × height × 4 when the mode's bit 0 is set and that is at most 16 MB)
    replay("check_rgba", Duration::from_secs(30), |bytes| {
        if bytes.len() < 5 {
            return Ok(());
        }
        let w = u16::from_le_bytes([bytes[0], bytes[1]]) as u32;
        let h = u16::from_le_bytes([bytes[2], bytes[3]]) as u32;
        let rest = &bytes[5..];
        let want = w as usize * h as usize * 4;
        let rgba: Vec<u8> = if bytes[4] & 1 == 1 && want <= 16 << 20 {
            if rest.is_empty() { vec![0; want] } else { rest.iter().copied().cycle().take(want).collect() }
        } else {
            rest.to_vec()
        };
        match checker().check_rgba(&rgba, w, h) {
            Ok(_) => Ok(()),
            Err(e) => known(e.code(), &["bad_dimensions", "buffer_length", "too_large"]),
        }
    });
}

#[test]
fn profile_regressions() {
    replay("profile", Duration::from_secs(5), |bytes| match std::str::from_utf8(bytes) {
        Ok(text) => Profile::from_toml(text).map(|_| ()).or_else(|e| known(e.code(), &["profile", "too_large"])),
        Err(_) => Ok(()),
    });
}

#[test]
fn model_bytes_regressions() {
    replay("model_bytes", Duration::from_secs(60), |bytes| {
        match Models::from_bytes(ModelBytes { face_detection: bytes, ..EMBEDDED }) {
            Ok(_) => Ok(()),
            Err(e) => known(e.code(), &["model_load", "too_large"]),
        }
    });
}
