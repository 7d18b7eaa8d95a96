//! The selfie segmentation's three bilinear 2× upsamplings, computed row by row.
//!
//! tract runs ONNX `Resize` (here `linear`, `half_pixel`, scales `[1, 1, 2, 2]` on NCHW) with one general
//! routine: the input copied, then each axis resampled through a per-element plan of taps, which along the
//! last axis means a fill and two one-element loops for every output value. That was a third to a half of
//! the network's time (6.4 of 19 ms per run in Chromium, 15.6 of 31.2 in Node; `Models::profile`).
//! [`Upsample2x`] replaces those nodes at load (`ops::specialise`) and computes the same values: the same two
//! products per output, added in the same order (`0 + w₀·a + w₁·b`, the rows first, then the columns), so the
//! outputs are bit for bit tract's (tested below against tract's own op).

use tract_nnef::internal::*;
use tract_nnef::tract_core::ops::nn::{CoordTransformer, Interpolator, Resize};
use tract_nnef::tract_core::{args_1, as_op, op_as_typed_op, op_out_of_plan};

/// Bilinear 2× upsampling of the last two axes of a rank-4 `f32` tensor, `half_pixel` coordinates, edges
/// clamped: output `2i` is `¼·x[i−1] + ¾·x[i]`, output `2i+1` is `¾·x[i] + ¼·x[i+1]` along each axis.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct Upsample2x;

/// One output value from two taps, in tract's order of operations (`Resize`'s `resample_axis`).
#[inline(always)]
fn taps(w0: f32, a: f32, w1: f32, b: f32) -> f32 {
    let mut d = 0.0f32;
    d += w0 * a;
    d += w1 * b;
    d
}

/// Upsamples one `h × w` plane into `out` (`2h × 2w`), using `rows` (`2h × w`) as scratch.
fn plane(src: &[f32], h: usize, w: usize, rows: &mut [f32], out: &mut [f32]) {
    for i in 0..h {
        let above = &src[i.saturating_sub(1) * w..][..w];
        let here = &src[i * w..][..w];
        let below = &src[(i + 1).min(h - 1) * w..][..w];
        let (even, odd) = rows[2 * i * w..][..2 * w].split_at_mut(w);
        for (((e, o), (&a, &x)), &b) in even.iter_mut().zip(odd.iter_mut()).zip(above.iter().zip(here)).zip(below) {
            *e = taps(0.25, a, 0.75, x);
            *o = taps(0.75, x, 0.25, b);
        }
    }
    for (row, dst) in rows.chunks_exact(w).zip(out.chunks_exact_mut(2 * w)) {
        for (j, pair) in dst.chunks_exact_mut(2).enumerate() {
            let (l, x, r) = (row[j.saturating_sub(1)], row[j], row[(j + 1).min(w - 1)]);
            pair[0] = taps(0.25, l, 0.75, x);
            pair[1] = taps(0.75, x, 0.25, r);
        }
    }
}

impl Op for Upsample2x {
    fn name(&self) -> StaticName {
        "Upsample2x".into()
    }

    op_as_typed_op!();
}

impl EvalOp for Upsample2x {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let &[n, c, h, w] = input.shape() else { bail!("Upsample2x needs a rank-4 input, got {:?}", input.shape()) };
        ensure!(h > 0 && w > 0, "Upsample2x on an empty plane");
        super::f32_output(&input, &[n, c, 2 * h, 2 * w], |src, dst| {
            let mut rows = vec![0.0f32; 2 * h * w];
            for (s, d) in src.chunks_exact(h * w).zip(dst.chunks_exact_mut(4 * h * w)) {
                plane(s, h, w, &mut rows, d);
            }
        })
    }
}

impl TypedOp for Upsample2x {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let shape = &inputs[0].shape;
        ensure!(shape.rank() == 4 && inputs[0].datum_type == f32::datum_type());
        let out: TVec<TDim> = tvec![shape[0].clone(), shape[1].clone(), shape[2].clone() * 2, shape[3].clone() * 2];
        Ok(tvec!(f32::fact(out)))
    }

    as_op!();
}

/// Whether `node` is a `Resize` that [`Upsample2x`] computes exactly: linear, `half_pixel`, constant
/// scales `[1, 1, 2, 2]`, a rank-4 `f32` input of known size.
pub(super) fn matches(model: &TypedModel, node: &TypedNode) -> TractResult<bool> {
    let Some(op) = node.op_as::<Resize>() else { return Ok(false) };
    let (Some(scales), None) = (op.optional_scales_input, op.optional_sizes_input) else { return Ok(false) };
    if op.interpolator != Interpolator::Linear || op.coord_transformer != CoordTransformer::HalfPixel {
        return Ok(false);
    }
    let Some(&scales) = node.inputs.get(scales) else { return Ok(false) };
    let Some(scales) = model.outlet_fact(scales)?.konst.clone() else { return Ok(false) };
    let scales = scales.cast_to::<f32>()?;
    let input = model.outlet_fact(node.inputs[0])?;
    Ok(scales.try_as_plain_ram()?.as_slice::<f32>()? == [1.0, 1.0, 2.0, 2.0]
        && input.datum_type == f32::datum_type()
        && input.shape.as_concrete().is_some_and(|s| s.len() == 4 && s[2] > 0 && s[3] > 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ops::tests::assert_same_bits;
    use crate::testkit::Lcg;

    fn tract_resize(input: &Tensor) -> Tensor {
        let op = Resize {
            coord_transformer: CoordTransformer::HalfPixel,
            interpolator: Interpolator::Linear,
            nearest: tract_nnef::tract_core::ops::nn::Nearest::Floor,
            optional_scales_input: Some(1),
            optional_sizes_input: None,
        };
        let scales = tensor1(&[1.0f32, 1.0, 2.0, 2.0]);
        op.eval(&EvalContext::out_of_plan(), tvec!(input.clone().into_tvalue(), scales.into_tvalue()))
            .unwrap()
            .remove(0)
            .into_tensor()
    }

    #[test]
    fn same_bits_as_tracts_resize() {
        // the network's shapes, odd ones, and the one-pixel edge case
        for (i, shape) in
            [[1, 128, 16, 16], [1, 24, 64, 64], [2, 3, 5, 7], [1, 1, 1, 1], [1, 2, 1, 6]].iter().enumerate()
        {
            let mut rng = Lcg(i as u64 + 1);
            let data: Vec<f32> = (0..shape.iter().product()).map(|_| 4.0 * rng.next()).collect();
            let input = Tensor::from_shape(shape, &data).unwrap();
            let ours = Upsample2x.eval(&EvalContext::out_of_plan(), tvec!(input.clone().into_tvalue())).unwrap();
            assert_same_bits(&ours[0], &tract_resize(&input), shape);
        }
    }

    #[test]
    fn rows_and_columns_interpolate_as_documented() {
        let input = Tensor::from_shape(&[1, 1, 2, 2], &[0.0f32, 4.0, 8.0, 12.0]).unwrap();
        let out = Upsample2x.eval(&EvalContext::out_of_plan(), tvec!(input.into_tvalue())).unwrap();
        let plain = out[0].try_as_plain_ram().unwrap();
        let first_row = &plain.as_slice::<f32>().unwrap()[..4];
        // row 0 of the output is row 0 of the input (¼·x[0] + ¾·x[0]): 0, 1, 3, 4 along the columns
        assert_eq!(first_row, [0.0, 1.0, 3.0, 4.0]);
    }
}
