//! `no_jewelry`: no earrings, no necklace.
//!
//! Measure: two kinds of zone, sampled on small grids (a few hundred pixels in all). The ear-lobe zones
//! hang below each ear beside the jaw (from the face edge at landmark 93 / 323, where `ears_visible`'s ear
//! zone ends, outward and down); the neckline band lies below the chin (landmark 152) across the neck.
//! In each zone, person pixels (the person mask) whose chroma is far from the face's skin and that are
//! much brighter than the skin (metal, pearls: `bright`) or strongly coloured (gold, stones: `colour`) are
//! counted, as shares of the zone's in-frame samples. Hair is darker than skin, neck skin is skin, and background
//! is not the person, so neither counts; a white collar or a bright patterned shirt does (a known false
//! alarm of the neckline band). A zone mostly outside the frame is not judged (`unknown`), which on tight
//! face crops is the usual answer for the neckline.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::Point;
use crate::observe::landmarks as lm;
use crate::observe::regions::{ycbcr, FaceFrame, SkinModel};
use crate::observe::{Face, Observation};
use crate::report::{r3, CheckResult, Common, Shape};

/// `no_jewelry`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Face width (cheek to cheek) in input pixels below which an earring is a few pixels.
    pub min_face_width_px: f32,
    /// Above this |yaw| the ear-lobe zone turned away from the camera is not judged.
    pub max_yaw_deg: f32,
    /// The ear-lobe zone reaches this far inside the face edge (landmark 93 / 323) …
    pub lobe_inset: f32,
    /// … this far outside it …
    pub lobe_outset: f32,
    /// … from this far above the landmark …
    pub lobe_above: f32,
    /// … to this far below it, in face widths.
    pub lobe_below: f32,
    /// The neckline band starts this far below the chin (landmark 152) …
    pub neck_from: f32,
    /// … ends this far below it …
    pub neck_to: f32,
    /// … and reaches this far either side of the face's midline, in face widths.
    pub neck_half_width: f32,
    /// Judge a zone only when at least this share of it lies inside the frame.
    pub min_in_frame: f32,
    /// A sample counts only when its chroma lies at least this many skin standard deviations from the skin
    /// colour (skin, however brightly lit, is not jewellery) …
    pub min_chroma: f32,
    /// … as bright when its luma is at least this many times the skin's mean luma …
    pub bright_rel_luma: f32,
    /// … or as coloured when its colourfulness √((Cb−128)² + (Cr−128)²) is at least this.
    pub colour_min_saturation: f32,
    /// Earrings: a lobe zone's bright share at least this …
    pub min_lobe_bright: f32,
    /// … or its coloured share at least this.
    pub min_lobe_colour: f32,
    /// Necklace: the neckline band's bright share at least this …
    pub min_neck_bright: f32,
    /// … or its coloured share at least this.
    pub min_neck_colour: f32,
}

crate::reasons! {
    /// Why `no_jewelry` answered as it did.
    pub enum Reason {
        /// Neither earrings nor a necklace.
        Ok = "ok" => ("未佩戴耳环或项链", "No earrings or necklace"),
        /// Something bright or coloured below an ear.
        Earrings = "earrings" => ("请让对方摘下耳环", "Ask them to take off the earrings"),
        /// Something bright or coloured across the neck.
        Necklace = "necklace" => ("请让对方摘下项链", "Ask them to take off the necklace"),
        /// The ear-lobe zones lie outside the frame or behind the turned head.
        EarlobesNotVisible = "earlobes_not_visible" => (
            "耳垂不在画面内，请让对方正对镜头、整个头部入镜",
            "The ear lobes are not in the picture: have them face the camera with the whole head in the frame",
        ),
        /// The neckline lies outside the frame.
        NecklineOutsideFrame = "neckline_outside_frame" => (
            "颈部不在画面内，请让对方的肩膀和颈部入镜",
            "The neck is outside the picture: get the neck and shoulders in the frame",
        ),
        /// Too few face pixels to learn the skin colour.
        NoSkinModel = "no_skin_model" => ("无法取得肤色，无法判断饰品", "Could not sample the skin colour to judge jewellery"),
    }
}

/// One zone's shares of bright and coloured person samples.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Zone {
    /// Share of the zone's in-frame samples that are bright person pixels.
    pub bright: f64,
    /// Share of the zone's in-frame samples that are coloured person pixels.
    pub colour: f64,
    /// Share of the zone inside the frame.
    pub in_frame: f64,
    /// Whether the zone was judged (inside the frame, not behind the turned head).
    pub judged: bool,
}

/// What `no_jewelry` measured (the subject's sides).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Cheek-to-cheek face width (only when the face was too small to judge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_width_px: Option<f64>,
    /// Below the subject's right ear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<Zone>,
    /// Below the subject's left ear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<Zone>,
    /// Across the neck below the chin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neck: Option<Zone>,
}

/// `no_jewelry`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Grid of each zone: points across (away from the face / along the neck) and down.
const LOBE_GRID: (usize, usize) = (8, 14);
const NECK_GRID: (usize, usize) = (18, 8);

/// Samples the quadrilateral `corners` (top-left, top-right, bottom-right, bottom-left in the zone's own
/// sense) on a `grid` and counts bright and coloured person samples.
fn zone(obs: &Observation, skin: &SkinModel, corners: [Point; 4], grid: (usize, usize), p: &Params) -> Zone {
    let (w, h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let (mut inside, mut bright, mut colour) = (0usize, 0usize, 0usize);
    for j in 0..grid.1 {
        let t = (j as f32 + 0.5) / grid.1 as f32;
        let (l, r) = (corners[0].lerp(corners[3], t), corners[1].lerp(corners[2], t));
        for i in 0..grid.0 {
            let q = l.lerp(r, (i as f32 + 0.5) / grid.0 as f32);
            if q.x < 0.0 || q.y < 0.0 || q.x >= w || q.y >= h {
                continue;
            }
            inside += 1;
            if obs.mask.at(q.x, q.y) < 0.5 {
                continue;
            }
            let c = ycbcr(obs.frame.pixel(q.x as i64, q.y as i64));
            // skin-coloured samples never count, however bright (a lit neck is skin)
            if skin.chroma_distance(c) < p.min_chroma {
                continue;
            }
            if c[0] >= p.bright_rel_luma * skin.mean[0] {
                bright += 1;
            } else if ((c[1] - 128.0).powi(2) + (c[2] - 128.0).powi(2)).sqrt() >= p.colour_min_saturation {
                colour += 1;
            }
        }
    }
    let n = inside.max(1) as f32;
    let in_frame = inside as f32 / (grid.0 * grid.1) as f32;
    Zone {
        bright: r3(bright as f32 / n),
        colour: r3(colour as f32 / n),
        in_frame: r3(in_frame),
        judged: in_frame >= p.min_in_frame,
    }
}

/// The zone below the subject's right (`right`) or left ear lobe.
fn lobe_corners(face: &Face, ff: &FaceFrame, right: bool, p: &Params) -> [Point; 4] {
    let (anchor, out) = if right { (face.point(93), -1.0) } else { (face.point(323), 1.0) };
    let (inner, outer) = (-out * p.lobe_inset, out * p.lobe_outset);
    [
        ff.offset(anchor, inner, -p.lobe_above),
        ff.offset(anchor, outer, -p.lobe_above),
        ff.offset(anchor, outer, p.lobe_below),
        ff.offset(anchor, inner, p.lobe_below),
    ]
}

/// The neckline band below the chin.
fn neck_corners(face: &Face, ff: &FaceFrame, p: &Params) -> [Point; 4] {
    let chin = face.point(lm::CHIN);
    let hw = p.neck_half_width;
    [
        ff.offset(chin, -hw, p.neck_from),
        ff.offset(chin, hw, p.neck_from),
        ff.offset(chin, hw, p.neck_to),
        ff.offset(chin, -hw, p.neck_to),
    ]
}

/// Judges whether earrings or a necklace show.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    if face.width() < p.min_face_width_px {
        let value = Measure { face_width_px: Some(r3(face.width())), right: None, left: None, neck: None };
        return Outcome::unknown_common(Common::FaceTooSmall, Some(value), p);
    }
    let Some(skin) = obs.skin else { return Outcome::unknown(Reason::NoSkinModel, None, p) };
    let ff = FaceFrame::of(face);
    let yaw = face.pose.map(|q| q.yaw_deg).unwrap_or(0.0);
    let lobe = |right: bool| {
        let mut z = zone(obs, &skin, lobe_corners(face, &ff, right, p), LOBE_GRID, p);
        // yaw > 0: the face turns to the subject's right, so the right lobe goes behind the head
        let hidden = if right { yaw > p.max_yaw_deg } else { -yaw > p.max_yaw_deg };
        z.judged &= !hidden;
        z
    };
    let (right, left) = (lobe(true), lobe(false));
    let neck = zone(obs, &skin, neck_corners(face, &ff, p), NECK_GRID, p);
    let earring = |z: &Zone| z.judged && (z.bright >= p.min_lobe_bright as f64 || z.colour >= p.min_lobe_colour as f64);
    let earrings = earring(&right) || earring(&left);
    let necklace = neck.judged && (neck.bright >= p.min_neck_bright as f64 || neck.colour >= p.min_neck_colour as f64);
    let (lobes_judged, neck_judged) = (right.judged && left.judged, neck.judged);
    let value = Measure { face_width_px: None, right: Some(right), left: Some(left), neck: Some(neck) };
    let region = vec![
        Shape::new("right_lobe", lobe_corners(face, &ff, true, p)),
        Shape::new("left_lobe", lobe_corners(face, &ff, false, p)),
        Shape::new("neckline", neck_corners(face, &ff, p)),
    ];
    let outcome = if earrings {
        Outcome::fail(Reason::Earrings, value, p)
    } else if necklace {
        Outcome::fail(Reason::Necklace, value, p)
    } else if !lobes_judged {
        Outcome::unknown(Reason::EarlobesNotVisible, Some(value), p)
    } else if !neck_judged {
        Outcome::unknown(Reason::NecklineOutsideFrame, Some(value), p)
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
        profile().no_jewelry
    }

    #[test]
    fn earrings_and_a_necklace_fail() {
        let p = params();
        assert_outcome(&SceneBuilder::new().run(check, &p), Status::Pass, Reason::Ok);
        assert_outcome(&SceneBuilder::new().earrings().run(check, &p), Status::Fail, Reason::Earrings);
        assert_outcome(&SceneBuilder::new().necklace().run(check, &p), Status::Fail, Reason::Necklace);
        assert_outcome(&SceneBuilder::new().earrings().necklace().run(check, &p), Status::Fail, Reason::Earrings);
    }

    #[test]
    fn the_share_limits_decide_at_their_edge() {
        let m = SceneBuilder::new().earrings().necklace().run(check, &params()).value.unwrap();
        let lobe = m.right.unwrap();
        let neck = m.neck.unwrap();
        let p = Params {
            min_lobe_bright: lobe.bright as f32 + 0.002,
            min_lobe_colour: lobe.colour as f32 + 0.002,
            min_neck_bright: neck.bright as f32 + 0.002,
            min_neck_colour: neck.colour as f32 + 0.002,
            ..params()
        };
        assert_outcome(&SceneBuilder::new().earrings().necklace().run(check, &p), Status::Pass, Reason::Ok);
    }

    #[test]
    fn zones_outside_the_frame_or_behind_the_head_are_not_judged() {
        let p = params();
        assert_outcome(&SceneBuilder::new().yaw(35.0).run(check, &p), Status::Unknown, Reason::EarlobesNotVisible);
        // the face low in the frame: the neck below the chin is cut off
        let low = SceneBuilder::new().face_center(240.0, 560.0).run(check, &p);
        assert_outcome(&low, Status::Unknown, Reason::NecklineOutsideFrame);
        // an earring still fails when the neck is cut off
        let low = SceneBuilder::new().face_center(240.0, 560.0).earrings().run(check, &p);
        assert_outcome(&low, Status::Fail, Reason::Earrings);
    }

    #[test]
    fn without_one_face_or_big_enough_it_cannot_decide() {
        let p = params();
        let small = SceneBuilder::new().face_width(20.0).run(check, &p);
        assert_eq!((small.status, small.reason), (Status::Unknown, Why::Common(Common::FaceTooSmall)));
        let none = SceneBuilder::new().no_face().run(check, &p);
        assert_eq!((none.status, none.reason), (Status::Unknown, Why::Common(Common::NoFace)));
        let far = SceneBuilder::new().face_center(700.0, 256.0).run(check, &Params { min_face_width_px: 0.0, ..p });
        assert_outcome(&far, Status::Unknown, Reason::NoSkinModel);
    }
}
