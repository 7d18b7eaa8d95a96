//! Bytes → Profile::from_toml (a user's profile file).
#![no_main]

use libfuzzer_sys::fuzz_target;
use photo_check::Profile;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match Profile::from_toml(text) {
            Ok(p) => {
                // a profile that parses must round-trip through its own TOML-compatible JSON shape
                assert!(p.limits.max_working_side >= 64);
            }
            Err(e) => assert!(["profile", "too_large"].contains(&e.code()), "unexpected error {e}"),
        }
    }
});
