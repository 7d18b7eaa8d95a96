//! `mouth_closed`: lips naturally closed, no teeth showing.
//!
//! Two measures: the largest inner-lip gap ÷ eye-to-chin distance (OFIQ's raw value), and the share of
//! the mouth (outer lip contour) covered by the opening between the inner lips — teeth in a smile open
//! that area even when the lip landmarks stay close.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::geometry::polygon_area;
use crate::observe::{landmarks as lm, Observation};
use crate::report::{r3, CheckResult, Shape};

/// `mouth_closed`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest inner-lip gap ÷ eye-to-chin distance for a closed mouth.
    pub max_lip_gap_ratio: f32,
    /// Largest area inside the inner lips ÷ area inside the outer lips for a closed mouth.
    pub max_opening_share: f32,
}

crate::reasons! {
    /// Why `mouth_closed` answered as it did.
    pub enum Reason {
        /// Lips closed.
        Ok = "ok" => ("嘴巴自然闭合", "Mouth closed"),
        /// The lips are apart.
        MouthOpen = "mouth_open" => ("请让对方闭上嘴巴，不要露齿", "Mouth open: ask them to close their lips"),
        /// The lips are close but the opening between them (teeth) is large.
        TeethShowing = "teeth_showing" => (
            "露齿了，请让对方自然闭嘴，不要露齿微笑",
            "Teeth showing: ask them to close their lips naturally",
        ),
    }
}

/// What `mouth_closed` measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Largest inner-lip gap ÷ eye-to-chin distance.
    pub lip_gap_ratio: f64,
    /// Area inside the inner lips ÷ area inside the outer lips.
    pub opening_share: f64,
}

/// `mouth_closed`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Upper/lower inner-lip landmark pairs across the mouth.
const GAP_PAIRS: [(usize, usize); 7] =
    [(82, 87), (81, 178), (80, 88), (lm::UPPER_LIP_INNER, lm::LOWER_LIP_INNER), (312, 317), (311, 402), (310, 318)];

/// Judges whether the mouth is closed.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    let norm = face.eye_chin().max(1e-3);
    let gap = GAP_PAIRS.iter().map(|&(a, b)| face.point(a).dist(face.point(b))).fold(0.0, f32::max) / norm;
    let inner = polygon_area(&face.points(&lm::LIPS_INNER));
    let outer = polygon_area(&face.points(&lm::LIPS_OUTER)).max(1e-3);
    let opening = inner / outer;
    let value = Measure { lip_gap_ratio: r3(gap), opening_share: r3(opening) };
    let region = vec![Shape::new("lips", face.points(&lm::LIPS_OUTER))];
    let outcome = if gap > p.max_lip_gap_ratio {
        Outcome::fail(Reason::MouthOpen, value, p)
    } else if opening > p.max_opening_share {
        Outcome::fail(Reason::TeethShowing, value, p)
    } else {
        Outcome::pass(Reason::Ok, value, p)
    };
    outcome.with_region(region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Common, Reason as Why, Status};
    use crate::testkit::{profile, Scene, SceneBuilder};

    fn chsi() -> Params {
        profile().mouth_closed
    }

    fn measure(scene: &Scene) -> Measure {
        check(&scene.observation(), &chsi()).value.expect("a measure")
    }

    /// A slightly parted mouth whose outer lip contour is squeezed toward the mouth's centre line to
    /// `thickness` of its height: thin lips around a visible opening (teeth), the central gap unchanged.
    fn thin_lips(share: f32, thickness: f32) -> Scene {
        let mut scene = SceneBuilder::new().mouth_open(share).build();
        let centre = scene.point(lm::MOUTH_RIGHT_CORNER).mid(scene.point(lm::MOUTH_LEFT_CORNER));
        let mesh = scene.mesh.as_mut().expect("a mesh");
        for i in lm::LIPS_OUTER {
            mesh.points[i][1] = centre.y + thickness * (mesh.points[i][1] - centre.y);
        }
        scene
    }

    #[test]
    fn every_reason() {
        let cases = [
            (SceneBuilder::new().build(), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().mouth_open(0.02).build(), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().mouth_open(0.1).build(), Status::Fail, Why::Own(Reason::MouthOpen)),
            // the gap is judged first: teeth in a wide-open mouth are still `mouth_open`
            (SceneBuilder::new().mouth_open(0.1).teeth().build(), Status::Fail, Why::Own(Reason::MouthOpen)),
            (thin_lips(0.03, 0.3), Status::Fail, Why::Own(Reason::TeethShowing)),
            (SceneBuilder::new().no_face().build(), Status::Unknown, Why::Common(Common::NoFace)),
            (SceneBuilder::new().extra_face().build(), Status::Unknown, Why::Common(Common::MultipleFaces)),
        ];
        for (i, (scene, status, reason)) in cases.iter().enumerate() {
            let r = check(&scene.observation(), &chsi());
            assert_eq!((r.status, r.reason), (*status, *reason), "case {i}: {r:?}");
            assert_eq!((r.message_zh, r.message_en), reason.messages());
            assert_eq!(r.value.is_some(), *status != Status::Unknown, "case {i}");
        }
    }

    #[test]
    fn the_gap_is_the_lower_lip_drop_over_eye_to_chin() {
        // closed lips touch: no gap, no opening
        assert_eq!(measure(&SceneBuilder::new().build()), Measure { lip_gap_ratio: 0.0, opening_share: 0.0 });
        let mut last = 0.0;
        for share in [0.02, 0.05, 0.1] {
            let m = measure(&SceneBuilder::new().mouth_open(share).build());
            assert!((m.lip_gap_ratio - f64::from(share)).abs() < 2e-3, "{share}: {m:?}");
            assert!(m.opening_share > last && m.opening_share < 1.0, "{share}: {m:?}");
            last = m.opening_share;
        }
        // thinner lips leave the gap alone and raise the opening's share of the mouth
        let (normal, thin) = (measure(&thin_lips(0.03, 1.0)), measure(&thin_lips(0.03, 0.5)));
        assert_eq!(normal.lip_gap_ratio, thin.lip_gap_ratio);
        assert!(thin.opening_share > 1.5 * normal.opening_share, "{normal:?} {thin:?}");
    }

    #[test]
    fn both_limits_flip_at_the_measured_value() {
        let scene = SceneBuilder::new().mouth_open(0.03).build();
        let m = measure(&scene);
        assert!(m.opening_share > 0.01, "{m:?}");
        let at = |p: Params| check(&scene.observation(), &p).reason;
        let (gap, opening) = (m.lip_gap_ratio as f32, m.opening_share as f32);
        assert_eq!(at(Params { max_lip_gap_ratio: gap + 2e-3, ..chsi() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { max_lip_gap_ratio: gap - 2e-3, ..chsi() }), Why::Own(Reason::MouthOpen));
        assert_eq!(at(Params { max_opening_share: opening + 2e-3, ..chsi() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { max_opening_share: opening - 2e-3, ..chsi() }), Why::Own(Reason::TeethShowing));
    }
}
