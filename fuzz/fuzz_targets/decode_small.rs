//! Bytes → photo_check::decode::decode under tight limits (65,536 pixels, 1 MB, working side 128): the same
//! JPEG/PNG front door as `decode`, but no input costs more than a 256×256 image to decode. With the default
//! 48 MP limit the fuzzer spends its time decoding whatever size a header claims (~400 executions/s on
//! this machine); here it explores the parsers at ~5,000/s and still drives the refusal and downscaling paths.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "caught_panics.rs"]
mod caught_panics;
use photo_check::frame::Limits;

/// Also used by tests/regressions.rs (`decode_small`): keep the two equal.
const LIMITS: Limits = Limits { max_pixels: 1 << 16, max_bytes: 1 << 20, max_working_side: 128 };

fuzz_target!(|data: &[u8]| {
    caught_panics::are_not_crashes();
    match photo_check::decode::decode(data, &LIMITS) {
        Ok(d) => {
            let (w, h) = (d.frame.width(), d.frame.height());
            assert!(w.max(h) <= LIMITS.max_working_side, "not downscaled: {w}×{h}");
            assert_eq!(d.frame.bytes().len(), w as usize * h as usize * photo_check::Frame::BYTES_PER_PIXEL);
        }
        Err(e) => assert!(["decode", "too_large", "bad_dimensions"].contains(&e.code()), "unexpected error {e}"),
    }
});
