//! The checks: each file holds one check's measure, its profile parameters, its reasons and messages.
//!
//! A check is a pure function `(&Observation, &Params) -> Outcome`. It never runs a model. When it cannot
//! decide it answers `unknown` with a reason code; it never guesses `pass`. Which checks run, and with which
//! parameters, is the pipeline's business (`pipeline::run_checks`): nothing here reads a profile.

use crate::observe::Observation;
use crate::report::{CheckResult, Common, ReasonCode};

pub mod background_plain;
pub mod body_tilt;
pub mod clothing_contrast;
pub mod ears_visible;
pub mod exposure;
pub mod eyes_open;
pub mod face_count;
pub mod framing;
pub mod glasses_clear;
pub mod hair_clear;
pub mod head_pose;
pub mod lighting_even;
pub mod mouth_closed;
pub mod no_hat;
pub mod no_jewelry;
pub mod shadow_free;
pub mod sharpness;

/// `unknown` because there is not exactly one face with landmarks. Used by every face-dependent check.
pub(crate) fn without_face<M, R: ReasonCode, P: Clone>(obs: &Observation, params: &P) -> CheckResult<M, R, P> {
    let reason = if obs.detections.len() > 1 { Common::MultipleFaces } else { Common::NoFace };
    CheckResult::unknown_common(reason, None, params)
}
