//! Shared by the targets that decode images (`#[path]`-included).
//!
//! libfuzzer-sys's panic hook aborts on every panic, even one the library catches on purpose:
//! `photo_check::decode` turns a panic inside the third-party image decoder into a `decode` error
//! (zune-jpeg 0.5.15's AVX2 IDCT, tests/regressions/decode_small/). This hook keeps the message and
//! drops the abort. A panic that escapes the target is still a crash: libfuzzer-sys catches it at the
//! boundary and aborts there, and the input is saved as an artifact. Caught panics are not silent: grep
//! the fuzz log for "panic (" to list them (a decoder panic outside zune-jpeg's native-only AVX2 path
//! would also abort the wasm build, which cannot unwind). model_bytes keeps libfuzzer's abort: tract's
//! panics are caught natively too, but in the browser they would abort the module, so each must be
//! found and checked for before tract runs (src/models/mod.rs).
pub fn are_not_crashes() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("panic (an escaped one aborts next): {info}"))));
}
