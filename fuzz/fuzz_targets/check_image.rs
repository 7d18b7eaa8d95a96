//! Bytes → Checker::check_image (a photo from the album or a file), models loaded once.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "caught_panics.rs"]
mod caught_panics;
use photo_check::{Checker, Models, Profile};

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(Models::embedded().expect("embedded models load"), Profile::chsi()))
}

fuzz_target!(|data: &[u8]| {
    caught_panics::are_not_crashes();
    match checker().check_image(data) {
        Ok(report) => assert_eq!(report.checks.iter().count(), photo_check::CheckId::ALL.len()),
        Err(e) => assert!(["decode", "too_large", "bad_dimensions"].contains(&e.code()), "unexpected error {e}"),
    }
});
