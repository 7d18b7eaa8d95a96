//! Named Face Mesh landmark indices and regions (MediaPipe's canonical 468-point topology).
//! "Right"/"left" are the subject's: the subject's right eye appears on the image's left.

/// Top of the forehead on the face's midline (the top of the face oval).
pub const FOREHEAD: usize = 10;
/// Tip of the nose.
pub const NOSE_TIP: usize = 1;
/// Bottom of the chin on the face's midline.
pub const CHIN: usize = 152;
/// Face edges at cheek level (the subject's right edge is on the image's left).
pub const FACE_RIGHT_EDGE: usize = 234;
/// The subject's left face edge at cheek level (on the image's right).
pub const FACE_LEFT_EDGE: usize = 454;

/// Outer corner of the subject's right eye.
pub const RIGHT_EYE_OUTER: usize = 33;
/// Inner corner (toward the nose) of the subject's right eye.
pub const RIGHT_EYE_INNER: usize = 133;
/// Inner corner (toward the nose) of the subject's left eye.
pub const LEFT_EYE_INNER: usize = 362;
/// Outer corner of the subject's left eye.
pub const LEFT_EYE_OUTER: usize = 263;
/// Middle of the subject's right upper eyelid.
pub const RIGHT_EYE_UPPER: usize = 159;
/// Middle of the subject's right lower eyelid.
pub const RIGHT_EYE_LOWER: usize = 145;
/// Middle of the subject's left upper eyelid.
pub const LEFT_EYE_UPPER: usize = 386;
/// Middle of the subject's left lower eyelid.
pub const LEFT_EYE_LOWER: usize = 374;

/// Middle of the upper lip's inner edge (top of the mouth opening).
pub const UPPER_LIP_INNER: usize = 13;
/// Middle of the lower lip's inner edge (bottom of the mouth opening).
pub const LOWER_LIP_INNER: usize = 14;
/// Corner of the mouth on the subject's right (the image's left).
pub const MOUTH_RIGHT_CORNER: usize = 61;
/// Corner of the mouth on the subject's left (the image's right).
pub const MOUTH_LEFT_CORNER: usize = 291;

/// Face outline, clockwise on screen from the forehead.
pub const FACE_OVAL: [usize; 36] = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150,
    136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/// Inner lip contour (the mouth opening), upper lip right → left then lower lip back.
pub const LIPS_INNER: [usize; 20] =
    [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95];
/// Outer lip contour.
pub const LIPS_OUTER: [usize; 20] =
    [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146];

/// Contour of the subject's right eye: outer corner (33), upper lid to the inner corner (133), lower lid back.
pub const RIGHT_EYE: [usize; 16] = [33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7];
/// Contour of the subject's left eye: outer corner (263), upper lid to the inner corner (362), lower lid back.
pub const LEFT_EYE: [usize; 16] = [263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249];
/// The subject's right eyebrow: its lower edge, then its upper edge, each from the outer end inward.
pub const RIGHT_EYEBROW: [usize; 10] = [46, 53, 52, 65, 55, 70, 63, 105, 66, 107];
/// The subject's left eyebrow: its lower edge, then its upper edge, each from the outer end inward.
pub const LEFT_EYEBROW: [usize; 10] = [276, 283, 282, 295, 285, 300, 293, 334, 296, 336];
