//! `background_plain`: the background (outside the person mask) plain and uniform.
//!
//! Measured on a grid over the frame, on points the person mask calls background with a margin: the
//! spread (standard deviation) of luma, and the share of points on an edge (luma step over one grid
//! cell larger than `EDGE_STEP`).

use serde::{Deserialize, Serialize};

use crate::report::{r3, CheckResult};

use crate::imaging::gray::{mean_std, Tap};
use crate::observe::Observation;

/// `background_plain`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest standard deviation of background luma (0..255).
    pub max_luma_std: f32,
    /// Largest share of background points on an edge (texture, objects, patterns).
    pub max_edge_share: f32,
    /// Below this share of the frame as background, the check cannot decide.
    pub min_background_share: f32,
}

crate::reasons! {
    /// Why `background_plain` answered as it did.
    pub enum Reason {
        /// A plain background.
        Ok = "ok" => ("背景纯净", "Plain background"),
        /// Too many edges: texture, objects, patterns.
        BackgroundBusy = "background_busy" => ("背景杂乱，请站到纯色墙面前拍摄", "Busy background: stand in front of a plain wall"),
        /// Luma varies too much across the background.
        BackgroundUneven = "background_uneven" => (
            "背景明暗不均，请站到均匀照明的纯色墙面前",
            "Uneven background: use an evenly lit plain wall",
        ),
        /// Too little background shows to judge it.
        LittleBackground = "little_background" => (
            "背景露出太少，无法判断，请稍微后退",
            "Too little background to judge: step back a little",
        ),
    }
}

/// What `background_plain` measured on a grid of background points.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Share of grid points that are background.
    pub background_share: f64,
    /// Mean background luma, 0..255 (absent with too little background).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_luma: Option<f64>,
    /// Standard deviation of background luma.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub luma_std: Option<f64>,
    /// Share of background points on an edge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge_share: Option<f64>,
}

/// `background_plain`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Grid points along the long side.
const GRID: f32 = 160.0;
/// Person probability below which a point is background.
const BACKGROUND_PROB: f32 = 0.1;
/// A background point also needs background this far away (share of the long side) in each direction.
const MARGIN: f32 = 0.03;
/// Luma difference between neighbouring grid points that counts as an edge.
const EDGE_STEP: f32 = 12.0;

/// The grid's background points: how many grid points there are, the luma of each background point
/// (row by row), and how many of them sit on an edge.
struct Scan {
    total: usize,
    lumas: Vec<f32>,
    edges: usize,
}

/// Grid coordinates along an axis of `len` pixels: `step / 2`, then each the previous plus `step` while a
/// neighbour `step` further still lies inside — and that last neighbour, so the list is one longer than
/// the grid.
fn grid(step: f32, len: f32) -> Vec<f32> {
    let mut out = Vec::new();
    let mut v = step / 2.0;
    while v + step < len {
        out.push(v);
        v += step;
    }
    out.push(v);
    out
}

/// Scans the grid. A point is background when the mask is below `BACKGROUND_PROB` at it and `margin`
/// away in each direction; its edge test compares its luma with the right and lower neighbours'. The
/// mask and grey image are sampled through taps worked out once per column and row, and each grid
/// point's luma once: the same values as sampling each point on its own.
fn scan(obs: &Observation) -> Scan {
    let (mask, gray) = (obs.mask, &obs.gray);
    let (w, h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let step = (w.max(h) / GRID).max(1.0);
    let margin = MARGIN * w.max(h);
    let (xs, ys) = (grid(step, w), grid(step, h));
    let (nx, ny) = (xs.len() - 1, ys.len() - 1);
    // the mask at the point, `margin` after it and `margin` before it, clamped to the frame
    let offsets = [0.0, margin, -margin];
    let mask_x: Vec<[Tap; 3]> =
        xs[..nx].iter().map(|&x| offsets.map(|d| mask.tap_x((x + d).clamp(0.0, w - 1.0)))).collect();
    let mask_y: Vec<[Tap; 3]> =
        ys[..ny].iter().map(|&y| offsets.map(|d| mask.tap_y((y + d).clamp(0.0, h - 1.0)))).collect();
    // the point itself, then right, left, below, above
    const AROUND: [(usize, usize); 5] = [(0, 0), (1, 0), (2, 0), (0, 1), (0, 2)];
    let is_background = |i: usize, j: usize| {
        AROUND.iter().all(|&(a, b)| mask.mask.sample_taps(mask_x[i][a], mask_y[j][b]) < BACKGROUND_PROB)
    };
    let gray_x: Vec<Tap> = xs.iter().map(|&x| Tap::new(x, gray.width())).collect();
    let gray_y: Vec<Tap> = ys.iter().map(|&y| Tap::new(y, gray.height())).collect();
    let mut seen = vec![f32::NAN; xs.len() * ys.len()];
    let mut luma = |i: usize, j: usize| {
        let v = &mut seen[j * xs.len() + i];
        if v.is_nan() {
            *v = gray.sample_taps(gray_x[i], gray_y[j]);
        }
        *v
    };
    let (mut lumas, mut edges) = (Vec::new(), 0usize);
    for j in 0..ny {
        for i in 0..nx {
            if is_background(i, j) {
                let l = luma(i, j);
                let dx = (luma(i + 1, j) - l).abs();
                let dy = (luma(i, j + 1) - l).abs();
                // `dx.max(dy) > EDGE_STEP`, NaN included, without wasm's call to libm's `fmaxf`
                if dx > EDGE_STEP || dy > EDGE_STEP {
                    edges += 1;
                }
                lumas.push(l);
            }
        }
    }
    Scan { total: nx * ny, lumas, edges }
}

/// Judges whether the background is plain.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Scan { total, lumas, edges } = scan(obs);
    let share = lumas.len() as f32 / total.max(1) as f32;
    if share < p.min_background_share || lumas.is_empty() {
        let value = Measure { background_share: r3(share), mean_luma: None, luma_std: None, edge_share: None };
        return Outcome::unknown(Reason::LittleBackground, Some(value), p);
    }
    let (mean, std) = mean_std(lumas.iter().copied());
    let edge_share = edges as f32 / lumas.len() as f32;
    let value = Measure {
        background_share: r3(share),
        mean_luma: Some(r3(mean)),
        luma_std: Some(r3(std)),
        edge_share: Some(r3(edge_share)),
    };
    if edge_share > p.max_edge_share {
        Outcome::fail(Reason::BackgroundBusy, value, p)
    } else if std > p.max_luma_std {
        Outcome::fail(Reason::BackgroundUneven, value, p)
    } else {
        Outcome::pass(Reason::Ok, value, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Reason as Why, Status};
    use crate::testkit::{profile, Background, Scene, SceneBuilder};

    fn chsi() -> Params {
        profile().background_plain
    }

    fn measure(scene: &Scene, p: &Params) -> Outcome {
        check(&scene.observation(), p)
    }

    /// The background's grey values replaced by a smooth top-to-bottom ramp from `from` to `to`: uneven
    /// light, but no step between neighbouring grid points reaches an edge.
    fn ramp(from: f32, to: f32) -> Scene {
        let mut scene = SceneBuilder::new().build();
        let (w, h) = (scene.gray.width, scene.gray.height);
        for y in 0..h {
            for x in 0..w {
                if scene.mask.mask.data[y * w + x] < 0.5 {
                    scene.gray.data[y * w + x] = from + (to - from) * y as f32 / h as f32;
                }
            }
        }
        scene
    }

    #[test]
    fn every_reason() {
        let mut covered = SceneBuilder::new().build();
        covered.mask.mask.data.fill(1.0);
        let cases = [
            (SceneBuilder::new().build(), Status::Pass, Reason::Ok),
            // the check does not need a face
            (SceneBuilder::new().no_face().build(), Status::Pass, Reason::Ok),
            (
                SceneBuilder::new().background(Background::Noise { amplitude: 30 }).build(),
                Status::Fail,
                Reason::BackgroundBusy,
            ),
            (
                SceneBuilder::new().background(Background::Stripes { period: 16 }).build(),
                Status::Fail,
                Reason::BackgroundBusy,
            ),
            (ramp(80.0, 250.0), Status::Fail, Reason::BackgroundUneven),
            (covered, Status::Unknown, Reason::LittleBackground),
        ];
        for (i, (scene, status, reason)) in cases.iter().enumerate() {
            let r = measure(scene, &chsi());
            assert_eq!((r.status, r.reason), (*status, Why::Own(*reason)), "case {i}: {r:?}");
            assert_eq!((r.message_zh, r.message_en), Why::Own(*reason).messages());
        }
    }

    #[test]
    fn the_measure_is_share_mean_spread_and_edges_of_the_background() {
        let scene = SceneBuilder::new().build();
        let m = measure(&scene, &chsi()).value.expect("a measure");
        // the plain backdrop's luma, no spread, no edge; about half the grid is background (the person
        // and the margin kept around it take the rest)
        let backdrop = r3(scene.gray.get(5, 5));
        assert_eq!((m.mean_luma, m.luma_std, m.edge_share), (Some(backdrop), Some(0.0), Some(0.0)));
        assert!(m.background_share > 0.3 && m.background_share < 0.9, "{m:?}");
        // the ramp spreads the luma over 80..250 (evenly: sd 170 / √12 ≈ 49, mean 165); the person hides
        // more of the lower half, so the background points weigh toward the darker top
        let m = measure(&ramp(80.0, 250.0), &chsi()).value.expect("a measure");
        let (mean, std) = (m.mean_luma.expect("mean"), m.luma_std.expect("std"));
        assert!(std > 25.0 && std < 49.0 && mean > 80.0 && mean < 165.0, "{m:?}");
        assert_eq!(m.edge_share, Some(0.0));
        // with too little background only the share is reported
        let mut covered = SceneBuilder::new().build();
        covered.mask.mask.data.fill(1.0);
        let m = measure(&covered, &chsi()).value.expect("a measure");
        assert_eq!(m, Measure { background_share: 0.0, mean_luma: None, luma_std: None, edge_share: None });
    }

    #[test]
    fn each_limit_flips_at_the_measured_value() {
        let scene = SceneBuilder::new().background(Background::Noise { amplitude: 12 }).build();
        let m = measure(&scene, &chsi()).value.expect("a measure");
        let (share, std, edges) =
            (m.background_share as f32, m.luma_std.expect("std") as f32, m.edge_share.expect("edge share") as f32);
        assert!(edges > 0.01 && std > 1.0, "{m:?}");
        let at = |p: Params| measure(&scene, &p).reason;
        let open = Params { max_luma_std: 255.0, max_edge_share: 1.0, ..chsi() };
        assert_eq!(at(Params { max_edge_share: edges + 2e-3, ..open.clone() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { max_edge_share: edges - 2e-3, ..open.clone() }), Why::Own(Reason::BackgroundBusy));
        assert_eq!(at(Params { max_luma_std: std + 2e-3, ..open.clone() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { max_luma_std: std - 2e-3, ..open.clone() }), Why::Own(Reason::BackgroundUneven));
        assert_eq!(at(Params { min_background_share: share - 2e-3, ..open.clone() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { min_background_share: share + 2e-3, ..open }), Why::Own(Reason::LittleBackground));
    }

    /// The scan as first written — every point sampled on its own — which `scan` must match bit for bit.
    fn scan_ref(obs: &Observation) -> Scan {
        let mask = obs.mask;
        let (w, h) = (obs.frame.width() as f32, obs.frame.height() as f32);
        let step = (w.max(h) / GRID).max(1.0);
        let margin = MARGIN * w.max(h);
        let is_background = |x: f32, y: f32| {
            [(0.0, 0.0), (margin, 0.0), (-margin, 0.0), (0.0, margin), (0.0, -margin)]
                .iter()
                .all(|(dx, dy)| mask.at((x + dx).clamp(0.0, w - 1.0), (y + dy).clamp(0.0, h - 1.0)) < BACKGROUND_PROB)
        };
        let (mut total, mut lumas, mut edges) = (0usize, Vec::new(), 0usize);
        let mut y = step / 2.0;
        while y + step < h {
            let mut x = step / 2.0;
            while x + step < w {
                total += 1;
                if is_background(x, y) {
                    let l = obs.gray.sample(x, y);
                    let dx = (obs.gray.sample(x + step, y) - l).abs();
                    let dy = (obs.gray.sample(x, y + step) - l).abs();
                    if dx.max(dy) > EDGE_STEP {
                        edges += 1;
                    }
                    lumas.push(l);
                }
                x += step;
            }
            y += step;
        }
        Scan { total, lumas, edges }
    }

    #[test]
    fn the_scan_matches_sampling_each_point_on_its_own_bit_for_bit() {
        let mut rng = crate::testkit::Lcg(19);
        let mut scenes = vec![
            SceneBuilder::new().build(),
            SceneBuilder::new().no_face().build(),
            SceneBuilder::new().background(Background::Noise { amplitude: 30 }).build(),
            SceneBuilder::new().background(Background::Stripes { period: 16 }).build(),
            ramp(80.0, 250.0),
            // steps of 6.25 and 4.3 px: grid points off the pixel centres
            SceneBuilder::new().frame_size(1000, 700).background(Background::Noise { amplitude: 20 }).build(),
            SceneBuilder::new().frame_size(517, 688).background(Background::Stripes { period: 10 }).build(),
        ];
        // a soft random mask: many points near the threshold, the margins cut through everything
        let mut soft = SceneBuilder::new().background(Background::Noise { amplitude: 12 }).build();
        soft.mask.mask.data.iter_mut().for_each(|v| *v = (0.1 + 0.1 * rng.next()).max(0.0));
        scenes.push(soft);
        for (k, scene) in scenes.iter().enumerate() {
            let obs = scene.observation();
            let (fast, slow) = (scan(&obs), scan_ref(&obs));
            assert_eq!((fast.total, fast.edges, fast.lumas.len()), (slow.total, slow.edges, slow.lumas.len()), "{k}");
            assert!(fast.lumas.iter().zip(&slow.lumas).all(|(a, b)| a.to_bits() == b.to_bits()), "scene {k}");
            assert!(slow.total > 0 && !slow.lumas.is_empty(), "scene {k} exercises the scan");
        }
    }
}
