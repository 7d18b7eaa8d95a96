//! `hair_clear`: no hair over the eyebrows, eyes or face.
//!
//! Measure: the forehead just above each eyebrow (two stacked bands from the brow's upper edge upward,
//! the clearer one counts) must look like this face's skin (per-frame model from the cheeks and nose, see
//! `observe::regions`). Fringes and strands that reach the brows or eyes cover that band with hair, which
//! is darker or of another hue.

use serde::{Deserialize, Serialize};

use super::lighting_even::{anchors, cheek_means};
use super::without_face;
use crate::observe::regions::{brow_band, measure, FaceFrame, RegionStats};
use crate::observe::Observation;
use crate::report::{r3, CheckResult, Common, Shape};

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
    let Some(skin) = obs.skin else {
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
    // both stacked bands of a brow as one zone
    let zone = |right| brow_band(face, &ff, right, p.band_lift, 2.0 * p.band_height);
    let region = vec![Shape::new("right_brow", zone(true)), Shape::new("left_brow", zone(false))];
    let outcome = match (rs.skin >= p.min_skin_share, ls.skin >= p.min_skin_share) {
        (true, true) => Outcome::pass(Reason::Ok, value, p),
        (false, false) => Outcome::fail(Reason::HairOverBrows, value, p),
        (false, true) => Outcome::fail(Reason::HairOverRightBrow, value, p),
        (true, false) => Outcome::fail(Reason::HairOverLeftBrow, value, p),
    };
    outcome.with_region(region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::frame_gray;
    use crate::report::{Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, Scene, SceneBuilder, Side};

    fn chsi() -> Params {
        profile().hair_clear
    }

    fn bands(b: &SceneBuilder) -> (Band, Band) {
        let m = b.run(check, &chsi()).value.expect("a measure");
        (m.right.expect("right band"), m.left.expect("left band"))
    }

    #[test]
    fn every_reason() {
        let cases = [
            (SceneBuilder::new(), Status::Pass, Why::Own(Reason::Ok)),
            // the luma bound follows the darker side's cheek: side light alone is not hair
            (SceneBuilder::new().dark_side(Side::Left, 0.5), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().fringe(Side::Both), Status::Fail, Why::Own(Reason::HairOverBrows)),
            (SceneBuilder::new().fringe(Side::Right), Status::Fail, Why::Own(Reason::HairOverRightBrow)),
            (SceneBuilder::new().fringe(Side::Left), Status::Fail, Why::Own(Reason::HairOverLeftBrow)),
            // the face lies wholly left of the frame: no cheek or nose pixel to learn the skin from
            (SceneBuilder::new().face_center(-150.0, 256.0), Status::Unknown, Why::Own(Reason::NoSkinModel)),
            (SceneBuilder::new().face_width(50.0), Status::Unknown, Why::Common(Common::FaceTooSmall)),
            (SceneBuilder::new().no_face(), Status::Unknown, Why::Common(Common::NoFace)),
            (SceneBuilder::new().extra_face(), Status::Unknown, Why::Common(Common::MultipleFaces)),
        ];
        for (b, status, reason) in cases {
            let r = b.run(check, &chsi());
            assert_outcome(&r, status, reason);
        }
    }

    #[test]
    fn the_bands_measure_skin_share_luma_and_chroma() {
        // a clear forehead is this face's skin: all of it, at the skin's own luma and chroma
        let (right, left) = bands(&SceneBuilder::new());
        for band in [&right, &left] {
            assert!(band.skin > 0.95 && (band.rel_luma - 1.0).abs() < 0.05 && band.chroma < 1.0, "{band:?}");
        }
        // a fringe over the subject's right brow (image left) is dark hair there only
        let (right, left) = bands(&SceneBuilder::new().fringe(Side::Right));
        assert!(right.skin < 0.1 && right.rel_luma < 0.4, "{right:?}");
        assert!(left.skin > 0.95, "{left:?}");
        // too small: only the face width is reported
        let r = SceneBuilder::new().face_width(50.0).run(check, &chsi());
        let m = r.value.expect("a measure");
        assert!((m.face_width_px.expect("face width") - 50.0).abs() < 0.01, "{m:?}");
        assert_eq!((m.right, m.left), (None, None));
        assert_eq!(SceneBuilder::new().face_center(-150.0, 256.0).run(check, &chsi()).value, None);
    }

    /// A vertical strand of hair over the middle `share` of the subject's left brow, from well above the
    /// brow's upper edge down to it: it covers that share of both bands above the brow.
    fn strand(share: f32) -> Scene {
        let mut scene = SceneBuilder::new().build();
        let brow: Vec<_> = [293, 334, 296, 336].iter().map(|&i| scene.point(i)).collect();
        let (x0, x1) = brow.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| (lo.min(p.x), hi.max(p.x)));
        let top = brow.iter().map(|p| p.y).fold(f32::MAX, f32::min);
        let mid = (x0 + x1) / 2.0;
        let half = share * (x1 - x0) / 2.0;
        for y in (top - 30.0) as usize..top as usize {
            for x in (mid - half).round() as usize..(mid + half).round() as usize {
                scene.frame.set_pixel(x, y, [45, 32, 25]);
            }
        }
        scene.gray = frame_gray(&scene.frame);
        scene
    }

    #[test]
    fn a_strand_covers_part_of_the_band() {
        let mut last = 1.0;
        for share in [0.2, 0.5, 0.8] {
            let scene = strand(share);
            let m = check(&scene.observation(), &chsi()).value.expect("a measure");
            let (right, left) = (m.right.as_ref().expect("right band"), m.left.as_ref().expect("left band"));
            assert_eq!(right.skin, 1.0, "{share}: {m:?}");
            assert!((left.skin - (1.0 - f64::from(share))).abs() < 0.1 && left.skin < last, "{share}: {m:?}");
            last = left.skin;
        }
    }

    #[test]
    fn the_limits_flip_at_the_measured_values() {
        let scene = strand(0.5);
        let obs = scene.observation();
        let m = check(&obs, &chsi()).value.expect("a measure");
        let left = m.left.expect("left band").skin as f32;
        let width = obs.face.as_ref().expect("a face").width();
        let at = |p: Params| check(&obs, &p).reason;
        assert_eq!(at(Params { min_skin_share: left - 2e-3, ..chsi() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { min_skin_share: left + 2e-3, ..chsi() }), Why::Own(Reason::HairOverLeftBrow));
        assert_eq!(at(Params { min_face_width_px: width - 2e-3, ..chsi() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { min_face_width_px: width + 2e-3, ..chsi() }), Why::Common(Common::FaceTooSmall));
    }
}
