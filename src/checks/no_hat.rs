//! `no_hat`: no hat, cap, headband, hood or other head covering.
//!
//! Measure: the band just above the top of the face mesh (landmark 10, the upper forehead), where a
//! hat's band or brim sits. Without a head covering it is mostly forehead skin; a hat, cap or headband
//! covers it with fabric. Fringes that cover the upper forehead look the same to this measure (they are
//! `hair_clear`'s business when they reach the brows). Comparing the crown's colour with the temples'
//! (as a hair reference) was measured and did not separate hats on CelebA, so it is not used.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::report::{r3, CheckResult, Common, Shape};

use crate::observe::regions::{crown_band, measure, FaceFrame};
use crate::observe::Observation;

/// `no_hat`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Face width (cheek to cheek) in input pixels below which the crown is too small to judge.
    pub min_face_width_px: f32,
    /// Where the crown band starts above landmark 10, in face widths.
    pub crown_from: f32,
    /// Where the crown band ends above landmark 10, in face widths.
    pub crown_to: f32,
    /// Half the crown band's width, in face widths.
    pub crown_half_width: f32,
    /// Least share of the crown band inside the frame to judge it.
    pub min_in_frame: f32,
    /// Skin: largest chroma (Cb, Cr) Mahalanobis distance from the face's skin colour.
    pub max_chroma: f32,
    /// Skin: least luma ÷ the face's mean skin luma.
    pub min_luma_ratio: f32,
    /// Least share of the crown band's person pixels that look like skin without a head covering.
    pub min_crown_skin: f32,
}

crate::reasons! {
    /// Why `no_hat` answered as it did.
    pub enum Reason {
        /// The crown shows enough skin or hair: no head covering.
        Ok = "ok" => ("未戴帽子", "No head covering"),
        /// The crown band is covered.
        Hat = "hat" => ("请让对方摘下帽子或头饰", "Head covering: ask them to take off the hat or headwear"),
        /// Too little of the crown band is inside the frame.
        CrownOutsideFrame = "crown_outside_frame" => (
            "头顶不在画面内，请让对方整个头部入镜",
            "The top of the head is outside the picture: get the whole head in the frame",
        ),
        /// Too few face pixels to learn the skin colour.
        NoSkinModel = "no_skin_model" => ("无法取得肤色，无法判断帽子", "Could not sample the skin colour to judge a head covering"),
    }
}

/// What `no_hat` measured in the crown band above the forehead.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Cheek-to-cheek face width (only when the face was too small to judge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_width_px: Option<f64>,
    /// The band's statistics, when measured.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub crown: Option<Crown>,
}

/// The crown band's statistics (see `observe::regions::RegionStats`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Crown {
    /// Share of the band's person pixels that look like skin.
    pub skin: f64,
    /// Share of the band that is the person.
    pub person: f64,
    /// Share of the band inside the frame.
    pub in_frame: f64,
    /// Mean luma ÷ the face's skin luma.
    pub rel_luma: f64,
    /// Mean chroma distance from the skin colour.
    pub chroma: f64,
    /// Mean saturation.
    pub saturation: f64,
    /// Luma spread.
    pub spread: f64,
}

/// `no_hat`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Judges whether a hat or head covering hides the crown.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    if face.width() < p.min_face_width_px {
        let value = Measure { face_width_px: Some(r3(face.width())), crown: None };
        return Outcome::unknown_common(Common::FaceTooSmall, Some(value), p);
    }
    let Some(skin) = obs.skin else {
        return Outcome::unknown(Reason::NoSkinModel, None, p);
    };
    let ff = FaceFrame::of(face);
    let band = crown_band(face, &ff, p.crown_from, p.crown_to, p.crown_half_width);
    let s = measure(obs, &skin, &band, p.max_chroma, p.min_luma_ratio);
    let crown = Crown {
        skin: r3(s.skin),
        person: r3(s.person),
        in_frame: r3(s.in_frame),
        rel_luma: r3(s.rel_luma),
        chroma: r3(s.chroma),
        saturation: r3(s.saturation),
        spread: r3(s.luma_spread),
    };
    let value = Measure { face_width_px: None, crown: Some(crown) };
    let region = vec![Shape::new("crown", band)];
    let outcome = if s.in_frame < p.min_in_frame {
        Outcome::unknown(Reason::CrownOutsideFrame, Some(value), p)
    } else if s.skin < p.min_crown_skin {
        Outcome::fail(Reason::Hat, value, p)
    } else {
        Outcome::pass(Reason::Ok, value, p)
    };
    outcome.with_region(region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, SceneBuilder};

    fn params() -> Params {
        profile().no_hat
    }

    #[test]
    fn a_hat_covers_the_crown() {
        let p = params();
        let bare = SceneBuilder::new().run(check, &p);
        assert_outcome(&bare, Status::Pass, Reason::Ok);
        let hat = SceneBuilder::new().hat().run(check, &p);
        assert_outcome(&hat, Status::Fail, Reason::Hat);
        let (bare, hat) = (bare.value.unwrap().crown.unwrap(), hat.value.unwrap().crown.unwrap());
        assert!(hat.skin < p.min_crown_skin as f64 && bare.skin >= p.min_crown_skin as f64, "{bare:?} {hat:?}");
    }

    #[test]
    fn the_crown_skin_limit_decides_at_its_edge() {
        let mut p = params();
        let skin = SceneBuilder::new().run(check, &p).value.unwrap().crown.unwrap().skin as f32;
        p.min_crown_skin = skin - 0.002;
        assert_outcome(&SceneBuilder::new().run(check, &p), Status::Pass, Reason::Ok);
        p.min_crown_skin = skin + 0.002;
        assert_outcome(&SceneBuilder::new().run(check, &p), Status::Fail, Reason::Hat);
    }

    #[test]
    fn a_crown_outside_the_frame_or_a_tiny_face_is_not_judged() {
        let p = params();
        assert_outcome(
            &SceneBuilder::new().face_center(240.0, 40.0).run(check, &p),
            Status::Unknown,
            Reason::CrownOutsideFrame,
        );
        let small = SceneBuilder::new().face_width(20.0).run(check, &p);
        assert_eq!((small.status, small.reason), (Status::Unknown, Why::Common(Common::FaceTooSmall)));
        let far = SceneBuilder::new().face_center(700.0, 256.0).run(check, &Params { min_face_width_px: 0.0, ..p });
        assert_outcome(&far, Status::Unknown, Reason::NoSkinModel);
    }
}
