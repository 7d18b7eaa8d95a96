//! The 2×2, stride-2 max-pools of the face mesh (five) and the face detector (three), as plain loops.
//!
//! tract 0.23 runs an NCHW 2×2 pool with a vectorised kernel only at stride 1; at stride 2 every output
//! goes through its general scalar loop: four in-bounds tests and four `f32::max`, which on wasm is a call
//! to libm's `fmaxf` (whose NaN rule `f32.max` does not share). That was 11 % of the face mesh's time in
//! Node (1.65 of 14.9 ms per run, five pools; `Models::profile`). [`MaxPool2x2`] replaces those nodes at load
//! (`ops::specialise`) and computes the same values: the running maximum from `f32::MIN` over the window's
//! four values in tract's order (row by row, left to right), each step `f32::max` written as a comparison
//! (the running value is never NaN, so `v > m` picks what `m.max(v)` picks, ties and NaN keeping `m`).
//! Tested bit for bit against tract's own op below.

use tract_nnef::internal::*;
use tract_nnef::tract_core::ops::cnn::MaxPool;
use tract_nnef::tract_core::ops::nn::DataFormat;
use tract_nnef::tract_core::{args_1, as_op, op_as_typed_op, op_out_of_plan};

/// Max over each 2×2 block of the last two axes of a rank-4 NCHW `f32` tensor with even height and width,
/// no padding: output `[n, c, h/2, w/2]`.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct MaxPool2x2;

/// One step of tract's running maximum, `m.max(v)` for a running value `m` that is never NaN.
#[inline(always)]
fn step(m: f32, v: f32) -> f32 {
    if v > m {
        v
    } else {
        m
    }
}

/// Pools one `h × w` plane into `out` (`h/2 × w/2`).
fn plane(src: &[f32], w: usize, out: &mut [f32]) {
    for (rows, dst) in src.chunks_exact(2 * w).zip(out.chunks_exact_mut(w / 2)) {
        let (top, bottom) = rows.split_at(w);
        for ((o, t), b) in dst.iter_mut().zip(top.chunks_exact(2)).zip(bottom.chunks_exact(2)) {
            *o = step(step(step(step(f32::MIN, t[0]), t[1]), b[0]), b[1]);
        }
    }
}

impl Op for MaxPool2x2 {
    fn name(&self) -> StaticName {
        "MaxPool2x2".into()
    }

    op_as_typed_op!();
}

impl EvalOp for MaxPool2x2 {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let &[n, c, h, w] = input.shape() else { bail!("MaxPool2x2 needs a rank-4 input, got {:?}", input.shape()) };
        ensure!(h % 2 == 0 && w % 2 == 0 && h > 0 && w > 0, "MaxPool2x2 needs an even, non-empty plane, got {h}×{w}");
        super::f32_output(&input, &[n, c, h / 2, w / 2], |src, dst| {
            for (s, d) in src.chunks_exact(h * w).zip(dst.chunks_exact_mut(h * w / 4)) {
                plane(s, w, d);
            }
        })
    }
}

impl TypedOp for MaxPool2x2 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let shape = &inputs[0].shape;
        ensure!(shape.rank() == 4 && inputs[0].datum_type == f32::datum_type());
        let out: TVec<TDim> = tvec![shape[0].clone(), shape[1].clone(), shape[2].clone() / 2, shape[3].clone() / 2];
        Ok(tvec!(f32::fact(out)))
    }

    as_op!();
}

/// Whether `node` is a `MaxPool` that [`MaxPool2x2`] computes exactly: NCHW, a 2×2 kernel at stride 2, no
/// dilation, no padding, a rank-4 `f32` input of known, even height and width, and no index output in use
/// (NNEF's `max_pool` loads with one, unused, which tract's declutter would drop).
pub(super) fn matches(model: &TypedModel, node: &TypedNode) -> TractResult<bool> {
    let Some(op) = node.op_as::<MaxPool>() else { return Ok(false) };
    let spec = &op.pool_spec;
    if spec.data_format != DataFormat::NCHW
        || spec.kernel_shape[..] != [2, 2]
        || spec.strides()[..] != [2, 2]
        || spec.dilations()[..] != [1, 1]
    {
        return Ok(false);
    }
    let index_used = node.outputs.get(1).is_some_and(|o| !o.successors.is_empty())
        || model.output_outlets()?.iter().any(|o| o.node == node.id && o.slot > 0);
    let input = model.outlet_fact(node.inputs[0])?;
    let Some(&[_, _, h, w]) = input.shape.as_concrete() else { return Ok(false) };
    let unpadded = spec
        .computed_padding(&[h, w])
        .iter()
        .all(|d| d.pad_before == 0 && d.pad_after == 0 && d.convoluted * 2 == d.deconvoluted);
    Ok(!index_used && input.datum_type == f32::datum_type() && h > 0 && h % 2 == 0 && w % 2 == 0 && unpadded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ops::tests::assert_same_bits;
    use crate::testkit::Lcg;
    use tract_nnef::tract_core::ops::cnn::{PaddingSpec, PoolSpec};

    fn tract_pool(input: &Tensor) -> Tensor {
        let c = input.shape()[1];
        let spec = PoolSpec::new(DataFormat::NCHW, tvec![2, 2], PaddingSpec::Valid, None, Some(tvec![2, 2]), c, c);
        // tract's op as the optimised graph runs it (`OptMaxPool`, the index output dropped)
        let mut model = TypedModel::default();
        let x = model.add_source("x", f32::fact(input.shape())).unwrap();
        let y = model.wire_node("pool", MaxPool { pool_spec: spec, with_index_outputs: None }, &[x]).unwrap();
        model.select_output_outlets(&y).unwrap();
        let plan = model.into_optimized().unwrap().into_runnable().unwrap();
        plan.run(tvec!(input.clone().into_tvalue())).unwrap().remove(0).into_tensor()
    }

    #[test]
    fn same_bits_as_tracts_max_pool() {
        // the networks' shapes, a small odd-channel one, ties, both zeros, infinities and NaN
        for (i, shape) in [[1, 16, 96, 96], [1, 24, 64, 64], [2, 3, 4, 6], [1, 1, 2, 2]].iter().enumerate() {
            let mut rng = Lcg(i as u64 + 1);
            let specials = [0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, f32::MIN, 1.0];
            let data: Vec<f32> = (0..shape.iter().product())
                .map(|_| {
                    let r = rng.next();
                    if r < -0.6 {
                        specials[((r + 1.0) * 35.0) as usize % specials.len()]
                    } else {
                        4.0 * r
                    }
                })
                .collect();
            let input = Tensor::from_shape(shape, &data).unwrap();
            let ours = MaxPool2x2.eval(&EvalContext::out_of_plan(), tvec!(input.clone().into_tvalue())).unwrap();
            assert_same_bits(&ours[0], &tract_pool(&input), shape);
        }
    }

    #[test]
    fn pools_each_block_to_its_largest_value() {
        let input = Tensor::from_shape(&[1, 1, 2, 4], &[1.0f32, 5.0, -1.0, -2.0, 3.0, 2.0, -3.0, -0.5]).unwrap();
        let out = MaxPool2x2.eval(&EvalContext::out_of_plan(), tvec!(input.into_tvalue())).unwrap();
        assert_eq!(out[0].try_as_plain_ram().unwrap().as_slice::<f32>().unwrap(), [5.0, -0.5]);
    }

    #[test]
    fn refuses_odd_and_empty_planes() {
        for shape in [[1, 1, 3, 2], [1, 1, 2, 0]] {
            let input = Tensor::zero::<f32>(&shape).unwrap();
            assert!(MaxPool2x2.eval(&EvalContext::out_of_plan(), tvec!(input.into_tvalue())).is_err(), "{shape:?}");
        }
    }
}
