//! Selfie segmentation: the whole frame stretched to 256×256 in [0, 1] → person probability per pixel
//! (MediaPipe's selfie_segmentation graph, general model).

use super::Net;
use crate::error::Result;
use crate::frame::Frame;
use crate::imaging::gray::Tap;
use crate::imaging::{warp_to_tensor, Affine, Border, GrayImage, Point};

const SIZE: usize = 256;
pub(crate) const NAME: &str = "selfie_segmentation";
/// The fixed NHWC input.
pub(crate) const INPUT: [usize; 4] = [1, SIZE, SIZE, 3];

/// Person probability over the frame, stored at the model's resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonMask {
    /// Person probability in [0, 1] per model pixel (256×256, stretched over the whole frame).
    pub mask: GrayImage,
    /// Width of the frame the mask covers, pixels.
    pub image_width: u32,
    /// Height of the frame the mask covers, pixels.
    pub image_height: u32,
}

impl PersonMask {
    /// Person probability at image pixel coordinates (bilinear).
    pub fn at(&self, x: f32, y: f32) -> f32 {
        self.mask.sample_taps(self.tap_x(x), self.tap_y(y))
    }

    /// Where [`PersonMask::at`] reads for image column `x` (with [`PersonMask::tap_y`] and
    /// `self.mask.sample_taps`, the same value as `at`, for callers sampling a grid).
    pub fn tap_x(&self, x: f32) -> Tap {
        Tap::new(x * (self.mask.width as f32 / self.image_width as f32), self.mask.width)
    }

    /// Where [`PersonMask::at`] reads for image row `y`.
    pub fn tap_y(&self, y: f32) -> Tap {
        Tap::new(y * (self.mask.height as f32 / self.image_height as f32), self.mask.height)
    }

    /// Mean probability over the whole frame.
    pub fn coverage(&self) -> f32 {
        self.mask.data.iter().sum::<f32>() / self.mask.data.len() as f32
    }
}

/// The selfie segmentation model, loaded and ready to run.
pub struct Segmenter {
    pub(super) net: Net,
}

impl Segmenter {
    /// Loads the model from its bytes (`selfie_segmentation.nnef.tar`, or `.onnx` with feature `onnx`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Segmenter> {
        let net = Net::from_bytes(NAME, bytes, INPUT, &[SIZE * SIZE])?;
        Ok(Segmenter { net })
    }

    /// Computes the person mask of the whole frame (non-finite outputs become 0).
    pub fn run(&self, frame: &Frame) -> Result<PersonMask> {
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let map = Affine::from_rotated_rect(Point::new(w / 2.0, h / 2.0), w, h, 0.0, SIZE as f32, SIZE as f32);
        let mut out =
            self.net.run(|input| warp_to_tensor(frame, &map, SIZE, SIZE, Border::Replicate, (0.0, 1.0), input))?;
        let data =
            out.swap_remove(0).into_iter().map(|v| if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 }).collect();
        Ok(PersonMask {
            mask: GrayImage::new(SIZE, SIZE, data),
            image_width: frame.width(),
            image_height: frame.height(),
        })
    }
}
