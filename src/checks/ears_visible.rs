//! `ears_visible`: both ears visible (long hair behind, sideburns tied back).
//!
//! Measure, per ear: a zone beside the face oval (landmarks 127–93 for the subject's right ear, 356–323
//! for the left), reaching from a little inside the face edge to a share of the face width outside it.
//! A per-frame skin-colour model (cheeks and nose, see `observe::regions`) tells skin from hair; the
//! person mask tells head from background. A visible ear puts skin into its zone and leaves background
//! around its rim; hair over it fills the zone with person pixels that are mostly not skin. A zone the
//! person mask fills completely (hair past the ear) needs much more skin to count as a visible ear.
//! An ear counts as covered only when hair clearly fills its zone (nearly all person, little skin); a
//! zone that is neither clearly visible nor clearly covered is `ears_unclear` (unknown), because on the
//! labelled portraits such zones were as often shaded visible ears as covered ones: a false "tuck your
//! hair" costs more trust than an undecided frame. The ear turned away from the camera is not judged
//! (`ears_hidden_by_pose`), and neither is a zone that lies outside the frame.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::observe::regions::{ear_zone, measure, FaceFrame, RegionStats};
use crate::observe::Observation;
use crate::report::{r3, CheckResult, Common, Shape};

/// `ears_visible`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Face width (cheek to cheek) in input pixels below which the ears are too small to judge.
    pub min_face_width_px: f32,
    /// Above this |yaw| the ear turned away from the camera is hidden by the head itself.
    pub max_yaw_deg: f32,
    /// How far the ear zone reaches inside the face edge, in face widths.
    pub zone_inset: f32,
    /// How far the ear zone reaches outside the face edge, in face widths.
    pub zone_outset: f32,
    /// Least share of the zone that must lie inside the frame to judge it.
    pub min_in_frame: f32,
    /// Skin: largest chroma (Cb, Cr) Mahalanobis distance from the face's skin colour.
    pub max_chroma: f32,
    /// Skin: least luma ÷ the face's mean skin luma (hair of skin-like hue is darker).
    pub min_luma_ratio: f32,
    /// Least share of the zone's person pixels that look like skin for a visible ear.
    pub min_skin_share: f32,
    /// A zone at least this full of person pixels has no background beside the ear: the head outline
    /// (hair) reaches past where the ear would stick out.
    pub full_person_share: f32,
    /// In such a full zone, the least skin share for a visible ear (hair there is often skin-toned).
    pub min_skin_share_full: f32,
    /// A covered ear: the zone is at least this full of person pixels (hair reaches past the ear) …
    pub min_covered_person: f32,
    /// … and less than this share of them is skin. A zone neither visible nor covered is unclear (`unknown`).
    pub max_covered_skin: f32,
}

crate::reasons! {
    /// Why `ears_visible` answered as it did.
    pub enum Reason {
        /// Both ears visible.
        Ok = "ok" => ("双耳露出", "Both ears visible"),
        /// The subject's right ear is covered.
        RightEarCovered = "right_ear_covered" => (
            "右耳被头发遮挡，请让对方把右侧头发拢到耳后",
            "Their right ear is covered: ask them to tuck the hair on their right behind the ear",
        ),
        /// The subject's left ear is covered.
        LeftEarCovered = "left_ear_covered" => (
            "左耳被头发遮挡，请让对方把左侧头发拢到耳后",
            "Their left ear is covered: ask them to tuck the hair on their left behind the ear",
        ),
        /// Both ears are covered.
        EarsCovered = "ears_covered" => (
            "双耳被头发遮挡，请让对方把头发拢到耳后",
            "Both ears are covered: ask them to tuck their hair behind the ears",
        ),
        /// The head is turned so far that one ear is out of sight.
        EarsHiddenByPose = "ears_hidden_by_pose" => (
            "头部侧转，看不到一侧耳朵，请让对方正对镜头",
            "Head turned: one ear is out of sight — have them face the camera",
        ),
        /// Neither ear is covered, but at least one is neither clearly visible nor clearly covered (a shaded
        /// ear, hair close behind it): the check does not guess.
        EarsUnclear = "ears_unclear" => (
            "看不清耳朵，请让对方把头发拢到耳后，并让耳朵处光线充足",
            "Cannot tell whether the ears show: ask them to tuck their hair behind the ears, with light on them",
        ),
        /// An ear zone lies mostly outside the frame.
        EarZoneOutsideFrame = "ear_zone_outside_frame" => (
            "耳朵不在画面内，请让对方整个头部入镜",
            "An ear is outside the picture: get the whole head in the frame",
        ),
        /// Too few face pixels to learn the skin colour.
        NoSkinModel = "no_skin_model" => ("无法取得肤色，无法判断耳朵", "Could not sample the skin colour to judge the ears"),
    }
}

/// What `ears_visible` measured (the subject's sides).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Cheek-to-cheek face width (only when the face was too small to judge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_width_px: Option<f64>,
    /// The subject's right ear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<EarMeasure>,
    /// The subject's left ear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<EarMeasure>,
    /// The head's yaw the hidden-ear rule used, degrees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yaw: Option<f64>,
}

/// One ear's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ear {
    /// Skin shows in the zone.
    Visible,
    /// Hair (person pixels that are not skin) fills the zone.
    Covered,
    /// Neither clearly visible nor clearly covered.
    Unclear,
    /// Turned away from the camera.
    HiddenByPose,
    /// The zone lies outside the frame.
    OutsideFrame,
}

/// One ear zone's state and statistics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EarMeasure {
    /// The outcome for this ear.
    pub state: Ear,
    /// Share of the zone's person pixels that look like skin.
    pub skin: f64,
    /// Share of the zone that is the person.
    pub person: f64,
    /// Share of the zone inside the frame.
    pub in_frame: f64,
}

impl EarMeasure {
    fn of(state: Ear, s: &RegionStats) -> EarMeasure {
        EarMeasure { state, skin: r3(s.skin), person: r3(s.person), in_frame: r3(s.in_frame) }
    }
}

/// `ears_visible`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Judges whether both ears are visible.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    if face.width() < p.min_face_width_px {
        let value = Measure { face_width_px: Some(r3(face.width())), right: None, left: None, yaw: None };
        return Outcome::unknown_common(Common::FaceTooSmall, Some(value), p);
    }
    let Some(skin) = obs.skin else { return Outcome::unknown(Reason::NoSkinModel, None, p) };
    let ff = FaceFrame::of(face);
    let yaw = face.pose.map(|q| q.yaw_deg).unwrap_or(0.0);
    // yaw > 0: the face turns to the subject's right, so the right ear goes behind the head
    let judge = |right: bool| {
        let zone = ear_zone(face, &ff, right, p.zone_inset, p.zone_outset);
        let stats = measure(obs, &skin, &zone, p.max_chroma, p.min_luma_ratio);
        let hidden = if right { yaw > p.max_yaw_deg } else { -yaw > p.max_yaw_deg };
        let full = stats.person >= p.full_person_share;
        let ear = if hidden {
            Ear::HiddenByPose
        } else if stats.in_frame < p.min_in_frame {
            Ear::OutsideFrame
        } else if stats.skin >= p.min_skin_share && (!full || stats.skin >= p.min_skin_share_full) {
            Ear::Visible
        } else if stats.person >= p.min_covered_person && stats.skin < p.max_covered_skin {
            Ear::Covered
        } else {
            Ear::Unclear
        };
        EarMeasure::of(ear, &stats)
    };
    let (right, left) = (judge(true), judge(false));
    let (r, l) = (right.state, left.state);
    let value = Measure { face_width_px: None, right: Some(right), left: Some(left), yaw: Some(r3(yaw)) };
    let zone = |right| ear_zone(face, &ff, right, p.zone_inset, p.zone_outset);
    let region = vec![Shape::new("right_ear", zone(true)), Shape::new("left_ear", zone(false))];
    let outcome = match (r, l) {
        (Ear::Visible, Ear::Visible) => Outcome::pass(Reason::Ok, value, p),
        // a covered ear is a failure even when the other one cannot be judged
        (Ear::Covered, Ear::Covered) => Outcome::fail(Reason::EarsCovered, value, p),
        (Ear::Covered, _) => Outcome::fail(Reason::RightEarCovered, value, p),
        (_, Ear::Covered) => Outcome::fail(Reason::LeftEarCovered, value, p),
        (Ear::HiddenByPose, _) | (_, Ear::HiddenByPose) => Outcome::unknown(Reason::EarsHiddenByPose, Some(value), p),
        (Ear::Unclear, _) | (_, Ear::Unclear) => Outcome::unknown(Reason::EarsUnclear, Some(value), p),
        _ => Outcome::unknown(Reason::EarZoneOutsideFrame, Some(value), p),
    };
    outcome.with_region(region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, SceneBuilder, Side};

    fn params() -> Params {
        profile().ears_visible
    }

    #[test]
    fn visible_and_covered_ears_per_side() {
        let p = params();
        assert_outcome(&SceneBuilder::new().run(check, &p), Status::Pass, Reason::Ok);
        assert_outcome(&SceneBuilder::new().ears_covered(Side::Both).run(check, &p), Status::Fail, Reason::EarsCovered);
        assert_outcome(
            &SceneBuilder::new().ears_covered(Side::Right).run(check, &p),
            Status::Fail,
            Reason::RightEarCovered,
        );
        assert_outcome(
            &SceneBuilder::new().ears_covered(Side::Left).run(check, &p),
            Status::Fail,
            Reason::LeftEarCovered,
        );
        let r = SceneBuilder::new().ears_covered(Side::Left).run(check, &p);
        let m = r.value.unwrap();
        let (right, left) = (m.right.unwrap(), m.left.unwrap());
        assert_eq!((right.state, left.state), (Ear::Visible, Ear::Covered));
        assert!(left.person >= p.min_covered_person as f64 && left.skin < p.max_covered_skin as f64, "{left:?}");
    }

    #[test]
    fn an_ear_neither_clearly_visible_nor_covered_is_unclear() {
        // the same covered ear, with a covered-zone rule it cannot meet: not visible, not covered
        let mut p = params();
        let covered = SceneBuilder::new().ears_covered(Side::Right).run(check, &p);
        let person = covered.value.as_ref().unwrap().right.as_ref().unwrap().person as f32;
        p.min_covered_person = person + 0.01;
        assert_outcome(
            &SceneBuilder::new().ears_covered(Side::Right).run(check, &p),
            Status::Unknown,
            Reason::EarsUnclear,
        );
        p.min_covered_person = person - 0.01;
        assert_outcome(
            &SceneBuilder::new().ears_covered(Side::Right).run(check, &p),
            Status::Fail,
            Reason::RightEarCovered,
        );
    }

    #[test]
    fn the_skin_share_limit_decides_at_its_edge() {
        let mut p = params();
        let skin = SceneBuilder::new().run(check, &p).value.unwrap().right.unwrap().skin as f32;
        p.min_skin_share = skin - 0.002;
        assert_outcome(&SceneBuilder::new().run(check, &p), Status::Pass, Reason::Ok);
        p.min_skin_share = skin + 0.002;
        assert_ne!(SceneBuilder::new().run(check, &p).status, Status::Pass);
    }

    #[test]
    fn turned_heads_and_cut_zones_are_not_judged() {
        let p = params();
        assert_outcome(&SceneBuilder::new().yaw(35.0).run(check, &p), Status::Unknown, Reason::EarsHiddenByPose);
        assert_outcome(&SceneBuilder::new().yaw(-35.0).run(check, &p), Status::Unknown, Reason::EarsHiddenByPose);
        // the face at the frame's left edge: its right ear zone (image left) lies outside
        let edge = SceneBuilder::new().face_center(60.0, 256.0);
        assert_outcome(&edge.run(check, &p), Status::Unknown, Reason::EarZoneOutsideFrame);
    }

    #[test]
    fn without_one_face_or_big_enough_it_cannot_decide() {
        let p = params();
        let small = SceneBuilder::new().face_width(50.0).run(check, &p);
        assert_eq!((small.status, small.reason), (Status::Unknown, Why::Common(Common::FaceTooSmall)));
        assert_eq!(small.value.unwrap().face_width_px, Some(50.0));
        let none = SceneBuilder::new().no_face().run(check, &p);
        assert_eq!((none.status, none.reason), (Status::Unknown, Why::Common(Common::NoFace)));
        let two = SceneBuilder::new().extra_face().run(check, &p);
        assert_eq!((two.status, two.reason), (Status::Unknown, Why::Common(Common::MultipleFaces)));
    }

    #[test]
    fn no_skin_model_when_the_cheeks_lie_outside_the_frame() {
        // the whole face beyond the frame's right edge: the skin samples hold no pixel
        let r =
            SceneBuilder::new().face_center(700.0, 256.0).run(check, &Params { min_face_width_px: 0.0, ..params() });
        assert_outcome(&r, Status::Unknown, Reason::NoSkinModel);
    }
}
