//! `exposure`: the face neither too dark nor blown out. Measured over the face oval: mean luma and the
//! shares of clipped-white and crushed-black pixels.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::geometry::polygon_pixels;
use crate::observe::{landmarks as lm, Observation};
use crate::report::{r3, CheckResult, Common, Shape};

/// `exposure`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Least mean face luma (0..255).
    pub min_mean_luma: f32,
    /// Largest mean face luma (0..255).
    pub max_mean_luma: f32,
    /// Largest share of face pixels at luma ≥ 250 (blown highlights).
    pub max_clipped_share: f32,
}

crate::reasons! {
    /// Why `exposure` answered as it did.
    pub enum Reason {
        /// Exposure within limits.
        Ok = "ok" => ("曝光正常", "Exposure fine"),
        /// Mean face luma below the minimum.
        TooDark = "too_dark" => ("脸部太暗，请到光线充足处拍摄", "Face too dark: move to better light"),
        /// Mean face luma above the maximum.
        TooBright = "too_bright" => ("脸部太亮，请避开强光", "Face too bright: avoid strong light"),
        /// Too many blown-out face pixels.
        HighlightsClipped = "highlights_clipped" => (
            "脸部有过曝反光，请避开强光直射",
            "Blown highlights on the face: avoid direct strong light",
        ),
    }
}

/// What `exposure` measured over the face oval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Mean luma, 0..255.
    pub mean_luma: f64,
    /// Share of pixels at luma ≥ 250.
    pub clipped_share: f64,
}

/// `exposure`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Luma at or above which a pixel counts as clipped.
const CLIPPED: f32 = 250.0;

/// Judges the face's exposure.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    let oval = face.points(&lm::FACE_OVAL);
    let step = ((face.width() / 48.0) as usize).max(1);
    let pixels = polygon_pixels(&oval, obs.frame.width(), obs.frame.height(), step);
    if pixels.is_empty() {
        return Outcome::unknown_common(Common::FaceTooSmall, None, p);
    }
    let lumas: Vec<f32> = pixels.iter().map(|&(x, y)| obs.gray.get(x, y)).collect();
    let mean = lumas.iter().sum::<f32>() / lumas.len() as f32;
    let clipped = lumas.iter().filter(|&&l| l >= CLIPPED).count() as f32 / lumas.len() as f32;
    let value = Measure { mean_luma: r3(mean), clipped_share: r3(clipped) };
    let region = vec![Shape::new("face", oval)];
    let outcome = if mean < p.min_mean_luma {
        Outcome::fail(Reason::TooDark, value, p)
    } else if mean > p.max_mean_luma {
        Outcome::fail(Reason::TooBright, value, p)
    } else if clipped > p.max_clipped_share {
        Outcome::fail(Reason::HighlightsClipped, value, p)
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

    fn chsi() -> Params {
        profile().exposure
    }

    fn measure(b: &SceneBuilder) -> Measure {
        b.run(check, &chsi()).value.expect("a measure")
    }

    #[test]
    fn every_reason() {
        let cases = [
            (SceneBuilder::new(), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().brightness(0.3), Status::Fail, Why::Own(Reason::TooDark)),
            (SceneBuilder::new().brightness(1.35), Status::Fail, Why::Own(Reason::TooBright)),
            (SceneBuilder::new().clipped_patch(0.16), Status::Fail, Why::Own(Reason::HighlightsClipped)),
            // the face oval lies wholly left of the frame: no face pixel to measure
            (SceneBuilder::new().face_center(-150.0, 256.0), Status::Unknown, Why::Common(Common::FaceTooSmall)),
            (SceneBuilder::new().no_face(), Status::Unknown, Why::Common(Common::NoFace)),
            (SceneBuilder::new().extra_face(), Status::Unknown, Why::Common(Common::MultipleFaces)),
        ];
        for (b, status, reason) in cases {
            let r = b.run(check, &chsi());
            assert_outcome(&r, status, reason);
            assert_eq!(r.value.is_some(), status != Status::Unknown, "{b:?}");
        }
    }

    #[test]
    fn the_measure_is_mean_luma_and_clipped_share_over_the_oval() {
        let normal = measure(&SceneBuilder::new());
        assert_eq!(normal.clipped_share, 0.0);
        // mostly skin (luma ≈ 189), with darker brows, eyes and lips
        assert!(normal.mean_luma > 150.0 && normal.mean_luma < 195.0, "{normal:?}");
        // scaling every pixel scales the mean luma (within the per-channel rounding)
        let half = measure(&SceneBuilder::new().brightness(0.5));
        assert!((half.mean_luma - normal.mean_luma / 2.0).abs() < 1.0, "{normal:?} {half:?}");
        // a white disk of radius 0.16 face widths covers π·0.16² ≈ 8 % of a 1-face-width² area
        let small = measure(&SceneBuilder::new().clipped_patch(0.1)).clipped_share;
        let large = measure(&SceneBuilder::new().clipped_patch(0.16)).clipped_share;
        assert!(small > 0.0 && large > 2.0 * small && large < 0.2, "{small} {large}");
        // everything blown out: every pixel is clipped
        let white = measure(&SceneBuilder::new().brightness(20.0));
        assert_eq!((white.mean_luma, white.clipped_share), (255.0, 1.0));
    }

    #[test]
    fn each_limit_flips_at_the_measured_value() {
        let scene = SceneBuilder::new().clipped_patch(0.12).build();
        let m = check(&scene.observation(), &chsi()).value.expect("a measure");
        let (mean, clipped) = (m.mean_luma as f32, m.clipped_share as f32);
        let at = |p: Params| check(&scene.observation(), &p).reason;
        let open = Params { max_clipped_share: 1.0, ..chsi() };
        assert_eq!(at(Params { min_mean_luma: mean - 2e-3, ..open.clone() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { min_mean_luma: mean + 2e-3, ..open.clone() }), Why::Own(Reason::TooDark));
        assert_eq!(at(Params { max_mean_luma: mean + 2e-3, ..open.clone() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { max_mean_luma: mean - 2e-3, ..open }), Why::Own(Reason::TooBright));
        assert_eq!(at(Params { max_clipped_share: clipped + 2e-3, ..chsi() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { max_clipped_share: clipped - 2e-3, ..chsi() }), Why::Own(Reason::HighlightsClipped));
    }
}
