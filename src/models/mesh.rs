//! Face Mesh: a 192×192 crop rotated by the eye line, in [0, 1]; 468 points mapped back to the image.
//! Follows MediaPipe's face_landmark_front graph (detection → ROI ×1.5 square, rotation from the
//! detector's eye keypoints or, when tracking, from landmarks 33/263).

use super::{Detection, Net};
use crate::error::Result;
use crate::frame::Frame;
use crate::imaging::{geometry, warp_to_tensor, Affine, Border, Point};

const SIZE: usize = 192;
pub(crate) const NAME: &str = "face_landmark";
/// The fixed NHWC input.
pub(crate) const INPUT: [usize; 4] = [1, SIZE, SIZE, 3];
/// Number of points the Face Mesh model outputs.
pub const NUM_LANDMARKS: usize = 468;
/// ROI side relative to the face box (MediaPipe: scale_x = scale_y = 1.5, square_long).
const ROI_SCALE: f32 = 1.5;

/// A square region of the image, rotated so that the eye line is horizontal inside it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Roi {
    /// Centre of the square, image pixels.
    pub center: Point,
    /// Side in image pixels.
    pub size: f32,
    /// Radians, y down (positive = clockwise on screen).
    pub rotation: f32,
}

/// Angle that turns the line `a → b` to horizontal (MediaPipe's DetectionsToRects rotation).
fn eye_line_rotation(a: Point, b: Point) -> f32 {
    let r = -(-(b.y - a.y)).atan2(b.x - a.x);
    // normalise to (-π, π]
    (r + std::f32::consts::PI).rem_euclid(2.0 * std::f32::consts::PI) - std::f32::consts::PI
}

impl Roi {
    /// The ROI for a fresh detection: box centre, long side × 1.5, rotated by the eye keypoints.
    pub fn from_detection(d: &Detection) -> Roi {
        Roi {
            center: Point::new(d.x + d.w / 2.0, d.y + d.h / 2.0),
            size: d.w.max(d.h) * ROI_SCALE,
            rotation: eye_line_rotation(d.keypoints[0], d.keypoints[1]),
        }
    }

    /// The ROI around known landmarks (tracking, refinement): eye corners 33/263 set the rotation,
    /// the landmarks' bounds in that rotated frame set the centre and size.
    pub fn from_landmarks(points: &[[f32; 3]]) -> Roi {
        let p = |i: usize| Point::new(points[i][0], points[i][1]);
        let rotation = eye_line_rotation(p(33), p(263));
        let (s, c) = rotation.sin_cos();
        // rotate into the face frame (inverse rotation), take bounds, rotate the centre back
        let (x0, y0, x1, y1) =
            geometry::bounds(points.iter().map(|q| Point::new(c * q[0] + s * q[1], -s * q[0] + c * q[1])));
        let (mx, my) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        Roi { center: Point::new(c * mx - s * my, s * mx + c * my), size: (x1 - x0).max(y1 - y0) * ROI_SCALE, rotation }
    }

    /// Maps crop pixels (0..192) to image pixels.
    pub fn to_image(&self) -> Affine {
        Affine::from_rotated_rect(self.center, self.size, self.size, self.rotation, SIZE as f32, SIZE as f32)
    }
}

/// The mesh for one face.
#[derive(Clone, Debug, PartialEq)]
pub struct MeshResult {
    /// 468 points `[x, y, z]` in image pixels; z in the same scale as x, smaller = nearer the camera.
    pub points: Vec<[f32; 3]>,
    /// Face-present probability.
    pub presence: f32,
    /// The crop the mesh was computed on.
    pub roi: Roi,
}

/// The Face Mesh landmark model, loaded and ready to run.
pub struct FaceMesh {
    pub(super) net: Net,
}

impl FaceMesh {
    /// Loads the model from its bytes (`face_landmark.nnef.tar`, or `.onnx` with feature `onnx`).
    pub fn from_bytes(bytes: &[u8]) -> Result<FaceMesh> {
        let net = Net::from_bytes(NAME, bytes, INPUT, &[NUM_LANDMARKS * 3, 1])?;
        Ok(FaceMesh { net })
    }

    /// Runs the mesh on the crop `roi` of `frame`.
    pub fn run(&self, frame: &Frame, roi: Roi) -> Result<MeshResult> {
        let map = roi.to_image();
        let out =
            self.net.run(|input| warp_to_tensor(frame, &map, SIZE, SIZE, Border::Replicate, (0.0, 1.0), input))?;
        let z_scale = roi.size / SIZE as f32;
        let points = out[0]
            .chunks_exact(3)
            .map(|c| {
                let p = map.apply(Point::new(c[0], c[1]));
                [p.x, p.y, c[2] * z_scale]
            })
            .collect();
        let presence = 1.0 / (1.0 + (-out[1][0]).exp());
        Ok(MeshResult { points, presence, roi })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_levels_the_eye_line() {
        // eyes level: no rotation
        assert!(eye_line_rotation(Point::new(0.0, 0.0), Point::new(10.0, 0.0)).abs() < 1e-6);
        // the subject's left eye (image right) higher: the face is turned counter-clockwise on
        // screen, so the crop is rotated counter-clockwise too (negative, y down)
        let r = eye_line_rotation(Point::new(0.0, 10.0), Point::new(10.0, 0.0));
        assert!((r + std::f32::consts::FRAC_PI_4).abs() < 1e-6);
    }
}
