//! Metamorphic robustness: what a phone does to a photo (JPEG quality 60–95, 0.6–1.5× scale, ±30 %
//! brightness, mild noise, slight blur: Gaussian σ 0.5 px) must not turn a labelled check's correct
//! decision into the opposite one. (σ 0.7 px already moved one clearly sharp portrait, blur 0.42, past
//! `max_blur`: the limit sits between slight and moderate blur, see README "Accuracy".)
//!
//! Runs on the labelled portraits when the evaluation folder is present (`EVAL_DIR`, by default the
//! `shared/eval` folder beside the repository) and skips with a message when it is not. A check is tested
//! on a photo when the photo is labelled for it and the original decision agrees with the label and is
//! clear: the measure is at least 15 % of the limit away from it (see `clear`). A transformed photo may
//! then answer `unknown` (a degraded photo can be undecidable) but never the opposite of the label.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::PathBuf;

use common::*;
use image::{imageops::FilterType, RgbImage};
use photo_check::{CheckId, Report, Status};

fn eval_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("EVAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/eval"));
    dir.join("portraits/labels.csv").is_file().then_some(dir)
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).expect("JPEG encodes");
    out
}

/// The phone-like variants of one photo, each as the JPEG a page would upload.
fn variants(img: &RgbImage) -> Vec<(String, Vec<u8>)> {
    let (w, h) = img.dimensions();
    let mut out = vec![("jpeg q60".to_string(), jpeg(img, 60)), ("jpeg q95".to_string(), jpeg(img, 95))];
    for k in [0.6f32, 1.5] {
        let scaled = image::imageops::resize(img, (w as f32 * k) as u32, (h as f32 * k) as u32, FilterType::Triangle);
        out.push((format!("scale {k}"), jpeg(&scaled, 92)));
    }
    for k in [0.7f32, 1.3] {
        let mut b = img.clone();
        b.pixels_mut().for_each(|p| p.0 = p.0.map(|c| (c as f32 * k).round().clamp(0.0, 255.0) as u8));
        out.push((format!("brightness ×{k}"), jpeg(&b, 92)));
    }
    let mut noisy = img.clone();
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    noisy.pixels_mut().for_each(|p| {
        p.0 = p.0.map(|c| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (c as i32 + (s % 17) as i32 - 8).clamp(0, 255) as u8
        })
    });
    out.push(("noise ±8".to_string(), jpeg(&noisy, 92)));
    out.push(("blur σ 0.5".to_string(), jpeg(&image::imageops::blur(img, 0.5), 92)));
    out
}

/// Whether a decision is clear of the threshold: the measure lies at least 15 % of the threshold away
/// from it (for the checks with one scalar measure), else it is borderline and not tested.
fn clear(report: &Report, id: CheckId) -> bool {
    let c = &report.checks;
    let far = |value: f64, limit: f32| (value - limit as f64).abs() >= 0.15 * limit as f64;
    match id {
        CheckId::MouthClosed => match (&c.mouth_closed.value, &c.mouth_closed.threshold) {
            (Some(m), Some(p)) => {
                far(m.lip_gap_ratio, p.max_lip_gap_ratio) && far(m.opening_share, p.max_opening_share)
            }
            _ => false,
        },
        CheckId::NoHat => match (c.no_hat.value.as_ref().and_then(|m| m.crown.as_ref()), &c.no_hat.threshold) {
            (Some(m), Some(p)) => far(m.skin, p.min_crown_skin),
            _ => false,
        },
        CheckId::EarsVisible => match (&c.ears_visible.value, &c.ears_visible.threshold) {
            (Some(m), Some(p)) => [&m.right, &m.left].into_iter().flatten().all(|e| {
                far(e.skin, p.min_skin_share) && far(e.skin, p.max_covered_skin) && far(e.skin, p.min_skin_share_full)
            }),
            _ => false,
        },
        CheckId::HairClear => match (&c.hair_clear.value, &c.hair_clear.threshold) {
            (Some(m), Some(p)) => [&m.right, &m.left].into_iter().flatten().all(|b| far(b.skin, p.min_skin_share)),
            _ => false,
        },
        CheckId::Sharpness => match (c.sharpness.value.as_ref().and_then(|m| m.blur), &c.sharpness.threshold) {
            (Some(blur), Some(p)) => far(blur, p.max_blur),
            _ => false,
        },
        _ => false,
    }
}

#[test]
fn phone_like_changes_do_not_flip_clear_decisions() {
    let Some(dir) = eval_dir() else {
        eprintln!("skipped: no labelled photos (set EVAL_DIR or put them at ../shared/eval)");
        return;
    };
    let labels = std::fs::read_to_string(dir.join("portraits/labels.csv")).unwrap();
    let table = photo_check::eval::LabelTable::from_reader(labels.as_bytes()).unwrap();
    // the first photos of the train split: the thresholds were chosen on these rows, the relation holds anyway
    let rows: Vec<_> = table.select(photo_check::eval::Split::Train).unwrap().into_iter().take(12).collect();
    let checks = [CheckId::EarsVisible, CheckId::MouthClosed, CheckId::NoHat, CheckId::HairClear, CheckId::Sharpness];
    let (mut tested, mut flips) = (0, Vec::new());
    for row in rows {
        let bytes = std::fs::read(dir.join("portraits").join(row.file())).unwrap();
        let img = image::load_from_memory(&bytes).unwrap().into_rgb8();
        let base = checker().check_image(&bytes).unwrap();
        let decided: Vec<(CheckId, Status)> = checks
            .into_iter()
            .filter_map(|id| {
                // every portrait is a sharp photo; the other checks have their labels
                let want = match (id, row.label(id)) {
                    (CheckId::Sharpness, _) | (_, Some(photo_check::eval::Label::Pass)) => Status::Pass,
                    (_, Some(photo_check::eval::Label::Fail)) => Status::Fail,
                    (_, None) => return None,
                };
                (base.check(id).status() == want && clear(&base, id)).then_some((id, want))
            })
            .collect();
        for (what, variant) in variants(&img) {
            let r = checker().check_image(&variant).unwrap();
            for &(id, want) in &decided {
                tested += 1;
                let got = r.check(id).status();
                if got != want && got != Status::Unknown {
                    flips.push(format!(
                        "{} {}: {what}: {:?} → {:?} ({})",
                        row.file(),
                        id.as_str(),
                        want,
                        got,
                        r.check(id).reason()
                    ));
                }
            }
        }
    }
    eprintln!("{tested} (photo, variant, check) cases, {} flips", flips.len());
    assert!(tested >= 100, "too few clear decisions to test: {tested}");
    assert!(flips.is_empty(), "decisions flipped:\n{}", flips.join("\n"));
}
