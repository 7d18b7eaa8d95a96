//! Model I/O, isolated here: bytes → tract plans, and each network's pre- and post-processing.
//!
//! No file access: the CLI reads model files (or uses the embedded copies) and hands over bytes; the
//! wasm build embeds them or receives them from JavaScript.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use tract_onnx::prelude::*;
use web_time::Instant;

use crate::error::{catch_panic, Error, Result};

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
    pub(crate) fn from_bytes(
        name: &'static str,
        bytes: &[u8],
        input_shape: [usize; 4],
        output_lens: &[usize],
    ) -> Result<Net> {
        let err = |e: TractError| Error::ModelLoad { model: name, detail: format!("{e:#}") };
        if bytes.is_empty() {
            return Err(Error::ModelLoad { model: name, detail: "no bytes".into() });
        }
        if bytes.len() > MAX_MODEL_BYTES {
            return Err(Error::TooLarge {
                what: "model bytes",
                actual: bytes.len() as u64,
                limit: MAX_MODEL_BYTES as u64,
            });
        }
        let onnx = tract_onnx::onnx();
        let proto = onnx.proto_model_for_read(&mut &bytes[..]).map_err(err)?;
        check_graph_outputs(&proto).map_err(|detail| Error::ModelLoad { model: name, detail })?;
        // tract 0.23 can still panic on other malformed graphs (found by fuzz/fuzz_targets/model_bytes.rs).
        let model = catch_panic(
            || -> Result<TypedModel> {
                onnx.model_for_proto_model(&proto)
                    .map_err(err)?
                    .with_input_fact(0, f32::fact(input_shape).into())
                    .map_err(err)?
                    .into_optimized()
                    .map_err(err)
            },
            |panic| Error::ModelLoad { model: name, detail: format!("tract failed on this model ({panic})") },
        )?;
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
        net.run(|_| {}).map_err(|e| Error::ModelLoad { model: name, detail: e.to_string() })?;
        Ok(net)
    }

    /// Runs the network `runs` times on a constant input (after one untimed run) and returns the mean
    /// time per run of each tract op type, slowest first.
    fn profile(&self, runs: usize) -> Result<NetProfile> {
        let err = |e: TractError| Error::Inference { model: self.name, detail: format!("{e:#}") };
        let input = Tensor::from_shape(&self.input_shape, &vec![0.5f32; self.input_len()]).map_err(err)?;
        let mut state = self.plan.spawn().map_err(err)?;
        state.run(tvec!(input.clone().into())).map_err(err)?;
        let mut by_op: BTreeMap<String, (usize, f64)> = BTreeMap::new();
        let runs = runs.max(1);
        let start = Instant::now();
        for _ in 0..runs {
            state
                .run_plan_with_eval(tvec!(input.clone().into()), |session, op_state, node, inputs| {
                    let t = Instant::now();
                    let out = tract_onnx::tract_core::plan::eval(session, op_state, node, inputs);
                    let entry = by_op.entry(node.op().name().to_string()).or_default();
                    entry.0 += 1;
                    entry.1 += t.elapsed().as_secs_f64() * 1000.0;
                    out
                })
                .map_err(err)?;
        }
        let per_run = |ms: f64| (ms / runs as f64 * 1000.0).round() / 1000.0;
        let mut ops: Vec<OpTime> =
            by_op.into_iter().map(|(op, (nodes, ms))| OpTime { op, nodes: nodes / runs, ms: per_run(ms) }).collect();
        ops.sort_by(|a, b| b.ms.total_cmp(&a.ms));
        Ok(NetProfile { model: self.name, total_ms: per_run(start.elapsed().as_secs_f64() * 1000.0), ops })
    }

    pub(crate) fn input_len(&self) -> usize {
        self.input_shape.iter().product()
    }

    /// Runs the network on one NHWC input, written by `fill` straight into the input tensor (zeros
    /// before it writes); returns each output flattened. A tensor per run keeps the network shareable
    /// through `&self`.
    pub(crate) fn run(&self, fill: impl FnOnce(&mut [f32])) -> Result<Vec<Vec<f32>>> {
        let err = |e: TractError| Error::Inference { model: self.name, detail: format!("{e:#}") };
        let mut tensor = Tensor::zero::<f32>(&self.input_shape).map_err(err)?;
        let mut view = tensor.try_as_plain_ram_mut().map_err(err)?;
        fill(view.as_slice_mut::<f32>().map_err(err)?);
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

/// Every graph output must name a graph input, an initializer or a node output: tract 0.23 indexes its
/// name table with each output name and panics on a missing one (a corrupt model, found by fuzzing:
/// tests/regressions/model_bytes/), which in the wasm build would abort the module.
fn check_graph_outputs(proto: &tract_onnx::pb::ModelProto) -> std::result::Result<(), String> {
    let graph = proto.graph.as_ref().ok_or("the model has no graph")?;
    let known: std::collections::HashSet<&str> = graph
        .input
        .iter()
        .map(|i| i.name.as_str())
        .chain(graph.initializer.iter().map(|t| t.name.as_str()))
        .chain(graph.node.iter().flat_map(|n| n.output.iter().map(String::as_str)))
        .collect();
    match graph.output.iter().find(|o| !known.contains(o.name.as_str())) {
        Some(o) => Err(format!("graph output {:?} is produced by nothing in the graph", o.name)),
        None => Ok(()),
    }
}

/// Where one network spends its time, by tract op type (`Models::profile`).
#[derive(Clone, Debug, Serialize)]
pub struct NetProfile {
    /// The network's name ("face_detection", "face_landmark" or "selfie_segmentation").
    pub model: &'static str,
    /// Mean time of one whole run, ms.
    pub total_ms: f64,
    /// Time per op type, slowest first.
    pub ops: Vec<OpTime>,
}

/// One tract op type in a network: how many nodes it has and their summed time per run, ms.
#[derive(Clone, Debug, Serialize)]
pub struct OpTime {
    /// tract's name for the op type.
    pub op: String,
    /// Number of nodes of this type evaluated in one run.
    pub nodes: usize,
    /// Summed time of those nodes per run, ms.
    pub ms: f64,
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
    /// The BlazeFace short-range detector (`face_detection_short_range.onnx`).
    pub face_detection: &'a [u8],
    /// The Face Mesh landmark model (`face_landmark.onnx`).
    pub face_landmark: &'a [u8],
    /// The selfie segmentation model (`selfie_segmentation.onnx`).
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

    /// Times each network by tract op type over `runs` runs (a diagnostic: where tract spends the
    /// time, e.g. for bench/; not used by the checks).
    pub fn profile(&self, runs: usize) -> Result<Vec<NetProfile>> {
        [&self.detector.net, &self.mesh.net, &self.segmenter.net].into_iter().map(|net| net.profile(runs)).collect()
    }

    /// Loads the models compiled into this build (feature `embed-models`).
    #[cfg(feature = "embed-models")]
    pub fn embedded() -> Result<Models> {
        Models::from_bytes(EMBEDDED)
    }
}
