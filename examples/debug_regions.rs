//! Writes debug PNGs of the regions the ears / hair / hat checks measure:
//! `cargo run --example debug_regions -- OUTDIR IMAGE...` (e.g. `debug/`, git-ignored).
//!
//! Each output shows the frame (upscaled small images) with the background (person mask < 0.5)
//! darkened, pixels the skin model accepts tinted green inside the measured regions, and the region
//! outlines: ear zones (red), brow bands (yellow), crown band (cyan), skin sample regions (blue).

use std::path::PathBuf;

use image::RgbImage;
use photo_check::draw::{self, Background};
use photo_check::imaging::geometry::polygon_pixels;
use photo_check::imaging::Point;
use photo_check::observe::regions::{self, FaceFrame};
use photo_check::observe::Observation;
use photo_check::{Checker, Frame, Models, Profile};

const SKIN_SAMPLE: [u8; 3] = [0, 0, 255];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: debug_regions OUTDIR IMAGE...")?);
    std::fs::create_dir_all(&out)?;
    let profile = Profile::chsi();
    let checker = Checker::new(Models::embedded()?, profile.clone());
    for path in args {
        let img = image::open(&path)?.to_rgb8();
        let (w, h) = img.dimensions();
        let frame = Frame::from_rgb(img.into_raw(), w, h)?;
        let seen = checker.inspect_still(&frame)?;
        let drawn = draw_regions(&frame, &seen.observation(&frame), &profile);
        let name = PathBuf::from(&path).file_stem().unwrap().to_string_lossy().to_string();
        drawn.save(out.join(format!("{name}.png")))?;
    }
    Ok(())
}

/// The measured regions over the frame, cropped to the head and enlarged to ~480 px wide.
fn draw_regions(frame: &Frame, obs: &Observation, profile: &Profile) -> RgbImage {
    let (w, h) = (frame.width(), frame.height());
    let scale = (480 / w.max(1)).max(1);
    let mut canvas = draw::frame_with_mask(frame, obs.mask, scale, Background::Darken);
    let Some(face) = &obs.face else { return canvas };
    let ff = FaceFrame::of(face);
    let Some(skin) = obs.skin else { return canvas };
    let (e, hc, nh) = (&profile.ears_visible, &profile.hair_clear, &profile.no_hat);
    let mut polys: Vec<(Vec<Point>, [u8; 3])> = Vec::new();
    for right in [true, false] {
        polys.push((regions::ear_zone(face, &ff, right, e.zone_inset, e.zone_outset), [255, 0, 0]));
        polys.push((regions::brow_band(face, &ff, right, hc.band_lift, hc.band_height), [255, 255, 0]));
    }
    polys.push((regions::crown_band(face, &ff, nh.crown_from, nh.crown_to, nh.crown_half_width), [0, 255, 255]));
    for r in regions::SKIN_SAMPLES {
        polys.push((face.points(r), SKIN_SAMPLE));
    }
    for (poly, colour) in &polys {
        for (x, y) in polygon_pixels(poly, w, h, 1) {
            let c = regions::ycbcr(frame.pixel(x as i64, y as i64));
            let person = obs.mask.at(x as f32 + 0.5, y as f32 + 0.5) >= 0.5;
            if *colour != SKIN_SAMPLE && person && skin.is_skin(c, e.max_chroma, e.min_luma_ratio) {
                for dy in 0..scale {
                    for dx in 0..scale {
                        let px = canvas.get_pixel_mut(x as u32 * scale + dx, y as u32 * scale + dy);
                        px.0 = [px.0[0] / 2, px.0[1] / 2 + 127, px.0[2] / 2];
                    }
                }
            }
        }
        draw::polygon(&mut canvas, poly, scale, *colour);
    }
    // crop to the head: 1.3 face widths around the eyes' midpoint, then upscale to ~480 px wide
    let (c, r) = (ff.origin, 1.3 * ff.scale * scale as f32);
    let x0 = ((c.x * scale as f32 - r).max(0.0)) as u32;
    let y0 = ((c.y * scale as f32 - 1.3 * r).max(0.0)) as u32;
    let cw = ((2.0 * r) as u32).min(canvas.width() - x0);
    let ch = ((2.3 * r) as u32).min(canvas.height() - y0);
    let crop = image::imageops::crop_imm(&canvas, x0, y0, cw, ch).to_image();
    let k = 480.0 / cw.max(1) as f32;
    if k > 1.0 {
        image::imageops::resize(&crop, 480, (ch as f32 * k) as u32, image::imageops::FilterType::Nearest)
    } else {
        crop
    }
}
