//! Shared by the targets that decode images (`#[path]`-included).
//!
//! libfuzzer-sys's panic hook aborts on every panic, even one the library catches on purpose:
//! `photo_check::decode` turns a panic inside the third-party image decoder into a `decode` error
//! (zune-jpeg 0.5.15's AVX2 IDCT, tests/regressions/decode_small/). This hook keeps the message and
//! drops the abort. A panic that escapes the target is still a crash: libfuzzer-sys catches it at the
//! boundary and aborts there, and the input is saved as an artifact.
pub fn are_not_crashes() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("panic (an escaped one aborts next): {info}"))));
}
