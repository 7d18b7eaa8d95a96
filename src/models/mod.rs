//! Model I/O, isolated here: bytes → tract plans, and each network's pre- and post-processing.
//!
//! No file access: the CLI reads model files (or uses the embedded copies) and hands over bytes; the
//! wasm build embeds them or receives them from JavaScript.

use std::sync::Arc;

use tract_onnx::prelude::*;

use crate::error::{Error, Result};

pub mod detector;
pub mod mesh;
pub mod segmenter;

pub use detector::{Detection, Detector};
pub use mesh::{FaceMesh, MeshResult, Roi};
pub use segmenter::{PersonMask, Segmenter};

/// Largest accepted model file, in bytes (the three models are 0.2 to 1.2 MB). Larger input is refused
/// before it is parsed.
pub const MAX_MODEL_BYTES: usize = 64 << 20;

/// One ONNX network with a fixed NHWC float input, ready to run.
pub(crate) struct Net {
    name: &'static str,
    plan: Arc<TypedRunnableModel>,
    input_shape: [usize; 4],
    /// Expected element count of each output, checked on every run.
    output_lens: Vec<usize>,
}

impl Net {
    /// Parses, type-checks and optimises a model. `output_lens` are the expected output sizes.
    pub(crate) fn from_bytes(name: &'static str, bytes: &[u8], input_shape: [usize; 4], output_lens: &[usize]) -> Result<Net> {
        let err = |e: TractError| Error::ModelLoad { model: name, detail: format!("{e:#}") };
        if bytes.is_empty() {
            return Err(Error::ModelLoad { model: name, detail: "no bytes".into() });
        }
        if bytes.len() > MAX_MODEL_BYTES {
            return Err(Error::TooLarge { what: "model bytes", actual: bytes.len() as u64, limit: MAX_MODEL_BYTES as u64 });
        }
        let model = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .map_err(err)?
            .with_input_fact(0, f32::fact(input_shape).into())
            .map_err(err)?
            .into_optimized()
            .map_err(err)?;
        let outputs = model.output_outlets().map_err(err)?.len();
        if outputs != output_lens.len() {
            return Err(Error::ModelLoad {
                model: name,
                detail: format!("has {outputs} outputs, expected {}", output_lens.len()),
            });
        }
        let plan = model.into_runnable().map_err(err)?;
        let net = Net { name, plan, input_shape, output_lens: output_lens.to_vec() };
        // One dry run proves the graph and the output sizes before the first real frame.
        net.run(&vec![0.0; net.input_len()]).map_err(|e| Error::ModelLoad { model: name, detail: e.to_string() })?;
        Ok(net)
    }

    pub(crate) fn input_len(&self) -> usize {
        self.input_shape.iter().product()
    }

    /// Runs the network on one NHWC input; returns each output flattened.
    pub(crate) fn run(&self, input: &[f32]) -> Result<Vec<Vec<f32>>> {
        let err = |e: TractError| Error::Inference { model: self.name, detail: format!("{e:#}") };
        let tensor = Tensor::from_shape(&self.input_shape, input).map_err(err)?;
        let outputs = self.plan.run(tvec!(tensor.into())).map_err(err)?;
        let mut result = Vec::with_capacity(outputs.len());
        for (out, &want) in outputs.iter().zip(&self.output_lens) {
            let view = out.to_plain_array_view::<f32>().map_err(err)?;
            let values: Vec<f32> = view.iter().copied().collect();
            if values.len() != want {
                return Err(Error::Inference {
                    model: self.name,
                    detail: format!("output has {} values, expected {want}", values.len()),
                });
            }
            result.push(values);
        }
        Ok(result)
    }
}

/// The three networks the pipeline needs.
pub struct Models {
    pub(crate) detector: Detector,
    pub(crate) mesh: FaceMesh,
    pub(crate) segmenter: Segmenter,
}

/// The bytes of the models, as committed in `models/` (see models/MANIFEST.md).
#[derive(Clone, Copy)]
pub struct ModelBytes<'a> {
    pub face_detection: &'a [u8],
    pub face_landmark: &'a [u8],
    pub selfie_segmentation: &'a [u8],
}

/// The committed model files, compiled into the binary (feature `embed-models`).
#[cfg(feature = "embed-models")]
pub const EMBEDDED: ModelBytes<'static> = ModelBytes {
    face_detection: include_bytes!("../../models/face_detection_short_range.onnx"),
    face_landmark: include_bytes!("../../models/face_landmark.onnx"),
    selfie_segmentation: include_bytes!("../../models/selfie_segmentation.onnx"),
};

impl Models {
    /// Loads the three models from their ONNX bytes.
    pub fn from_bytes(bytes: ModelBytes<'_>) -> Result<Models> {
        Ok(Models {
            detector: Detector::from_bytes(bytes.face_detection)?,
            mesh: FaceMesh::from_bytes(bytes.face_landmark)?,
            segmenter: Segmenter::from_bytes(bytes.selfie_segmentation)?,
        })
    }

    /// Loads the models compiled into this build (feature `embed-models`).
    #[cfg(feature = "embed-models")]
    pub fn embedded() -> Result<Models> {
        Models::from_bytes(EMBEDDED)
    }
}
