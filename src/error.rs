//! One error type for every entry point, each variant with a stable code.
//!
//! A photo without a face is not an error: it is a failed `face_count` check. Errors are for input the
//! checker cannot look at (bad buffers, undecodable files, broken models, unreadable profiles).

use thiserror::Error;

/// Everything that can stop a check before it produces a report.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Width or height is zero, or a dimension is too small to hold a face (1×N).
    #[error("invalid frame size {width}×{height}: {why}")]
    BadDimensions {
        /// The frame's width, pixels.
        width: u32,
        /// The frame's height, pixels.
        height: u32,
        /// What is wrong with the size (e.g. "zero size").
        why: &'static str,
    },
    /// The pixel buffer does not hold exactly width × height × channels bytes.
    #[error("pixel buffer has {actual} bytes, expected {expected} for {width}×{height}×{channels}")]
    BufferLength {
        /// The frame's width, pixels.
        width: u32,
        /// The frame's height, pixels.
        height: u32,
        /// Bytes per pixel (3 for RGB, 4 for RGBA).
        channels: u32,
        /// The length the buffer should have: width × height × channels.
        expected: u64,
        /// The buffer's actual length, bytes.
        actual: u64,
    },
    /// The frame or encoded image is larger than the configured limit.
    #[error("image too large: {what} is {actual}, the limit is {limit}")]
    TooLarge {
        /// What was measured (e.g. "pixel count", "file bytes", "profile bytes", "model bytes").
        what: &'static str,
        /// The measured amount, in the unit `what` names.
        actual: u64,
        /// The largest accepted amount, same unit.
        limit: u64,
    },
    /// The bytes are not a JPEG or PNG this library can decode.
    #[error("cannot decode image: {0}")]
    Decode(String),
    /// A model's bytes could not be parsed or optimised.
    #[error("cannot load model {model}: {detail}")]
    ModelLoad {
        /// The model's name ("face_detection", "face_landmark" or "selfie_segmentation").
        model: &'static str,
        /// What went wrong, from tract or from the checks made on the model.
        detail: String,
    },
    /// A model failed while running (should not happen with valid models and frames).
    #[error("model {model} failed: {detail}")]
    Inference {
        /// The model's name ("face_detection", "face_landmark" or "selfie_segmentation").
        model: &'static str,
        /// What went wrong, from tract or from the output size check.
        detail: String,
    },
    /// A profile could not be parsed or has values out of range.
    #[error("invalid profile: {0}")]
    Profile(String),
    /// An option or argument is out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl Error {
    /// Stable, machine-readable code (used as `code` on JS errors and in CLI JSON).
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadDimensions { .. } => "bad_dimensions",
            Error::BufferLength { .. } => "buffer_length",
            Error::TooLarge { .. } => "too_large",
            Error::Decode(_) => "decode",
            Error::ModelLoad { .. } => "model_load",
            Error::Inference { .. } => "inference",
            Error::Profile(_) => "profile",
            Error::InvalidArgument(_) => "invalid_argument",
        }
    }
}

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs third-party code that parses untrusted bytes (the image decoders, tract's ONNX loader) so that a
/// bug in it that panics becomes an error instead of a crash: `on_panic` makes the caller's typed error
/// from the panic's message. Native builds unwind; the wasm build aborts on panic (`catch_unwind` is
/// then a plain call), so there the checks made before the call are the guard.
pub(crate) fn catch_panic<T>(f: impl FnOnce() -> Result<T>, on_panic: impl FnOnce(String) -> Error) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(on_panic(message))
    })
}
