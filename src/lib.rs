//! photo-check: checks a certificate photo (学信网 / CHSI rules) in the camera, frame by frame.
//!
//! ```text
//! frame → detect face → landmarks → segmentation → observation → checks → report
//! ```
//!
//! ```no_run
//! use photo_check::{Checker, Models, Profile};
//! let checker = Checker::new(Models::embedded()?, Profile::chsi());
//! let report = checker.check_image(&std::fs::read("photo.jpg").unwrap())?;
//! println!("{}", serde_json::to_string(&report).unwrap());
//! # Ok::<(), photo_check::Error>(())
//! ```

#![warn(missing_docs)]

#[cfg(not(target_arch = "wasm32"))]
pub mod batch;
pub mod capture;
pub mod checks;
pub mod decode;
#[cfg(not(target_arch = "wasm32"))]
pub mod draw;
pub mod error;
#[cfg(feature = "eval")]
pub mod eval;
#[cfg(not(target_arch = "wasm32"))]
pub mod files;
pub mod frame;
pub mod imaging;
pub mod models;
pub mod observe;
pub mod pipeline;
pub mod profile;
pub mod report;
#[cfg(all(feature = "serve", not(target_arch = "wasm32")))]
pub mod serve;
pub mod standardize;
#[cfg(test)]
pub(crate) mod testkit;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use frame::Frame;
pub use models::{ModelBytes, Models};
pub use pipeline::{Checker, LiveStream};
pub use profile::Profile;
pub use report::{CheckId, CheckResult, CheckView, Status};
pub use report::{Checks, Report, Stage};
