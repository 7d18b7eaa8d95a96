//! Model I/O, isolated here: bytes → tract plans, and each network's pre- and post-processing.
//!
//! No file access: the CLI reads model files (or uses the embedded copies) and hands over bytes; the
//! wasm build receives them from JavaScript.
//!
//! Two formats: the ONNX files converted from MediaPipe (models/*.onnx, feature `onnx`: the CLI, tests,
//! eval, fuzzing) and the NNEF archives made from them by [`to_nnef`] (models/*.nnef.tar, what the browser
//! loads: tract-core + tract-nnef only, no ONNX parser in the module). The format is told by the bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use tract_nnef::prelude::*;
use web_time::Instant;

use crate::error::{catch_panic, Error, Result};

pub mod detector;
pub mod mesh;
#[cfg(feature = "onnx")]
mod onnx;
mod ops;
pub mod segmenter;

pub use detector::{Detection, Detector};
pub use mesh::{FaceMesh, MeshResult, Roi};
pub use segmenter::{PersonMask, Segmenter};

/// Largest accepted model file, in bytes (the three models are 0.2 to 1.2 MB). Larger input is refused
/// before it is parsed.
pub const MAX_MODEL_BYTES: usize = 64 << 20;

/// The three networks' files in models/, without extension, in [`ModelBytes`] order: `<stem>.onnx` is the
/// converted MediaPipe model, `<stem>.nnef.tar` the NNEF archive made from it (the one the browser loads).
pub const MODEL_STEMS: [&str; 3] = ["face_detection_short_range", "face_landmark", "selfie_segmentation"];

thread_local! {
    /// tract's NNEF reader, made once per thread: making one parses NNEF's standard library (~10 ms natively).
    static NNEF: tract_nnef::framework::Nnef = tract_nnef::nnef();
}

/// An NNEF archive is a tar file: "ustar" at offset 257 (POSIX and GNU headers alike).
fn is_tar(bytes: &[u8]) -> bool {
    bytes.get(257..262) == Some(b"ustar")
}

/// One network with a fixed NHWC float input, ready to run.
pub(crate) struct Net {
    name: &'static str,
    plan: Arc<TypedRunnableModel>,
    input_shape: [usize; 4],
    /// Expected element count of each output, checked on every run.
    output_lens: Vec<usize>,
}

impl Net {
    /// Parses (NNEF tar, or ONNX with feature `onnx`), type-checks and optimises a model. `output_lens` are
    /// the expected output sizes.
    pub(crate) fn from_bytes(
        name: &'static str,
        bytes: &[u8],
        input_shape: [usize; 4],
        output_lens: &[usize],
    ) -> Result<Net> {
        Net::load(name, bytes, input_shape, output_lens, true)
    }

    /// [`Net::from_bytes`], with the load-time swaps (`ops::specialise`) or as tract alone would run it.
    fn load(
        name: &'static str,
        bytes: &[u8],
        input_shape: [usize; 4],
        output_lens: &[usize],
        swaps: bool,
    ) -> Result<Net> {
        let err = |e: TractError| Error::ModelLoad { model: name, detail: format!("{e:#}") };
        check_size(name, bytes)?;
        let model = if is_tar(bytes) {
            // tract-nnef's reader is not known to panic, but it parses untrusted bytes too.
            catch_panic(
                || -> Result<TypedModel> {
                    let mut model = NNEF.with(|nnef| nnef.model_for_read(&mut &bytes[..])).map_err(err)?;
                    check_input(name, &model, input_shape)?;
                    // The archive holds a decluttered graph (`to_nnef`): folding its constants (the float16
                    // weights' casts) is all it needs before codegen; a second declutter pass cost as much
                    // as parsing it and changed no output bit (models::nnef_tests).
                    model.prop_consts().map_err(err)?;
                    if swaps {
                        ops::specialise(&mut model).map_err(err)?;
                    }
                    model.optimize().map_err(err)?;
                    Ok(model)
                },
                |panic| Error::ModelLoad { model: name, detail: format!("tract failed on this model ({panic})") },
            )?
        } else {
            #[cfg(feature = "onnx")]
            {
                let mut model = onnx::typed_model(name, bytes, input_shape)?.into_decluttered().map_err(err)?;
                if swaps {
                    ops::specialise(&mut model).map_err(err)?;
                }
                model.optimize().map_err(err)?;
                model
            }
            #[cfg(not(feature = "onnx"))]
            return Err(Error::ModelLoad { model: name, detail: "not an NNEF archive (tar)".into() });
        };
        let outputs = model.output_outlets().map_err(err)?.len();
        if outputs != output_lens.len() {
            return Err(Error::ModelLoad {
                model: name,
                detail: format!("has {outputs} outputs, expected {}", output_lens.len()),
            });
        }
        // The output sizes follow from the fixed input shape: checked here, without running the graph (a
        // first run costs 0.1–0.5 s in a browser's cold JIT tier: `warm_up` does it when the caller wants).
        for (i, &want) in output_lens.iter().enumerate() {
            let fact = model.output_fact(i).map_err(err)?;
            let len = fact.shape.as_concrete().map(|dims| dims.iter().product::<usize>());
            if len != Some(want) {
                return Err(Error::ModelLoad {
                    model: name,
                    detail: format!("output {i} has shape {:?}, expected {want} values", fact.shape),
                });
            }
        }
        let plan = model.into_runnable().map_err(err)?;
        Ok(Net { name, plan, input_shape, output_lens: output_lens.to_vec() })
    }

    /// Runs the network once on zeros: the first run of freshly loaded code is the slow one (in a browser,
    /// the JIT's first tiers), so a caller can pay it before the first frame, e.g. while a camera opens.
    fn warm_up(&self) -> Result<()> {
        self.run(|_| {}).map(|_| ())
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
                    let out = tract_nnef::tract_core::plan::eval(session, op_state, node, inputs);
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

fn check_size(name: &'static str, bytes: &[u8]) -> Result<()> {
    if bytes.is_empty() {
        return Err(Error::ModelLoad { model: name, detail: "no bytes".into() });
    }
    if bytes.len() > MAX_MODEL_BYTES {
        return Err(Error::TooLarge { what: "model bytes", actual: bytes.len() as u64, limit: MAX_MODEL_BYTES as u64 });
    }
    Ok(())
}

/// The NNEF graph must take one input of exactly the shape the pre-processing writes.
fn check_input(name: &'static str, model: &TypedModel, shape: [usize; 4]) -> Result<()> {
    let fact = match model.input_outlets() {
        Ok([input]) => model.outlet_fact(*input).ok(),
        _ => None,
    };
    match fact {
        Some(f) if f.datum_type == f32::datum_type() && f.shape.as_concrete() == Some(&shape[..]) => Ok(()),
        _ => Err(Error::ModelLoad { model: name, detail: format!("the graph's input is not one f32 {shape:?}") }),
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

/// The bytes of the models, as committed in `models/` (see models/MANIFEST.md): each either the NNEF archive
/// (`<stem>.nnef.tar`) or, with feature `onnx`, the ONNX file (`<stem>.onnx`); see [`MODEL_STEMS`].
#[derive(Clone, Copy)]
pub struct ModelBytes<'a> {
    /// The BlazeFace short-range detector (`face_detection_short_range`).
    pub face_detection: &'a [u8],
    /// The Face Mesh landmark model (`face_landmark`).
    pub face_landmark: &'a [u8],
    /// The selfie segmentation model (`selfie_segmentation`).
    pub selfie_segmentation: &'a [u8],
}

/// ONNX bytes of the three models → their NNEF archives, in [`ModelBytes`] order (see `onnx::to_nnef`):
/// how models/*.nnef.tar are made (examples/to_nnef.rs; tests/models.rs checks the committed ones).
#[cfg(feature = "onnx")]
pub fn to_nnef(onnx: ModelBytes<'_>) -> Result<[Vec<u8>; 3]> {
    Ok([
        onnx::to_nnef(detector::NAME, onnx.face_detection, detector::INPUT)?,
        onnx::to_nnef(mesh::NAME, onnx.face_landmark, mesh::INPUT)?,
        onnx::to_nnef(segmenter::NAME, onnx.selfie_segmentation, segmenter::INPUT)?,
    ])
}

/// The committed model files, compiled into the binary (feature `embed-models`).
#[cfg(feature = "embed-models")]
pub const EMBEDDED: ModelBytes<'static> = ModelBytes {
    face_detection: include_bytes!("../../models/face_detection_short_range.onnx"),
    face_landmark: include_bytes!("../../models/face_landmark.onnx"),
    selfie_segmentation: include_bytes!("../../models/selfie_segmentation.onnx"),
};

impl Models {
    /// Loads the three models from their bytes (NNEF archives, or ONNX with feature `onnx`).
    pub fn from_bytes(bytes: ModelBytes<'_>) -> Result<Models> {
        Ok(Models {
            detector: Detector::from_bytes(bytes.face_detection)?,
            mesh: FaceMesh::from_bytes(bytes.face_landmark)?,
            segmenter: Segmenter::from_bytes(bytes.selfie_segmentation)?,
        })
    }

    /// Runs each network once (see [`Checker::warm_up`](crate::Checker::warm_up)).
    pub fn warm_up(&self) -> Result<()> {
        [&self.detector.net, &self.mesh.net, &self.segmenter.net].into_iter().try_for_each(Net::warm_up)
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

/// The three networks in [`ModelBytes`] order: name, input shape, each output's length.
const NETS: [(&str, [usize; 4], &[usize]); 3] = [
    (detector::NAME, detector::INPUT, &[896 * 16, 896]),
    (mesh::NAME, mesh::INPUT, &[1404, 1]),
    (segmenter::NAME, segmenter::INPUT, &[256 * 256]),
];

/// Seeded input `seed` for a network: 0.5 everywhere for seed 0, else xorshift values in [-1, 1).
fn seeded_input(seed: u32, x: &mut [f32]) {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    for v in x.iter_mut() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        *v = if seed == 0 { 0.5 } else { (s >> 8) as f32 / (1 << 24) as f32 * 2.0 - 1.0 };
    }
}

/// The first of the seeded inputs `0..seeds` on which two networks' outputs differ in any bit, if one does.
fn first_difference(a: &Net, b: &Net, seeds: u32) -> Result<Option<u32>> {
    let bits = |y: Vec<Vec<f32>>| y.into_iter().flatten().map(f32::to_bits).collect::<Vec<_>>();
    for seed in 0..seeds {
        let fill = |x: &mut [f32]| seeded_input(seed, x);
        if bits(a.run(fill)?) != bits(b.run(fill)?) {
            return Ok(Some(seed));
        }
    }
    Ok(None)
}

/// Loads each of the three networks (NNEF archives in [`ModelBytes`] order) twice, with the load-time swaps
/// of `ops` and as tract alone runs it, and compares their outputs bit for bit on `seeds` seeded inputs.
/// `Err` names the first network and input that differ. A self-test for the test suites, not an API: the
/// swaps' SIMD loops compile only in the browser build, so tests/wasm.rs runs it there too.
#[doc(hidden)]
pub fn swaps_keep_tracts_bits(archives: [&[u8]; 3], seeds: u32) -> std::result::Result<(), String> {
    for ((name, shape, outs), bytes) in NETS.into_iter().zip(archives) {
        let load = |swaps| Net::load(name, bytes, shape, outs, swaps).map_err(|e| e.to_string());
        let (swapped, tract) = (load(true)?, load(false)?);
        if let Some(seed) = first_difference(&swapped, &tract, seeds).map_err(|e| e.to_string())? {
            return Err(format!("{name}: the swapped ops change the outputs on input {seed}"));
        }
    }
    Ok(())
}

/// The committed NNEF archives: what [`to_nnef`] makes of the committed ONNX files, and the same networks.
#[cfg(all(test, feature = "embed-models"))]
mod nnef_tests {
    use super::*;

    const ARCHIVES: [&[u8]; 3] = [
        include_bytes!("../../models/face_detection_short_range.nnef.tar"),
        include_bytes!("../../models/face_landmark.nnef.tar"),
        include_bytes!("../../models/selfie_segmentation.nnef.tar"),
    ];

    #[test]
    fn committed_archives_are_the_conversion_of_the_committed_onnx() {
        let fresh = to_nnef(EMBEDDED).unwrap();
        for ((stem, committed), fresh) in MODEL_STEMS.iter().zip(ARCHIVES).zip(&fresh) {
            assert!(committed == &fresh[..], "models/{stem}.nnef.tar is stale: cargo run --example to_nnef");
        }
    }

    /// Bit-identical outputs from both formats, on seeded inputs in the networks' range and a constant one.
    #[test]
    fn nnef_and_onnx_compute_the_same_bits() {
        let onnx = [EMBEDDED.face_detection, EMBEDDED.face_landmark, EMBEDDED.selfie_segmentation];
        for (((name, shape, outs), onnx), nnef) in NETS.into_iter().zip(onnx).zip(ARCHIVES) {
            let a = Net::from_bytes(name, onnx, shape, outs).unwrap();
            let b = Net::from_bytes(name, nnef, shape, outs).unwrap();
            if let Some(seed) = first_difference(&a, &b, 3).unwrap() {
                panic!("{name}: outputs differ on input {seed}");
            }
        }
    }

    /// The load-time swaps give tract's bits on whole networks (natively: tests/wasm.rs runs the same check in
    /// the browser build, which also swaps the convolutions).
    #[test]
    fn swaps_keep_tracts_bits_natively() {
        assert_eq!(swaps_keep_tracts_bits(ARCHIVES, 3), Ok(()));
    }

    /// The load-time swaps (`ops::specialise`) find every node they were written for: the detector's three
    /// 2×2 max-pools and 11 channel pads, the face mesh's five max-pools, 23 PRelus and three channel pads, the
    /// segmentation's three 2× upsamplings (the one more `Pad` each network's op profile lists is one tract adds
    /// itself while optimising a convolution). The browser build also swaps every depthwise convolution (16, 20,
    /// 11) and 1×1 convolution (16, 22, 23): the op profile of bench/README.md counts them there.
    #[test]
    fn specialise_swaps_the_expected_nodes() {
        let swapped: Vec<usize> = ARCHIVES
            .into_iter()
            .map(|bytes| {
                let mut model = NNEF.with(|nnef| nnef.model_for_read(&mut &bytes[..])).unwrap();
                model.prop_consts().unwrap();
                ops::specialise(&mut model).unwrap()
            })
            .collect();
        assert_eq!(swapped, [3 + 11, 5 + 23 + 3, 3]);
    }

    #[test]
    fn corrupt_archives_are_typed_errors() {
        let fd = ARCHIVES[0];
        let mut cases: Vec<Vec<u8>> = vec![fd[..fd.len() / 2].to_vec(), fd[..600].to_vec()];
        let mut flipped = fd.to_vec();
        for i in (512..flipped.len()).step_by(4099) {
            flipped[i] ^= 0x5a;
        }
        cases.push(flipped);
        // the landmark model in the detector's slot: a valid archive with the wrong input
        cases.push(ARCHIVES[1].to_vec());
        for bytes in cases {
            match Net::from_bytes(detector::NAME, &bytes, detector::INPUT, &[896 * 16, 896]) {
                Err(Error::ModelLoad { .. }) => {}
                Err(e) => panic!("unexpected error {e}"),
                Ok(_) => panic!("corrupt archive accepted"),
            }
        }
    }

    /// The wasm build aborts on a panic (catch_panic only guards native builds), so tract-nnef's reader must
    /// refuse corrupt archives without panicking: every prefix cut at a tar block boundary and every byte of
    /// graph.nnef and of the first weight file's header flipped, on the detector's archive.
    #[test]
    fn corrupt_archives_do_not_panic() {
        let fd = ARCHIVES[0];
        let mut cases: Vec<Vec<u8>> = (1..fd.len() / 512).step_by(7).map(|b| fd[..b * 512].to_vec()).collect();
        // graph.nnef's text starts after its 512-byte header; the next entry's header and .dat header follow
        let graph_len = usize::from_str_radix(std::str::from_utf8(&fd[124..135]).unwrap().trim(), 8).unwrap();
        let first_dat = 512 + graph_len.div_ceil(512) * 512;
        for i in (512..512 + graph_len).step_by(97).chain(first_dat..first_dat + 512 + 128) {
            let mut b = fd.to_vec();
            b[i] = b[i].wrapping_add(1 + (i % 200) as u8);
            cases.push(b);
        }
        let mut panics = Vec::new();
        for (n, bytes) in cases.iter().enumerate() {
            let got = std::panic::catch_unwind(|| super::NNEF.with(|nnef| nnef.model_for_read(&mut &bytes[..])));
            if got.is_err() {
                panics.push(n);
            }
        }
        assert!(
            panics.is_empty(),
            "tract-nnef panicked on {} of {} corrupt archives: {panics:?}",
            panics.len(),
            cases.len()
        );
    }
}
