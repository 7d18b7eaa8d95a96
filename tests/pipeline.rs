//! The pipeline on a real portrait and on variants derived from it: each variant must fail the check
//! it targets, for the right reason, and leave the unrelated checks alone.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

mod common;

use common::*;
use photo_check::{CheckId as C, LiveStream, Status};

#[test]
fn sample_portrait_one_frontal_face_smiling() {
    let r = check(&sample());
    assert_eq!(status(&r, C::FaceCount), Status::Pass);
    assert_eq!(r.checks.face_count.value.as_ref().unwrap().count, 1);
    // she smiles with her teeth showing
    assert_eq!(status(&r, C::MouthClosed), Status::Fail, "{:?}", r.check(C::MouthClosed));
    assert_eq!(status(&r, C::HeadPose), Status::Pass);
    assert!(value(&r, C::HeadPose, "yaw").abs() < 5.0);
    assert!(value(&r, C::HeadPose, "roll").abs() < 5.0);
    assert!(value(&r, C::HeadPose, "pitch").abs() < 8.0);
    for id in [C::EyesOpen, C::LightingEven, C::Exposure, C::Sharpness] {
        assert_eq!(status(&r, id), Status::Pass, "{}: {:?}", id.as_str(), r.check(id));
    }
    // a flag and a space shuttle model stand behind her
    assert_eq!(r.check(C::BackgroundPlain).reason(), "background_busy");
    assert_eq!(r.verdict, Status::Fail);
    let face = r.face.as_ref().expect("face summary");
    assert!(face.bbox[2] > 60.0 && face.bbox[2] < 140.0, "face box {:?}", face.bbox);
}

#[test]
fn rolled_head_fails_head_pose_only() {
    let base = check(&sample());
    let face = base.face.clone().unwrap();
    let (cx, cy) = ((face.bbox[0] + face.bbox[2] / 2.0) as f32, (face.bbox[1] + face.bbox[3] / 2.0) as f32);
    // clockwise on screen: the head leans toward the subject's left shoulder (roll > 0)
    let r = check(&rotate(&sample(), 20.0, cx, cy));
    assert!((value(&r, C::HeadPose, "roll") - 20.0).abs() < 4.0, "{:?}", r.check(C::HeadPose));
    // rotating the picture also tilts the shoulders and moves the head in the frame
    assert_flips(&base, &r, C::HeadPose, "roll_left", &[C::BodyTilt, C::Framing, C::BackgroundPlain]);
    let r = check(&rotate(&sample(), -20.0, cx, cy));
    assert_flips(&base, &r, C::HeadPose, "roll_right", &[C::BodyTilt, C::Framing, C::BackgroundPlain]);
}

#[test]
fn one_dark_half_fails_lighting_even() {
    let base = check(&sample());
    let face = base.face.clone().unwrap();
    let mid = (face.bbox[0] + face.bbox[2] / 2.0) as u32;
    // the image's left is the subject's right
    let r = check(&darken_left(&sample(), mid, 0.4));
    // half the face at 40 % is also a hard shadow across it: shadow_free may say so too
    let also = [C::BackgroundPlain, C::Framing, C::BodyTilt, C::ShadowFree];
    assert_flips(&base, &r, C::LightingEven, "right_side_dark", &also);
    assert!(value(&r, C::LightingEven, "ratio") < 0.6);
}

#[test]
fn blur_fails_sharpness() {
    let base = check(&sample());
    let r = check(&blur(&sample(), 2, 3));
    assert_flips(&base, &r, C::Sharpness, "blurred", &[C::BackgroundPlain, C::Framing, C::BodyTilt]);
}

#[test]
fn head_cut_off_fails_framing() {
    let base = check(&sample());
    // cut through her hair, above the forehead
    let r = check(&crop_top(&sample(), 40));
    assert_eq!(status(&r, C::FaceCount), Status::Pass);
    assert_flips(&base, &r, C::Framing, "head_cut_off", &[C::BackgroundPlain, C::BodyTilt]);
}

#[test]
fn second_face_fails_face_count() {
    let base = check(&sample());
    let face = base.face.clone().unwrap();
    let side = (face.bbox[3] * 0.75) as u32;
    let src =
        ((face.bbox[0] + face.bbox[2] / 2.0) as u32 - side / 2, (face.bbox[1] + face.bbox[3] / 2.0) as u32 - side / 2);
    let r = check(&paste(&sample(), src, side, (512 - side - 4, 300)));
    assert_eq!(status(&r, C::FaceCount), Status::Fail);
    assert_eq!(reason(&r, C::FaceCount), "multiple_faces");
    assert_eq!(r.checks.face_count.value.as_ref().unwrap().count, 2);
    for id in [C::HeadPose, C::MouthClosed, C::EyesOpen, C::Sharpness] {
        assert_eq!((status(&r, id), reason(&r, id)), (Status::Unknown, "multiple_faces"), "{}", id.as_str());
    }
}

#[test]
fn noise_has_no_face_and_nothing_passes_on_it() {
    let r = check(&noise(640, 480, 7));
    assert_eq!((status(&r, C::FaceCount), reason(&r, C::FaceCount)), (Status::Fail, "no_face"));
    for id in
        [C::Framing, C::HeadPose, C::MouthClosed, C::EyesOpen, C::LightingEven, C::Exposure, C::Sharpness, C::BodyTilt]
    {
        assert_eq!((status(&r, id), reason(&r, id)), (Status::Unknown, "no_face"), "{}", id.as_str());
    }
    assert_eq!(r.verdict, Status::Fail);
    assert!(r.face.is_none());
}

#[test]
fn odd_sized_frames_are_checked() {
    let r = LiveStream::new().check_rgba(checker(), &vec![90u8; 481 * 641 * 4], 481, 641).expect("odd sizes are valid");
    assert_eq!((r.image.width, r.image.height), (481, 641));
    assert_eq!(status(&r, C::FaceCount), Status::Fail);
}

#[test]
fn a_stream_checking_in_its_own_buffer_reports_as_one_copying_it_and_gets_the_buffer_back() {
    let frame = sample();
    let rgba: Vec<u8> = frame.to_rgb().chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    let without_timing = |mut r: photo_check::Report| {
        r.timing_ms = Default::default();
        serde_json::to_string(&r).unwrap()
    };
    let (mut copying, mut owning) = (LiveStream::new(), LiveStream::new());
    let mut buf = rgba.clone();
    for _ in 0..4 {
        let expected = without_timing(copying.check_rgba(checker(), &rgba, 512, 512).unwrap());
        let (report, back) = owning.check_rgba_vec(checker(), buf, 512, 512);
        assert_eq!(without_timing(report.unwrap()), expected);
        assert_eq!(back, rgba, "the buffer comes back untouched");
        buf = back;
    }
    // refused buffers come back too, and the stream goes on
    let (refused, back) = owning.check_rgba_vec(checker(), vec![0; 100], 512, 512);
    assert_eq!((refused.unwrap_err().code(), back.len()), ("buffer_length", 100));
    let (refused, back) = owning.check_rgba_vec(checker(), vec![0; 8 * 8 * 4], 8, 8);
    assert_eq!((refused.unwrap_err().code(), back.len()), ("bad_dimensions", 256));
    assert!(owning.check_rgba_vec(checker(), buf, 512, 512).0.is_ok());
}

#[test]
fn live_frames_track_the_face_and_agree_with_the_still_check() {
    let frame = sample();
    let rgba: Vec<u8> = frame.to_rgb().chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    let still = check(&frame);
    let mut stream = LiveStream::new();
    let first = stream.check_rgba(checker(), &rgba, 512, 512).unwrap();
    let second = stream.check_rgba(checker(), &rgba, 512, 512).unwrap();
    for r in [&first, &second] {
        for id in [
            C::FaceCount,
            C::HeadPose,
            C::MouthClosed,
            C::EyesOpen,
            C::LightingEven,
            C::EarsVisible,
            C::HairClear,
            C::NoHat,
        ] {
            assert_eq!(status(r, id), status(&still, id), "{}", id.as_str());
        }
        assert!((value(r, C::HeadPose, "yaw") - value(&still, C::HeadPose, "yaw")).abs() < 3.0);
    }
}

#[test]
fn dark_photo_fails_exposure() {
    let base = check(&sample());
    let mut dark = sample();
    for c in dark.bytes_mut() {
        *c = (*c as f32 * 0.25) as u8;
    }
    let r = check(&dark);
    assert_flips(&base, &r, C::Exposure, "too_dark", &[C::BackgroundPlain, C::Framing, C::BodyTilt, C::Sharpness]);
}

#[test]
fn plain_background_passes_background_plain() {
    let frame = sample();
    let seen = checker().inspect_still(&frame).unwrap();
    assert_eq!(seen.report.check(C::BackgroundPlain).reason(), "background_busy");
    // paint everything the mask calls background a flat light blue (CHSI's RGB 100,197,255)
    let mut plain = frame.clone();
    let w = plain.width();
    for (i, px) in plain.bytes_mut().chunks_exact_mut(photo_check::Frame::BYTES_PER_PIXEL).enumerate() {
        let (x, y) = ((i as u32 % w) as f32 + 0.5, (i as u32 / w) as f32 + 0.5);
        if seen.mask.at(x, y) < 0.5 {
            px[..3].copy_from_slice(&[100, 197, 255]);
        }
    }
    let r = check(&plain);
    assert_eq!(status(&r, C::BackgroundPlain), Status::Pass, "{:?}", r.checks.background_plain);
    assert!(value(&r, C::BackgroundPlain, "luma_std") < 10.0);
}

/// The `[tracking]` schedule on a live stream: the detector runs on every `redetect_every`-th tracked
/// frame and the mask on every `segment_every`-th; the frames between say what they reused and give the
/// same statuses as the full frames; a second face is seen at the next detector run; stills never reuse.
#[test]
fn live_stream_reuses_detection_and_mask_on_schedule() {
    use photo_check::Stage;
    let frame = sample();
    let rgba = |f: &photo_check::Frame| -> Vec<u8> {
        f.to_rgb().chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect()
    };
    let still = check(&frame);
    let face = still.face.clone().unwrap();
    let side = (face.bbox[3] * 0.75) as u32;
    let src =
        ((face.bbox[0] + face.bbox[2] / 2.0) as u32 - side / 2, (face.bbox[1] + face.bbox[3] / 2.0) as u32 - side / 2);
    let two = paste(&frame, src, side, (512 - side - 4, 300));

    let mut profile = photo_check::Profile::chsi();
    profile.tracking.redetect_every = 4;
    profile.tracking.segment_every = 2;
    let c = checker_with(profile);
    let mut stream = LiveStream::new();
    let one = rgba(&frame);
    let reports: Vec<_> = (0..9).map(|_| stream.check_rgba(&c, &one, 512, 512).unwrap()).collect();
    // a second face appears on frame 9: the followed frames 9..11 cannot see it, the detector at 12 does
    let later: Vec<_> = (0..5).map(|_| stream.check_rgba(&c, &rgba(&two), 512, 512).unwrap()).collect();
    let again = c.check_still(&frame).unwrap();

    let detected: Vec<bool> = reports.iter().map(|r| !r.reused.contains(&Stage::Detection)).collect();
    assert_eq!(detected, [true, false, false, false, true, false, false, false, true]);
    let segmented: Vec<bool> = reports.iter().map(|r| !r.reused.contains(&Stage::Segmentation)).collect();
    assert_eq!(segmented, [true, false, true, false, true, false, true, false, true]);
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r.reused.contains(&Stage::Detection), r.timing_ms.detect == 0.0, "frame {i}");
        assert_eq!(r.reused.contains(&Stage::Segmentation), r.timing_ms.segment < 0.5, "frame {i}");
        for (id, c) in r.checks.iter() {
            assert_eq!(c.status(), reports[0].check(id).status(), "frame {i} {}", id.as_str());
        }
        let (a, b) = (r.face.as_ref().unwrap(), reports[0].face.as_ref().unwrap());
        for k in 0..4 {
            assert!((a.bbox[k] - b.bbox[k]).abs() < 0.05 * b.bbox[2], "frame {i}: box {:?} vs {:?}", a.bbox, b.bbox);
        }
    }
    let counts: Vec<usize> = later.iter().map(|r| r.checks.face_count.value.as_ref().unwrap().count).collect();
    assert_eq!(counts, [1, 1, 1, 2, 2], "frames 9..13: {counts:?}");
    assert!(again.reused.is_empty());
    assert_eq!(again.checks, still.checks);
}

/// Frames without a face (the first seconds of a session) run the detector but make the person mask only on
/// every `no_face_segment_every`-th frame; once a face appears it gets a fresh mask (a faceless mask is never
/// reused for it), and from then on the face schedule (`segment_every`) applies. Statuses match a full still.
#[test]
fn faceless_frames_reuse_the_mask_longer_and_a_face_gets_a_fresh_one() {
    use photo_check::Stage;
    let frame = sample();
    let rgba = |f: &photo_check::Frame| -> Vec<u8> {
        f.to_rgb().chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect()
    };
    let empty = noise(512, 512, 3);
    let mut profile = photo_check::Profile::chsi();
    profile.tracking.no_face_segment_every = 4;
    profile.tracking.segment_every = 2;
    let c = checker_with(profile);
    let mut stream = LiveStream::new();
    let faceless: Vec<_> = (0..6).map(|_| stream.check_rgba(&c, &rgba(&empty), 512, 512).unwrap()).collect();
    let faces: Vec<_> = (0..3).map(|_| stream.check_rgba(&c, &rgba(&frame), 512, 512).unwrap()).collect();
    let segmented = |rs: &[photo_check::Report]| -> Vec<bool> {
        rs.iter().map(|r| !r.reused.contains(&Stage::Segmentation)).collect()
    };
    assert_eq!(segmented(&faceless), [true, false, false, false, true, false]);
    assert_eq!(segmented(&faces), [true, false, true]);
    let (still_empty, still_face) = (c.check_still(&empty).unwrap(), c.check_still(&frame).unwrap());
    for r in &faceless {
        assert!(!r.reused.contains(&Stage::Detection), "the detector runs on every faceless frame");
        assert_eq!(r.checks.face_count.value.as_ref().unwrap().count, 0);
        for (id, check) in r.checks.iter() {
            assert_eq!(check.status(), still_empty.check(id).status(), "{}", id.as_str());
        }
    }
    for (id, check) in faces[0].checks.iter() {
        assert_eq!(check.status(), still_face.check(id).status(), "{}", id.as_str());
    }
}

/// A face filling the frame is found only by the detector's padded second pass; without a face the live
/// stream runs that pass on every `no_face_retry_every`-th frame, so such a face is found within that many.
#[test]
fn a_face_filling_the_frame_is_found_within_no_face_retry_every_frames() {
    let frame = sample();
    let face = check(&frame).face.unwrap();
    let side = (face.bbox[3] * 0.75) as u32;
    let (cx, cy) = (face.bbox[0] + face.bbox[2] / 2.0, face.bbox[1] + face.bbox[3] / 2.0);
    let (x0, y0) = ((cx - side as f64 / 2.0) as usize, (cy - side as f64 / 2.0) as usize);
    let rgb = frame.to_rgb();
    let rows = (y0..y0 + side as usize).flat_map(|y| rgb[(y * 512 + x0) * 3..][..side as usize * 3].to_vec());
    let tight = photo_check::Frame::from_rgb(rows.collect(), side, side).unwrap();
    let count = |r: &photo_check::Report| r.checks.face_count.value.as_ref().unwrap().count;
    let c = checker();
    let rgba: Vec<u8> = tight.to_rgb().chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    assert_eq!(count(&c.check_still(&tight).unwrap()), 1, "the still check finds it (padded pass)");
    let mut profile = photo_check::Profile::chsi();
    profile.tracking.no_face_retry_every = 3;
    let c3 = checker_with(profile);
    let mut stream = LiveStream::new();
    let noise_rgba: Vec<u8> =
        noise(side, side, 5).to_rgb().chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    // one faceless frame: the next two skip the padded pass, the third runs it
    stream.check_rgba(&c3, &noise_rgba, side, side).unwrap();
    let counts: Vec<usize> = (0..3).map(|_| count(&stream.check_rgba(&c3, &rgba, side, side).unwrap())).collect();
    assert_eq!(counts[..2], [0, 0], "without the padded pass the tight face is not found: {counts:?}");
    assert_eq!(counts[2], 1);
}
