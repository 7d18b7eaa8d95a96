//! The checks: each file holds one check's measure, its profile parameters and its messages.
//!
//! A check is a pure function `(&Observation, &Params) -> CheckResult`. It never runs a model. When it
//! cannot decide it answers `unknown` with a reason code; it never guesses `pass`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::observe::Observation;
use crate::profile::Profile;

pub mod background_plain;
pub mod body_tilt;
pub mod ears_visible;
pub mod exposure;
pub mod eyes_open;
pub mod face_count;
pub mod framing;
pub mod hair_clear;
pub mod head_pose;
pub mod lighting_even;
pub mod mouth_closed;
pub mod no_hat;
pub mod sharpness;
#[cfg(test)]
pub(crate) mod testkit;

/// Stable identifiers of the checks, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    FaceCount,
    Framing,
    HeadPose,
    BodyTilt,
    EarsVisible,
    HairClear,
    NoHat,
    MouthClosed,
    EyesOpen,
    LightingEven,
    Exposure,
    Sharpness,
    BackgroundPlain,
}

impl CheckId {
    /// Every check, in report order.
    pub const ALL: [CheckId; 13] = [
        CheckId::FaceCount,
        CheckId::Framing,
        CheckId::HeadPose,
        CheckId::BodyTilt,
        CheckId::EarsVisible,
        CheckId::HairClear,
        CheckId::NoHat,
        CheckId::MouthClosed,
        CheckId::EyesOpen,
        CheckId::LightingEven,
        CheckId::Exposure,
        CheckId::Sharpness,
        CheckId::BackgroundPlain,
    ];

    /// The snake_case id used in reports, CSV headers and profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::FaceCount => "face_count",
            CheckId::Framing => "framing",
            CheckId::HeadPose => "head_pose",
            CheckId::BodyTilt => "body_tilt",
            CheckId::EarsVisible => "ears_visible",
            CheckId::HairClear => "hair_clear",
            CheckId::NoHat => "no_hat",
            CheckId::MouthClosed => "mouth_closed",
            CheckId::EyesOpen => "eyes_open",
            CheckId::LightingEven => "lighting_even",
            CheckId::Exposure => "exposure",
            CheckId::Sharpness => "sharpness",
            CheckId::BackgroundPlain => "background_plain",
        }
    }

    /// Parses a snake_case id.
    pub fn parse(s: &str) -> Option<CheckId> {
        CheckId::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Outcome of one check (and of the whole report, as `verdict`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    Unknown,
    /// The profile does not require this check.
    NotRequired,
}

/// One check's answer, as it appears in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub status: Status,
    /// Stable snake_case code: why it failed or could not decide (`ok` when it passed).
    pub reason: String,
    /// What was measured, always an object (`{"yaw": .., "pitch": ..}`), `{}` when nothing was.
    pub value: Value,
    /// The limits from the profile that the value was compared with.
    pub threshold: Value,
    pub message_zh: String,
    pub message_en: String,
}

/// A check's messages: `(reason, zh, en)`; the entry for `ok` is used on pass.
pub type Messages = &'static [(&'static str, &'static str, &'static str)];

/// Messages shared by every check that needs a face.
const COMMON: Messages = &[
    ("no_face", "未检测到人脸，请让对方正对镜头", "No face found: have the person face the camera"),
    ("multiple_faces", "画面中有多张人脸，请只拍一人", "More than one face: only one person in the picture"),
    (
        "not_implemented",
        "该项暂不能自动判断，请人工确认",
        "This item cannot be checked automatically yet; check it by eye",
    ),
    ("face_too_small", "人脸太小，无法判断，请靠近一些", "Face too small to judge: move closer"),
    ("no_person_mask", "无法分割人像，无法判断", "Could not separate the person from the background"),
];

fn lookup(messages: Messages, reason: &str) -> (&'static str, &'static str) {
    messages
        .iter()
        .chain(COMMON.iter())
        .find(|(r, _, _)| *r == reason)
        .map(|(_, zh, en)| (*zh, *en))
        .unwrap_or(("", ""))
}

/// Rounds every number in a JSON value to 6 decimals, so that `f32` thresholds read as written
/// (0.04, not 0.03999999910593033).
fn tidy(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() => json!((x * 1e6).round() / 1e6),
            _ => Value::Number(n),
        },
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, tidy(v))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(tidy).collect()),
        other => other,
    }
}

impl CheckResult {
    /// Builds a result, taking the messages for `reason` from the check's table.
    pub fn new(status: Status, reason: &str, value: Value, threshold: Value, messages: Messages) -> Self {
        let (zh, en) = lookup(messages, reason);
        CheckResult {
            status,
            reason: reason.to_string(),
            value: tidy(value),
            threshold: tidy(threshold),
            message_zh: zh.to_string(),
            message_en: en.to_string(),
        }
    }

    /// A pass with the check's `ok` message.
    pub fn pass(value: Value, threshold: Value, messages: Messages) -> Self {
        Self::new(Status::Pass, "ok", value, threshold, messages)
    }

    /// A failure with the given reason.
    pub fn fail(reason: &str, value: Value, threshold: Value, messages: Messages) -> Self {
        Self::new(Status::Fail, reason, value, threshold, messages)
    }

    /// Could not decide, with the given reason.
    pub fn unknown(reason: &str, value: Value, threshold: Value, messages: Messages) -> Self {
        Self::new(Status::Unknown, reason, value, threshold, messages)
    }

    /// The check is switched off by the profile.
    pub fn not_required() -> Self {
        CheckResult {
            status: Status::NotRequired,
            reason: "not_required".into(),
            value: json!({}),
            threshold: json!({}),
            message_zh: String::new(),
            message_en: String::new(),
        }
    }
}

/// `unknown` because there is not exactly one face with landmarks. Used by every face-dependent check.
pub(crate) fn without_face(obs: &Observation, threshold: Value, messages: Messages) -> CheckResult {
    let reason = if obs.detections.len() > 1 { "multiple_faces" } else { "no_face" };
    CheckResult::unknown(reason, json!({}), threshold, messages)
}

/// Rounds for reports: keeps JSON short and stable across platforms.
pub(crate) fn r3(x: f32) -> f64 {
    ((x as f64) * 1000.0).round() / 1000.0
}

/// Runs every check of the profile on one observation.
pub fn run_all(obs: &Observation, profile: &Profile) -> Vec<(CheckId, CheckResult)> {
    CheckId::ALL
        .into_iter()
        .map(|id| {
            let result = if !profile.is_required(id) {
                CheckResult::not_required()
            } else {
                match id {
                    CheckId::FaceCount => face_count::check(obs, &profile.face_count),
                    CheckId::Framing => framing::check(obs, &profile.framing),
                    CheckId::HeadPose => head_pose::check(obs, &profile.head_pose),
                    CheckId::BodyTilt => body_tilt::check(obs, &profile.body_tilt),
                    CheckId::EarsVisible => ears_visible::check(obs, &profile.ears_visible),
                    CheckId::HairClear => hair_clear::check(obs, &profile.hair_clear),
                    CheckId::NoHat => no_hat::check(obs, &profile.no_hat),
                    CheckId::MouthClosed => mouth_closed::check(obs, &profile.mouth_closed),
                    CheckId::EyesOpen => eyes_open::check(obs, &profile.eyes_open),
                    CheckId::LightingEven => lighting_even::check(obs, &profile.lighting_even),
                    CheckId::Exposure => exposure::check(obs, &profile.exposure),
                    CheckId::Sharpness => sharpness::check(obs, &profile.sharpness),
                    CheckId::BackgroundPlain => background_plain::check(obs, &profile.background_plain),
                }
            };
            (id, result)
        })
        .collect()
}
