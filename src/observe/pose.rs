//! Head pose (yaw, pitch, roll) from MediaPipe Face Mesh landmarks.
//!
//! The pose is found by fitting MediaPipe's canonical 3-D face
//! ([`CANONICAL_FACE`]) to the detected landmarks with a weighted similarity
//! transform (scale, rotation, translation), using MediaPipe's own Procrustes
//! landmark weights ([`PROCRUSTES_WEIGHTS`]), and then splitting the fitted
//! rotation into three angles. The rotation is solved with Horn's closed-form
//! quaternion method (the eigenvector of the largest eigenvalue of a 4×4
//! symmetric matrix, found here by Jacobi iterations), which always yields a
//! proper rotation (never a reflection). Everything is plain `f64` arithmetic
//! with no dependencies, so it builds for `wasm32` as well.
//!
//! # Frames
//!
//! *Camera frame* (used for the fit): right-handed, **X to the image's right,
//! Y up, Z toward the viewer** (out of the screen). The canonical face is
//! modelled in exactly this frame when the subject looks straight at the
//! camera: landmark 33 (the subject's right eye corner, on the image's left)
//! has negative x, the forehead (10) positive y and the nose tip (1) the
//! largest z.
//!
//! *Image frame* (the input): x to the right, y **down**, z = MediaPipe depth,
//! where a smaller z is closer to the camera. That is also right-handed (x right,
//! y down, z into the scene), and it is turned into the camera frame by
//! `(x, y, z) -> (x, -y, -z)`: a 180° rotation about the x axis, so no
//! handedness flip and no reflection enters the fit.
//!
//! # Angles (all in degrees)
//!
//! The rotation `R` that carries the canonical face onto the observed face is
//! written as `R = Ry(-yaw) · Rx(-pitch) · Rz(-roll)` (right-hand rule
//! rotations about the camera axes): yaw about the vertical axis, then pitch
//! about the yawed left-right axis, then roll about the face's own
//! front axis. So:
//!
//! * **yaw > 0**: the face is turned toward the **image's left** (the nose points
//!   to the left side of the picture; for an un-mirrored photo that is the
//!   subject's right).
//! * **pitch > 0**: **chin up**, the face looks up (the nose tip rises in the
//!   image relative to the eyes).
//! * **roll > 0**: the face is rotated **clockwise in the image as the viewer
//!   sees it**; the subject's right eye (landmark 33, on the image's left) is
//!   then higher in the image (smaller y) than the left eye (landmark 263).
//!   For an un-mirrored photo that is the head tilted toward the subject's left
//!   shoulder. This is the sign of the AFLW2000-3D labels (the `pose` set, README "Accuracy").
//!
//! A frontal, upright face gives (0, 0, 0). Pitch is in [-90, 90], yaw and roll
//! in (-180, 180].

use super::canonical_face::{CANONICAL_FACE, PROCRUSTES_WEIGHTS};

/// Number of Face Mesh landmarks (without the refined iris points).
pub const FACE_MESH_LANDMARKS: usize = 468;

/// Head pose in degrees. See the [module documentation](self) for the exact
/// conventions; in short: yaw > 0 = face turned toward the image's left,
/// pitch > 0 = chin up, roll > 0 = face rotated clockwise in the image
/// (landmark 33 higher than landmark 263).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadPose {
    /// Yaw, degrees: > 0 when the face is turned toward the image's left.
    pub yaw_deg: f32,
    /// Pitch, degrees: > 0 when the chin is up.
    pub pitch_deg: f32,
    /// Roll, degrees: > 0 when the face is rotated clockwise in the image.
    pub roll_deg: f32,
}

/// Estimates the head pose from Face Mesh landmarks in image pixel coordinates
/// (x right, y down, z = MediaPipe depth in about the same pixel scale as x,
/// smaller z = closer to the camera; i.e. MediaPipe's normalised x, y, z
/// multiplied by image width, height and width respectively).
///
/// `landmarks` must hold the 468 mesh points; a 478-point list (with
/// `refine_landmarks`' iris points appended) is accepted too and only its first
/// 468 points are used. Returns `None` for any other length, for any
/// non-finite coordinate, or for degenerate input (all points coinciding).
/// Never panics.
pub fn estimate_head_pose(landmarks: &[[f32; 3]]) -> Option<HeadPose> {
    if landmarks.len() != FACE_MESH_LANDMARKS && landmarks.len() != FACE_MESH_LANDMARKS + 10 {
        return None;
    }
    let landmarks = &landmarks[..FACE_MESH_LANDMARKS];
    if landmarks.iter().flatten().any(|v| !v.is_finite()) {
        return None;
    }
    let rot = fit_rotation(landmarks)?;
    let pose = rotation_to_pose(&rot);
    let all_finite = pose.yaw_deg.is_finite() && pose.pitch_deg.is_finite() && pose.roll_deg.is_finite();
    all_finite.then_some(pose)
}

type Mat3 = [[f64; 3]; 3];

/// Image frame (x right, y down, z away from the camera) to camera frame
/// (X right, Y up, Z toward the viewer): a 180° turn about x.
fn image_to_camera(p: [f32; 3]) -> [f64; 3] {
    [f64::from(p[0]), -f64::from(p[1]), -f64::from(p[2])]
}

/// Weighted Procrustes fit of the canonical face to the landmarks: the
/// rotation `R` (camera frame) of the similarity `y ≈ s·R·x + t` minimising
/// `Σ wᵢ |yᵢ − s·R·xᵢ − t|²` over the Procrustes basis. Translation and scale
/// do not affect the optimal rotation, so only the rotation is returned.
fn fit_rotation(landmarks: &[[f32; 3]]) -> Option<Mat3> {
    // Weighted centroids.
    let mut w_sum = 0.0f64;
    let mut cx = [0.0f64; 3]; // model (canonical) centroid
    let mut cy = [0.0f64; 3]; // data (observed) centroid
    for &(id, w) in PROCRUSTES_WEIGHTS.iter() {
        let w = f64::from(w);
        let x = CANONICAL_FACE[usize::from(id)];
        let y = image_to_camera(landmarks[usize::from(id)]);
        w_sum += w;
        for k in 0..3 {
            cx[k] += w * f64::from(x[k]);
            cy[k] += w * y[k];
        }
    }
    cx = cx.map(|v| v / w_sum);
    cy = cy.map(|v| v / w_sum);

    // Weighted cross-covariance S[a][b] = Σ w (x−x̄)_a (y−ȳ)_b, and the
    // spread of the data (to reject degenerate input).
    let mut s: Mat3 = [[0.0; 3]; 3];
    let mut spread_y = 0.0f64;
    for &(id, w) in PROCRUSTES_WEIGHTS.iter() {
        let w = f64::from(w);
        let xm = CANONICAL_FACE[usize::from(id)];
        let yc = image_to_camera(landmarks[usize::from(id)]);
        let x = [f64::from(xm[0]) - cx[0], f64::from(xm[1]) - cx[1], f64::from(xm[2]) - cx[2]];
        let y = [yc[0] - cy[0], yc[1] - cy[1], yc[2] - cy[2]];
        for a in 0..3 {
            spread_y += w * y[a] * y[a];
            for b in 0..3 {
                s[a][b] += w * x[a] * y[b];
            }
        }
    }
    if !spread_y.is_finite() || spread_y <= 0.0 {
        return None;
    }
    // Normalise so the eigen solver sees entries of order one whatever the
    // pixel scale (this changes no eigenvector).
    let norm = s.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    if !norm.is_finite() || norm <= spread_y * 1e-12 {
        return None;
    }
    for row in s.iter_mut() {
        for v in row.iter_mut() {
            *v /= norm;
        }
    }

    // Horn (1987): the unit quaternion maximising Σ w y'·(R x') is the
    // eigenvector of the largest eigenvalue of this symmetric matrix.
    let (sxx, sxy, sxz) = (s[0][0], s[0][1], s[0][2]);
    let (syx, syy, syz) = (s[1][0], s[1][1], s[1][2]);
    let (szx, szy, szz) = (s[2][0], s[2][1], s[2][2]);
    let n = [
        [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
        [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
        [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
        [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
    ];
    let (values, vectors) = jacobi_eigen4(n);
    let mut best = 0;
    for i in 1..4 {
        if values[i] > values[best] {
            best = i;
        }
    }
    let q = [vectors[0][best], vectors[1][best], vectors[2][best], vectors[3][best]];
    let len = q.iter().map(|v| v * v).sum::<f64>().sqrt();
    if !len.is_finite() || len < 1e-9 {
        return None;
    }
    let [w, x, y, z] = q.map(|v| v / len);
    Some([
        [1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y - w * z), 2.0 * (x * z + w * y)],
        [2.0 * (x * y + w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z - w * x)],
        [2.0 * (x * z - w * y), 2.0 * (y * z + w * x), 1.0 - 2.0 * (x * x + y * y)],
    ])
}

/// Eigen-decomposition of a symmetric 4×4 matrix by cyclic Jacobi rotations.
/// Returns the eigenvalues and a matrix whose columns are the eigenvectors.
fn jacobi_eigen4(mut a: [[f64; 4]; 4]) -> ([f64; 4], [[f64; 4]; 4]) {
    let mut v = [[0.0f64; 4]; 4];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..64 {
        let off: f64 = (0..4).flat_map(|p| ((p + 1)..4).map(move |q| (p, q))).map(|(p, q)| a[p][q] * a[p][q]).sum();
        let diag: f64 = (0..4).map(|i| a[i][i] * a[i][i]).sum();
        // Converged, or NaN (which the caller rejects).
        if off <= 1e-30 * diag.max(1e-300) || off.is_nan() {
            break;
        }
        for p in 0..3 {
            for q in (p + 1)..4 {
                let apq = a[p][q];
                if apq == 0.0 {
                    continue;
                }
                // Rotation angle that zeroes a[p][q] (Numerical Recipes form).
                let theta = (a[q][q] - a[p][p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let sn = t * c;
                for row in a.iter_mut() {
                    let akp = row[p];
                    let akq = row[q];
                    row[p] = c * akp - sn * akq;
                    row[q] = sn * akp + c * akq;
                }
                let (row_p, row_q) = (a[p], a[q]);
                for (k, (&apk, &aqk)) in row_p.iter().zip(row_q.iter()).enumerate() {
                    a[p][k] = c * apk - sn * aqk;
                    a[q][k] = sn * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let vkp = row[p];
                    let vkq = row[q];
                    row[p] = c * vkp - sn * vkq;
                    row[q] = sn * vkp + c * vkq;
                }
            }
        }
    }
    ([a[0][0], a[1][1], a[2][2], a[3][3]], v)
}

/// Splits `R = Ry(-yaw) · Rx(-pitch) · Rz(-roll)` into its angles.
///
/// With `f = R·(0,0,1)` the direction the face looks in (camera frame):
/// `f = (−sin yaw·cos pitch, sin pitch, cos yaw·cos pitch)`, and the second
/// row of `R` is `(cos pitch·sin roll, cos pitch·cos roll, sin pitch)`.
fn rotation_to_pose(r: &Mat3) -> HeadPose {
    let pitch = r[1][2].clamp(-1.0, 1.0).asin();
    let yaw = (-r[0][2]).atan2(r[2][2]);
    let roll = -r[1][0].atan2(r[1][1]);
    HeadPose {
        yaw_deg: yaw.to_degrees() as f32,
        pitch_deg: pitch.to_degrees() as f32,
        roll_deg: roll.to_degrees() as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rx(a: f64) -> Mat3 {
        let (s, c) = a.sin_cos();
        [[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]]
    }
    fn ry(a: f64) -> Mat3 {
        let (s, c) = a.sin_cos();
        [[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]]
    }
    fn rz(a: f64) -> Mat3 {
        let (s, c) = a.sin_cos();
        [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
    }
    fn mul(a: &Mat3, b: &Mat3) -> Mat3 {
        let mut m = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
            }
        }
        m
    }
    fn apply(m: &Mat3, p: [f64; 3]) -> [f64; 3] {
        [0, 1, 2].map(|i| m[i][0] * p[0] + m[i][1] * p[1] + m[i][2] * p[2])
    }

    /// Deterministic pseudo-random numbers in [-1, 1).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        }
    }

    /// Builds image-frame landmarks: each canonical vertex is mapped by
    /// `m` (camera frame), scaled to pixels, turned into the image frame
    /// (y down, z away from the camera), translated, and jittered by up to
    /// `noise` pixels per coordinate.
    fn synth_with(m: &Mat3, scale: f64, centre: [f64; 2], noise: f64, seed: u64) -> Vec<[f32; 3]> {
        let mut rng = Lcg(seed);
        CANONICAL_FACE
            .iter()
            .map(|v| {
                let p = apply(m, [f64::from(v[0]), f64::from(v[1]), f64::from(v[2])]);
                [
                    (centre[0] + scale * p[0] + noise * rng.next()) as f32,
                    (centre[1] - scale * p[1] + noise * rng.next()) as f32,
                    (-scale * p[2] + 40.0 + noise * rng.next()) as f32,
                ]
            })
            .collect()
    }

    /// Landmarks for a head at the given (yaw, pitch, roll) in degrees, using
    /// the documented convention `R = Ry(-yaw)·Rx(-pitch)·Rz(-roll)`.
    fn synth(yaw: f64, pitch: f64, roll: f64, scale: f64, noise: f64, seed: u64) -> Vec<[f32; 3]> {
        let r = mul(&ry(-yaw.to_radians()), &mul(&rx(-pitch.to_radians()), &rz(-roll.to_radians())));
        synth_with(&r, scale, [321.5, 247.25], noise, seed)
    }

    fn assert_pose(p: HeadPose, yaw: f64, pitch: f64, roll: f64, tol: f64) {
        let ok = (f64::from(p.yaw_deg) - yaw).abs() <= tol
            && (f64::from(p.pitch_deg) - pitch).abs() <= tol
            && (f64::from(p.roll_deg) - roll).abs() <= tol;
        assert!(ok, "got {p:?}, want yaw {yaw} pitch {pitch} roll {roll} (±{tol})");
    }

    #[test]
    fn frontal_face_is_zero() {
        let lm = synth(0.0, 0.0, 0.0, 14.0, 0.0, 1);
        assert_pose(estimate_head_pose(&lm).unwrap(), 0.0, 0.0, 0.0, 1e-3);
    }

    #[test]
    fn recovers_known_rotations_with_noise() {
        let cases = [
            (20.0, 0.0, 0.0),
            (-20.0, 0.0, 0.0),
            (0.0, 15.0, 0.0),
            (0.0, -15.0, 0.0),
            (0.0, 0.0, 10.0),
            (0.0, 0.0, -10.0),
            (20.0, 15.0, 10.0),
            (-20.0, 15.0, -10.0),
            (20.0, -15.0, -10.0),
            (-20.0, -15.0, 10.0),
            (12.5, -7.0, 3.0),
            (-35.0, 25.0, -20.0),
            (45.0, -30.0, 25.0),
        ];
        for (i, &(yaw, pitch, roll)) in cases.iter().enumerate() {
            for (j, &scale) in [6.0, 15.0, 40.0].iter().enumerate() {
                // Up to ±0.5 px of noise on every coordinate.
                let lm = synth(yaw, pitch, roll, scale, 0.5, (i * 10 + j) as u64 + 7);
                let p = estimate_head_pose(&lm).expect("pose");
                assert_pose(p, yaw, pitch, roll, 0.5);
            }
        }
    }

    #[test]
    fn accepts_refined_478_landmarks() {
        let mut lm = synth(10.0, -5.0, 3.0, 15.0, 0.0, 3);
        lm.extend(std::iter::repeat_n([0.0, 0.0, 0.0], 10));
        assert_pose(estimate_head_pose(&lm).unwrap(), 10.0, -5.0, 3.0, 1e-3);
    }

    /// Yaw sign, checked against the raw geometry rather than the helper
    /// convention: turn the head about the vertical axis so the nose tip moves
    /// toward smaller image x.
    #[test]
    fn yaw_sign_nose_toward_image_left_is_positive() {
        let a = 20f64.to_radians();
        // Camera frame, about +Y: X' = X cos a − Z sin a, Z' = X sin a + Z cos a.
        let m = [[a.cos(), 0.0, -a.sin()], [0.0, 1.0, 0.0], [a.sin(), 0.0, a.cos()]];
        let front = synth_with(&rz(0.0), 15.0, [300.0, 300.0], 0.0, 1);
        let turned = synth_with(&m, 15.0, [300.0, 300.0], 0.0, 1);
        assert!(turned[1][0] < front[1][0] - 10.0, "nose tip moved toward the image's left");
        let p = estimate_head_pose(&turned).unwrap();
        assert!(p.yaw_deg > 19.5 && p.yaw_deg < 20.5, "{p:?}");
        assert!(p.pitch_deg.abs() < 0.01 && p.roll_deg.abs() < 0.01, "{p:?}");
    }

    /// Pitch sign: tip the chin up so the nose tip rises in the image
    /// (smaller y) relative to the eyes.
    #[test]
    fn pitch_sign_chin_up_is_positive() {
        let a = 15f64.to_radians();
        // Camera frame: Y' = Y cos a + Z sin a, Z' = −Y sin a + Z cos a.
        let m = [[1.0, 0.0, 0.0], [0.0, a.cos(), a.sin()], [0.0, -a.sin(), a.cos()]];
        let front = synth_with(&rz(0.0), 15.0, [300.0, 300.0], 0.0, 1);
        let up = synth_with(&m, 15.0, [300.0, 300.0], 0.0, 1);
        let nose_minus_eyes = |lm: &[[f32; 3]]| lm[1][1] - 0.5 * (lm[33][1] + lm[263][1]);
        assert!(nose_minus_eyes(&up) < nose_minus_eyes(&front) - 5.0, "nose rose toward the eyes");
        let p = estimate_head_pose(&up).unwrap();
        assert!(p.pitch_deg > 14.5 && p.pitch_deg < 15.5, "{p:?}");
        assert!(p.yaw_deg.abs() < 0.01 && p.roll_deg.abs() < 0.01, "{p:?}");
    }

    /// Roll sign: rotate the face counter-clockwise in the image as seen by the
    /// viewer, so the subject's left eye (263, image right) ends up higher in
    /// the image (smaller y) than the right eye (33, image left).
    #[test]
    fn roll_sign_clockwise_in_image_is_positive() {
        let a = 10f64.to_radians();
        // Camera frame (Y up), about +Z: X' = X cos a − Y sin a, Y' = X sin a + Y cos a.
        let m = [[a.cos(), -a.sin(), 0.0], [a.sin(), a.cos(), 0.0], [0.0, 0.0, 1.0]];
        let lm = synth_with(&m, 15.0, [300.0, 300.0], 0.0, 1);
        assert!(lm[33][0] < lm[263][0], "33 is on the image's left");
        assert!(lm[263][1] < lm[33][1] - 5.0, "263 is higher in the image than 33");
        let p = estimate_head_pose(&lm).unwrap();
        assert!(p.roll_deg < -9.5 && p.roll_deg > -10.5, "counter-clockwise is negative: {p:?}");
        assert!(p.yaw_deg.abs() < 0.01 && p.pitch_deg.abs() < 0.01, "{p:?}");

        let lm = synth_with(&rz(-a), 15.0, [300.0, 300.0], 0.0, 1);
        assert!(lm[263][1] > lm[33][1] + 5.0);
        assert!(estimate_head_pose(&lm).unwrap().roll_deg > 9.5);
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        let good = synth(5.0, 5.0, 5.0, 15.0, 0.0, 2);
        assert!(estimate_head_pose(&good).is_some());

        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for idx in [0usize, 4, 467] {
                for k in 0..3 {
                    let mut lm = good.clone();
                    lm[idx][k] = bad;
                    assert_eq!(estimate_head_pose(&lm), None);
                }
            }
        }
        assert_eq!(estimate_head_pose(&[]), None);
        assert_eq!(estimate_head_pose(&good[..467]), None);
        let mut long = good.clone();
        long.push([0.0; 3]);
        assert_eq!(estimate_head_pose(&long), None);
        // Degenerate: every point the same.
        assert_eq!(estimate_head_pose(&vec![[5.0, 5.0, 5.0]; 468]), None);
        assert_eq!(estimate_head_pose(&vec![[0.0; 3]; 468]), None);
    }

    #[test]
    fn arbitrary_finite_input_never_panics() {
        let mut rng = Lcg(99);
        for round in 0..200 {
            let mag = [1e-30, 1e-3, 1.0, 1e3, 1e20, 3e38][round % 6];
            let lm: Vec<[f32; 3]> = (0..468).map(|_| [0, 1, 2].map(|_| (rng.next() * mag) as f32)).collect();
            if let Some(p) = estimate_head_pose(&lm) {
                assert!(p.yaw_deg.is_finite() && p.pitch_deg.is_finite() && p.roll_deg.is_finite());
                assert!(p.pitch_deg.abs() <= 90.0 && p.yaw_deg.abs() <= 180.0 && p.roll_deg.abs() <= 180.0);
            }
        }
        // Flat (z = 0) and collinear input.
        let flat: Vec<[f32; 3]> = CANONICAL_FACE.iter().map(|v| [v[0] * 10.0, -v[1] * 10.0, 0.0]).collect();
        let _ = estimate_head_pose(&flat);
        let line: Vec<[f32; 3]> = (0..468).map(|i| [i as f32, 2.0 * i as f32, 0.0]).collect();
        let _ = estimate_head_pose(&line);
    }

    #[test]
    fn canonical_data_is_sane() {
        // The frame the module docs describe.
        assert!(CANONICAL_FACE[33][0] < 0.0 && CANONICAL_FACE[263][0] > 0.0);
        assert!(CANONICAL_FACE[10][1] > CANONICAL_FACE[152][1]);
        let max_z = CANONICAL_FACE.iter().map(|v| v[2]).fold(f32::MIN, f32::max);
        assert!(CANONICAL_FACE[1][2] >= max_z - 0.2);
        // MediaPipe's weights are not normalised (they sum to about 1.055).
        let total: f32 = PROCRUSTES_WEIGHTS.iter().map(|w| w.1).sum();
        assert!(total > 0.5 && total < 2.0, "weights sum to {total}");
        // The basis is left-right symmetric: the same weight on 33 and 263.
        let weight = |id: u16| PROCRUSTES_WEIGHTS.iter().find(|w| w.0 == id).map(|w| w.1);
        assert_eq!(weight(33), weight(263));
        assert!(weight(33).is_some());
        assert!(PROCRUSTES_WEIGHTS.iter().all(|&(id, w)| usize::from(id) < 468 && w > 0.0));
    }
}
