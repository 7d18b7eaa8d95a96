//! The result types every check shares: the check ids, the statuses, one check's typed result and the
//! reason codes with their messages. The checks build these; the report collects them.

use crate::imaging::Point;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// Stable identifiers of the checks, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// Exactly one face.
    FaceCount,
    /// The 480×640 crop fits the head and shoulders.
    Framing,
    /// Head straight to the camera.
    HeadPose,
    /// Shoulders level, body not turned.
    BodyTilt,
    /// Both ears visible.
    EarsVisible,
    /// No hair over the brows and eyes.
    HairClear,
    /// No hat or head covering.
    NoHat,
    /// Lips closed, no teeth showing.
    MouthClosed,
    /// Both eyes open.
    EyesOpen,
    /// No 阴阳脸: both cheeks lit alike.
    LightingEven,
    /// The face neither too dark nor too bright.
    Exposure,
    /// The face not blurred.
    Sharpness,
    /// A plain background.
    BackgroundPlain,
    /// No glasses, or glasses without glare or tint whose frames stay off the eyes.
    GlassesClear,
    /// No earrings or necklace.
    NoJewelry,
    /// The clothing stands out from the standardized photo's background colour.
    ClothingContrast,
    /// No shadow behind the head or across the face, no red-eye.
    ShadowFree,
}

impl CheckId {
    /// Every check, in report order.
    pub const ALL: [CheckId; 17] = [
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
        CheckId::GlassesClear,
        CheckId::NoJewelry,
        CheckId::ClothingContrast,
        CheckId::ShadowFree,
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
            CheckId::GlassesClear => "glasses_clear",
            CheckId::NoJewelry => "no_jewelry",
            CheckId::ClothingContrast => "clothing_contrast",
            CheckId::ShadowFree => "shadow_free",
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
    /// The photo meets the rule.
    Pass,
    /// The photo breaks the rule; the reason says how.
    Fail,
    /// The check could not decide; the reason says why. Never a guessed pass.
    Unknown,
    /// The profile does not require this check.
    NotRequired,
}

impl Status {
    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::NotRequired => "not_required",
        }
    }
}

/// A check's own reason codes: one enum per check, with its messages. Written with [`reasons!`].
pub trait ReasonCode: Copy + Eq + std::fmt::Debug + 'static {
    /// Every code, in declaration order.
    const ALL: &'static [Self];
    /// The stable snake_case code used in reports.
    fn code(self) -> &'static str;
    /// The message for this code: `(Chinese, English)`, addressed to the person holding the phone.
    fn messages(self) -> (&'static str, &'static str);
}

/// Declares a check's reason enum: variants, their snake_case codes and their `(zh, en)` messages.
#[macro_export]
macro_rules! reasons {
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal => $msg:expr,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $crate::report::ReasonCode for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)+];
            fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
            fn messages(self) -> (&'static str, &'static str) {
                match self { $($name::$variant => $msg,)+ }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::report::ReasonCode::code(*self))
            }
        }
    };
}

reasons! {
    /// Reason codes every check can give: about the face it needs, or the profile.
    pub enum Common {
        /// No face, or the face mesh says the detection is not a face.
        NoFace = "no_face" => ("未检测到人脸，请让对方正对镜头", "No face found: have the person face the camera"),
        /// More than one face in the frame.
        MultipleFaces = "multiple_faces" => ("画面中有多张人脸，请只拍一人", "More than one face: only one person in the picture"),
        /// The face is too small for this check to measure.
        FaceTooSmall = "face_too_small" => ("人脸太小，无法判断，请靠近一些", "Face too small to judge: move closer"),
        /// The profile switches the check off (no message: nothing to fix).
        NotRequired = "not_required" => ("", ""),
    }
}

/// Why a check answered as it did: one of its own codes or a common one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason<R> {
    /// The check's own code (`ok` on pass).
    Own(R),
    /// A code shared by every check.
    Common(Common),
}

impl<R: ReasonCode> Reason<R> {
    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Own(r) => r.code(),
            Reason::Common(c) => c.code(),
        }
    }

    /// `(Chinese, English)` message.
    pub fn messages(self) -> (&'static str, &'static str) {
        match self {
            Reason::Own(r) => r.messages(),
            Reason::Common(c) => c.messages(),
        }
    }
}

impl<R: ReasonCode> From<R> for Reason<R> {
    fn from(own: R) -> Self {
        Reason::Own(own)
    }
}

impl<R: ReasonCode> Serialize for Reason<R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A zone a check looked at, in image pixels of the checked frame: a polygon (a box has four corners) or
/// a line (two points). Names use the subject's left and right (`right_ear` is on the image's left).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shape {
    /// What the zone is (`right_ear`, `crown`, `crop`, `shoulder_line`, …).
    pub name: &'static str,
    /// Its corners (or the line's two ends), `[x, y]` to a tenth of a pixel.
    pub points: Vec<[f64; 2]>,
}

impl Shape {
    /// A named polygon or line through `points`.
    pub fn new(name: &'static str, points: impl IntoIterator<Item = Point>) -> Shape {
        let tenth = |v: f32| (f64::from(v) * 10.0).round() / 10.0;
        Shape { name, points: points.into_iter().map(|p| [tenth(p.x), tenth(p.y)]).collect() }
    }
}

/// One check's answer, typed: `M` is what it measured, `R` its reason codes, `P` its profile parameters.
///
/// Serialised as `{ status, reason, value, threshold, message_zh, message_en, region }`; `value` and
/// `threshold` are `{}` when absent (no face, not required); `region` is left out when the check looked at
/// no particular zone.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(bound(serialize = "M: Serialize, P: Serialize"))]
pub struct CheckResult<M, R: ReasonCode, P> {
    /// Pass, fail, unknown or not required.
    pub status: Status,
    /// Why (`ok` on pass); the messages are keyed by it.
    pub reason: Reason<R>,
    /// What was measured, when anything was.
    #[serde(serialize_with = "object_or_empty")]
    pub value: Option<M>,
    /// The profile parameters the value was compared with (absent when not required).
    #[serde(serialize_with = "tidy_object_or_empty")]
    pub threshold: Option<P>,
    /// The message for `reason`, in Chinese.
    pub message_zh: &'static str,
    /// The message for `reason`, in English.
    pub message_en: &'static str,
    /// The zones the check measured (for drawing where a problem is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub region: Vec<Shape>,
}

impl<M, R: ReasonCode, P: Clone> CheckResult<M, R, P> {
    /// A result with the messages of `reason`.
    pub fn new(status: Status, reason: Reason<R>, value: Option<M>, params: &P) -> Self {
        let (message_zh, message_en) = reason.messages();
        CheckResult { status, reason, value, threshold: Some(params.clone()), message_zh, message_en, region: vec![] }
    }

    /// The same result with the zones it measured.
    pub fn with_region(mut self, region: Vec<Shape>) -> Self {
        self.region = region;
        self
    }

    /// A pass with the check's `ok` reason.
    pub fn pass(ok: R, value: M, params: &P) -> Self {
        Self::new(Status::Pass, Reason::Own(ok), Some(value), params)
    }

    /// A failure.
    pub fn fail(reason: R, value: M, params: &P) -> Self {
        Self::new(Status::Fail, Reason::Own(reason), Some(value), params)
    }

    /// Could not decide, for one of the check's own reasons.
    pub fn unknown(reason: R, value: Option<M>, params: &P) -> Self {
        Self::new(Status::Unknown, Reason::Own(reason), value, params)
    }

    /// Could not decide, for a common reason.
    pub fn unknown_common(reason: Common, value: Option<M>, params: &P) -> Self {
        Self::new(Status::Unknown, Reason::Common(reason), value, params)
    }

    /// Switched off by the profile.
    pub fn not_required() -> Self {
        CheckResult {
            status: Status::NotRequired,
            reason: Reason::Common(Common::NotRequired),
            value: None,
            threshold: None,
            message_zh: "",
            message_en: "",
            region: vec![],
        }
    }
}

/// A check's result without its types: what the checklist, the verdict and the CLI's table need.
pub trait CheckView: std::fmt::Debug {
    /// Pass, fail, unknown or not required.
    fn status(&self) -> Status;
    /// The stable snake_case reason code.
    fn reason(&self) -> &'static str;
    /// The message in Chinese.
    fn message_zh(&self) -> &'static str;
    /// The message in English.
    fn message_en(&self) -> &'static str;
    /// The measured value as JSON (`{}` when nothing was measured).
    fn value_json(&self) -> Value;
    /// The zones the check measured.
    fn region(&self) -> &[Shape];
}

impl<M: Serialize + std::fmt::Debug, R: ReasonCode, P: std::fmt::Debug> CheckView for CheckResult<M, R, P> {
    fn status(&self) -> Status {
        self.status
    }
    fn reason(&self) -> &'static str {
        self.reason.code()
    }
    fn message_zh(&self) -> &'static str {
        self.message_zh
    }
    fn message_en(&self) -> &'static str {
        self.message_en
    }
    fn region(&self) -> &[Shape] {
        &self.region
    }
    fn value_json(&self) -> Value {
        self.value
            .as_ref()
            .and_then(|v| serde_json::to_value(v).ok())
            .unwrap_or_else(|| Value::Object(Default::default()))
    }
}

/// Rounds to 3 decimals for reports: keeps JSON short and stable across platforms.
pub fn r3(x: f32) -> f64 {
    ((x as f64) * 1000.0).round() / 1000.0
}

fn object_or_empty<T: Serialize, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => v.serialize(s),
        None => Value::Object(Default::default()).serialize(s),
    }
}

/// Profile parameters are `f32`: rounded to 6 decimals they read as written (0.04, not 0.03999999910593033).
fn tidy_object_or_empty<T: Serialize, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    let value = v.as_ref().map(serde_json::to_value).transpose().map_err(serde::ser::Error::custom)?;
    tidy(value.unwrap_or_else(|| Value::Object(Default::default()))).serialize(s)
}

fn tidy(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() => serde_json::json!((x * 1e6).round() / 1e6),
            _ => Value::Number(n),
        },
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, tidy(v))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(tidy).collect()),
        other => other,
    }
}
