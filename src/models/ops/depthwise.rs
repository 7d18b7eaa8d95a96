//! The depthwise convolutions of all three networks (3×3 and 5×5 kernels, stride 1 or 2, NCHW) as row loops.
//!
//! tract 0.23 runs them as `DepthWiseConv`: a zone walk (`ZoneScanner`) that hands its vectorised kernel one
//! output row of one channel's interior at a time and visits the border zones point by point with scalar
//! code. On the networks' small planes (12×12 down to 3×3, up to 128 channels) the walk and the borders are
//! most of the work. [`Depthwise`] replaces those nodes at load (`ops::specialise`): it copies each plane into
//! a zero frame once and runs every output, borders included, through one loop — four lanes of wasm SIMD at
//! a time in the browser build, a plain loop elsewhere, the same operations per output either way. The swap
//! is made in the browser build only (`ops::swap_for`): natively tract's AVX kernel beats the plain loop,
//! which is there for the native tests.
//!
//! It computes tract's values bit for bit: each output is the channel's bias plus `tap · input` over the
//! kernel's taps in tract's order (rows top to bottom, each left to right), a multiplication then an
//! addition each (tract's kernels do not fuse them either; wasm's SIMD has no fused form without
//! `relaxed-simd`). tract skips the taps that fall in the padding; here they add `tap · 0`, a zero, which
//! leaves every running sum as it was — except a running sum of −0.0, which `+ 0.0` turns into +0.0. A
//! running sum starts at the bias and can only be −0.0 if the bias is −0.0 (round to nearest makes `x + −x`
//! +0.0), so [`matching`] takes only convolutions with no −0.0 bias and finite taps (an infinite tap times
//! zero would be NaN). Tested bit for bit against tract's own op below (natively), and on whole networks with
//! and without the swaps natively and in Chromium, where the SIMD loop compiles (`models::swaps_keep_tracts_bits`).
#![cfg_attr(not(all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]

use tract_nnef::internal::*;
use tract_nnef::tract_core::ops::cnn::conv::KernelFormat;
use tract_nnef::tract_core::ops::cnn::Conv;
use tract_nnef::tract_core::ops::nn::DataFormat;
use tract_nnef::tract_core::{args_3, as_op, op_as_typed_op, op_out_of_plan};

/// The largest kernel side handled (the segmentation's 5×5).
const MAX_SIDE: usize = 5;

/// A depthwise convolution of a rank-4 NCHW `f32` input by a `[c, 1, side, side]` kernel plus a bias per
/// channel, at `stride` on both axes, with `pad` (top, left) before and output `out` (height, width); inputs
/// `x`, kernel, bias.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct Depthwise {
    side: usize,
    stride: usize,
    pad: [usize; 2],
    out: [usize; 2],
}

/// SIMD lanes per block of outputs.
const LANES: usize = 4;

impl Depthwise {
    /// Height and width of the zero frame a `h × w` plane is copied into: its padding and room for every
    /// block of [`LANES`] outputs, the last row's included, to read inside the frame.
    fn frame_size(&self, (h, w): (usize, usize)) -> (usize, usize) {
        let ([oh, ow], s, side) = (self.out, self.stride, self.side);
        let height = ((oh - 1) * s + side).max(self.pad[0] + h);
        // a stride-2 block reads 2·LANES columns from each tap (every other one used)
        let width = (s * ow.next_multiple_of(LANES) + side + 2 * LANES).max(self.pad[1] + w);
        (height, width)
    }

    /// Convolves the plane copied into `frame` (`width` wide) by `taps` (`side × side`, row by row) into
    /// `out` (`out[0] × out[1]`).
    fn plane(&self, frame: &[f32], width: usize, taps: &[f32], bias: f32, out: &mut [f32]) {
        let (side, s) = (self.side, self.stride);
        for (oy, orow) in out.chunks_exact_mut(self.out[1]).enumerate() {
            let top = oy * s * width;
            let rows: [&[f32]; MAX_SIDE] =
                std::array::from_fn(|ky| if ky < side { &frame[top + ky * width..][..width] } else { &[] });
            row(&rows[..side], taps, s, bias, orow);
        }
    }
}

/// One output row: output `ox` is the bias plus `taps[ky · side + kx] · rows[ky][ox · stride + kx]`, summed
/// row by row, left to right.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn row(rows: &[&[f32]], taps: &[f32], stride: usize, bias: f32, out: &mut [f32]) {
    let side = rows.len();
    for (ox, o) in out.iter_mut().enumerate() {
        let mut sum = bias;
        for (row, row_taps) in rows.iter().zip(taps.chunks_exact(side)) {
            for (&tap, &x) in row_taps.iter().zip(&row[ox * stride..]) {
                sum += tap * x;
            }
        }
        *o = sum;
    }
}

/// [`row`] in wasm SIMD: [`LANES`] outputs per lane group, four groups at a time at stride 1 (the same
/// operations per lane as the scalar loop). The last group may reach past the row's end: it reads inside
/// the frame (`Depthwise::frame_size`) and stores only the outputs that exist.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn row(rows: &[&[f32]], taps: &[f32], stride: usize, bias: f32, out: &mut [f32]) {
    use super::simd::{load, store};
    use core::arch::wasm32::{f32x4_add, f32x4_mul, f32x4_splat, i32x4_shuffle, v128};
    let side = rows.len();
    // The furthest any group reads, end excluded: its last group starts at output ceil4(len) − 4, and
    // reads LANES columns from each tap at stride 1, 2·LANES (every other one used) at stride 2.
    let reach = stride * out.len().next_multiple_of(LANES) + side - 1;
    assert!(rows.iter().all(|r| r.len() >= reach), "a depthwise row shorter than its reads");
    // groups of outputs from `ox` on, one per accumulator
    let groups = |ox: usize, acc: &mut [v128]| {
        for (row, row_taps) in rows.iter().zip(taps.chunks_exact(side)) {
            for (kx, &tap) in row_taps.iter().enumerate() {
                let t = f32x4_splat(tap);
                for (j, a) in acc.iter_mut().enumerate() {
                    // SAFETY: every load ends within `reach` (ox + LANES·j ≤ ceil4(len) − LANES, kx < side),
                    // which the assertion above keeps inside `row`
                    let x = unsafe {
                        if stride == 1 {
                            load(row, ox + LANES * j + kx)
                        } else {
                            // every other column: the even lanes of two loads
                            let i = stride * (ox + LANES * j) + kx;
                            i32x4_shuffle::<0, 2, 4, 6>(load(row, i), load(row, i + LANES))
                        }
                    };
                    *a = f32x4_add(*a, f32x4_mul(x, t));
                }
            }
        }
    };
    let mut ox = 0;
    while ox + 4 * LANES <= out.len() {
        let mut acc = [f32x4_splat(bias); 4];
        groups(ox, &mut acc);
        for (j, a) in acc.into_iter().enumerate() {
            store(&mut out[ox + LANES * j..][..LANES], a);
        }
        ox += 4 * LANES;
    }
    while ox < out.len() {
        let mut acc = [f32x4_splat(bias)];
        groups(ox, &mut acc);
        let n = LANES.min(out.len() - ox);
        if n == LANES {
            store(&mut out[ox..ox + LANES], acc[0]);
        } else {
            let mut four = [0f32; LANES];
            store(&mut four, acc[0]);
            out[ox..ox + n].copy_from_slice(&four[..n]);
        }
        ox += LANES;
    }
}

impl Op for Depthwise {
    fn name(&self) -> StaticName {
        "Depthwise".into()
    }

    op_as_typed_op!();
}

impl EvalOp for Depthwise {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let (x, kernel, bias) = args_3!(inputs);
        let &[n, c, h, w] = x.shape() else { bail!("Depthwise needs a rank-4 input, got {:?}", x.shape()) };
        let (side, [oh, ow]) = (self.side, self.out);
        ensure!(side <= MAX_SIDE && kernel.shape() == [c, 1, side, side], "Depthwise: kernel {:?}", kernel.shape());
        ensure!(bias.len() == c, "Depthwise: {} biases for {c} channels", bias.len());
        ensure!(matches!(self.stride, 1 | 2), "Depthwise: stride {} (1 or 2 only)", self.stride);
        ensure!(h * w > 0 && oh * ow > 0, "Depthwise needs non-empty planes, got {h}×{w} → {oh}×{ow}");
        let (taps, bias) = (kernel.try_as_plain_ram()?, bias.try_as_plain_ram()?);
        let (taps, bias) = (taps.as_slice::<f32>()?, bias.as_slice::<f32>()?);
        let (fh, fw) = self.frame_size((h, w));
        let [pt, pl] = self.pad;
        // the padding stays zero; each plane overwrites the same inner rectangle
        let mut frame = vec![0f32; fh * fw];
        super::f32_output(&x, &[n, c, oh, ow], |src, dst| {
            for (i, (s, d)) in src.chunks_exact(h * w).zip(dst.chunks_exact_mut(oh * ow)).enumerate() {
                for (y, line) in s.chunks_exact(w).enumerate() {
                    frame[(pt + y) * fw + pl..][..w].copy_from_slice(line);
                }
                let ci = i % c;
                self.plane(&frame, fw, &taps[ci * side * side..][..side * side], bias[ci], d);
            }
        })
    }
}

impl TypedOp for Depthwise {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let shape = &inputs[0].shape;
        ensure!(shape.rank() == 4 && inputs[0].datum_type == f32::datum_type());
        let [oh, ow] = self.out;
        Ok(tvec!(f32::fact(tvec![shape[0].clone(), shape[1].clone(), oh.to_dim(), ow.to_dim()])))
    }

    as_op!();
}

/// The [`Depthwise`] that computes `node` exactly, when `node` is a float `Conv` with one group per channel
/// (as many outputs as inputs), NCHW, a constant OIHW kernel of side at most [`MAX_SIDE`] with finite taps, a
/// constant bias per channel with no −0.0, stride 1 or 2 on both axes, no dilation and a rank-4 `f32` input
/// of known shape.
pub(super) fn matching(model: &TypedModel, node: &TypedNode) -> TractResult<Option<Depthwise>> {
    let Some(conv) = node.op_as::<Conv>() else { return Ok(None) };
    let spec = &conv.pool_spec;
    let c = spec.input_channels;
    let side = spec.kernel_shape.first().copied().unwrap_or(0);
    let stride = spec.strides().first().copied().unwrap_or(0);
    if conv.q_params.is_some()
        || conv.kernel_fmt != KernelFormat::OIHW
        || spec.data_format != DataFormat::NCHW
        || conv.group != c
        || spec.output_channels != c
        || node.inputs.len() != 3
        || spec.kernel_shape[..] != [side, side]
        || !(1..=MAX_SIDE).contains(&side)
        || spec.strides()[..] != [stride, stride]
        || !(1..=2).contains(&stride)
        || spec.dilations()[..] != [1, 1]
    {
        return Ok(None);
    }
    let input = model.outlet_fact(node.inputs[0])?;
    let Some(&[_, ic, h, w]) = input.shape.as_concrete() else { return Ok(None) };
    let (kernel, bias) = (model.outlet_fact(node.inputs[1])?, model.outlet_fact(node.inputs[2])?);
    let floats = [input, kernel, bias].iter().all(|f| f.datum_type == f32::datum_type());
    if !floats || ic != c || h == 0 || w == 0 {
        return Ok(None);
    }
    // finite taps and no −0.0 bias: a padded tap then adds nothing (see the module's notes)
    let values = |t: &Option<Arc<Tensor>>| -> TractResult<Option<Vec<f32>>> {
        let Some(t) = t else { return Ok(None) };
        Ok(Some(t.try_as_plain_ram()?.as_slice::<f32>()?.to_vec()))
    };
    let kernel_ok = kernel.konst.as_ref().is_some_and(|k| k.shape() == [c, 1, side, side])
        && values(&kernel.konst)?.is_some_and(|taps| taps.iter().all(|t| t.is_finite()));
    let bias_ok =
        values(&bias.konst)?.is_some_and(|b| b.len() == c && b.iter().all(|v| v.to_bits() != (-0.0f32).to_bits()));
    if !kernel_ok || !bias_ok {
        return Ok(None);
    }
    let padding = spec.computed_padding(&[h, w]);
    let out = [padding[0].convoluted, padding[1].convoluted];
    if out.contains(&0) {
        return Ok(None);
    }
    Ok(Some(Depthwise { side, stride, pad: [padding[0].pad_before, padding[1].pad_before], out }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ops::tests::assert_same_bits;
    use crate::testkit::Lcg;
    use tract_nnef::tract_core::ops::cnn::{PaddingSpec, PoolSpec};

    /// A depthwise `Conv` of `shape`'s input with `kernel` and `bias` (random when empty), and the input.
    fn conv_model(
        shape: [usize; 4],
        side: usize,
        stride: usize,
        pads: ([usize; 2], [usize; 2]),
        seed: u64,
        (kernel, bias): (&[f32], &[f32]),
    ) -> (TypedModel, Tensor) {
        let mut rng = Lcg(seed);
        let mut random = |n: usize| -> Vec<f32> { (0..n).map(|_| 2.0 * rng.next()).collect() };
        let c = shape[1];
        let mut given = |v: &[f32], n: usize| if v.is_empty() { random(n) } else { v.to_vec() };
        let kernel = Tensor::from_shape(&[c, 1, side, side], &given(kernel, c * side * side)).unwrap();
        let bias = Tensor::from_shape(&[c], &given(bias, c)).unwrap();
        let mut data = random(shape.iter().product());
        // zeros of both signs among the values
        for (i, v) in data.iter_mut().enumerate().step_by(17) {
            *v = if i % 2 == 0 { 0.0 } else { -0.0 };
        }
        let input = Tensor::from_shape(&shape, &data).unwrap();
        let spec = PoolSpec::new(
            DataFormat::NCHW,
            tvec![side, side],
            PaddingSpec::ExplicitOnnxPool(pads.0[..].into(), pads.1[..].into(), false),
            None,
            Some(tvec![stride, stride]),
            c,
            c,
        );
        let mut model = TypedModel::default();
        let x = model.add_source("x", f32::fact(shape)).unwrap();
        let k = model.add_const("kernel", kernel).unwrap();
        let b = model.add_const("bias", bias).unwrap();
        let conv = Conv { pool_spec: spec, kernel_fmt: KernelFormat::OIHW, group: c, q_params: None };
        let y = model.wire_node("conv", conv, &[x, k, b]).unwrap();
        model.select_output_outlets(&y).unwrap();
        (model, input)
    }

    fn run(model: TypedModel, input: &Tensor) -> Tensor {
        let plan = model.into_optimized().unwrap().into_runnable().unwrap();
        plan.run(tvec!(input.clone().into_tvalue())).unwrap().remove(0).into_tensor()
    }

    #[test]
    fn same_bits_as_tracts_depthwise_convolution() {
        // the networks' kinds (3×3 at stride 1 padded all round, at stride 2 padded after; the segmentation's
        // 5×5 ones), planes narrower than a SIMD block, odd sizes, a batch of two
        let cases = [
            ([1, 16, 96, 96], 3, 1, ([1, 1], [1, 1])),
            ([1, 16, 96, 96], 3, 2, ([0, 0], [1, 1])),
            ([1, 4, 64, 64], 3, 2, ([0, 0], [1, 1])),
            ([1, 8, 32, 32], 5, 2, ([1, 1], [2, 2])),
            ([1, 8, 16, 16], 5, 1, ([2, 2], [2, 2])),
            ([1, 32, 3, 3], 3, 1, ([1, 1], [1, 1])),
            ([1, 8, 6, 6], 3, 2, ([0, 0], [1, 1])),
            ([2, 3, 7, 23], 3, 1, ([1, 1], [1, 1])),
            ([1, 3, 9, 21], 5, 2, ([2, 1], [0, 2])),
            ([1, 2, 2, 2], 3, 1, ([1, 1], [1, 1])),
        ];
        for (i, (shape, side, stride, pads)) in cases.into_iter().enumerate() {
            // random biases, and zero biases (+0.0: padded taps add zeros to running sums that start there)
            let zeros = vec![0.0; if i % 3 == 0 { shape[1] } else { 0 }];
            let (mut model, input) = conv_model(shape, side, stride, pads, i as u64 + 1, (&[], &zeros));
            let theirs = run(model.clone(), &input);
            let conv = model.node(model.node_by_name("conv").unwrap().id).clone();
            let op = matching(&model, &conv).unwrap().unwrap_or_else(|| panic!("{shape:?} not matched"));
            TypedModelPatch::replace_single_op(&model, &conv, &conv.inputs, op).unwrap().apply(&mut model).unwrap();
            let ours = run(model, &input);
            assert_same_bits(&ours, &theirs, &shape);
        }
    }

    #[test]
    fn leaves_negative_zero_biases_and_infinite_taps_to_tract() {
        let matched = |kernel: &[f32], bias: &[f32]| {
            let (model, _) = conv_model([1, 2, 5, 5], 3, 1, ([1, 1], [1, 1]), 7, (kernel, bias));
            matching(&model, model.node(model.node_by_name("conv").unwrap().id)).unwrap().is_some()
        };
        assert!(matched(&[], &[1.0, 0.0]));
        assert!(!matched(&[], &[1.0, -0.0]));
        let mut taps = [0.5f32; 18];
        assert!(matched(&taps, &[]));
        taps[4] = f32::INFINITY;
        assert!(!matched(&taps, &[]));
    }

    #[test]
    fn each_output_is_the_bias_plus_the_taps_inside_the_input() {
        // 1×1×2×3 input, 3×3 ones kernel, bias 10, stride 1, padded by one: each output sums its neighbours
        let op = Depthwise { side: 3, stride: 1, pad: [1, 1], out: [2, 3] };
        let x = Tensor::from_shape(&[1, 1, 2, 3], &[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        let k = Tensor::from_shape(&[1, 1, 3, 3], &[1.0f32; 9]).unwrap();
        let b = Tensor::from_shape(&[1], &[10.0f32]).unwrap();
        let out =
            op.eval(&EvalContext::out_of_plan(), tvec!(x.into_tvalue(), k.into_tvalue(), b.into_tvalue())).unwrap();
        let want = [22.0f32, 31.0, 26.0, 22.0, 31.0, 26.0];
        assert_eq!(out[0].try_as_plain_ram().unwrap().as_slice::<f32>().unwrap(), want);
    }

    #[test]
    fn refuses_inputs_that_do_not_fit() {
        let op = Depthwise { side: 3, stride: 1, pad: [1, 1], out: [2, 3] };
        let k = || Tensor::zero::<f32>(&[1, 1, 3, 3]).unwrap().into_tvalue();
        let b = |n: usize| Tensor::zero::<f32>(&[n]).unwrap().into_tvalue();
        let x = |s: &[usize]| Tensor::zero::<f32>(s).unwrap().into_tvalue();
        let ctx = EvalContext::out_of_plan();
        assert!(op.eval(&ctx, tvec!(x(&[1, 2, 2, 3]), k(), b(2))).is_err(), "two channels, one kernel");
        assert!(op.eval(&ctx, tvec!(x(&[1, 1, 2, 3]), k(), b(2))).is_err(), "two biases");
        assert!(op.eval(&ctx, tvec!(x(&[1, 1, 0, 3]), k(), b(1))).is_err(), "empty plane");
        assert!(op.eval(&ctx, tvec!(x(&[1, 1, 2, 3]), k(), b(1))).is_ok());
    }
}
