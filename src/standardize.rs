//! The standardized photo: the 480×640 crop the server will make, its background replaced by the profile's
//! colour, as a JPEG of the size CHSI channels expect. A preview of what the student will get; the original
//! stays the photo of record.
//!
//! The crop is the one `framing` found; when none fits (the head too close to an edge) the same geometry is
//! centred on the face (face 240 px wide, eyes 250 px from the top) and whatever lies outside the frame
//! becomes background. The person mask (256×256, bilinear) gives each pixel's opacity, sharpened by a
//! smoothstep so the edge stays feathered but narrow; at the edge the old background's colour is taken out
//! of the pixel before the new one is blended in (so a dark wall leaves no dark halo around light hair).

use image::codecs::jpeg::JpegEncoder;
use image::ExtendedColorType;

use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::models::PersonMask;
use crate::observe::Observation;
use crate::report::Report;

/// The background colours CHSI accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Background {
    /// Light blue RGB(100, 197, 255), CHSI's default.
    Blue,
    /// White.
    White,
    /// Light grey RGB(240, 240, 240).
    Grey,
}

impl Background {
    /// The colour, sRGB.
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Background::Blue => [100, 197, 255],
            Background::White => [255, 255, 255],
            Background::Grey => [240, 240, 240],
        }
    }

    /// Parses `blue`, `white` or `grey` (`gray`).
    pub fn parse(s: &str) -> Result<Background> {
        match s {
            "blue" => Ok(Background::Blue),
            "white" => Ok(Background::White),
            "grey" | "gray" => Ok(Background::Grey),
            _ => Err(Error::InvalidArgument(format!("background {s:?}: expected blue, white or grey"))),
        }
    }
}

/// A crop of the frame, pixels: top-left corner and size (the size has the output's aspect ratio).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct CropBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// The standardized photo.
#[derive(Clone, Debug)]
pub struct Standardized {
    /// The JPEG file.
    pub jpeg: Vec<u8>,
    /// Its JPEG quality (60–92).
    pub quality: u8,
    /// The crop of the checked frame it shows.
    pub crop: CropBox,
    /// Whether the crop is `framing`'s (true) or centred on the face because none fitted (false).
    pub framed: bool,
}

/// Output size, pixels (CHSI).
pub const OUT_WIDTH: u32 = 480;
/// Output height, pixels.
pub const OUT_HEIGHT: u32 = 640;
/// Where the fallback crop puts the face: its width and the eye line, output pixels (the middles of CHSI's
/// 180–300 px and 200–300 px).
const FACE_WIDTH: f32 = 240.0;
const EYE_LINE: f32 = 250.0;
/// Person probabilities mapped to opacity 0 and 1 (smoothstep between): a narrow, feathered edge.
const EDGE: (f32, f32) = (0.25, 0.75);
/// Below this probability a pixel is old background, for learning its colour.
const OLD_BACKGROUND: f32 = 0.1;
/// Cells per side of the grid the old background's colour is learned on.
const CELLS: usize = 16;
/// JPEG size CHSI channels expect (typically 20–40 KB); the quality steps down from 92 until it fits,
/// never below 60 (the spec's least quality).
const TARGET_BYTES: usize = 40_000;
const QUALITIES: [u8; 7] = [92, 85, 80, 75, 70, 65, 60];

/// The crop: `framing`'s when it found one, else the CHSI geometry centred on the face.
pub fn crop_of(report: &Report, obs: &Observation) -> Result<(CropBox, bool)> {
    if let Some(c) = report.checks.framing.value.as_ref().and_then(|v| v.crop.as_ref()) {
        let crop = CropBox { x: c.x as f32, y: c.y as f32, width: c.width as f32, height: c.height as f32 };
        return Ok((crop, true));
    }
    let face =
        obs.face.as_ref().ok_or_else(|| Error::InvalidArgument("no single face to centre the photo on".into()))?;
    let width = face.width() * OUT_WIDTH as f32 / FACE_WIDTH;
    let k = OUT_WIDTH as f32 / width;
    let centre_x = face
        .point(crate::observe::landmarks::FACE_RIGHT_EDGE)
        .mid(face.point(crate::observe::landmarks::FACE_LEFT_EDGE))
        .x;
    let height = width * OUT_HEIGHT as f32 / OUT_WIDTH as f32;
    Ok((CropBox { x: centre_x - width / 2.0, y: face.eye_mid().y - EYE_LINE / k, width, height }, false))
}

/// Smoothstep of the person probability between the `EDGE` bounds.
fn opacity(p: f32) -> f32 {
    let t = ((p - EDGE.0) / (EDGE.1 - EDGE.0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// The old background's colour on a coarse grid: the mean of the confidently-background pixels in each
/// cell, cells without any filled from their neighbours (or the frame's mean background).
fn old_background(frame: &Frame, mask: &PersonMask) -> Vec<[f32; 3]> {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let mut sum = vec![[0f32; 4]; CELLS * CELLS];
    let step = (w.max(h) / 256).max(1);
    for y in (0..h).step_by(step) {
        for x in (0..w).step_by(step) {
            if mask.at(x as f32 + 0.5, y as f32 + 0.5) < OLD_BACKGROUND {
                let c = &mut sum[(y * CELLS / h) * CELLS + x * CELLS / w];
                let p = frame.pixel(x as i64, y as i64);
                for k in 0..3 {
                    c[k] += f32::from(p[k]);
                }
                c[3] += 1.0;
            }
        }
    }
    let total = sum.iter().fold([0f32; 4], |a, c| [a[0] + c[0], a[1] + c[1], a[2] + c[2], a[3] + c[3]]);
    let global = if total[3] > 0.0 { [0, 1, 2].map(|k| total[k] / total[3]) } else { [128.0; 3] };
    let mut cells: Vec<Option<[f32; 3]>> =
        sum.iter().map(|c| (c[3] > 0.0).then(|| [0, 1, 2].map(|k| c[k] / c[3]))).collect();
    // fill empty cells from their filled neighbours, a ring at a time
    for _ in 0..CELLS {
        if cells.iter().all(Option::is_some) {
            break;
        }
        let prev = cells.clone();
        for (i, cell) in cells.iter_mut().enumerate().filter(|(_, c)| c.is_none()) {
            let (cy, cx) = ((i / CELLS) as i64, (i % CELLS) as i64);
            let mut acc = [0f32; 4];
            for (dy, dx) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                let (ny, nx) = (cy + dy, cx + dx);
                if (0..CELLS as i64).contains(&ny) && (0..CELLS as i64).contains(&nx) {
                    if let Some(c) = prev[(ny as usize) * CELLS + nx as usize] {
                        acc = [acc[0] + c[0], acc[1] + c[1], acc[2] + c[2], acc[3] + 1.0];
                    }
                }
            }
            if acc[3] > 0.0 {
                *cell = Some([0, 1, 2].map(|k| acc[k] / acc[3]));
            }
        }
    }
    cells.into_iter().map(|c| c.unwrap_or(global)).collect()
}

/// Bilinear sample of the frame's RGB at `(x, y)` (pixel centres at +0.5), or `None` outside it.
fn sample(frame: &Frame, x: f32, y: f32) -> Option<[f32; 3]> {
    let (w, h) = (frame.width() as f32, frame.height() as f32);
    if x < 0.0 || y < 0.0 || x >= w || y >= h {
        return None;
    }
    let (fx, fy) = ((x - 0.5).max(0.0), (y - 0.5).max(0.0));
    let (x0, y0) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - x0, fy - y0);
    let (x0, y0) = (x0 as i64, y0 as i64);
    let px = |dx: i64, dy: i64| frame.pixel(x0 + dx, y0 + dy).map(f32::from);
    let (a, b, c, d) = (px(0, 0), px(1, 0), px(0, 1), px(1, 1));
    Some([0, 1, 2].map(|k| {
        let top = a[k] + (b[k] - a[k]) * tx;
        let bottom = c[k] + (d[k] - c[k]) * tx;
        top + (bottom - top) * ty
    }))
}

/// Renders the crop at `out_w`×`out_h` with the background replaced by `colour` (RGB bytes, row-major).
pub fn render(frame: &Frame, mask: &PersonMask, crop: CropBox, out_w: u32, out_h: u32, colour: [u8; 3]) -> Vec<u8> {
    let old = old_background(frame, mask);
    let (fw, fh) = (frame.width() as f32, frame.height() as f32);
    let new = colour.map(f32::from);
    let mut out = Vec::with_capacity((out_w * out_h * 3) as usize);
    for v in 0..out_h {
        for u in 0..out_w {
            let x = crop.x + (u as f32 + 0.5) * crop.width / out_w as f32;
            let y = crop.y + (v as f32 + 0.5) * crop.height / out_h as f32;
            let rgb = match sample(frame, x, y) {
                None => new,
                Some(px) => {
                    let a = opacity(mask.at(x, y));
                    if a <= 0.0 {
                        new
                    } else if a >= 1.0 {
                        px
                    } else {
                        // I = a·F + (1 − a)·B_old, so F = (I − (1 − a)·B_old) / a; then a·F + (1 − a)·B_new
                        let cell = (((y / fh) * CELLS as f32) as usize).min(CELLS - 1) * CELLS
                            + (((x / fw) * CELLS as f32) as usize).min(CELLS - 1);
                        let b = old[cell];
                        [0, 1, 2].map(|k| {
                            let f = ((px[k] - (1.0 - a) * b[k]) / a).clamp(0.0, 255.0);
                            a * f + (1.0 - a) * new[k]
                        })
                    }
                }
            };
            out.extend(rgb.map(|c| c.round().clamp(0.0, 255.0) as u8));
        }
    }
    out
}

/// Encodes RGB bytes as a JPEG at the highest quality of `QUALITIES` that fits `TARGET_BYTES` (else 60).
pub fn encode_jpeg(rgb: &[u8], width: u32, height: u32) -> Result<(Vec<u8>, u8)> {
    let mut last = (Vec::new(), 0);
    for q in QUALITIES {
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, q)
            .encode(rgb, width, height, ExtendedColorType::Rgb8)
            .map_err(|e| Error::InvalidArgument(format!("cannot encode the JPEG: {e}")))?;
        let fits = jpeg.len() <= TARGET_BYTES;
        last = (jpeg, q);
        if fits {
            break;
        }
    }
    Ok(last)
}

/// The standardized photo of a checked frame, on the background `colour`.
pub fn standardize(frame: &Frame, report: &Report, obs: &Observation, colour: [u8; 3]) -> Result<Standardized> {
    let (crop, framed) = crop_of(report, obs)?;
    let rgb = render(frame, obs.mask, crop, OUT_WIDTH, OUT_HEIGHT, colour);
    let (jpeg, quality) = encode_jpeg(&rgb, OUT_WIDTH, OUT_HEIGHT)?;
    Ok(Standardized { jpeg, quality, crop, framed })
}

impl crate::Checker {
    /// Checks `frame` as a still and makes its standardized photo on `background`, or on the first of the
    /// profile's standardized backgrounds (`clothing_contrast.backgrounds`; CHSI light blue) when `None`.
    /// Also returns the report, so the caller can say whether the photo passed.
    pub fn standardize(&self, frame: &Frame, background: Option<Background>) -> Result<(Standardized, Report)> {
        let colour = match background {
            Some(b) => b.rgb(),
            None => self.profile().clothing_contrast.backgrounds.first().copied().unwrap_or(Background::Blue.rgb()),
        };
        let seen = self.inspect_still(frame)?;
        let out = standardize(frame, &seen.report, &seen.observation(frame), colour)?;
        Ok((out, seen.report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::GrayImage;

    /// A 200×200 frame: a red disc (the person) on a dark green wall, with a mask that is soft over a
    /// band of `soft` pixels around the disc's edge, as the model's upsampled mask is.
    fn disc(soft: f32) -> (Frame, PersonMask) {
        let (w, h) = (200usize, 200usize);
        let (person, wall) = ([220u8, 60, 50], [20u8, 90, 30]);
        let mut rgb = Vec::with_capacity(w * h * 3);
        let mut prob = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                let d = ((x as f32 + 0.5 - 100.0).powi(2) + (y as f32 + 0.5 - 100.0).powi(2)).sqrt() - 60.0;
                // the true edge is at d = 0; the pixel colour is the area-weighted mix over one pixel
                let cover = (0.5 - d).clamp(0.0, 1.0);
                let px = [0, 1, 2].map(|k| (cover * person[k] as f32 + (1.0 - cover) * wall[k] as f32).round() as u8);
                rgb.extend(px);
                prob.push((0.5 - d / soft).clamp(0.0, 1.0));
            }
        }
        let frame = Frame::from_rgb(rgb, w as u32, h as u32).unwrap();
        let mask = PersonMask { mask: GrayImage::new(w, h, prob), image_width: w as u32, image_height: h as u32 };
        (frame, mask)
    }

    #[test]
    fn the_background_is_replaced_and_the_person_kept() {
        let (frame, mask) = disc(1.0);
        let crop = CropBox { x: 0.0, y: 0.0, width: 200.0, height: 200.0 };
        let out = render(&frame, &mask, crop, 200, 200, Background::Blue.rgb());
        let at = |x: usize, y: usize| [out[3 * (y * 200 + x)], out[3 * (y * 200 + x) + 1], out[3 * (y * 200 + x) + 2]];
        assert_eq!(at(100, 100), [220, 60, 50]);
        assert_eq!(at(5, 5), [100, 197, 255]);
        assert_eq!(at(195, 100), [100, 197, 255]);
    }

    #[test]
    fn a_soft_edge_leaves_no_halo_of_the_old_background() {
        // the model's mask is soft over ~8 pixels; along the edge the old wall's green must not show
        let (frame, mask) = disc(8.0);
        let crop = CropBox { x: 0.0, y: 0.0, width: 200.0, height: 200.0 };
        let blue = Background::Blue.rgb();
        let out = render(&frame, &mask, crop, 200, 200, blue);
        let wall = [20f32, 90.0, 30.0];
        let mut edge = 0;
        for y in 0..200 {
            for x in 0..200 {
                let d = ((x as f32 + 0.5 - 100.0).powi(2) + (y as f32 + 0.5 - 100.0).powi(2)).sqrt() - 60.0;
                if d.abs() > 6.0 {
                    continue;
                }
                edge += 1;
                let p = [0, 1, 2].map(|k| f32::from(out[3 * (y * 200 + x) + k]));
                // each output pixel is a mix of the person's red and the new blue: its green channel lies
                // between theirs, never down at the wall's (a halo would darken it toward 90 and red up)
                let t = ((p[2] - 50.0) / (255.0 - 50.0)).clamp(0.0, 1.0);
                let expect_g = 60.0 + t * (197.0 - 60.0);
                assert!((p[1] - expect_g).abs() < 25.0, "({x}, {y}) {p:?}: not a red–blue mix");
                let to_wall = (0..3).map(|k| (p[k] - wall[k]).powi(2)).sum::<f32>().sqrt();
                assert!(to_wall > 60.0, "({x}, {y}) {p:?} looks like the old wall");
            }
        }
        assert!(edge > 1000);
    }

    #[test]
    fn outside_the_frame_is_background_and_the_jpeg_fits_chsi() {
        let (frame, mask) = disc(1.0);
        // a crop reaching past the frame's left and top edges
        let crop = CropBox { x: -100.0, y: -50.0, width: 240.0, height: 320.0 };
        let out = render(&frame, &mask, crop, OUT_WIDTH, OUT_HEIGHT, Background::Grey.rgb());
        assert_eq!(&out[..3], &[240, 240, 240]);
        let (jpeg, q) = encode_jpeg(&out, OUT_WIDTH, OUT_HEIGHT).unwrap();
        assert!(q >= 60 && jpeg.len() <= TARGET_BYTES, "q {q}, {} bytes", jpeg.len());
        let back = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (OUT_WIDTH, OUT_HEIGHT));
    }

    #[test]
    fn backgrounds_parse() {
        assert_eq!(Background::parse("white").unwrap().rgb(), [255, 255, 255]);
        assert_eq!(Background::parse("gray").unwrap(), Background::Grey);
        assert_eq!(Background::parse("pink").unwrap_err().code(), "invalid_argument");
    }
}
