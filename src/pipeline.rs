//! The pipeline: frame → detect → landmarks → segmentation → observation → checks → report.

use std::collections::BTreeMap;
use std::sync::Arc;

use web_time::Instant;

use crate::checks;
use crate::decode;
use crate::error::Result;
use crate::frame::Frame;
use crate::imaging;
use crate::imaging::geometry::Point;
use crate::models::{Detection, MeshResult, Models, PersonMask, Roi};
use crate::observe::{pose, Face, Observation};
use crate::profile::Profile;
use crate::report::{FaceSummary, ImageInfo, Report, Stage, Timing};

/// When no face is found, the detector runs once more on the frame letterboxed with this much padding
/// (tight face crops fill the frame, and BlazeFace expects a margin around the face).
const RETRY_PAD: f32 = 1.0;
/// A tracked ROI is reused when its centre lies within this share of the new detection's size.
const TRACK_MAX_SHIFT: f32 = 0.25;

/// Milliseconds since `since`, to the microsecond.
fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e6).round() / 1000.0
}

/// Rounds image coordinates and scores for the report.
fn r3(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}

/// The report with what the pipeline saw on the way.
pub struct Inspection {
    pub report: Report,
    pub detections: Vec<Detection>,
    /// The accepted face mesh (presence above the profile's threshold).
    pub mesh: Option<MeshResult>,
    pub mask: Arc<PersonMask>,
}

/// The face followed from frame to frame of one camera stream.
#[derive(Clone, Copy)]
struct Tracked {
    /// The previous frame's landmark ROI, used as the next frame's crop (MediaPipe's tracking).
    roi: Roi,
    /// The last detection, moved along with the landmarks on frames where the detector is skipped.
    detection: Detection,
    /// Frames since the detector last ran.
    since_detect: u32,
}

impl Tracked {
    /// The detection moved and scaled with the face from the tracked ROI to `mesh`'s ROI.
    fn follow(&self, mesh: &MeshResult) -> Detection {
        let (from, to) = (self.roi, Roi::from_landmarks(&mesh.points));
        let scale = to.size / from.size.max(1.0);
        let map = |p: Point| {
            Point::new(to.center.x + (p.x - from.center.x) * scale, to.center.y + (p.y - from.center.y) * scale)
        };
        let d = &self.detection;
        let center = map(Point::new(d.x + d.w / 2.0, d.y + d.h / 2.0));
        let (w, h) = (d.w * scale, d.h * scale);
        Detection {
            x: center.x - w / 2.0,
            y: center.y - h / 2.0,
            w,
            h,
            score: d.score,
            keypoints: d.keypoints.map(map),
        }
    }
}

/// The person mask of an earlier frame of the stream, reused for a few frames.
struct CachedMask {
    mask: Arc<PersonMask>,
    since: u32,
}

/// Checks photos and camera frames against a profile. Holds the models, their buffers and the
/// tracking state between frames of one camera stream.
pub struct Checker {
    models: Models,
    profile: Profile,
    tracked: Option<Tracked>,
    mask: Option<CachedMask>,
    /// Whether reports carry the 468 landmarks.
    pub include_landmarks: bool,
}

impl Checker {
    pub fn new(models: Models, profile: Profile) -> Checker {
        Checker { models, profile, tracked: None, mask: None, include_landmarks: false }
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn set_profile(&mut self, profile: Profile) {
        self.profile = profile;
    }

    /// Times the three networks by tract op type (see `Models::profile`).
    pub fn profile_networks(&self, runs: usize) -> Result<Vec<crate::models::NetProfile>> {
        self.models.profile(runs)
    }

    /// Forgets the tracked face and the reused mask (call when the camera changes).
    pub fn reset(&mut self) {
        self.tracked = None;
        self.mask = None;
    }

    /// Checks one camera frame given as RGBA bytes; keeps tracking state for the next frame.
    pub fn check_rgba(&mut self, rgba: &[u8], width: u32, height: u32) -> Result<Report> {
        let start = Instant::now();
        let frame = Frame::from_rgba_limited(rgba, width, height, self.profile.limits.max_pixels)?;
        let decode_ms = ms(start);
        let mut report = self.run(&frame, true)?;
        report.timing_ms.decode = decode_ms;
        report.timing_ms.total = ((report.timing_ms.total + decode_ms) * 1000.0).round() / 1000.0;
        Ok(report)
    }

    /// Checks one camera frame; keeps tracking state for the next frame.
    pub fn check_frame(&mut self, frame: &Frame) -> Result<Report> {
        self.run(frame, true)
    }

    /// Checks a photo file's bytes (JPEG/PNG): EXIF orientation applied, large photos downscaled.
    /// Each photo stands alone: no tracking state is used or kept.
    pub fn check_image(&mut self, bytes: &[u8]) -> Result<Report> {
        let start = Instant::now();
        let decoded = decode::decode(bytes, &self.profile.limits)?;
        let decode_ms = ms(start);
        self.reset();
        let mut report = self.run(&decoded.frame, false)?;
        if decoded.original != [decoded.frame.width(), decoded.frame.height()] {
            report.image.original = Some(decoded.original);
        }
        report.timing_ms.decode = decode_ms;
        report.timing_ms.total = ((report.timing_ms.total + decode_ms) * 1000.0).round() / 1000.0;
        Ok(report)
    }

    /// Checks a still image already in memory (no tracking).
    pub fn check_still(&mut self, frame: &Frame) -> Result<Report> {
        self.reset();
        self.run(frame, false)
    }

    fn detect(&mut self, frame: &Frame) -> Result<Vec<Detection>> {
        let min_score = self.profile.face_count.min_detection_score;
        let found = self.models.detector.detect(frame, min_score, 0.0)?;
        if !found.is_empty() {
            return Ok(found);
        }
        self.models.detector.detect(frame, min_score, RETRY_PAD)
    }

    /// The face mesh for the single detected face: from the tracked ROI when it still matches the
    /// detection, otherwise from the detection; still images get a second pass on the landmark ROI.
    fn landmarks(&mut self, frame: &Frame, det: &Detection, live: bool) -> Result<MeshResult> {
        let from_det = Roi::from_detection(det);
        let roi = match self.tracked {
            Some(t) if live && t.roi.center.dist(from_det.center) < TRACK_MAX_SHIFT * from_det.size => t.roi,
            _ => from_det,
        };
        let mut mesh = self.models.mesh.run(frame, roi)?;
        if !live && mesh.presence >= self.profile.face_count.min_presence {
            mesh = self.models.mesh.run(frame, Roi::from_landmarks(&mesh.points))?;
        }
        Ok(mesh)
    }

    /// Runs the models on a still image and hands the observation the checks would see to `f`
    /// (for debugging tools that draw the measured regions; no report is made).
    pub fn inspect_still<R>(&mut self, frame: &Frame, f: impl FnOnce(&Observation) -> R) -> Result<R> {
        self.reset();
        let seen = self.inspect(frame, false)?;
        let gray = imaging::frame_gray(frame);
        let face = seen.mesh.as_ref().map(|m| Face {
            detection: &seen.detections[0],
            mesh: m,
            pose: pose::estimate_head_pose(&m.points),
        });
        let presence = seen.mesh.as_ref().map(|m| m.presence);
        let obs =
            Observation { frame, gray: &gray, detections: &seen.detections, face, presence, mask: Some(&*seen.mask) };
        Ok(f(&obs))
    }

    fn run(&mut self, frame: &Frame, live: bool) -> Result<Report> {
        Ok(self.inspect(frame, live)?.report)
    }

    /// Runs the pipeline and returns the intermediate results with the report (for debugging tools
    /// and tests that draw what the checks saw).
    pub fn inspect(&mut self, frame: &Frame, live: bool) -> Result<Inspection> {
        let start = Instant::now();
        let mut timing = Timing::default();

        let mut reused = Vec::new();
        let t = Instant::now();
        // Live frames follow a tracked face with the landmarks alone between detector runs; a lost
        // track (low presence) falls back to the detector on the same frame.
        let followed = match self.tracked {
            Some(tr) if live && tr.since_detect + 1 < self.profile.tracking.redetect_every => {
                let mesh = self.models.mesh.run(frame, tr.roi)?;
                (mesh.presence >= self.profile.face_count.min_presence).then(|| (tr.follow(&mesh), mesh))
            }
            _ => None,
        };
        timing.landmarks = ms(t);
        let (detections, mesh, since_detect) = match followed {
            Some((detection, mesh)) => {
                reused.push(Stage::Detection);
                (vec![detection], Some(mesh), self.tracked.map_or(0, |t| t.since_detect + 1))
            }
            None => {
                let t = Instant::now();
                let detections = self.detect(frame)?;
                timing.detect = ms(t);
                let t = Instant::now();
                let mesh = match detections.as_slice() {
                    [only] => Some(self.landmarks(frame, only, live)?),
                    _ => None,
                };
                timing.landmarks = ms(t);
                (detections, mesh, 0)
            }
        };
        let presence = mesh.as_ref().map(|m| m.presence);
        let mesh = mesh.filter(|m| m.presence >= self.profile.face_count.min_presence);
        self.tracked = match (&mesh, detections.as_slice()) {
            (Some(m), [only]) if live => {
                Some(Tracked { roi: Roi::from_landmarks(&m.points), detection: *only, since_detect })
            }
            _ => None,
        };

        let t = Instant::now();
        let same_size = |m: &CachedMask| (m.mask.image_width, m.mask.image_height) == (frame.width(), frame.height());
        let reuse_mask = match &self.mask {
            Some(m) if self.tracked.is_some() && same_size(m) => m.since + 1 < self.profile.tracking.segment_every,
            _ => false,
        };
        if reuse_mask {
            if let Some(m) = self.mask.as_mut() {
                m.since += 1;
            }
            reused.push(Stage::Segmentation);
        } else {
            self.mask = Some(CachedMask { mask: Arc::new(self.models.segmenter.run(frame)?), since: 0 });
        }
        let mask = match (&self.mask, live) {
            (Some(m), true) => Arc::clone(&m.mask),
            _ => self.mask.take().map(|m| m.mask).expect("set above"),
        };
        timing.segment = ms(t);

        let t = Instant::now();
        let gray = imaging::frame_gray(frame);
        let face = mesh.as_ref().map(|m| Face {
            detection: &detections[0],
            mesh: m,
            pose: pose::estimate_head_pose(&m.points),
        });
        let obs = Observation { frame, gray: &gray, detections: &detections, face, presence, mask: Some(&*mask) };
        let checks: BTreeMap<_, _> = checks::run_all(&obs, &self.profile).into_iter().collect();
        timing.checks = ms(t);

        let face = obs.face.as_ref().map(|f| FaceSummary {
            bbox: [f.detection.x, f.detection.y, f.detection.w, f.detection.h].map(r3),
            score: r3(f.detection.score),
            presence: r3(f.mesh.presence),
            landmarks: self.include_landmarks.then(|| f.mesh.points.clone()),
        });
        timing.total = ms(start);
        let report = Report {
            verdict: Report::verdict_of(&checks),
            profile: self.profile.name.clone(),
            checks,
            face,
            image: ImageInfo { width: frame.width(), height: frame.height(), original: None },
            timing_ms: timing,
            reused,
        };
        Ok(Inspection { report, detections, mesh, mask })
    }
}
