//! `hair_clear`: no hair over the eyebrows, eyes or face.
//!
//! Measure: the forehead just above each eyebrow (two stacked bands from the brow's upper edge upward,
//! the clearer one counts) must look like this face's skin (per-frame model from the cheeks and nose, see
//! `observe::regions`). Fringes and strands that reach the brows or eyes cover that band with hair, which
//! is darker or of another hue.

use serde::{Deserialize, Serialize};

use super::lighting_even::{anchors, cheek_means};
use super::without_face;
use crate::observe::regions::{brow_band, measure, FaceFrame, RegionStats, SkinModel};
use crate::observe::Observation;
use crate::report::{r3, CheckResult, Common};

/// `hair_clear`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Face width (cheek to cheek) in input pixels below which the band is too small to judge.
    pub min_face_width_px: f32,
    /// Gap between the brow's upper edge and the band, in face widths (skips the brow hairs).
    pub band_lift: f32,
    /// Height of the band above each brow, in face widths.
    pub band_height: f32,
    /// Skin: largest chroma (Cb, Cr) Mahalanobis distance from the face's skin colour.
    pub max_chroma: f32,
    /// Skin: least luma ÷ the face's mean skin luma.
    pub min_luma_ratio: f32,
    /// Least share of a band that must look like skin for a clear brow.
    pub min_skin_share: f32,
}

crate::reasons! {
    /// Why `hair_clear` answered as it did.
    pub enum Reason {
        /// Both brow bands show skin.
        Ok = "ok" => ("头发未遮挡眉眼", "Hair clear of the eyebrows and eyes"),
        /// Both brow bands are covered.
        HairOverBrows = "hair_over_brows" => (
            "头发遮挡了眉毛，请让对方把刘海拨开，露出眉毛和眼睛",
            "Hair covers the eyebrows: ask them to move the fringe off the brows and eyes",
        ),
        /// The subject's right brow band is covered.
        HairOverRightBrow = "hair_over_right_brow" => (
            "头发遮挡了右侧眉毛，请让对方把右侧头发拨开",
            "Hair covers their right eyebrow: ask them to move it aside",
        ),
        /// The subject's left brow band is covered.
        HairOverLeftBrow = "hair_over_left_brow" => (
            "头发遮挡了左侧眉毛，请让对方把左侧头发拨开",
            "Hair covers their left eyebrow: ask them to move it aside",
        ),
        /// Too few face pixels to learn the skin colour.
        NoSkinModel = "no_skin_model" => ("无法取得肤色，无法判断头发", "Could not sample the skin colour to judge the hair"),
    }
}

/// What `hair_clear` measured in the band above each brow (the subject's sides).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Cheek-to-cheek face width (only when the face was too small to judge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_width_px: Option<f64>,
    /// The subject's right brow band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<Band>,
    /// The subject's left brow band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<Band>,
}

/// One brow band's statistics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Band {
    /// Share of the band that looks like skin.
    pub skin: f64,
    /// Mean luma ÷ the face's skin luma.
    pub rel_luma: f64,
    /// Mean chroma distance from the skin colour.
    pub chroma: f64,
}

impl Band {
    fn of(s: &RegionStats) -> Band {
        Band { skin: r3(s.skin), rel_luma: r3(s.rel_luma), chroma: r3(s.chroma) }
    }
}

/// `hair_clear`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Judges whether hair covers the brows.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    if face.width() < p.min_face_width_px {
        let value = Measure { face_width_px: Some(r3(face.width())), right: None, left: None };
        return Outcome::unknown_common(Common::FaceTooSmall, Some(value), p);
    }
    let Some(skin) = SkinModel::learn(obs, face) else {
        return Outcome::unknown(Reason::NoSkinModel, None, p);
    };
    let ff = FaceFrame::of(face);
    // two stacked bands per brow, the clearer one counts: the mesh's brow edge is sometimes a little
    // low (the lower band then sits on the brow hairs), and a fringe that reaches the brows covers both
    // the luma bound follows the same side's cheek: light from one side darkens that side's forehead too
    let Some(anchors) = anchors(obs) else { return without_face(obs, p) };
    let (right_cheek, left_cheek) = cheek_means(obs, anchors);
    let band = |right: bool| {
        let side = if right { right_cheek } else { left_cheek };
        let min_luma = p.min_luma_ratio * (side / skin.mean[0].max(1.0)).min(1.0);
        let lower =
            measure(obs, &skin, &brow_band(face, &ff, right, p.band_lift, p.band_height), p.max_chroma, min_luma);
        let upper = measure(
            obs,
            &skin,
            &brow_band(face, &ff, right, p.band_lift + p.band_height, p.band_height),
            p.max_chroma,
            min_luma,
        );
        if upper.skin > lower.skin {
            upper
        } else {
            lower
        }
    };
    let (rs, ls) = (band(true), band(false));
    let value = Measure { face_width_px: None, right: Some(Band::of(&rs)), left: Some(Band::of(&ls)) };
    match (rs.skin >= p.min_skin_share, ls.skin >= p.min_skin_share) {
        (true, true) => Outcome::pass(Reason::Ok, value, p),
        (false, false) => Outcome::fail(Reason::HairOverBrows, value, p),
        (false, true) => Outcome::fail(Reason::HairOverRightBrow, value, p),
        (true, false) => Outcome::fail(Reason::HairOverLeftBrow, value, p),
    }
}
