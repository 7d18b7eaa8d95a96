//! The report: one serde type shared by the CLI's JSON, the wasm API and the upload.
//!
//! [`check`] holds the result types every check shares; this module collects the checks' typed results
//! into a [`Report`].

pub mod check;

use serde::{Deserialize, Serialize};

pub use check::{r3, CheckId, CheckResult, CheckView, Common, Reason, ReasonCode, Shape, Status};

use crate::checks::{
    background_plain, body_tilt, clothing_contrast, ears_visible, exposure, eyes_open, face_count, framing,
    glasses_clear, hair_clear, head_pose, lighting_even, mouth_closed, no_hat, no_jewelry, shadow_free, sharpness,
};

/// Everything photo-check says about one image or frame.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// `pass` when every required check passes, `fail` when any fails, otherwise `unknown`.
    pub verdict: Status,
    /// Name of the profile the thresholds came from.
    pub profile: String,
    /// One typed result per check, serialised as an object keyed by check id, in report order.
    pub checks: Checks,
    /// The face the checks looked at, when exactly one was found.
    pub face: Option<FaceSummary>,
    /// The image the checks ran on.
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
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size of the input before downscaling, when it was downscaled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub original: Option<[u32; 2]>,
}

/// Milliseconds per stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Decoding the file, or copying the camera's RGBA into a frame.
    pub decode: f64,
    /// The face detector (0 when the face was tracked).
    pub detect: f64,
    /// The face mesh.
    pub landmarks: f64,
    /// The person mask (0 when it was reused).
    pub segment: f64,
    /// Measures and checks.
    pub checks: f64,
    /// The whole frame.
    pub total: f64,
}

/// Every check's typed result, in report order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checks {
    /// Exactly one face.
    pub face_count: face_count::Outcome,
    /// The 480×640 crop fits.
    pub framing: framing::Outcome,
    /// Head straight.
    pub head_pose: head_pose::Outcome,
    /// Shoulders level, body not turned.
    pub body_tilt: body_tilt::Outcome,
    /// Both ears visible.
    pub ears_visible: ears_visible::Outcome,
    /// No hair over the brows.
    pub hair_clear: hair_clear::Outcome,
    /// No hat.
    pub no_hat: no_hat::Outcome,
    /// Lips closed.
    pub mouth_closed: mouth_closed::Outcome,
    /// Eyes open.
    pub eyes_open: eyes_open::Outcome,
    /// Both cheeks lit alike.
    pub lighting_even: lighting_even::Outcome,
    /// Face exposure.
    pub exposure: exposure::Outcome,
    /// Face sharpness.
    pub sharpness: sharpness::Outcome,
    /// Plain background.
    pub background_plain: background_plain::Outcome,
    /// Glasses, if any, without glare, tint or frames over the eyes.
    pub glasses_clear: glasses_clear::Outcome,
    /// No earrings or necklace.
    pub no_jewelry: no_jewelry::Outcome,
    /// Clothing against the standardized background colour.
    pub clothing_contrast: clothing_contrast::Outcome,
    /// No cast shadows, no red-eye.
    pub shadow_free: shadow_free::Outcome,
}

impl Checks {
    /// One check's result, untyped.
    pub fn get(&self, id: CheckId) -> &dyn CheckView {
        match id {
            CheckId::FaceCount => &self.face_count,
            CheckId::Framing => &self.framing,
            CheckId::HeadPose => &self.head_pose,
            CheckId::BodyTilt => &self.body_tilt,
            CheckId::EarsVisible => &self.ears_visible,
            CheckId::HairClear => &self.hair_clear,
            CheckId::NoHat => &self.no_hat,
            CheckId::MouthClosed => &self.mouth_closed,
            CheckId::EyesOpen => &self.eyes_open,
            CheckId::LightingEven => &self.lighting_even,
            CheckId::Exposure => &self.exposure,
            CheckId::Sharpness => &self.sharpness,
            CheckId::BackgroundPlain => &self.background_plain,
            CheckId::GlassesClear => &self.glasses_clear,
            CheckId::NoJewelry => &self.no_jewelry,
            CheckId::ClothingContrast => &self.clothing_contrast,
            CheckId::ShadowFree => &self.shadow_free,
        }
    }

    /// Every check's result, in report order.
    pub fn iter(&self) -> impl Iterator<Item = (CheckId, &dyn CheckView)> + '_ {
        CheckId::ALL.into_iter().map(move |id| (id, self.get(id)))
    }
}

#[cfg(test)]
impl Checks {
    /// Every check with `status`, its first (`ok`) reason and nothing measured: for tests of code that
    /// reads reports.
    pub(crate) fn uniform(status: Status) -> Checks {
        fn one<M, R: ReasonCode, P>(status: Status) -> CheckResult<M, R, P> {
            let reason = Reason::Own(R::ALL[0]);
            let (message_zh, message_en) = reason.messages();
            CheckResult { status, reason, value: None, threshold: None, message_zh, message_en, region: vec![] }
        }
        Checks {
            face_count: one(status),
            framing: one(status),
            head_pose: one(status),
            body_tilt: one(status),
            ears_visible: one(status),
            hair_clear: one(status),
            no_hat: one(status),
            mouth_closed: one(status),
            eyes_open: one(status),
            lighting_even: one(status),
            exposure: one(status),
            sharpness: one(status),
            background_plain: one(status),
            glasses_clear: one(status),
            no_jewelry: one(status),
            clothing_contrast: one(status),
            shadow_free: one(status),
        }
    }
}

impl Report {
    /// Combines check results into the verdict.
    pub fn verdict_of(checks: &Checks) -> Status {
        let mut verdict = Status::Pass;
        for (_, r) in checks.iter() {
            match r.status() {
                Status::Fail => return Status::Fail,
                Status::Unknown => verdict = Status::Unknown,
                Status::Pass | Status::NotRequired => {}
            }
        }
        verdict
    }

    /// The report as the CLI's table: a heading with the verdict, one line per check (status, reason, value
    /// and, unless it passed, the messages), the time. `name` heads it (the file's path).
    pub fn table(&self, name: &str) -> String {
        let (w, h) = (self.image.width, self.image.height);
        let verdict = self.verdict.as_str().to_uppercase();
        let mut out = format!("{name}: {verdict} ({w}×{h}, profile {})\n", self.profile);
        for (id, r) in self.checks.iter() {
            let msg = match r.status() {
                Status::Pass | Status::NotRequired => String::new(),
                _ => format!("  {} / {}", r.message_zh(), r.message_en()),
            };
            let (status, reason, value) = (r.status().as_str(), r.reason(), r.value_json());
            out += &format!("  {:<17} {status:<12} {reason:<22} {value}{msg}\n", id.as_str());
        }
        out + &format!("  time: {:.1} ms\n", self.timing_ms.total)
    }

    /// One check's result, untyped (every report holds every check; typed: `report.checks.<id>`).
    pub fn check(&self, id: CheckId) -> &dyn CheckView {
        self.checks.get(id)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// `(code, zh, en)` of every reason of a check.
    fn all<R: ReasonCode + Serialize>() -> Vec<(&'static str, &'static str, &'static str)> {
        R::ALL
            .iter()
            .map(|r| {
                assert_eq!(serde_json::to_value(r).unwrap(), r.code(), "serialised as its code");
                let (zh, en) = r.messages();
                (r.code(), zh, en)
            })
            .collect()
    }

    #[test]
    fn every_reason_of_every_check_has_both_messages() {
        let checks = [
            (CheckId::FaceCount, all::<face_count::Reason>()),
            (CheckId::Framing, all::<framing::Reason>()),
            (CheckId::HeadPose, all::<head_pose::Reason>()),
            (CheckId::BodyTilt, all::<body_tilt::Reason>()),
            (CheckId::EarsVisible, all::<ears_visible::Reason>()),
            (CheckId::HairClear, all::<hair_clear::Reason>()),
            (CheckId::NoHat, all::<no_hat::Reason>()),
            (CheckId::MouthClosed, all::<mouth_closed::Reason>()),
            (CheckId::EyesOpen, all::<eyes_open::Reason>()),
            (CheckId::LightingEven, all::<lighting_even::Reason>()),
            (CheckId::Exposure, all::<exposure::Reason>()),
            (CheckId::Sharpness, all::<sharpness::Reason>()),
            (CheckId::BackgroundPlain, all::<background_plain::Reason>()),
            (CheckId::GlassesClear, all::<glasses_clear::Reason>()),
            (CheckId::NoJewelry, all::<no_jewelry::Reason>()),
            (CheckId::ClothingContrast, all::<clothing_contrast::Reason>()),
            (CheckId::ShadowFree, all::<shadow_free::Reason>()),
        ];
        assert_eq!(checks.iter().map(|c| c.0).collect::<Vec<_>>(), CheckId::ALL, "every check, in report order");
        let common: Vec<_> = all::<Common>().into_iter().filter(|c| c.0 != "not_required").collect();
        let mut total = 0;
        for (id, own) in &checks {
            assert_eq!(own[0].0, "ok", "{}: the first reason is ok (Checks::uniform relies on it)", id.as_str());
            let mut seen = BTreeSet::new();
            for (code, zh, en) in own.iter().chain(&common) {
                assert!(seen.insert(*code), "{}: {code} twice (own and common codes must differ)", id.as_str());
                let snake = code.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                assert!(snake && !code.is_empty(), "{}: {code} is not snake_case", id.as_str());
                assert!(!zh.is_empty() && !en.is_empty(), "{}: {code} lacks a message", id.as_str());
                assert!(
                    zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{}: {code} zh is not Chinese",
                    id.as_str()
                );
                assert!(en.is_ascii() || en.contains('—'), "{}: {code} en is not English", id.as_str());
                total += 1;
            }
        }
        assert!(total > 60, "{total} reasons checked");
    }

    #[test]
    fn checks_serialise_as_an_object_in_report_order() {
        let value = serde_json::to_value(Checks::uniform(Status::Pass)).unwrap();
        let keys: BTreeSet<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, CheckId::ALL.iter().map(|id| id.as_str()).collect());
        let text = serde_json::to_string(&Checks::uniform(Status::Pass)).unwrap();
        let positions: Vec<usize> =
            CheckId::ALL.iter().map(|id| text.find(&format!("\"{}\"", id.as_str())).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "report order in the JSON text: {text}");
        let one = &value["mouth_closed"];
        assert_eq!(one["status"], "pass");
        assert_eq!(one["reason"], "ok");
        assert_eq!(one["value"], serde_json::json!({}));
        assert_eq!(one["threshold"], serde_json::json!({}));
    }

    #[test]
    fn verdict_is_fail_over_unknown_over_pass() {
        let mut checks = Checks::uniform(Status::Pass);
        assert_eq!(Report::verdict_of(&checks), Status::Pass);
        checks.no_hat = CheckResult::not_required();
        assert_eq!(Report::verdict_of(&checks), Status::Pass, "not_required does not count");
        checks.sharpness.status = Status::Unknown;
        assert_eq!(Report::verdict_of(&checks), Status::Unknown);
        checks.exposure.status = Status::Fail;
        assert_eq!(Report::verdict_of(&checks), Status::Fail);
    }
}
