//! `shadow_free`: no shadow cast behind the head, no hard shadow across the face, no red-eye.
//!
//! Three measures, each cheap enough for every frame:
//! - **behind the head**: rays from the head's centre across the upper half of its outline (the person
//!   mask's edge); on each, the background just outside the outline ÷ the background further out. A
//!   flash or lamp in front casts a darker band hugging the head; hair just outside the mask is much darker
//!   still, so a ray counts only when its ratio lies between `min_halo_ratio` and `max_halo_ratio`.
//! - **on the face**: skin below the eyes (cheeks, nose, mouth, chin; the lips left out), the share of
//!   points darker than `face_shadow_ratio` × the face's bright level (its 90th luma percentile). Soft
//!   shading stays above it; a hard shadow (nose, glasses, a hand, the hair) falls below.
//! - **red-eye**: the pupil disc of each open eye, the share of strongly red pixels.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::geometry::point_in_polygon;
use crate::imaging::Point;
use crate::observe::regions::FaceFrame;
use crate::observe::{landmarks as lm, Face, Observation};
use crate::report::{r3, CheckResult, Common, Shape};

/// `shadow_free`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Face width (cheek to cheek) in input pixels below which shadows are not judged.
    pub min_face_width_px: f32,
    /// A ray is shadowed when the background next to the head is at most this share of the background
    /// further out …
    pub max_halo_ratio: f32,
    /// … and at least this share (darker still is hair the mask left out, not a shadow).
    pub min_halo_ratio: f32,
    /// Largest share of the outline's rays that may be shadowed.
    pub max_halo_share: f32,
    /// Fewest rays with background on both sides of the band to judge the shadow behind the head.
    pub min_outline_rays: u32,
    /// Largest spread (standard deviation ÷ mean) of the outer background across the rays: a busier
    /// background (flags, furniture, a gradient) makes near ÷ far meaningless, and the shadow is not judged.
    pub max_background_spread: f32,
    /// A face point is in shadow below this share of the face's bright level (90th luma percentile).
    pub face_shadow_ratio: f32,
    /// Largest share of face points in shadow.
    pub max_face_dark_share: f32,
    /// A pupil pixel is red when (R − max(G, B)) ÷ R reaches this.
    pub min_redness: f32,
    /// Largest share of red pixels in either pupil.
    pub max_red_share: f32,
}

crate::reasons! {
    /// Why `shadow_free` answered as it did.
    pub enum Reason {
        /// No shadow behind the head or across the face, no red-eye.
        Ok = "ok" => ("无阴影、无红眼", "No shadows, no red-eye"),
        /// A hard shadow across the face.
        ShadowOnFace = "shadow_on_face" => (
            "脸上有明显阴影，请让对方面向光源、避开遮挡",
            "Hard shadow on the face: have them face the light, nothing between",
        ),
        /// A shadow cast on the background around the head.
        ShadowBehindHead = "shadow_behind_head" => (
            "头部后面的背景上有阴影，请让对方离墙远一点或关闭闪光灯",
            "Shadow on the background behind the head: step away from the wall or turn off the flash",
        ),
        /// Red pupils (flash).
        RedEye = "red_eye" => ("出现红眼，请关闭闪光灯重拍", "Red-eye: turn off the flash and retake"),
        /// Too little plain background around the head to see a shadow on it.
        OutlineNotVisible = "outline_not_visible" => (
            "头部周围露出的纯色背景太少，无法判断是否有阴影，请稍微后退、站到纯色墙前",
            "Too little plain background around the head to judge shadows: step back, in front of a plain wall",
        ),
    }
}

/// What `shadow_free` measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Rays across the head's outline with background on both sides of the band.
    pub outline_rays: u32,
    /// Spread (standard deviation ÷ mean) of the outer background over those rays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_spread: Option<f64>,
    /// Share of those rays with a shadow band next to the head.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub halo_share: Option<f64>,
    /// Share of the face's skin points in shadow.
    pub face_dark_share: f64,
    /// Largest share of red pixels in a pupil (absent when both eyes are closed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub red_share: Option<f64>,
}

/// `shadow_free`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Rays over the upper half of the head's outline, from the subject's right (image left) over the crown.
const RAYS: usize = 24;
/// Where the rays start looking for the outline, how far they go and their step, in face widths.
const RAY_FROM: f32 = 0.3;
const RAY_TO: f32 = 1.6;
const RAY_STEP: f32 = 0.02;
/// The band next to the head and the reference further out, in face widths beyond the outline.
const NEAR: (f32, f32) = (0.06, 0.16);
const FAR: (f32, f32) = (0.35, 0.55);
/// Samples per band.
const BAND_SAMPLES: usize = 5;
/// Person probability from which a point is the person, and below which it is background.
const PERSON: f32 = 0.5;
const BACKGROUND: f32 = 0.2;
/// The face grid: points across the face's width, and how much the face oval is shrunk toward its centre
/// (its edge touches hair and background).
const FACE_GRID: usize = 24;
const OVAL_SHRINK: f32 = 0.85;
/// Face points start this far below the eye line (face widths): brows and eye sockets are shaded by nature.
const BELOW_EYES: f32 = 0.15;
/// Bright level of the face: this luma percentile (higher ones land on specular highlights, which are
/// brighter relative to the skin on darker skin).
const BRIGHT_PERCENTILE: f32 = 0.75;
/// Pupil disc radius ÷ the eye's opening; a pupil pixel must also be at least this bright in red.
const PUPIL: f32 = 0.35;
const MIN_RED: u8 = 100;
/// Eyes open less than this (pixels) show no pupil.
const MIN_OPENING_PX: f32 = 2.0;

/// Mean grey value along a ray between two distances, over background points inside the frame.
fn band_mean(obs: &Observation, at: impl Fn(f32) -> Point, (from, to): (f32, f32)) -> Option<f32> {
    let (w, h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let (mut sum, mut n) = (0.0, 0);
    for k in 0..BAND_SAMPLES {
        let q = at(from + (to - from) * (k as f32 + 0.5) / BAND_SAMPLES as f32);
        if q.x >= 0.0 && q.y >= 0.0 && q.x < w && q.y < h && obs.mask.at(q.x, q.y) < BACKGROUND {
            sum += obs.gray.sample(q.x, q.y);
            n += 1;
        }
    }
    (n * 2 > BAND_SAMPLES).then(|| sum / n as f32)
}

/// Near and far background on each ray that crosses the head's outline with background on both sides.
fn halo_bands(obs: &Observation, ff: &FaceFrame) -> Vec<(f32, f32)> {
    let centre = ff.origin;
    let (w, h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let mut ratios = Vec::with_capacity(RAYS);
    for k in 0..RAYS {
        // from the subject's right (u < 0) over the crown (v < 0) to their left
        let theta = std::f32::consts::PI * (1.0 + (k as f32 + 0.5) / RAYS as f32);
        let (du, dv) = (theta.cos(), theta.sin());
        let at = |r: f32| ff.offset(centre, r * du, r * dv);
        let mut r = RAY_FROM;
        let mut edge = None;
        while r <= RAY_TO {
            let q = at(r);
            if q.x < 0.0 || q.y < 0.0 || q.x >= w || q.y >= h {
                break;
            }
            if obs.mask.at(q.x, q.y) < PERSON {
                edge = Some(r);
                break;
            }
            r += RAY_STEP;
        }
        let Some(edge) = edge else { continue };
        let near = band_mean(obs, at, (edge + NEAR.0, edge + NEAR.1));
        let far = band_mean(obs, at, (edge + FAR.0, edge + FAR.1));
        if let (Some(near), Some(far)) = (near, far) {
            ratios.push((near, far.max(1.0)));
        }
    }
    ratios
}

/// The face oval shrunk toward its centre (its edge touches hair and background).
fn inner_oval(face: &Face) -> Vec<Point> {
    let oval = face.points(&lm::FACE_OVAL);
    let c = oval.iter().fold(Point::new(0.0, 0.0), |a, p| Point::new(a.x + p.x, a.y + p.y));
    let c = Point::new(c.x / oval.len() as f32, c.y / oval.len() as f32);
    oval.iter().map(|&p| c.lerp(p, OVAL_SHRINK)).collect()
}

/// Share of the face's skin points (below the eyes, inside the shrunk oval, outside the lips) darker than
/// `ratio` × its bright level.
fn face_dark_share(obs: &Observation, face: &Face, ff: &FaceFrame, ratio: f32) -> f32 {
    let oval = inner_oval(face);
    let lips = face.points(&lm::LIPS_OUTER);
    let (x0, y0, x1, y1) = crate::imaging::geometry::bounds(oval.iter().copied());
    let step = ((x1 - x0) / FACE_GRID as f32).max(1.0);
    let (w, h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let mut luma = Vec::with_capacity(FACE_GRID * FACE_GRID);
    let mut y = y0 + step / 2.0;
    while y < y1 {
        let mut x = x0 + step / 2.0;
        while x < x1 {
            let q = Point::new(x, y);
            let inside = q.x < w && q.y < h && q.x >= 0.0 && q.y >= 0.0;
            if inside && ff.to_face(q).1 >= BELOW_EYES && point_in_polygon(q, &oval) && !point_in_polygon(q, &lips) {
                luma.push(obs.gray.sample(x, y));
            }
            x += step;
        }
        y += step;
    }
    if luma.is_empty() {
        return 0.0;
    }
    luma.sort_by(f32::total_cmp);
    let bright = luma[((luma.len() - 1) as f32 * BRIGHT_PERCENTILE) as usize];
    luma.iter().filter(|&&v| v < ratio * bright).count() as f32 / luma.len() as f32
}

/// Largest share of red pixels in the pupil disc of an open eye; `None` when both eyes are closed.
fn red_share(obs: &Observation, face: &Face, min_redness: f32) -> Option<f32> {
    let eyes = [
        (lm::RIGHT_EYE_OUTER, lm::RIGHT_EYE_INNER, lm::RIGHT_EYE_UPPER, lm::RIGHT_EYE_LOWER),
        (lm::LEFT_EYE_OUTER, lm::LEFT_EYE_INNER, lm::LEFT_EYE_UPPER, lm::LEFT_EYE_LOWER),
    ];
    let mut worst: Option<f32> = None;
    for (outer, inner, upper, lower) in eyes {
        let opening = face.point(upper).dist(face.point(lower));
        if opening < MIN_OPENING_PX {
            continue;
        }
        let centre = face.point(outer).mid(face.point(inner)).mid(face.point(upper).mid(face.point(lower)));
        let r = (PUPIL * opening).max(1.0);
        let (mut red, mut n) = (0usize, 0usize);
        let span = r.ceil() as i64;
        for dy in -span..=span {
            for dx in -span..=span {
                if ((dx * dx + dy * dy) as f32) > r * r {
                    continue;
                }
                let [pr, pg, pb] = obs.frame.pixel(centre.x as i64 + dx, centre.y as i64 + dy);
                n += 1;
                let redness = (f32::from(pr) - f32::from(pg.max(pb))) / f32::from(pr.max(1));
                if pr >= MIN_RED && redness >= min_redness {
                    red += 1;
                }
            }
        }
        let share = red as f32 / n.max(1) as f32;
        worst = Some(worst.map_or(share, |w| w.max(share)));
    }
    worst
}

/// Judges whether the photo is free of cast shadows and red-eye.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    if face.width() < p.min_face_width_px {
        return Outcome::unknown_common(Common::FaceTooSmall, None, p);
    }
    let ff = FaceFrame::of(face);
    let bands = halo_bands(obs, &ff);
    let outline_rays = bands.len() as u32;
    let (far_mean, far_std) = crate::imaging::gray::mean_std(bands.iter().map(|b| b.1));
    let spread = (!bands.is_empty()).then(|| far_std / far_mean.max(1.0));
    let judged = outline_rays >= p.min_outline_rays.max(1) && spread.is_some_and(|s| s <= p.max_background_spread);
    let shadowed = bands.iter().filter(|(near, far)| (p.min_halo_ratio..=p.max_halo_ratio).contains(&(near / far)));
    let halo_share = judged.then(|| shadowed.count() as f32 / bands.len() as f32);
    let dark = face_dark_share(obs, face, &ff, p.face_shadow_ratio);
    let red = red_share(obs, face, p.min_redness);
    let value = Measure {
        outline_rays,
        background_spread: spread.map(r3),
        halo_share: halo_share.map(r3),
        face_dark_share: r3(dark),
        red_share: red.map(r3),
    };
    let outcome = if dark > p.max_face_dark_share {
        Outcome::fail(Reason::ShadowOnFace, value, p)
    } else if halo_share.is_some_and(|s| s > p.max_halo_share) {
        Outcome::fail(Reason::ShadowBehindHead, value, p)
    } else if red.is_some_and(|s| s > p.max_red_share) {
        Outcome::fail(Reason::RedEye, value, p)
    } else if !judged {
        Outcome::unknown(Reason::OutlineNotVisible, Some(value), p)
    } else {
        Outcome::pass(Reason::Ok, value, p)
    };
    outcome.with_region(vec![Shape::new("face", inner_oval(face))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, SceneBuilder, Side};

    fn chsi() -> Params {
        profile().shadow_free
    }

    #[test]
    fn every_reason() {
        let cases = [
            (SceneBuilder::new(), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().face_shadow(0.45), Status::Fail, Why::Own(Reason::ShadowOnFace)),
            (SceneBuilder::new().head_shadow(0.6), Status::Fail, Why::Own(Reason::ShadowBehindHead)),
            (SceneBuilder::new().red_eye(Side::Left), Status::Fail, Why::Own(Reason::RedEye)),
            (SceneBuilder::new().red_eye(Side::Both), Status::Fail, Why::Own(Reason::RedEye)),
            // the head fills the frame: no background around it
            (
                SceneBuilder::new().frame_size(240, 240).face_width(200.0),
                Status::Unknown,
                Why::Own(Reason::OutlineNotVisible),
            ),
            (SceneBuilder::new().face_width(20.0), Status::Unknown, Why::Common(Common::FaceTooSmall)),
            (SceneBuilder::new().no_face(), Status::Unknown, Why::Common(Common::NoFace)),
            (SceneBuilder::new().extra_face(), Status::Unknown, Why::Common(Common::MultipleFaces)),
        ];
        for (b, status, reason) in cases {
            assert_outcome(&b.run(check, &chsi()), status, reason);
        }
    }

    #[test]
    fn even_light_and_soft_shadows_pass() {
        // a uniformly darker face, the 阴阳脸 of `lighting_even`, a faint background shadow
        for b in [
            SceneBuilder::new().brightness(0.6),
            SceneBuilder::new().dark_side(Side::Left, 0.8),
            SceneBuilder::new().head_shadow(0.92),
            SceneBuilder::new().face_shadow(0.85),
        ] {
            let r = b.run(check, &chsi());
            assert_outcome(&r, Status::Pass, Why::Own(Reason::Ok));
        }
        let m = SceneBuilder::new().run(check, &chsi()).value.expect("a measure");
        assert_eq!((m.halo_share, m.face_dark_share, m.red_share), (Some(0.0), 0.0, Some(0.0)), "{m:?}");
        assert!(m.outline_rays >= 20, "{m:?}");
    }

    #[test]
    fn hair_left_outside_the_mask_is_not_a_shadow() {
        // a near-black band next to the head (hair the mask missed) is darker than any cast shadow
        let m = SceneBuilder::new().head_shadow(0.15).run(check, &chsi()).value.expect("a measure");
        assert_eq!(m.halo_share, Some(0.0), "{m:?}");
    }

    #[test]
    fn closed_eyes_show_no_red_eye() {
        let r = SceneBuilder::new().red_eye(Side::Both).eyes_closed(Side::Both).run(check, &chsi());
        assert_eq!(r.value.expect("a measure").red_share, None);
        assert_eq!(r.status, Status::Pass);
    }

    #[test]
    fn each_limit_flips_at_its_measured_value() {
        let scene = SceneBuilder::new().face_shadow(0.45).build();
        let dark = check(&scene.observation(), &chsi()).value.unwrap().face_dark_share as f32;
        let at = |max_face_dark_share| check(&scene.observation(), &Params { max_face_dark_share, ..chsi() }).reason;
        assert_eq!(at(dark - 2e-3), Why::Own(Reason::ShadowOnFace));
        assert_eq!(at(dark + 2e-3), Why::Own(Reason::Ok));

        let scene = SceneBuilder::new().head_shadow(0.6).build();
        let halo = check(&scene.observation(), &chsi()).value.unwrap().halo_share.unwrap() as f32;
        let at = |max_halo_share| check(&scene.observation(), &Params { max_halo_share, ..chsi() }).reason;
        assert_eq!(at(halo - 2e-3), Why::Own(Reason::ShadowBehindHead));
        assert_eq!(at(halo + 2e-3), Why::Own(Reason::Ok));
    }
}
