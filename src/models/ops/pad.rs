//! Channel padding (BlazeBlock's shortcut, widened with constant channels before the residual sum) as plain
//! copies.
//!
//! tract's `Pad` fills the whole output with the constant, then assigns the input into it through a strided
//! ndarray slice, element by element. When only the channel axis of an NCHW tensor is padded, each image of
//! the output is constant planes, the input's planes as they are, constant planes: [`ChannelPad`] replaces
//! those nodes at load (`ops::specialise`) and writes exactly that, with slice copies and fills (the same
//! values: a copy and a constant).

use tract_nnef::internal::*;
use tract_nnef::tract_core::ops::array::{Pad, PadMode};
use tract_nnef::tract_core::{args_1, as_op, op_as_typed_op, op_out_of_plan};

/// Pads axis 1 of a rank-4 `f32` tensor with `before` and `after` planes of `value` (its bits, so the op
/// can be hashed).
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct ChannelPad {
    pub before: usize,
    pub after: usize,
    pub value_bits: u32,
}

impl Op for ChannelPad {
    fn name(&self) -> StaticName {
        "ChannelPad".into()
    }

    op_as_typed_op!();
}

impl EvalOp for ChannelPad {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let &[n, c, h, w] = input.shape() else { bail!("ChannelPad needs a rank-4 input, got {:?}", input.shape()) };
        let (plane, value) = (h * w, f32::from_bits(self.value_bits));
        let out_c = self.before + c + self.after;
        super::f32_output(&input, &[n, out_c, h, w], |src, dst| {
            // image by image (not by chunks, whose length would be 0 with no channels or an empty plane)
            for i in 0..n {
                let image = &src[i * c * plane..][..c * plane];
                let (head, rest) = dst[i * out_c * plane..][..out_c * plane].split_at_mut(self.before * plane);
                let (body, tail) = rest.split_at_mut(c * plane);
                head.fill(value);
                body.copy_from_slice(image);
                tail.fill(value);
            }
        })
    }
}

impl TypedOp for ChannelPad {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let shape = &inputs[0].shape;
        ensure!(shape.rank() == 4 && inputs[0].datum_type == f32::datum_type());
        let out: TVec<TDim> =
            tvec![shape[0].clone(), shape[1].clone() + self.before + self.after, shape[2].clone(), shape[3].clone()];
        Ok(tvec!(f32::fact(out)))
    }

    as_op!();
}

/// The [`ChannelPad`] that computes `node` exactly, when it is a constant-mode `Pad` of a rank-4 `f32`
/// tensor of known size on axis 1 alone, with an `f32` constant.
pub(super) fn matching(model: &TypedModel, node: &TypedNode) -> TractResult<Option<ChannelPad>> {
    let Some(pad) = node.op_as::<Pad>() else { return Ok(None) };
    let PadMode::Constant(value) = &pad.mode else { return Ok(None) };
    let input = model.outlet_fact(node.inputs[0])?;
    let only_channels = pad.pads.len() == 4 && [0, 2, 3].iter().all(|&axis| pad.pads[axis] == (0, 0));
    if !only_channels
        || input.datum_type != f32::datum_type()
        || input.shape.as_concrete().is_none()
        || value.datum_type() != f32::datum_type()
        || value.len() != 1
    {
        return Ok(None);
    }
    let value = value.try_as_plain_ram()?.as_slice::<f32>()?[0];
    Ok(Some(ChannelPad { before: pad.pads[1].0, after: pad.pads[1].1, value_bits: value.to_bits() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ops::tests::assert_same_bits;
    use crate::testkit::Lcg;

    #[test]
    fn same_bits_as_tracts_pad() {
        for (i, (shape, before, after, value)) in [
            ([1, 16, 48, 48], 0, 16, 0.0f32),
            ([2, 3, 5, 7], 2, 1, -1.5),
            ([1, 4, 1, 1], 3, 0, 0.0),
            ([2, 0, 2, 2], 1, 2, 0.5),
        ]
        .into_iter()
        .enumerate()
        {
            let mut rng = Lcg(i as u64 + 11);
            let data: Vec<f32> = (0..shape.iter().product()).map(|_| rng.next()).collect();
            let input = Tensor::from_shape(&shape, &data).unwrap();
            let pads = vec![(0, 0), (before, after), (0, 0), (0, 0)];
            let theirs = Pad { pads, mode: PadMode::Constant(Arc::new(tensor0(value))) };
            let theirs = theirs
                .eval(&EvalContext::out_of_plan(), tvec!(input.clone().into_tvalue()))
                .unwrap()
                .remove(0)
                .into_tensor();
            let ours = ChannelPad { before, after, value_bits: value.to_bits() };
            let ours = ours.eval(&EvalContext::out_of_plan(), tvec!(input.into_tvalue())).unwrap().remove(0);
            assert_same_bits(&ours, &theirs, &shape);
        }
    }
}
