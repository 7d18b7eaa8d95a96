//! What the pipeline saw in one frame, handed to every check: the frame, the detections, the face
//! mesh, its pose and the person mask. Measures shared by several checks live here.

/// MediaPipe's canonical 3-D face and its Procrustes landmark weights (generated from MediaPipe's data).
pub mod canonical_face;
pub mod landmarks;
pub mod pose;
pub mod regions;

pub use pose::HeadPose;

use crate::frame::Frame;
use crate::imaging::{Luma, Point};
use crate::models::{Detection, MeshResult, PersonMask};

/// The one face the checks look at.
#[derive(Clone, Debug)]
pub struct Face<'a> {
    /// The detector's box and keypoints for this face.
    pub detection: &'a Detection,
    /// The face mesh (468 landmarks in image pixels).
    pub mesh: &'a MeshResult,
    /// Head pose from the mesh; `None` when it could not be estimated.
    pub pose: Option<HeadPose>,
}

impl Face<'_> {
    /// Landmark `i` in image pixels.
    #[inline]
    pub fn point(&self, i: usize) -> Point {
        let p = self.mesh.points[i];
        Point::new(p[0], p[1])
    }

    /// Landmarks of a region as image points.
    pub fn points(&self, indices: &[usize]) -> Vec<Point> {
        indices.iter().map(|&i| self.point(i)).collect()
    }

    /// Midpoint between the two eyes' centres.
    pub fn eye_mid(&self) -> Point {
        let right = self.point(landmarks::RIGHT_EYE_OUTER).mid(self.point(landmarks::RIGHT_EYE_INNER));
        let left = self.point(landmarks::LEFT_EYE_OUTER).mid(self.point(landmarks::LEFT_EYE_INNER));
        right.mid(left)
    }

    /// OFIQ's normaliser: distance from the eyes' midpoint to the chin, in pixels.
    pub fn eye_chin(&self) -> f32 {
        self.eye_mid().dist(self.point(landmarks::CHIN))
    }

    /// Cheek-to-cheek face width in pixels.
    pub fn width(&self) -> f32 {
        self.point(landmarks::FACE_RIGHT_EDGE).dist(self.point(landmarks::FACE_LEFT_EDGE))
    }

    /// Distance between the eye centres in pixels.
    pub fn inter_eye(&self) -> f32 {
        let right = self.point(landmarks::RIGHT_EYE_OUTER).mid(self.point(landmarks::RIGHT_EYE_INNER));
        let left = self.point(landmarks::LEFT_EYE_OUTER).mid(self.point(landmarks::LEFT_EYE_INNER));
        right.dist(left)
    }
}

/// Everything measured once per frame; checks read it, never run models.
#[derive(Clone, Debug)]
pub struct Observation<'a> {
    /// The frame being checked.
    pub frame: &'a Frame,
    /// The frame as grey values (luma 0..255), each pixel converted when read.
    pub gray: Luma<'a>,
    /// All faces the detector found (best first).
    pub detections: &'a [Detection],
    /// The face, when exactly one was found and its mesh says it is a face.
    pub face: Option<Face<'a>>,
    /// The face mesh's presence score when it ran (also when it rejected the face).
    pub presence: Option<f32>,
    /// The person mask (segmentation runs on every still; live frames may reuse a recent one).
    pub mask: &'a PersonMask,
    /// The face's skin colour, learned once from its cheeks and nose (`None` without a face, or when those
    /// regions are too small to sample); the ears, hair, hat, glasses, jewellery and clothing checks share it.
    pub skin: Option<regions::SkinModel>,
}

impl<'a> Observation<'a> {
    /// The observation of one frame; learns the face's skin colour model.
    pub fn new(
        frame: &'a Frame,
        gray: Luma<'a>,
        detections: &'a [Detection],
        face: Option<Face<'a>>,
        presence: Option<f32>,
        mask: &'a PersonMask,
    ) -> Observation<'a> {
        let skin = face.as_ref().and_then(|f| regions::SkinModel::learn(frame, f));
        Observation { frame, gray, detections, face, presence, mask, skin }
    }
}
