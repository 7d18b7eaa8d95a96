//! Profiles: every threshold the checks use, as data. Built-in profiles live in `profiles/*.toml`,
//! each value commented with why it has that value; users can load their own TOML.

use serde::{Deserialize, Serialize};

use crate::checks;
use crate::error::{Error, Result};
use crate::frame::Limits;
use crate::report::CheckId;

/// Largest accepted profile text, in bytes (the built-in profiles are about 3 KB). Larger input is refused
/// before it is parsed.
pub const MAX_PROFILE_BYTES: usize = 64 * 1024;

/// How often a live camera stream re-runs the stages whose result changes slowly (MediaPipe's design:
/// track the face from the previous frame's landmarks instead of detecting it on every frame). Stills,
/// album photos and the captured frame always run every stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tracking {
    /// While a face is tracked, the detector runs on every N-th frame (to notice a second face); the
    /// frames between follow the face with the landmarks alone. 1 = detect on every frame. Default: 10.
    pub redetect_every: u32,
    /// While a face is tracked, the person mask is recomputed on every N-th frame and reused between.
    /// 1 = on every frame. Default: 3.
    pub segment_every: u32,
    /// While no face is found (the first seconds of every session), the person mask is recomputed on every
    /// N-th frame and reused between: without a face the verdict fails whatever the mask says, and the mask
    /// then feeds only `background_plain`. A mask made without a face is never reused once one appears.
    /// 1 = on every frame. Default: 10.
    pub no_face_segment_every: u32,
    /// While no face is found, the detector's second pass on the padded frame (for a face filling the frame)
    /// runs on every N-th frame. 1 = on every frame. Default: 2.
    pub no_face_retry_every: u32,
}

impl Default for Tracking {
    fn default() -> Self {
        Tracking { redetect_every: 10, segment_every: 3, no_face_segment_every: 10, no_face_retry_every: 2 }
    }
}

/// A named set of thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The profile's name (e.g. "chsi"), repeated in every report.
    pub name: String,
    /// A one-line human description. Optional in TOML (default empty).
    #[serde(default)]
    pub description: String,
    /// Checks this profile does not require: reported as `not_required` and left out of the verdict.
    #[serde(default)]
    pub not_required: Vec<CheckId>,
    /// Limits on untrusted input. Optional in TOML (default [`Limits::default`]).
    #[serde(default)]
    pub limits: Limits,
    /// How often live streams re-run the slow stages. Optional in TOML (default [`Tracking::default`]).
    #[serde(default)]
    pub tracking: Tracking,
    /// Thresholds of the `face_count` check.
    pub face_count: checks::face_count::Params,
    /// Thresholds of the `framing` check.
    pub framing: checks::framing::Params,
    /// Thresholds of the `head_pose` check.
    pub head_pose: checks::head_pose::Params,
    /// Thresholds of the `body_tilt` check.
    pub body_tilt: checks::body_tilt::Params,
    /// Thresholds of the `ears_visible` check.
    pub ears_visible: checks::ears_visible::Params,
    /// Thresholds of the `hair_clear` check.
    pub hair_clear: checks::hair_clear::Params,
    /// Thresholds of the `no_hat` check.
    pub no_hat: checks::no_hat::Params,
    /// Thresholds of the `mouth_closed` check.
    pub mouth_closed: checks::mouth_closed::Params,
    /// Thresholds of the `eyes_open` check.
    pub eyes_open: checks::eyes_open::Params,
    /// Thresholds of the `lighting_even` check.
    pub lighting_even: checks::lighting_even::Params,
    /// Thresholds of the `exposure` check.
    pub exposure: checks::exposure::Params,
    /// Thresholds of the `sharpness` check.
    pub sharpness: checks::sharpness::Params,
    /// Thresholds of the `background_plain` check.
    pub background_plain: checks::background_plain::Params,
    /// Thresholds of the `glasses_clear` check.
    pub glasses_clear: checks::glasses_clear::Params,
    /// Thresholds of the `no_jewelry` check.
    pub no_jewelry: checks::no_jewelry::Params,
    /// Thresholds of the `clothing_contrast` check.
    pub clothing_contrast: checks::clothing_contrast::Params,
    /// Thresholds of the `shadow_free` check.
    pub shadow_free: checks::shadow_free::Params,
}

/// The built-in profiles: `(name, TOML source)`.
pub const BUILTIN: [(&str, &str); 2] =
    [("chsi", include_str!("../profiles/chsi.toml")), ("icao", include_str!("../profiles/icao.toml"))];

impl Profile {
    /// Parses a profile from TOML text.
    /// Text longer than [`MAX_PROFILE_BYTES`] is refused unparsed (`too_large`).
    pub fn from_toml(text: &str) -> Result<Profile> {
        if text.len() > MAX_PROFILE_BYTES {
            return Err(Error::TooLarge {
                what: "profile bytes",
                actual: text.len() as u64,
                limit: MAX_PROFILE_BYTES as u64,
            });
        }
        let profile: Profile = toml::from_str(text).map_err(|e| Error::Profile(e.to_string()))?;
        profile.validate()?;
        Ok(profile)
    }

    /// One of the built-in profiles by name (`chsi`, `icao`).
    pub fn builtin(name: &str) -> Result<Profile> {
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| Error::Profile(format!("no built-in profile named {name:?} (have: chsi, icao)")))?;
        Profile::from_toml(text)
    }

    /// The default profile: the 学信网 (CHSI) certificate photo.
    pub fn chsi() -> Profile {
        Profile::builtin("chsi").expect("the built-in chsi profile parses (tested)")
    }

    /// Whether `id` counts toward the verdict.
    pub fn is_required(&self, id: CheckId) -> bool {
        !self.not_required.contains(&id)
    }

    /// Rejects non-finite or negative thresholds (a NaN threshold would silently pass everything).
    fn validate(&self) -> Result<()> {
        let value = serde_json::to_value(self).map_err(|e| Error::Profile(e.to_string()))?;
        fn walk(path: &str, v: &serde_json::Value) -> Result<()> {
            match v {
                serde_json::Value::Number(n) => match n.as_f64() {
                    Some(x) if x.is_finite() && x >= 0.0 => Ok(()),
                    _ => Err(Error::Profile(format!("{path} must be a finite number ≥ 0"))),
                },
                serde_json::Value::Null => Err(Error::Profile(format!("{path} must be a finite number ≥ 0"))),
                serde_json::Value::Object(map) => map.iter().try_for_each(|(k, v)| walk(&format!("{path}.{k}"), v)),
                _ => Ok(()),
            }
        }
        walk(&self.name, &value)?;
        if self.limits.max_working_side < 64 {
            return Err(Error::Profile("limits.max_working_side must be at least 64".into()));
        }
        let t = &self.tracking;
        if [t.redetect_every, t.segment_every, t.no_face_segment_every, t.no_face_retry_every].contains(&0) {
            return Err(Error::Profile("every tracking.* value must be at least 1".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_parse() {
        for (name, _) in BUILTIN {
            let p = Profile::builtin(name).unwrap();
            assert_eq!(p.name, name);
        }
        assert!(Profile::chsi().is_required(CheckId::EarsVisible));
        assert!(!Profile::builtin("icao").unwrap().is_required(CheckId::EarsVisible));
    }

    #[test]
    fn bad_profiles_are_typed_errors() {
        assert_eq!(Profile::builtin("nope").unwrap_err().code(), "profile");
        assert_eq!(Profile::from_toml("name = 3").unwrap_err().code(), "profile");
        let nan = BUILTIN[0].1.replace("max_yaw_deg = ", "max_yaw_deg = nan #");
        assert_eq!(Profile::from_toml(&nan).unwrap_err().code(), "profile");
        let typo = format!("{}\n[head_pose]\nmax_yow_deg = 3\n", BUILTIN[0].1);
        assert!(Profile::from_toml(&typo).is_err());
    }
}
