//! Faster forms of tract ops, swapped in at load for the exact cases the three networks use.
//!
//! Each op here computes what tract's general op computes for one fixed configuration — the same values in
//! the same order of operations, so the outputs are bit for bit tract's (each file tests that against
//! tract's own op, and `models::swaps_keep_tracts_bits` compares whole networks with and without the swaps,
//! natively and in Chromium) — with plain loops over rows, or wasm SIMD where the compiler does not vectorise
//! them. [`specialise`] runs on the typed graph before tract optimises it.
//!
//! The depthwise convolutions were tried first as plain row loops with tract's skipped border taps (slower
//! than tract's op: its border walk was only part of the cost); `depthwise` now pads each plane with zeros once
//! and runs every output through one SIMD loop, which its notes show gives tract's bits.

mod depthwise;
mod maxpool;
mod pad;
mod pointwise;
mod prelu;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd;
mod upsample;

use tract_nnef::internal::*;

use maxpool::MaxPool2x2;
use prelu::PRelu;
use upsample::Upsample2x;

/// Replaces every node that one of the ops here computes exactly; returns how many were replaced.
///
/// One pass over the nodes in evaluation order, each looked at once in the graph as the earlier swaps left it:
/// a swap reroutes its node's successors to the new op, so a later match (a PRelu after a swapped pad) finds
/// its inputs already swapped (before, the whole graph was scanned again after each swap: ~30 scans a network).
pub(crate) fn specialise(model: &mut TypedModel) -> TractResult<usize> {
    let mut replaced = 0;
    for id in model.eval_order()? {
        if let Some((op, inputs)) = swap_for(model, model.node(id))? {
            TypedModelPatch::replace_single_op(model, model.node(id), &inputs, op)?.apply(model)?;
            replaced += 1;
        }
    }
    Ok(replaced)
}

/// An op of this module and its inputs, to replace a node with.
type Swap = (Box<dyn TypedOp>, TVec<OutletId>);

/// The op that computes `node` and that op's inputs, when one of the ops here does.
fn swap_for(model: &TypedModel, node: &TypedNode) -> TractResult<Option<Swap>> {
    if upsample::matches(model, node)? {
        // the node's first input only: Resize's second is its constant scales
        return Ok(Some((Box::new(Upsample2x), node.inputs[..1].into())));
    }
    if maxpool::matches(model, node)? {
        return Ok(Some((Box::new(MaxPool2x2), node.inputs[..1].into())));
    }
    // The convolutions in the browser build only. Natively tract's matrix kernels fuse each multiply-add
    // (x86-64 FMA), so a `Pointwise` there would change the outputs' bits (wasm's SIMD has no fused form), and
    // tract's AVX depthwise kernel is faster than `Depthwise`'s plain loop (150 portraits checked in 8.6–9.0 s
    // with it, 12.2–12.5 s without).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        if let Some(op) = pointwise::matching(model, node)? {
            // the planes only: the op holds its constant weights, packed (the weights' node is then pruned)
            return Ok(Some((Box::new(op), node.inputs[1..].into())));
        }
        if let Some(op) = depthwise::matching(model, node)? {
            return Ok(Some((Box::new(op), node.inputs.iter().copied().collect())));
        }
    }
    if let Some(op) = pad::matching(model, node)? {
        return Ok(Some((Box::new(op), node.inputs.iter().copied().collect())));
    }
    if let Some(inputs) = prelu::matching(model, node)? {
        // x and the slope, from before the Max, Min and Mul the Add sums (left unused, then pruned)
        return Ok(Some((Box::new(PRelu), inputs.iter().copied().collect())));
    }
    Ok(None)
}

/// The op's one output: a new `f32` tensor of `shape` that `fill` writes from `input`'s values (the output
/// starts as zeros).
fn f32_output(input: &Tensor, shape: &[usize], fill: impl FnOnce(&[f32], &mut [f32])) -> TractResult<TVec<TValue>> {
    let plain = input.try_as_plain_ram()?;
    let mut output = Tensor::zero::<f32>(shape)?;
    {
        let mut view = output.try_as_plain_ram_mut()?;
        fill(plain.as_slice::<f32>()?, view.as_slice_mut::<f32>()?);
    }
    Ok(tvec!(output.into_tvalue()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Same shape and the same bits in every element.
    pub(crate) fn assert_same_bits(ours: &Tensor, theirs: &Tensor, what: &[usize]) {
        assert_eq!(ours.shape(), theirs.shape(), "{what:?}");
        let (a, b) = (ours.try_as_plain_ram().unwrap(), theirs.try_as_plain_ram().unwrap());
        let (a, b) = (a.as_slice::<f32>().unwrap(), b.as_slice::<f32>().unwrap());
        assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()), "{what:?} differs from tract's op");
    }
}
