//! Bytes → Checker::check_image (a photo from the album or a file), models loaded once.
#![no_main]

use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;

#[path = "caught_panics.rs"]
mod caught_panics;
use photo_check::{Checker, Models, Profile};

fn checker() -> &'static Mutex<Checker> {
    static CHECKER: OnceLock<Mutex<Checker>> = OnceLock::new();
    CHECKER.get_or_init(|| Mutex::new(Checker::new(Models::embedded().expect("embedded models load"), Profile::chsi())))
}

fuzz_target!(|data: &[u8]| {
    caught_panics::are_not_crashes();
    let mut c = checker().lock().unwrap_or_else(|e| e.into_inner());
    match c.check_image(data) {
        Ok(report) => assert_eq!(report.checks.len(), photo_check::CheckId::ALL.len()),
        Err(e) => assert!(["decode", "too_large", "bad_dimensions"].contains(&e.code()), "unexpected error {e}"),
    }
});
