//! Faster forms of tract ops, swapped in at load for the exact cases the three networks use.
//!
//! Each op here computes what tract's general op computes for one fixed configuration — the same values in
//! the same order of operations, so the outputs are bit for bit tract's (each file tests that against
//! tract's own op, and `models::nnef_tests` compares whole networks) — with plain loops over rows that the
//! compiler vectorises. [`specialise`] runs on the typed graph before tract optimises it.
//!
//! Tried and not kept: a 2×2 stride-2 max-pool (the face mesh's five, the detector's three) was no faster
//! than tract's own (0.74 ms for the mesh's five in Node either way).

mod upsample;

use tract_nnef::internal::*;

use upsample::Upsample2x;

/// Replaces every node that one of the ops here computes exactly.
pub(crate) fn specialise(model: &mut TypedModel) -> TractResult<()> {
    let mut upsamples = Vec::new();
    for node in model.nodes() {
        if upsample::matches(model, node)? {
            upsamples.push(node.id);
        }
    }
    for id in upsamples {
        let node = model.node(id);
        // the node's first input only: Resize's second is its constant scales
        TypedModelPatch::replace_single_op(model, node, &node.inputs[..1], Upsample2x)?.apply(model)?;
    }
    Ok(())
}
