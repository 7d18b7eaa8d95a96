//! The networks' 1×1 convolutions (tract's `EinSum amk,akn->amn`: weights `[m, k]` times the `k` input planes
//! of `n` pixels, NCHW) as one SIMD loop: 16, 22 and 23 of them in the detector, the face mesh and the
//! segmentation, most of each network's time.
//!
//! tract runs them through its general matrix product: the input copied into packed panels (`OptMatMulPack`)
//! and an 8×8 kernel. That kernel keeps sixteen SIMD accumulators, and its k-loop holds 28 SIMD values at
//! once: on x86-64, where V8 has sixteen SIMD registers, they spill to memory at every step. [`Pointwise`]
//! reads the planes where they are (a pixel row of NCHW is already contiguous) and computes blocks of
//! [`ROWS`] × [`COLS`] outputs with eight accumulators.
//!
//! The same bits as tract's wasm kernel: each output is the sum from 0.0 of `w[m][i] · x[i][n]` over `i` in
//! order, a multiplication then an addition each (tract's wasm kernels fuse them only with `relaxed-simd`,
//! which the build does not enable). Natively tract's kernels use fused multiply-adds, so the swap is made
//! in the browser build only (`ops::swap_for`), and tests/wasm.rs compares whole networks with and without
//! it there (`models::swaps_keep_tracts_bits`). Natively the scalar form below is what the tests check.
#![cfg_attr(not(all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]

use tract_nnef::internal::*;
use tract_nnef::tract_core::ops::einsum::EinSum;
use tract_nnef::tract_core::{args_1, as_op, op_as_typed_op, op_out_of_plan};

/// Rows of the weights per block.
const ROWS: usize = 4;
/// Columns (pixels) per block: two SIMD values.
const COLS: usize = 8;

/// `[1, m, k] × [1, k, n] → [1, m, n]`: each output the sum from 0.0 of `w[m][i] · x[i][n]`, `i` in order, for
/// constant weights `w`, packed once when the op is made ([`pack`]); its one input is the planes `x`.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct Pointwise {
    m: usize,
    k: usize,
    n: usize,
    /// The weights as [`pack`] lays them out.
    packed: Arc<Tensor>,
}

impl Pointwise {
    /// The op for weights `w` (`[m][k]`, row by row) times `[k][n]` planes.
    fn new(w: &[f32], (m, k, n): (usize, usize, usize)) -> TractResult<Pointwise> {
        ensure!(w.len() == m * k, "Pointwise: {} weights for {m}×{k}", w.len());
        let packed = pack(w, (m, k));
        Ok(Pointwise { m, k, n, packed: Tensor::from_shape(&[packed.len()], &packed)?.into_arc_tensor() })
    }
}

/// The weights in blocks of [`ROWS`] rows, each block column by column (`[k][ROWS]`), rows past `m` zero.
fn pack(w: &[f32], (m, k): (usize, usize)) -> Vec<f32> {
    let blocks = m.div_ceil(ROWS);
    let mut packed = vec![0f32; blocks * k * ROWS];
    for (row, weights) in w.chunks_exact(k).enumerate() {
        let (b, r) = (row / ROWS, row % ROWS);
        for (i, &v) in weights.iter().enumerate() {
            packed[(b * k + i) * ROWS + r] = v;
        }
    }
    packed
}

/// `out[m][n]` = the sum from 0.0 of `w[m][i] · x[i][n]`, `i` in order (`packed` is `w` as [`pack`] lays it
/// out, `x` is `[k][n]`).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn multiply(packed: &[f32], x: &[f32], (m, k, n): (usize, usize, usize), out: &mut [f32]) {
    for (row, o) in out.chunks_exact_mut(n).enumerate().take(m) {
        let (b, r) = (row / ROWS, row % ROWS);
        for (j, o) in o.iter_mut().enumerate() {
            let mut sum = 0f32;
            for i in 0..k {
                sum += packed[(b * k + i) * ROWS + r] * x[i * n + j];
            }
            *o = sum;
        }
    }
}

/// [`multiply`] in wasm SIMD: output blocks of [`ROWS`] weight rows × [`COLS`] pixels, eight accumulators
/// (two SIMD values per row), each weight broadcast from the packed block by a shuffle; the last pixels (when
/// `n` is not a multiple of [`COLS`]) through a zero-padded copy, storing only the outputs that exist.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn multiply(packed: &[f32], x: &[f32], (m, k, n): (usize, usize, usize), out: &mut [f32]) {
    use super::simd::{load, store};
    use core::arch::wasm32::*;
    let blocks = m.div_ceil(ROWS);
    assert!(x.len() >= k * n && out.len() >= m * n && packed.len() >= blocks * k * ROWS);
    // one block of ROWS × COLS outputs: weights block `b`, pixels from column `j` of `xs` (`stride` apart)
    let block = |b: usize, xs: &[f32], stride: usize, j: usize| -> [v128; 2 * ROWS] {
        let mut acc = [f32x4_splat(0.0); 2 * ROWS];
        let weights = &packed[b * k * ROWS..][..k * ROWS];
        for i in 0..k {
            // SAFETY: i < k, so the weights read lie in block b's k·ROWS floats; the pixels read are
            // xs[i·stride + j .. + COLS], inside xs by the callers' bounds
            unsafe {
                let wv = load(weights, i * ROWS);
                let lo = load(xs, i * stride + j);
                let hi = load(xs, i * stride + j + 4);
                let s0 = i32x4_shuffle::<0, 0, 0, 0>(wv, wv);
                let s1 = i32x4_shuffle::<1, 1, 1, 1>(wv, wv);
                let s2 = i32x4_shuffle::<2, 2, 2, 2>(wv, wv);
                let s3 = i32x4_shuffle::<3, 3, 3, 3>(wv, wv);
                acc[0] = f32x4_add(acc[0], f32x4_mul(s0, lo));
                acc[1] = f32x4_add(acc[1], f32x4_mul(s0, hi));
                acc[2] = f32x4_add(acc[2], f32x4_mul(s1, lo));
                acc[3] = f32x4_add(acc[3], f32x4_mul(s1, hi));
                acc[4] = f32x4_add(acc[4], f32x4_mul(s2, lo));
                acc[5] = f32x4_add(acc[5], f32x4_mul(s2, hi));
                acc[6] = f32x4_add(acc[6], f32x4_mul(s3, lo));
                acc[7] = f32x4_add(acc[7], f32x4_mul(s3, hi));
            }
        }
        acc
    };
    let full = n / COLS * COLS;
    let store = |out: &mut [f32], b: usize, j: usize, cols: usize, acc: [v128; 2 * ROWS]| {
        for r in 0..ROWS.min(m - b * ROWS) {
            let mut eight = [0f32; COLS];
            let (lo, hi) = eight.split_at_mut(4);
            store(lo, acc[2 * r]);
            store(hi, acc[2 * r + 1]);
            out[(b * ROWS + r) * n + j..][..cols].copy_from_slice(&eight[..cols]);
        }
    };
    for j in (0..full).step_by(COLS) {
        for b in 0..blocks {
            let acc = block(b, x, n, j);
            store(out, b, j, COLS, acc);
        }
    }
    if full < n {
        // the last pixels, copied into a zero block
        let cols = n - full;
        let mut tail = vec![0f32; k * COLS];
        for i in 0..k {
            tail[i * COLS..][..cols].copy_from_slice(&x[i * n + full..][..cols]);
        }
        for b in 0..blocks {
            let acc = block(b, &tail, COLS, 0);
            store(out, b, full, cols, acc);
        }
    }
}

impl Op for Pointwise {
    fn name(&self) -> StaticName {
        "Pointwise".into()
    }

    op_as_typed_op!();
}

impl EvalOp for Pointwise {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = args_1!(inputs);
        let (m, k, n) = (self.m, self.k, self.n);
        ensure!(x.shape() == [1, k, n], "Pointwise: weights {m}×{k} × planes {:?}", x.shape());
        let packed = self.packed.try_as_plain_ram()?;
        let packed = packed.as_slice::<f32>()?;
        super::f32_output(&x, &[1, m, n], |xs, out| multiply(packed, xs, (m, k, n), out))
    }
}

impl TypedOp for Pointwise {
    fn output_facts(&self, _inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact([1, self.m, self.n])))
    }

    as_op!();
}

/// The [`Pointwise`] (weights packed, the planes its input) for `node` when it is an `f32` `EinSum amk,akn->amn`
/// of constant weights `[1, m, k]` and
/// an input `[1, k, n]` of known shape, with `m` and `n` at least 2 (with one of them 1, tract picks its
/// matrix-vector kernels, whose sums run in another order).
pub(super) fn matching(model: &TypedModel, node: &TypedNode) -> TractResult<Option<Pointwise>> {
    let Some(op) = node.op_as::<EinSum>() else { return Ok(None) };
    if op.q_params.is_some() || op.operating_dt != f32::datum_type() || op.axes.to_string() != "amk,akn->amn" {
        return Ok(None);
    }
    let (w, x) = (model.outlet_fact(node.inputs[0])?, model.outlet_fact(node.inputs[1])?);
    let (Some(&[1, m, k]), Some(&[1, k2, n])) = (w.shape.as_concrete(), x.shape.as_concrete()) else {
        return Ok(None);
    };
    let floats = w.datum_type == f32::datum_type() && x.datum_type == f32::datum_type();
    let Some(weights) = w.konst.as_ref().filter(|_| floats) else { return Ok(None) };
    if node.inputs.len() != 2 || k != k2 || k == 0 || m < 2 || n < 2 {
        return Ok(None);
    }
    Ok(Some(Pointwise::new(weights.try_as_plain_ram()?.as_slice::<f32>()?, (m, k, n))?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::Lcg;
    use tract_nnef::tract_core::ops::einsum::EinSum;

    /// `w · x` as tract's EinSum node takes them, in a graph with `x` as its input.
    fn einsum_model(w: Tensor, x_shape: [usize; 3], konst: bool) -> TypedModel {
        let mut model = TypedModel::default();
        let w =
            if konst { model.add_const("w", w).unwrap() } else { model.add_source("w", f32::fact(w.shape())).unwrap() };
        let x = model.add_source("x", f32::fact(x_shape)).unwrap();
        let op = EinSum::new("amk,akn->amn".parse().unwrap(), f32::datum_type());
        let y = model.wire_node("mm", op, &[w, x]).unwrap();
        model.select_output_outlets(&y).unwrap();
        model
    }

    #[test]
    fn matches_constant_weights_times_planes_only() {
        let w = || Tensor::zero::<f32>(&[1, 4, 3]).unwrap();
        let matched = |model: &TypedModel| {
            let node = model.node(model.node_by_name("mm").unwrap().id);
            matching(model, node).unwrap().map(|op| (op.m, op.k, op.n))
        };
        assert_eq!(matched(&einsum_model(w(), [1, 3, 10], true)), Some((4, 3, 10)));
        assert_eq!(matched(&einsum_model(w(), [1, 3, 10], false)), None, "weights not constant");
        assert_eq!(matched(&einsum_model(w(), [1, 3, 1], true)), None, "one pixel: tract's matrix-vector kernel");
    }

    #[test]
    fn each_output_is_the_ordered_sum_of_its_products() {
        let (m, k, n) = (6, 5, 19);
        let mut rng = Lcg(3);
        let w: Vec<f32> = (0..m * k).map(|_| rng.next()).collect();
        let x: Vec<f32> = (0..k * n).map(|_| 100.0 * rng.next()).collect();
        let op = Pointwise::new(&w, (m, k, n)).unwrap();
        let inputs = tvec!(Tensor::from_shape(&[1, k, n], &x).unwrap().into_tvalue());
        let out = op.eval(&EvalContext::out_of_plan(), inputs).unwrap();
        let out = out[0].try_as_plain_ram().unwrap();
        let out = out.as_slice::<f32>().unwrap();
        for (r, c) in (0..m).flat_map(|r| (0..n).map(move |c| (r, c))) {
            let want = (0..k).fold(0f32, |sum, i| sum + w[r * k + i] * x[i * n + c]);
            assert_eq!(out[r * n + c].to_bits(), want.to_bits(), "({r}, {c})");
        }
    }

    #[test]
    fn refuses_inputs_of_another_shape() {
        let op = Pointwise::new(&[0.0; 6], (2, 3, 4)).unwrap();
        let t = |s: &[usize]| Tensor::zero::<f32>(s).unwrap().into_tvalue();
        let ctx = EvalContext::out_of_plan();
        assert!(op.eval(&ctx, tvec!(t(&[1, 3, 5]))).is_err());
        assert!(op.eval(&ctx, tvec!(t(&[1, 4, 4]))).is_err());
        assert!(op.eval(&ctx, tvec!(t(&[1, 3, 4]))).is_ok());
        assert!(Pointwise::new(&[0.0; 5], (2, 3, 4)).is_err(), "five weights for 2×3");
    }
}
