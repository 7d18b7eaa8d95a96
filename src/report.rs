//! The report: one serde type shared by the CLI's JSON, the wasm API and the upload.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checks::{CheckId, CheckResult, Status};

/// Everything photo-check says about one image or frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `pass` when every required check passes, `fail` when any fails, otherwise `unknown`.
    pub verdict: Status,
    /// Name of the profile the thresholds came from.
    pub profile: String,
    /// One entry per check id, in report order.
    pub checks: BTreeMap<CheckId, CheckResult>,
    /// The face the checks looked at, when exactly one was found.
    pub face: Option<FaceSummary>,
    pub image: ImageInfo,
    /// Wall-clock milliseconds per pipeline stage.
    pub timing_ms: Timing,
    /// Stages whose result was carried over from an earlier frame of the same camera stream instead
    /// of recomputed (live frames only, see the profile's `[tracking]`); absent when none was.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub reused: Vec<Stage>,
}

/// A pipeline stage whose result a live frame can reuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The face box came from the previous frame's detection, moved with the tracked landmarks.
    Detection,
    /// The person mask came from an earlier frame.
    Segmentation,
}

/// The face the checks were computed on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaceSummary {
    /// `[x, y, width, height]` in image pixels (detector box).
    #[serde(rename = "box")]
    pub bbox: [f64; 4],
    /// Detector score in [0, 1].
    pub score: f64,
    /// Face-mesh presence score in [0, 1].
    pub presence: f64,
    /// The 468 face-mesh points `[x, y, z]` in image pixels; only when asked for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub landmarks: Option<Vec<[f32; 3]>>,
}

/// The size of the image the checks ran on (after EXIF rotation and any downscaling).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageInfo {
    pub width: u32,
    pub height: u32,
    /// Size of the input before downscaling, when it was downscaled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub original: Option<[u32; 2]>,
}

/// Milliseconds per stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub decode: f64,
    pub detect: f64,
    pub landmarks: f64,
    pub segment: f64,
    pub checks: f64,
    pub total: f64,
}

impl Report {
    /// Combines check results into the verdict.
    pub fn verdict_of(checks: &BTreeMap<CheckId, CheckResult>) -> Status {
        let mut verdict = Status::Pass;
        for r in checks.values() {
            match r.status {
                Status::Fail => return Status::Fail,
                Status::Unknown => verdict = Status::Unknown,
                Status::Pass | Status::NotRequired => {}
            }
        }
        verdict
    }

    /// The check's result (every report holds every check).
    pub fn check(&self, id: CheckId) -> &CheckResult {
        &self.checks[&id]
    }
}
