//! Drawing what the pipeline saw, for people looking at failures: the CLI's `debug` command and
//! `examples/debug_regions.rs` share these helpers. Native builds only.

use image::{Rgb, RgbImage};

use crate::frame::Frame;
use crate::imaging::Point;
use crate::models::PersonMask;
use crate::pipeline::Inspection;

/// How the background (person mask < 0.5) is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Background {
    /// Tinted blue in proportion to the mask, the person left as is.
    TintBlue,
    /// Darkened to a third.
    Darken,
}

/// The frame enlarged `scale` times (nearest neighbour) with its background marked.
pub fn frame_with_mask(frame: &Frame, mask: &PersonMask, scale: u32, background: Background) -> RgbImage {
    let scale = scale.max(1);
    let (w, h) = (frame.width(), frame.height());
    RgbImage::from_fn(w * scale, h * scale, |x, y| {
        let (fx, fy) = (x / scale, y / scale);
        let [r, g, b] = frame.pixel(fx as i64, fy as i64).map(f32::from);
        let person = mask.at(fx as f32 + 0.5, fy as f32 + 0.5);
        let px = match background {
            Background::TintBlue => [r, g, b * person + (255.0 * 0.6 + b * 0.4) * (1.0 - person)],
            Background::Darken if person < 0.5 => [r * 0.35, g * 0.35, b * 0.35],
            Background::Darken => [r, g, b],
        };
        Rgb(px.map(|c| c.clamp(0.0, 255.0) as u8))
    })
}

/// What `photo-check debug` draws: the background tinted blue, every detection's box (yellow) and the
/// accepted face mesh's 468 points (green).
pub fn inspection(frame: &Frame, seen: &Inspection) -> RgbImage {
    let mut img = frame_with_mask(frame, &seen.mask, 1, Background::TintBlue);
    for d in &seen.detections {
        rect(&mut img, d.x, d.y, d.w, d.h, 1, [255, 255, 0]);
    }
    for p in seen.mesh.iter().flat_map(|m| &m.points) {
        dot(&mut img, Point::new(p[0], p[1]), 1, [0, 255, 0]);
    }
    img
}

/// Sets the pixel under frame point `p` (frame coordinates; the canvas is `scale` times larger).
pub fn dot(img: &mut RgbImage, p: Point, scale: u32, colour: [u8; 3]) {
    let (x, y) = (p.x * scale as f32, p.y * scale as f32);
    if x >= 0.0 && y >= 0.0 && (x as u32) < img.width() && (y as u32) < img.height() {
        img.put_pixel(x as u32, y as u32, Rgb(colour));
    }
}

/// A straight line between two frame points.
pub fn line(img: &mut RgbImage, a: Point, b: Point, scale: u32, colour: [u8; 3]) {
    let n = (a.dist(b) * scale as f32).ceil() as usize + 1;
    for k in 0..=n {
        dot(img, a.lerp(b, k as f32 / n as f32), scale, colour);
    }
}

/// A closed polygon's outline.
pub fn polygon(img: &mut RgbImage, poly: &[Point], scale: u32, colour: [u8; 3]) {
    for (i, &a) in poly.iter().enumerate() {
        line(img, a, poly[(i + 1) % poly.len()], scale, colour);
    }
}

/// An axis-aligned rectangle's outline: top-left corner, width, height (frame pixels).
pub fn rect(img: &mut RgbImage, x: f32, y: f32, w: f32, h: f32, scale: u32, colour: [u8; 3]) {
    let corners = [Point::new(x, y), Point::new(x + w, y), Point::new(x + w, y + h), Point::new(x, y + h)];
    polygon(img, &corners, scale, colour);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::GrayImage;

    fn mask(w: u32, h: u32, person: f32) -> PersonMask {
        PersonMask { mask: GrayImage::new(4, 4, vec![person; 16]), image_width: w, image_height: h }
    }

    #[test]
    fn background_is_marked_and_the_person_kept() {
        let frame = Frame::from_rgb(vec![100; 16 * 20 * 3], 16, 20).unwrap();
        let tinted = frame_with_mask(&frame, &mask(16, 20, 0.0), 2, Background::TintBlue);
        assert_eq!(tinted.dimensions(), (32, 40));
        assert_eq!(tinted.get_pixel(3, 3).0, [100, 100, 193]);
        let dark = frame_with_mask(&frame, &mask(16, 20, 0.0), 1, Background::Darken);
        assert_eq!(dark.get_pixel(0, 0).0, [35, 35, 35]);
        let person = frame_with_mask(&frame, &mask(16, 20, 1.0), 1, Background::Darken);
        assert_eq!(person.get_pixel(0, 0).0, [100, 100, 100]);
    }

    #[test]
    fn outlines_land_on_their_pixels_and_stay_inside() {
        let mut img = RgbImage::new(10, 10);
        rect(&mut img, 2.0, 2.0, 4.0, 3.0, 1, [255, 0, 0]);
        assert_eq!(img.get_pixel(2, 2).0, [255, 0, 0]);
        assert_eq!(img.get_pixel(6, 5).0, [255, 0, 0]);
        assert_eq!(img.get_pixel(4, 4).0, [0, 0, 0], "inside stays empty");
        // off-canvas points are skipped, not a panic
        line(&mut img, Point::new(-5.0, -5.0), Point::new(20.0, 20.0), 1, [0, 255, 0]);
        assert_eq!(img.get_pixel(9, 9).0, [0, 255, 0]);
    }
}
