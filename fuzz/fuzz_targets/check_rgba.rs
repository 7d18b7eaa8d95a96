//! A camera frame: bytes 0–1 width, 2–3 height (u16, little-endian), byte 4 a mode, the rest the RGBA
//! buffer. Mode bit 0 set: the rest is tiled to exactly width × height × 4 bytes (when that is at most
//! 16 MB), so odd sizes reach the whole pipeline; clear: the rest is passed as is (length mismatches).
#![no_main]

use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use photo_check::{Checker, LiveStream, Models, Profile};

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(Models::embedded().expect("embedded models load"), Profile::chsi()))
}

/// One camera stream across inputs, as in the browser: tracking state carries over between frames.
fn stream() -> &'static Mutex<LiveStream> {
    static STREAM: OnceLock<Mutex<LiveStream>> = OnceLock::new();
    STREAM.get_or_init(|| Mutex::new(LiveStream::new()))
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let w = u16::from_le_bytes([data[0], data[1]]) as u32;
    let h = u16::from_le_bytes([data[2], data[3]]) as u32;
    let rest = &data[5..];
    let want = w as usize * h as usize * 4;
    let tiled: Vec<u8>;
    let rgba = if data[4] & 1 == 1 && want <= 16 << 20 {
        tiled = if rest.is_empty() { vec![0; want] } else { rest.iter().copied().cycle().take(want).collect() };
        &tiled[..]
    } else {
        rest
    };
    let mut stream = stream().lock().unwrap_or_else(|e| e.into_inner());
    match stream.check_rgba(checker(), rgba, w, h) {
        Ok(report) => assert_eq!((report.image.width, report.image.height), (w, h)),
        Err(e) => assert!(["bad_dimensions", "buffer_length", "too_large"].contains(&e.code()), "unexpected error {e}"),
    }
});
