//! Bytes → photo_check::decode::decode with the default limits: the JPEG/PNG front door, without the models.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "caught_panics.rs"]
mod caught_panics;
use photo_check::frame::Limits;

fuzz_target!(|data: &[u8]| {
    caught_panics::are_not_crashes();
    let limits = Limits::default();
    if let Ok(d) = photo_check::decode::decode(data, &limits) {
        let (w, h) = (d.frame.width(), d.frame.height());
        assert!(w.max(h) <= limits.max_working_side, "not downscaled: {w}×{h}");
        assert_eq!(d.frame.bytes().len(), w as usize * h as usize * photo_check::Frame::BYTES_PER_PIXEL);
    }
});
