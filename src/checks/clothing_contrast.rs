//! `clothing_contrast`: the clothing stands out from the standardized photo's background colour.
//!
//! The server cuts the person out and puts them on the profile's background colour (CHSI: light blue
//! RGB(100,197,255)). Clothing of nearly that colour melts into it: one CHSI channel rejects such photos
//! automatically ("black edge"). Measure: a grid over the shoulders and chest (person mask, below the
//! neck, skin-coloured points left out), each point's CIEDE2000 difference from the nearest background
//! colour of the profile; the share of points closer than `max_delta_e` is the share of clothing the
//! background would swallow.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::color::{delta_e2000, Lab};
use crate::imaging::Point;
use crate::observe::regions::{ycbcr, FaceFrame, SkinModel};
use crate::observe::{landmarks as lm, Observation};
use crate::report::{r3, CheckResult, Common, Shape};

/// `clothing_contrast`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The background colours the standardized photo may get (sRGB).
    pub backgrounds: Vec<[u8; 3]>,
    /// A clothing point closer than this CIEDE2000 difference to a background colour looks like it.
    pub max_delta_e: f32,
    /// Largest share of clothing points that may look like a background colour.
    pub max_like_share: f32,
    /// Fewest clothing points (of the 24 × 12 grid) to judge; fewer when the shoulders are out of frame.
    pub min_points: u32,
    /// Face width (cheek to cheek) in input pixels below which the clothing is not judged.
    pub min_face_width_px: f32,
    /// Skin (left out of the clothing): largest chroma Mahalanobis distance from the face's skin colour.
    pub skin_max_chroma: f32,
    /// Skin: least luma ÷ the face's mean skin luma.
    pub skin_min_luma_ratio: f32,
}

crate::reasons! {
    /// Why `clothing_contrast` answered as it did.
    pub enum Reason {
        /// The clothing stands out from the background colours.
        Ok = "ok" => ("衣服与背景色对比清楚", "Clothing contrasts with the background"),
        /// Too much of the clothing has the background's colour.
        ClothingLikeBackground = "clothing_like_background" => (
            "衣服颜色与证件照背景色太接近，请让对方换一件颜色反差大的衣服",
            "Clothing too close to the photo's background colour: ask them to wear a contrasting colour",
        ),
        /// Too little clothing inside the frame.
        ClothingOutOfFrame = "clothing_out_of_frame" => (
            "肩膀和衣服不在画面内，请让对方肩膀入镜",
            "Shoulders and clothing are out of the picture: get the shoulders in the frame",
        ),
        /// Too few face pixels to learn the skin colour (needed to leave the neck out).
        NoSkinModel = "no_skin_model" => ("无法取得肤色，无法判断衣服颜色", "Could not sample the skin colour to judge the clothing"),
    }
}

/// What `clothing_contrast` measured on the shoulders and chest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Clothing points sampled.
    pub points: u32,
    /// Share of them closer than `max_delta_e` to a background colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub like_share: Option<f64>,
    /// Median CIEDE2000 difference from the nearest background colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_delta_e: Option<f64>,
}

/// `clothing_contrast`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// The sample grid: columns across the shoulders, rows down the chest.
const GRID: (usize, usize) = (24, 12);
/// Where the grid lies, in face widths from the chin along the face's axes: half its width, its top (below
/// the neck) and its bottom.
const HALF_WIDTH: f32 = 1.3;
const TOP: f32 = 0.45;
const BOTTOM: f32 = 1.2;
/// Person probability from which a point is the person.
const PERSON: f32 = 0.5;

/// The CIEDE2000 difference of every clothing point from its nearest background colour.
fn clothing_differences(obs: &Observation, ff: &FaceFrame, chin: Point, skin: &SkinModel, p: &Params) -> Vec<f32> {
    let backgrounds: Vec<Lab> = p.backgrounds.iter().map(|&c| Lab::from_srgb(c)).collect();
    let (w, h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let mut out = Vec::with_capacity(GRID.0 * GRID.1);
    for row in 0..GRID.1 {
        let v = TOP + (BOTTOM - TOP) * (row as f32 + 0.5) / GRID.1 as f32;
        for col in 0..GRID.0 {
            let u = HALF_WIDTH * (2.0 * (col as f32 + 0.5) / GRID.0 as f32 - 1.0);
            let q = ff.offset(chin, u, v);
            if q.x < 0.0 || q.y < 0.0 || q.x >= w || q.y >= h || obs.mask.at(q.x, q.y) < PERSON {
                continue;
            }
            let px = obs.frame.pixel(q.x as i64, q.y as i64);
            if skin.is_skin(ycbcr(px), p.skin_max_chroma, p.skin_min_luma_ratio) {
                continue;
            }
            let lab = Lab::from_srgb(px);
            out.push(backgrounds.iter().map(|&b| delta_e2000(lab, b)).fold(f32::INFINITY, f32::min));
        }
    }
    out
}

/// Judges whether the clothing stands out from the profile's background colours.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    if face.width() < p.min_face_width_px {
        return Outcome::unknown_common(Common::FaceTooSmall, None, p);
    }
    let Some(skin) = obs.skin else {
        return Outcome::unknown(Reason::NoSkinModel, None, p);
    };
    let ff = FaceFrame::of(face);
    let chin = face.point(lm::CHIN);
    let mut de = clothing_differences(obs, &ff, chin, &skin, p);
    let corners = [(-HALF_WIDTH, TOP), (HALF_WIDTH, TOP), (HALF_WIDTH, BOTTOM), (-HALF_WIDTH, BOTTOM)];
    let region = vec![Shape::new("clothing", corners.map(|(u, v)| ff.offset(chin, u, v)))];
    let points = de.len() as u32;
    if points < p.min_points.max(1) || p.backgrounds.is_empty() {
        let value = Measure { points, like_share: None, median_delta_e: None };
        return Outcome::unknown(Reason::ClothingOutOfFrame, Some(value), p).with_region(region);
    }
    de.sort_by(f32::total_cmp);
    let like = de.iter().filter(|&&d| d < p.max_delta_e).count() as f32 / de.len() as f32;
    let value = Measure { points, like_share: Some(r3(like)), median_delta_e: Some(r3(de[de.len() / 2])) };
    let outcome = if like > p.max_like_share {
        Outcome::fail(Reason::ClothingLikeBackground, value, p)
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
        profile().clothing_contrast
    }

    /// The CHSI background colours: light blue, white, light grey.
    const BLUE: [u8; 3] = [100, 197, 255];
    const WHITE: [u8; 3] = [255, 255, 255];
    const GREY: [u8; 3] = [240, 240, 240];

    #[test]
    fn every_reason() {
        let cases = [
            (SceneBuilder::new(), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().clothes(BLUE), Status::Fail, Why::Own(Reason::ClothingLikeBackground)),
            // a camera sees the shirt a little darker or lighter than the nominal colour
            (SceneBuilder::new().clothes([88, 180, 240]), Status::Fail, Why::Own(Reason::ClothingLikeBackground)),
            (SceneBuilder::new().clothes(WHITE), Status::Pass, Why::Own(Reason::Ok)),
            // the face fills the frame: no shoulders
            (SceneBuilder::new().face_center(240.0, 560.0), Status::Unknown, Why::Own(Reason::ClothingOutOfFrame)),
            (SceneBuilder::new().face_width(20.0), Status::Unknown, Why::Common(Common::FaceTooSmall)),
            (SceneBuilder::new().no_face(), Status::Unknown, Why::Common(Common::NoFace)),
            (SceneBuilder::new().extra_face(), Status::Unknown, Why::Common(Common::MultipleFaces)),
        ];
        for (b, status, reason) in cases {
            assert_outcome(&b.run(check, &chsi()), status, reason);
        }
    }

    #[test]
    fn each_background_colour_swallows_a_shirt_of_its_own_colour() {
        let all = Params { backgrounds: vec![BLUE, WHITE, GREY], ..chsi() };
        for shirt in [BLUE, WHITE, GREY] {
            let r = SceneBuilder::new().clothes(shirt).run(check, &all);
            assert_outcome(&r, Status::Fail, Why::Own(Reason::ClothingLikeBackground));
            let m = r.value.expect("a measure");
            assert!(m.like_share.unwrap() > 0.95 && m.median_delta_e.unwrap() < 1.0, "{shirt:?}: {m:?}");
            // the same shirt against a background it does not match
            let other = Params { backgrounds: vec![if shirt == BLUE { WHITE } else { BLUE }], ..chsi() };
            assert_eq!(SceneBuilder::new().clothes(shirt).run(check, &other).status, Status::Pass, "{shirt:?}");
        }
        // dark suits, a red and a green shirt stand out from all three
        for shirt in [[48, 52, 70], [20, 20, 20], [180, 30, 40], [40, 120, 60]] {
            let m = SceneBuilder::new().clothes(shirt).run(check, &all).value.expect("a measure");
            assert_eq!(m.like_share, Some(0.0), "{shirt:?}: {m:?}");
            assert!(m.median_delta_e.unwrap() > 20.0, "{shirt:?}: {m:?}");
        }
    }

    #[test]
    fn the_neck_is_not_clothing() {
        // the default scene's skin-coloured neck lies above the grid or is left out as skin: every point is
        // the dark suit
        let m = SceneBuilder::new().run(check, &chsi()).value.expect("a measure");
        let suit = delta_e2000(Lab::from_srgb([48, 52, 70]), Lab::from_srgb(BLUE));
        assert!((m.median_delta_e.unwrap() - f64::from(suit)).abs() < 0.01, "{m:?} vs {suit}");
    }

    #[test]
    fn the_limit_flips_at_the_measured_share() {
        let scene = SceneBuilder::new().clothes([88, 180, 240]).build();
        let at = |max_like_share| check(&scene.observation(), &Params { max_like_share, ..chsi() }).reason;
        let like = check(&scene.observation(), &chsi()).value.unwrap().like_share.unwrap() as f32;
        assert_eq!(at(like - 1e-3), Why::Own(Reason::ClothingLikeBackground));
        assert_eq!(at(like), Why::Own(Reason::Ok));
    }
}
