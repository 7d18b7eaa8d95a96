//! The capture state machine on top of per-frame reports (pure Rust, no I/O; used by the wasm API).
//!
//! - **Ready** only after the verdict has been `pass` for a stable run of `stable_frames` consecutive
//!   frames; any other verdict restarts the run.
//! - **Best frame**: every frame gets a [`frame_score`]; the tracker remembers the index of the best one
//!   so far (the caller keeps its pixels, told by [`CaptureUpdate::new_best`]).
//! - **No flicker**: the checklist shows, per check, a *displayed* status and reason that change only
//!   after the new (status, reason) has been seen for `hold_frames` consecutive frames. The first frame
//!   is shown as is. The verdict used for "ready" is the raw one; `stable_frames` is raised to at least
//!   `hold_frames`, so when it is ready the checklist already shows every required item as passed.

use serde::{Deserialize, Serialize};

use crate::report::{CheckId, Report, Status};

/// Tuning of the capture state machine.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaptureConfig {
    /// Consecutive `pass` frames needed before the capture is ready. Default 5 (about one second at
    /// the 5–8 frames per second a phone reaches without SIMD).
    pub stable_frames: u32,
    /// Consecutive frames a check's new (status, reason) must persist before the checklist shows it.
    /// Default 3.
    pub hold_frames: u32,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        CaptureConfig { stable_frames: 5, hold_frames: 3 }
    }
}

/// Where the capture stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// No passing frame in the current run.
    Searching,
    /// Passing, but not yet for `stable_frames` frames.
    Steady,
    /// Passed for `stable_frames` consecutive frames: capture now.
    Ready,
}

/// One line of the live checklist (after hysteresis).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Which check this line is.
    pub id: CheckId,
    /// The displayed status (changes only after `hold_frames` frames).
    pub status: Status,
    /// The displayed snake_case reason code.
    pub reason: String,
    /// The message for `reason`, in Chinese.
    pub message_zh: String,
    /// The message for `reason`, in English.
    pub message_en: String,
}

/// What one frame changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaptureUpdate {
    /// Where the capture stands after this frame.
    pub phase: Phase,
    /// 0-based index of this frame since the last reset.
    pub frame_index: u64,
    /// Consecutive raw `pass` verdicts up to this frame.
    pub pass_run: u32,
    /// `pass_run / stable_frames`, capped at 1.
    pub progress: f32,
    /// This frame's score ([`frame_score`]).
    pub score: f64,
    /// Whether this frame is the best so far (the caller should keep its pixels).
    pub new_best: bool,
    /// Frame index of the best frame so far (`None` only before the first frame).
    pub best_index: Option<u64>,
    /// Score of the best frame so far (`None` only before the first frame).
    pub best_score: Option<f64>,
    /// The checklist as it should be shown, in report order.
    pub checklist: Vec<ChecklistItem>,
}

/// Scores a frame for "best so far": higher is better.
///
/// `1000 × passing share of required checks` (a frame that passes more of them always wins), plus up to
/// 100 for sharpness (`1 − blur / max_blur` from the sharpness check), up to 100 for a frontal head
/// (`1 − |yaw| / max_yaw`, `1 − |pitch| / max_pitch`, averaged) and up to 10 for face-mesh presence.
pub fn frame_score(report: &Report) -> f64 {
    let required: Vec<_> = report.checks.iter().filter(|(_, r)| r.status() != Status::NotRequired).collect();
    let passing = required.iter().filter(|(_, r)| r.status() == Status::Pass).count();
    let mut score = if required.is_empty() { 0.0 } else { 1000.0 * passing as f64 / required.len() as f64 };
    let sharp = &report.checks.sharpness;
    if let (Some(blur), Some(p)) = (sharp.value.as_ref().and_then(|m| m.blur), &sharp.threshold) {
        if p.max_blur > 0.0 {
            score += 100.0 * (1.0 - blur / p.max_blur as f64).clamp(0.0, 1.0);
        }
    }
    let pose = &report.checks.head_pose;
    if let (Some(m), Some(p)) = (&pose.value, &pose.threshold) {
        let part = |v: f64, max: f32| (max > 0.0).then(|| (1.0 - v.abs() / max as f64).clamp(0.0, 1.0));
        if let (Some(y), Some(x)) = (part(m.yaw, p.max_yaw_deg), part(m.pitch, p.max_pitch_deg)) {
            score += 50.0 * (y + x);
        }
    }
    if let Some(face) = &report.face {
        score += 10.0 * face.presence.clamp(0.0, 1.0);
    }
    score
}

#[derive(Clone, Debug)]
struct Shown {
    item: ChecklistItem,
    /// The candidate (status, reason) and how many consecutive frames it has been seen.
    pending: Option<(Status, String, u32)>,
}

/// The capture state machine. Feed it every checked frame with [`CaptureTracker::push`].
#[derive(Clone, Debug)]
pub struct CaptureTracker {
    config: CaptureConfig,
    frames: u64,
    pass_run: u32,
    ready: bool,
    best: Option<(u64, f64)>,
    shown: Vec<Shown>,
}

impl CaptureTracker {
    /// A tracker at frame 0. `hold_frames` is raised to at least 1 and `stable_frames` to at least
    /// `hold_frames`.
    pub fn new(config: CaptureConfig) -> CaptureTracker {
        // Ready never comes before the checklist has had time to show every item as passed.
        let hold_frames = config.hold_frames.max(1);
        let config = CaptureConfig { stable_frames: config.stable_frames.max(hold_frames), hold_frames };
        CaptureTracker { config, frames: 0, pass_run: 0, ready: false, best: None, shown: Vec::new() }
    }

    /// The configuration in use (after the adjustments made by [`CaptureTracker::new`]).
    pub fn config(&self) -> CaptureConfig {
        self.config
    }

    /// Starts over (after a capture, a retake, or a camera switch).
    pub fn reset(&mut self) {
        *self = CaptureTracker::new(self.config);
    }

    /// The best frame so far: `(frame_index, score)`.
    pub fn best(&self) -> Option<(u64, f64)> {
        self.best
    }

    /// Whether the current run of passing frames has reached `stable_frames` ([`Phase::Ready`]).
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Takes one frame's report.
    pub fn push(&mut self, report: &Report) -> CaptureUpdate {
        let index = self.frames;
        self.frames += 1;

        if report.verdict == Status::Pass {
            self.pass_run = self.pass_run.saturating_add(1);
        } else {
            self.pass_run = 0;
        }
        if self.pass_run >= self.config.stable_frames {
            self.ready = true;
        } else if self.pass_run == 0 {
            // Ready is sticky only while the run lasts: a failing frame before the caller captured
            // means the moment has passed.
            self.ready = false;
        }

        let score = frame_score(report);
        let new_best = match self.best {
            None => true,
            Some((_, best)) => score > best,
        };
        if new_best {
            self.best = Some((index, score));
        }

        self.update_checklist(report);
        let phase = if self.ready {
            Phase::Ready
        } else if self.pass_run > 0 {
            Phase::Steady
        } else {
            Phase::Searching
        };
        CaptureUpdate {
            phase,
            frame_index: index,
            pass_run: self.pass_run,
            progress: (self.pass_run as f32 / self.config.stable_frames as f32).min(1.0),
            score,
            new_best,
            best_index: self.best.map(|b| b.0),
            best_score: self.best.map(|b| b.1),
            checklist: self.shown.iter().map(|s| s.item.clone()).collect(),
        }
    }

    fn update_checklist(&mut self, report: &Report) {
        let hold = self.config.hold_frames;
        for (id, result) in report.checks.iter() {
            let fresh = ChecklistItem {
                id,
                status: result.status(),
                reason: result.reason().to_string(),
                message_zh: result.message_zh().to_string(),
                message_en: result.message_en().to_string(),
            };
            let Some(shown) = self.shown.iter_mut().find(|s| s.item.id == id) else {
                self.shown.push(Shown { item: fresh, pending: None });
                continue;
            };
            if shown.item.status == fresh.status && shown.item.reason == fresh.reason {
                shown.pending = None;
                // Same state: refresh the wording (messages are keyed by reason, so this is a no-op
                // unless the language tables changed).
                shown.item = fresh;
                continue;
            }
            let seen = match &shown.pending {
                Some((s, r, n)) if *s == fresh.status && *r == fresh.reason => n + 1,
                _ => 1,
            };
            if seen >= hold {
                shown.item = fresh;
                shown.pending = None;
            } else {
                shown.pending = Some((fresh.status, fresh.reason.clone(), seen));
            }
        }
        self.shown.sort_by_key(|s| s.item.id);
    }
}

impl Default for CaptureTracker {
    fn default() -> Self {
        CaptureTracker::new(CaptureConfig::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{mouth_closed, sharpness};
    use crate::report::{CheckResult, Checks, ImageInfo, Reason, ReasonCode, Timing};

    /// A report where `mouth` decides mouth_closed, the face is as sharp as `blur` says and every other
    /// check passes.
    fn report(mouth: Status, reason: mouth_closed::Reason, blur: f64) -> Report {
        let mut checks = Checks::uniform(Status::Pass);
        checks.mouth_closed = CheckResult::new(mouth, Reason::Own(reason), None, &mouth_closed_params());
        let value = sharpness::Measure { blur: Some(blur), face_width_px: 200.0 };
        let params = sharpness::Params { max_blur: 0.5, min_face_width_px: 48.0 };
        checks.sharpness = CheckResult::pass(sharpness::Reason::Ok, value, &params);
        Report {
            verdict: Report::verdict_of(&checks),
            profile: "test".into(),
            checks,
            face: None,
            image: ImageInfo { width: 480, height: 640, original: None },
            timing_ms: Timing::default(),
            reused: Vec::new(),
        }
    }

    fn mouth_closed_params() -> mouth_closed::Params {
        mouth_closed::Params { max_lip_gap_ratio: 0.04, max_opening_share: 0.3 }
    }

    use mouth_closed::Reason::{MouthOpen as BAD, Ok as OK, TeethShowing as WORSE};

    fn pass() -> Report {
        report(Status::Pass, OK, 0.3)
    }

    fn fail() -> Report {
        report(Status::Fail, BAD, 0.3)
    }

    fn mouth(u: &CaptureUpdate) -> &ChecklistItem {
        u.checklist.iter().find(|i| i.id == CheckId::MouthClosed).unwrap()
    }

    #[test]
    fn ready_only_after_a_stable_run() {
        let mut t = CaptureTracker::new(CaptureConfig { stable_frames: 4, hold_frames: 2 });
        for i in 0..3 {
            let u = t.push(&pass());
            assert_eq!(u.phase, Phase::Steady, "frame {i}");
            assert_eq!(u.pass_run, i + 1);
        }
        // A failing frame restarts the run.
        assert_eq!(t.push(&fail()).phase, Phase::Searching);
        for _ in 0..3 {
            assert_ne!(t.push(&pass()).phase, Phase::Ready);
        }
        let u = t.push(&pass());
        assert_eq!(u.phase, Phase::Ready);
        assert_eq!(u.progress, 1.0);
        assert!(t.is_ready());
        // Stays ready while passing; a failure ends it.
        assert_eq!(t.push(&pass()).phase, Phase::Ready);
        assert_eq!(t.push(&fail()).phase, Phase::Searching);
        assert!(!t.is_ready());
    }

    #[test]
    fn unknown_verdict_never_becomes_ready() {
        let mut t = CaptureTracker::default();
        for _ in 0..50 {
            let u = t.push(&report(Status::Unknown, OK, 0.1));
            assert_eq!(u.phase, Phase::Searching);
        }
    }

    #[test]
    fn keeps_the_best_frame() {
        let mut t = CaptureTracker::default();
        assert!(t.push(&fail()).new_best); // first frame is the best so far
        let u = t.push(&report(Status::Pass, OK, 0.4));
        assert!(u.new_best, "a passing frame beats a failing one");
        let u = t.push(&report(Status::Pass, OK, 0.1));
        assert!(u.new_best, "sharper wins");
        let u = t.push(&report(Status::Pass, OK, 0.2));
        assert!(!u.new_best);
        assert_eq!(u.best_index, Some(2));
        let u = t.push(&report(Status::Fail, BAD, 0.0));
        assert!(!u.new_best, "a failing frame never beats a passing one, however sharp");
        assert_eq!(t.best().unwrap().0, 2);
        t.reset();
        assert_eq!(t.best(), None);
    }

    #[test]
    fn score_orders_by_passing_share_then_quality() {
        assert!(frame_score(&pass()) > frame_score(&fail()));
        assert!(frame_score(&report(Status::Pass, OK, 0.1)) > frame_score(&report(Status::Pass, OK, 0.4)));
        // not_required checks do not count.
        let mut r = fail();
        r.checks.mouth_closed = CheckResult::not_required();
        assert!((frame_score(&r) - frame_score(&pass())).abs() < 1e-9);
    }

    #[test]
    fn checklist_does_not_flicker() {
        let mut t = CaptureTracker::new(CaptureConfig { stable_frames: 5, hold_frames: 3 });
        assert_eq!(mouth(&t.push(&fail())).status, Status::Fail, "first frame shown as is");
        // Alternating pass/fail never changes what is shown.
        for i in 0..20 {
            let r = if i % 2 == 0 { pass() } else { fail() };
            let u = t.push(&r);
            assert_eq!(mouth(&u).status, Status::Fail, "frame {i}");
            assert_eq!(mouth(&u).message_zh, BAD.messages().0);
        }
        // Two passes are not enough, the third switches it.
        assert_eq!(mouth(&t.push(&pass())).status, Status::Fail);
        assert_eq!(mouth(&t.push(&pass())).status, Status::Fail);
        let u = t.push(&pass());
        assert_eq!(mouth(&u).status, Status::Pass);
        assert_eq!(mouth(&u).reason, "ok");
        // A change of reason within fail is held the same way.
        for _ in 0..3 {
            t.push(&fail());
        }
        assert_eq!(mouth(&t.push(&report(Status::Fail, WORSE, 0.3))).reason, "mouth_open");
        assert_eq!(mouth(&t.push(&report(Status::Fail, WORSE, 0.3))).reason, "mouth_open");
        assert_eq!(mouth(&t.push(&report(Status::Fail, WORSE, 0.3))).reason, "teeth_showing");
    }

    #[test]
    fn ready_is_never_shown_beside_a_failure() {
        // stable_frames below hold_frames is raised to it: when ready, the checklist shows the pass.
        let mut t = CaptureTracker::new(CaptureConfig { stable_frames: 2, hold_frames: 3 });
        assert_eq!(t.config().stable_frames, 3);
        t.push(&fail());
        assert_eq!(t.push(&pass()).phase, Phase::Steady);
        assert_eq!(t.push(&pass()).phase, Phase::Steady);
        let u = t.push(&pass());
        assert_eq!(u.phase, Phase::Ready);
        assert!(u.checklist.iter().all(|i| i.status == Status::Pass));
    }

    #[test]
    fn checklist_is_in_report_order_and_complete() {
        let mut t = CaptureTracker::default();
        let u = t.push(&pass());
        let ids: Vec<_> = u.checklist.iter().map(|i| i.id).collect();
        assert_eq!(ids, CheckId::ALL.to_vec());
    }
}
