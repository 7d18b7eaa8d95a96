//! The pipeline: frame → detect → landmarks → segmentation → observation → checks → report.
//!
//! - [`Checker`] checks stills (photo files, album images, the captured frame). It is immutable
//!   (`&self`): every image runs every stage, nothing carries over, and one checker can serve many threads.
//! - [`LiveStream`] follows one camera stream. It owns what carries over between frames — the tracked
//!   face and a recent person mask (MediaPipe's design, see the profile's `[tracking]`) — and asks a
//!   `Checker` for the work.
//! - [`run_checks`] is the one place that maps the profile onto the checks.

use std::sync::Arc;

use web_time::Instant;

use crate::checks::{
    background_plain, body_tilt, clothing_contrast, ears_visible, exposure, eyes_open, face_count, framing,
    glasses_clear, hair_clear, head_pose, lighting_even, mouth_closed, no_hat, no_jewelry, shadow_free, sharpness,
};
use crate::decode;
use crate::error::Result;
use crate::frame::Frame;
use crate::imaging::geometry::Point;
use crate::imaging::Luma;
use crate::models::{Detection, MeshResult, Models, NetProfile, PersonMask, Roi};
use crate::observe::{pose, Face, HeadPose, Observation};
use crate::profile::{Profile, Tracking};
use crate::report::{r3, CheckId, CheckResult, Checks, FaceSummary, ImageInfo, ReasonCode, Report, Stage, Timing};

/// When no face is found, the detector runs once more on the frame letterboxed with this much padding
/// (tight face crops fill the frame, and BlazeFace expects a margin around the face).
const RETRY_PAD: f32 = 1.0;
/// A tracked ROI is reused when its centre lies within this share of the new detection's size.
const TRACK_MAX_SHIFT: f32 = 0.25;

/// Milliseconds since `since`, to the microsecond.
fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e6).round() / 1000.0
}

/// Runs every check the profile requires on one observation; the others are `not_required`.
pub fn run_checks(obs: &Observation, profile: &Profile) -> Checks {
    fn run<M, R: ReasonCode, P: Clone>(
        required: bool,
        check: impl FnOnce() -> CheckResult<M, R, P>,
    ) -> CheckResult<M, R, P> {
        if required {
            check()
        } else {
            CheckResult::not_required()
        }
    }
    let p = profile;
    let on = |id| p.is_required(id);
    Checks {
        face_count: run(on(CheckId::FaceCount), || face_count::check(obs, &p.face_count)),
        framing: run(on(CheckId::Framing), || framing::check(obs, &p.framing)),
        head_pose: run(on(CheckId::HeadPose), || head_pose::check(obs, &p.head_pose)),
        body_tilt: run(on(CheckId::BodyTilt), || body_tilt::check(obs, &p.body_tilt)),
        ears_visible: run(on(CheckId::EarsVisible), || ears_visible::check(obs, &p.ears_visible)),
        hair_clear: run(on(CheckId::HairClear), || hair_clear::check(obs, &p.hair_clear)),
        no_hat: run(on(CheckId::NoHat), || no_hat::check(obs, &p.no_hat)),
        mouth_closed: run(on(CheckId::MouthClosed), || mouth_closed::check(obs, &p.mouth_closed)),
        eyes_open: run(on(CheckId::EyesOpen), || eyes_open::check(obs, &p.eyes_open)),
        lighting_even: run(on(CheckId::LightingEven), || lighting_even::check(obs, &p.lighting_even)),
        exposure: run(on(CheckId::Exposure), || exposure::check(obs, &p.exposure)),
        sharpness: run(on(CheckId::Sharpness), || sharpness::check(obs, &p.sharpness)),
        background_plain: run(on(CheckId::BackgroundPlain), || background_plain::check(obs, &p.background_plain)),
        glasses_clear: run(on(CheckId::GlassesClear), || glasses_clear::check(obs, &p.glasses_clear)),
        no_jewelry: run(on(CheckId::NoJewelry), || no_jewelry::check(obs, &p.no_jewelry)),
        clothing_contrast: run(on(CheckId::ClothingContrast), || clothing_contrast::check(obs, &p.clothing_contrast)),
        shadow_free: run(on(CheckId::ShadowFree), || shadow_free::check(obs, &p.shadow_free)),
    }
}

/// The report with what the pipeline saw on the way (for debugging tools and tests that draw what the
/// checks saw).
pub struct Inspection {
    /// The report, as `check_still` returns it.
    pub report: Report,
    /// Every face the detector found, best first.
    pub detections: Vec<Detection>,
    /// The accepted face mesh (presence above the profile's threshold).
    pub mesh: Option<MeshResult>,
    /// The face mesh's presence score when it ran (also when it rejected the face).
    pub presence: Option<f32>,
    /// The person mask.
    pub mask: Arc<PersonMask>,
    /// The head pose fitted to the mesh.
    pub pose: Option<HeadPose>,
}

impl Inspection {
    /// The observation the checks saw, rebuilt from the kept parts (nothing is recomputed).
    pub fn observation<'a>(&'a self, frame: &'a Frame) -> Observation<'a> {
        let face = self.mesh.as_ref().map(|mesh| Face { detection: &self.detections[0], mesh, pose: self.pose });
        Observation::new(frame, Luma::of_frame(frame), &self.detections, face, self.presence, &self.mask)
    }
}

/// What the models found in one frame, before the checks.
struct Found {
    detections: Vec<Detection>,
    /// The face mesh of the single detection, whatever its presence.
    mesh: Option<MeshResult>,
    mask: Arc<PersonMask>,
    timing: Timing,
    reused: Vec<Stage>,
}

/// Checks photos and still frames against a profile. Holds the models; keeps no state between images.
pub struct Checker {
    models: Models,
    profile: Profile,
    /// Whether reports carry the 468 landmarks.
    pub include_landmarks: bool,
}

impl Checker {
    /// A checker with the given models and profile.
    pub fn new(models: Models, profile: Profile) -> Checker {
        Checker { models, profile, include_landmarks: false }
    }

    /// The profile the thresholds come from.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Replaces the profile (the models stay loaded).
    pub fn set_profile(&mut self, profile: Profile) {
        self.profile = profile;
    }

    /// Runs each network once on zeros, so that the first frame does not pay for code never run before (in
    /// a browser: 0.1–0.5 s per network in the JIT's first tiers). Optional: without it the first frame
    /// does the same work. The wasm page calls it while the camera opens.
    pub fn warm_up(&self) -> Result<()> {
        self.models.warm_up()
    }

    /// Times the three networks by tract op type (see `Models::profile`).
    pub fn profile_networks(&self, runs: usize) -> Result<Vec<NetProfile>> {
        self.models.profile(runs)
    }

    /// Checks a photo file's bytes (JPEG/PNG): EXIF orientation applied, large photos downscaled.
    pub fn check_image(&self, bytes: &[u8]) -> Result<Report> {
        let start = Instant::now();
        let decoded = decode::decode(bytes, &self.profile.limits)?;
        let decode_ms = ms(start);
        let mut report = self.check_still(&decoded.frame)?;
        if decoded.original != [decoded.frame.width(), decoded.frame.height()] {
            report.image.original = Some(decoded.original);
        }
        add_decode_time(&mut report, decode_ms);
        Ok(report)
    }

    /// Checks a still image already in memory: every stage runs, nothing is reused.
    pub fn check_still(&self, frame: &Frame) -> Result<Report> {
        Ok(self.inspect_still(frame)?.report)
    }

    /// Checks a still image and keeps what the pipeline saw on the way.
    pub fn inspect_still(&self, frame: &Frame) -> Result<Inspection> {
        let start = Instant::now();
        let mut timing = Timing::default();
        let t = Instant::now();
        let detections = self.detect(frame, true)?;
        timing.detect = ms(t);
        let t = Instant::now();
        let mesh = match detections.as_slice() {
            // a second pass on the landmarks' own ROI refines the crop the detector box gave
            [only] => {
                let mesh = self.models.mesh.run(frame, Roi::from_detection(only))?;
                if self.accepts(&mesh) {
                    Some(self.models.mesh.run(frame, Roi::from_landmarks(&mesh.points))?)
                } else {
                    Some(mesh)
                }
            }
            _ => None,
        };
        timing.landmarks = ms(t);
        let t = Instant::now();
        let mask = Arc::new(self.models.segmenter.run(frame)?);
        timing.segment = ms(t);
        Ok(self.finish(frame, Found { detections, mesh, mask, timing, reused: Vec::new() }, start))
    }

    /// Whether the face mesh says its crop holds a face.
    fn accepts(&self, mesh: &MeshResult) -> bool {
        mesh.presence >= self.profile.face_count.min_presence
    }

    /// Every face the detector finds; when none, a second pass on the padded frame (`retry_padded`).
    fn detect(&self, frame: &Frame, retry_padded: bool) -> Result<Vec<Detection>> {
        let min_score = self.profile.face_count.min_detection_score;
        let found = self.models.detector.detect(frame, min_score, 0.0)?;
        if !found.is_empty() || !retry_padded {
            return Ok(found);
        }
        self.models.detector.detect(frame, min_score, RETRY_PAD)
    }

    /// Observation, checks and report from what the models found.
    fn finish(&self, frame: &Frame, found: Found, start: Instant) -> Inspection {
        let Found { detections, mesh, mask, mut timing, reused } = found;
        let t = Instant::now();
        let presence = mesh.as_ref().map(|m| m.presence);
        let mesh = mesh.filter(|m| self.accepts(m));
        let pose = mesh.as_ref().and_then(|m| pose::estimate_head_pose(&m.points));
        let face = mesh.as_ref().map(|mesh| Face { detection: &detections[0], mesh, pose });
        let obs = Observation::new(frame, Luma::of_frame(frame), &detections, face, presence, &mask);
        let checks = run_checks(&obs, &self.profile);
        let face = obs.face.as_ref().map(|f| FaceSummary {
            bbox: [f.detection.x, f.detection.y, f.detection.w, f.detection.h].map(r3),
            score: r3(f.detection.score),
            presence: r3(f.mesh.presence),
            landmarks: self.include_landmarks.then(|| f.mesh.points.clone()),
        });
        timing.checks = ms(t);
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
        Inspection { report, detections, mesh, presence, mask, pose }
    }
}

/// Adds the decode (or RGBA copy) time to a report's timing.
fn add_decode_time(report: &mut Report, decode_ms: f64) {
    report.timing_ms.decode = decode_ms;
    report.timing_ms.total = ((report.timing_ms.total + decode_ms) * 1000.0).round() / 1000.0;
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
    /// Whether a face was tracked on the frame it was made from.
    with_face: bool,
}

/// One camera stream: follows the face between detector runs and reuses a recent person mask (longer while no
/// face is found), on the schedule of the profile's `[tracking]`. Reports list what they reused. Call
/// [`LiveStream::reset`] when the camera changes.
#[derive(Default)]
pub struct LiveStream {
    tracked: Option<Tracked>,
    mask: Option<CachedMask>,
    /// Detector runs in a row that found no face.
    misses: u32,
}

impl LiveStream {
    /// A stream with nothing tracked yet.
    pub fn new() -> LiveStream {
        LiveStream::default()
    }

    /// Forgets the tracked face and the reused mask.
    pub fn reset(&mut self) {
        *self = LiveStream::default();
    }

    /// Checks one camera frame given as RGBA bytes.
    pub fn check_rgba(&mut self, checker: &Checker, rgba: &[u8], width: u32, height: u32) -> Result<Report> {
        let start = Instant::now();
        let frame = Frame::from_rgba_limited(rgba, width, height, checker.profile.limits.max_pixels)?;
        self.check_made_frame(checker, &frame, start)
    }

    /// Like [`LiveStream::check_rgba`], taking the RGBA buffer instead of copying it and giving it back, with
    /// the report or the error, for the next frame (the wasm layer keeps one buffer for every frame).
    pub fn check_rgba_vec(
        &mut self,
        checker: &Checker,
        rgba: Vec<u8>,
        width: u32,
        height: u32,
    ) -> (Result<Report>, Vec<u8>) {
        let start = Instant::now();
        let frame = match Frame::from_rgba_vec(rgba, width, height, checker.profile.limits.max_pixels) {
            Ok(frame) => frame,
            Err((e, rgba)) => return (Err(e), rgba),
        };
        let result = self.check_made_frame(checker, &frame, start);
        (result, frame.into_bytes())
    }

    /// Checks a frame just made from RGBA bytes, the making (since `start`) counted as its decode time.
    fn check_made_frame(&mut self, checker: &Checker, frame: &Frame, start: Instant) -> Result<Report> {
        let decode_ms = ms(start);
        let mut report = self.check_frame(checker, frame)?;
        add_decode_time(&mut report, decode_ms);
        Ok(report)
    }

    /// Checks one camera frame, reusing what the schedule allows.
    pub fn check_frame(&mut self, checker: &Checker, frame: &Frame) -> Result<Report> {
        let start = Instant::now();
        let schedule = &checker.profile.tracking;
        let mut timing = Timing::default();
        let mut reused = Vec::new();

        // Between detector runs the face is followed with the landmarks alone; a lost track (low
        // presence) falls back to the detector on the same frame.
        let t = Instant::now();
        let followed = match self.tracked {
            Some(tr) if tr.since_detect + 1 < schedule.redetect_every => {
                let mesh = checker.models.mesh.run(frame, tr.roi)?;
                checker.accepts(&mesh).then(|| (tr.follow(&mesh), mesh, tr.since_detect + 1))
            }
            _ => None,
        };
        timing.landmarks = ms(t);
        let (detections, mesh, since_detect) = match followed {
            Some((detection, mesh, since)) => {
                reused.push(Stage::Detection);
                (vec![detection], Some(mesh), since)
            }
            None => {
                let t = Instant::now();
                let detections = checker.detect(frame, self.misses % schedule.no_face_retry_every == 0)?;
                self.misses = if detections.is_empty() { self.misses + 1 } else { 0 };
                timing.detect = ms(t);
                let t = Instant::now();
                let mesh = match detections.as_slice() {
                    [only] => Some(checker.models.mesh.run(frame, self.roi_for(only))?),
                    _ => None,
                };
                timing.landmarks = ms(t);
                (detections, mesh, 0)
            }
        };
        self.tracked = match (mesh.as_ref().filter(|m| checker.accepts(m)), detections.as_slice()) {
            (Some(m), [only]) => Some(Tracked { roi: Roi::from_landmarks(&m.points), detection: *only, since_detect }),
            _ => None,
        };

        let t = Instant::now();
        let mask = match self.reusable_mask(frame, schedule) {
            Some(mask) => {
                reused.push(Stage::Segmentation);
                mask
            }
            None => {
                let mask = Arc::new(checker.models.segmenter.run(frame)?);
                self.mask = Some(CachedMask { mask: Arc::clone(&mask), since: 0, with_face: self.tracked.is_some() });
                mask
            }
        };
        timing.segment = ms(t);
        Ok(checker.finish(frame, Found { detections, mesh, mask, timing, reused }, start).report)
    }

    /// The tracked ROI when it still matches the new detection, else the detection's own.
    fn roi_for(&self, detection: &Detection) -> Roi {
        let from_det = Roi::from_detection(detection);
        match self.tracked {
            Some(t) if t.roi.center.dist(from_det.center) < TRACK_MAX_SHIFT * from_det.size => t.roi,
            _ => from_det,
        }
    }

    /// The cached mask, when the frame size is unchanged, it was made with a face tracked exactly when one
    /// is tracked now, and it is young enough (`segment_every` with a face, `no_face_segment_every` without).
    fn reusable_mask(&mut self, frame: &Frame, schedule: &Tracking) -> Option<Arc<PersonMask>> {
        let tracked = self.tracked.is_some();
        let cached = self.mask.as_mut()?;
        let same_size = (cached.mask.image_width, cached.mask.image_height) == (frame.width(), frame.height());
        let every = if tracked { schedule.segment_every } else { schedule.no_face_segment_every };
        if cached.with_face == tracked && same_size && cached.since + 1 < every {
            cached.since += 1;
            Some(Arc::clone(&cached.mask))
        } else {
            None
        }
    }
}
