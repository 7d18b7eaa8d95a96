//! BlazeFace short-range face detector: letterboxed 128×128 input in [-1, 1], 896 SSD anchors,
//! sigmoid scores, weighted non-maximum suppression — as MediaPipe's `face_detection_short_range`
//! graph does it (ssd_anchors_calculator, tensors_to_detections_calculator, non_max_suppression).

use super::Net;
use crate::error::Result;
use crate::frame::Frame;
use crate::imaging::{warp_to_tensor, Affine, Border, Point};

const SIZE: usize = 128;
pub(crate) const NAME: &str = "face_detection";
/// The fixed NHWC input.
pub(crate) const INPUT: [usize; 4] = [1, SIZE, SIZE, 3];
const NUM_ANCHORS: usize = 896;
const NUM_COORDS: usize = 16;
/// Raw scores are clipped to ±100 before the sigmoid.
const SCORE_CLIP: f32 = 100.0;
/// Weighted NMS merges boxes overlapping more than this (IoU).
const NMS_IOU: f32 = 0.3;

/// One detected face in image pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    /// Left edge of the box, pixels.
    pub x: f32,
    /// Top edge of the box, pixels.
    pub y: f32,
    /// Width of the box, pixels.
    pub w: f32,
    /// Height of the box, pixels.
    pub h: f32,
    /// Detection confidence in [0, 1] (sigmoid of the model's score).
    pub score: f32,
    /// Right eye, left eye (the subject's), nose tip, mouth centre, right ear tragion, left ear tragion.
    pub keypoints: [Point; 6],
}

impl Detection {
    fn iou(&self, o: &Detection) -> f32 {
        let ix = (self.x + self.w).min(o.x + o.w) - self.x.max(o.x);
        let iy = (self.y + self.h).min(o.y + o.h) - self.y.max(o.y);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        inter / (self.w * self.h + o.w * o.h - inter)
    }
}

/// Anchor centres in the 128×128 input (unit size: `fixed_anchor_size`).
fn anchors() -> Vec<Point> {
    // strides 8, 16, 16, 16: the stride-8 layer has 2 anchors per cell, the three stride-16 layers 6.
    let mut out = Vec::with_capacity(NUM_ANCHORS);
    for (stride, per_cell) in [(8usize, 2usize), (16, 6)] {
        let cells = SIZE / stride;
        for y in 0..cells {
            for x in 0..cells {
                for _ in 0..per_cell {
                    out.push(Point::new((x as f32 + 0.5) / cells as f32, (y as f32 + 0.5) / cells as f32));
                }
            }
        }
    }
    out
}

/// The BlazeFace short-range face detector, loaded and ready to run.
pub struct Detector {
    pub(super) net: Net,
    anchors: Vec<Point>,
}

impl Detector {
    /// Loads the detector from its bytes (`face_detection_short_range.nnef.tar`, or `.onnx` with feature `onnx`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Detector> {
        let net = Net::from_bytes(NAME, bytes, INPUT, &[NUM_ANCHORS * NUM_COORDS, NUM_ANCHORS])?;
        Ok(Detector { net, anchors: anchors() })
    }

    /// Faces with score ≥ `min_score`, best first, after weighted NMS. `pad` letterboxes the frame
    /// into a square that much larger than its long side (tight face crops need room around the face).
    #[allow(clippy::neg_cmp_op_on_partial_ord)] // `!(score >= min_score)` also skips NaN scores
    pub fn detect(&self, frame: &Frame, min_score: f32, pad: f32) -> Result<Vec<Detection>> {
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        // The square (side `side` image pixels, centred on the frame) maps onto the 128×128 input.
        let side = w.max(h) * (1.0 + pad);
        let map = Affine::from_rotated_rect(Point::new(w / 2.0, h / 2.0), side, side, 0.0, SIZE as f32, SIZE as f32);
        let out = self.net.run(|input| warp_to_tensor(frame, &map, SIZE, SIZE, Border::Zero, (-1.0, 1.0), input))?;
        let (regressors, scores) = (&out[0], &out[1]);
        let to_image = |nx: f32, ny: f32| map.apply(Point::new(nx * SIZE as f32, ny * SIZE as f32));
        let mut found = Vec::new();
        for (i, anchor) in self.anchors.iter().enumerate() {
            let logit = scores[i].clamp(-SCORE_CLIP, SCORE_CLIP);
            let score = 1.0 / (1.0 + (-logit).exp());
            if !(score >= min_score) {
                continue;
            }
            let r = &regressors[i * NUM_COORDS..(i + 1) * NUM_COORDS];
            let s = SIZE as f32;
            let (cx, cy) = (r[0] / s + anchor.x, r[1] / s + anchor.y);
            let (bw, bh) = (r[2] / s, r[3] / s);
            let tl = to_image(cx - bw / 2.0, cy - bh / 2.0);
            let br = to_image(cx + bw / 2.0, cy + bh / 2.0);
            let mut keypoints = [Point::default(); 6];
            for (k, kp) in keypoints.iter_mut().enumerate() {
                *kp = to_image(r[4 + 2 * k] / s + anchor.x, r[5 + 2 * k] / s + anchor.y);
            }
            let d = Detection { x: tl.x, y: tl.y, w: br.x - tl.x, h: br.y - tl.y, score, keypoints };
            if d.w.is_finite() && d.h.is_finite() && d.w > 0.0 && d.h > 0.0 {
                found.push(d);
            }
        }
        Ok(weighted_nms(found))
    }
}

/// MediaPipe's weighted NMS: each cluster of boxes overlapping the best one is replaced by the
/// score-weighted mean of its boxes and keypoints, keeping the best score.
fn weighted_nms(mut dets: Vec<Detection>) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while !dets.is_empty() {
        let best = dets[0];
        let (cluster, rest): (Vec<Detection>, Vec<Detection>) = dets.into_iter().partition(|d| d.iou(&best) > NMS_IOU);
        dets = rest;
        let total: f32 = cluster.iter().map(|d| d.score).sum();
        let mut merged = best;
        let avg = |f: &dyn Fn(&Detection) -> f32| cluster.iter().map(|d| f(d) * d.score).sum::<f32>() / total;
        merged.x = avg(&|d| d.x);
        merged.y = avg(&|d| d.y);
        merged.w = avg(&|d| d.w);
        merged.h = avg(&|d| d.h);
        for k in 0..6 {
            merged.keypoints[k] = Point::new(avg(&|d| d.keypoints[k].x), avg(&|d| d.keypoints[k].y));
        }
        out.push(merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_layout_matches_mediapipe() {
        let a = anchors();
        assert_eq!(a.len(), NUM_ANCHORS);
        assert_eq!(a[0], Point::new(0.5 / 16.0, 0.5 / 16.0));
        assert_eq!(a[1], a[0]);
        assert_eq!(a[512], Point::new(0.5 / 8.0, 0.5 / 8.0));
        assert_eq!(a[895], Point::new(7.5 / 8.0, 7.5 / 8.0));
    }

    #[test]
    fn nms_merges_overlaps_and_keeps_separate_faces() {
        let d = |x: f32, score: f32| Detection { x, y: 0.0, w: 10.0, h: 10.0, score, keypoints: [Point::default(); 6] };
        let out = weighted_nms(vec![d(0.0, 0.9), d(1.0, 0.9), d(50.0, 0.6)]);
        assert_eq!(out.len(), 2);
        assert!((out[0].x - 0.5).abs() < 1e-5);
        assert_eq!(out[1].x, 50.0);
    }
}
