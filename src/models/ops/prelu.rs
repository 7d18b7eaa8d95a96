//! The face mesh's 23 PRelu activations in one pass.
//!
//! The model recipe writes each PRelu as `Max(x, 0) + Min(x, 0) · slope` (`models/recipe/prelu_split.py`:
//! tract's own PRelu was compare + select + multiply, slower still), which tract runs as two fused
//! element-wise chains, `Min+Mul` then `Max+Add`: two passes over the activation and a temporary
//! (1.1 of 13 ms per mesh run in Node, `Models::profile`). [`PRelu`] replaces each such `Add` at load
//! (`ops::specialise`) and computes the same sum in one pass: per element the two terms tract adds, `x + 0·s`
//! for `x > 0` and `0 + x·s` otherwise, so the same bits for every input but −0.0 and NaN (where tract's
//! `Max`/`Min` pick a zero's sign or a NaN their own way; a network fed finite pixels never makes either
//! from a real sum, and a −0.0 equals 0.0 in every later sum that is not all zeros). Tested below against
//! tract's four ops, bit for bit on random data with exact zeros.

use tract_nnef::internal::*;
use tract_nnef::tract_core::ops::binary::TypedBinOp;
use tract_nnef::tract_core::ops::cast::Cast;
use tract_nnef::tract_core::{as_op, op_as_typed_op, op_out_of_plan};

/// `max(x, 0) + min(x, 0) · slope` for a rank-4 NCHW `f32` tensor `x` and a `[1, C, 1, 1]` slope, given as
/// the node's two inputs.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct PRelu;

/// One value: the two terms tract's `Max+Add` adds, `max(x, 0)` and `min(x, 0) · slope`, in its order.
#[inline(always)]
fn prelu(x: f32, slope: f32) -> f32 {
    let (positive, negative) = if x > 0.0 { (x, 0.0) } else { (0.0, x) };
    positive + negative * slope
}

impl Op for PRelu {
    fn name(&self) -> StaticName {
        "PRelu".into()
    }

    op_as_typed_op!();
}

impl EvalOp for PRelu {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let [x, slope] = &*inputs else { bail!("PRelu takes x and slope") };
        let &[_, c, h, w] = x.shape() else { bail!("PRelu needs a rank-4 input, got {:?}", x.shape()) };
        ensure!(slope.shape() == [1, c, 1, 1], "slope {:?} for {c} channels", slope.shape());
        let slope = slope.try_as_plain_ram()?;
        let slope = slope.as_slice::<f32>()?;
        super::f32_output(x, x.shape(), |src, dst| {
            if h * w == 0 {
                return;
            }
            for (p, (s, d)) in src.chunks_exact(h * w).zip(dst.chunks_exact_mut(h * w)).enumerate() {
                let k = slope[p % c];
                for (o, &v) in d.iter_mut().zip(s) {
                    *o = prelu(v, k);
                }
            }
        })
    }
}

impl TypedOp for PRelu {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs[0].rank() == 4 && inputs[0].datum_type == f32::datum_type());
        Ok(tvec!(f32::fact(inputs[0].shape.clone())))
    }

    as_op!();
}

/// `outlet`, or what it is a no-op `Cast` of (f32 to f32, as the NNEF archives keep around these ops).
fn through_casts(model: &TypedModel, mut outlet: OutletId) -> TractResult<OutletId> {
    loop {
        let node = model.node(outlet.node);
        let Some(cast) = node.op_as::<Cast>() else { return Ok(outlet) };
        let input = node.inputs[0];
        if cast.to != f32::datum_type() || model.outlet_fact(input)?.datum_type != f32::datum_type() {
            return Ok(outlet);
        }
        outlet = input;
    }
}

/// The node behind `outlet` (casts skipped) when it is the binary op `name` with a constant second input:
/// its first input (casts skipped) and the constant.
fn binary_with_const(model: &TypedModel, outlet: OutletId, name: &str) -> TractResult<Option<(OutletId, Arc<Tensor>)>> {
    let node = model.node(through_casts(model, outlet)?.node);
    let Some(op) = node.op_as::<TypedBinOp>() else { return Ok(None) };
    if op.0.name() != name || op.1.is_some() || node.inputs.len() != 2 {
        return Ok(None);
    }
    let Some(konst) = model.outlet_fact(node.inputs[1])?.konst.clone() else { return Ok(None) };
    Ok(Some((through_casts(model, node.inputs[0])?, konst)))
}

/// For an `Add` of `Max(x, 0)` and `Min(x, 0) · slope` (no-op casts between them allowed) on a rank-4
/// `f32` input, `x` and the slope's outlet: the inputs of the [`PRelu`] that computes it.
pub(super) fn matching(model: &TypedModel, node: &TypedNode) -> TractResult<Option<[OutletId; 2]>> {
    let Some(add) = node.op_as::<TypedBinOp>() else { return Ok(None) };
    if add.0.name() != "Add" || add.1.is_some() || node.inputs.len() != 2 {
        return Ok(None);
    }
    let is_zero = |t: &Tensor| {
        t.datum_type() == f32::datum_type()
            && t.len() == 1
            && t.try_as_plain_ram().ok().and_then(|p| p.as_slice::<f32>().ok().map(|s| s[0].to_bits() == 0))
                == Some(true)
    };
    let Some((x, zero)) = binary_with_const(model, node.inputs[0], "Max")? else { return Ok(None) };
    let mul = model.node(through_casts(model, node.inputs[1])?.node);
    let Some(op) = mul.op_as::<TypedBinOp>() else { return Ok(None) };
    if op.0.name() != "Mul" || op.1.is_some() || mul.inputs.len() != 2 {
        return Ok(None);
    }
    let Some((x2, zero2)) = binary_with_const(model, mul.inputs[0], "Min")? else { return Ok(None) };
    let fact = model.outlet_fact(x)?;
    let slope = model.outlet_fact(mul.inputs[1])?;
    let Some(&[_, c, _, _]) = fact.shape.as_concrete() else { return Ok(None) };
    let ok = x == x2
        && is_zero(&zero)
        && is_zero(&zero2)
        && fact.datum_type == f32::datum_type()
        && slope.datum_type == f32::datum_type()
        && slope.konst.is_some()
        && slope.shape.as_concrete() == Some(&[1, c, 1, 1][..]);
    Ok(ok.then_some([x, mul.inputs[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ops::tests::assert_same_bits;
    use crate::testkit::Lcg;
    use tract_nnef::tract_core::ops::math::{add, max, min, mul};

    /// `Max(x, 0) + Min(x, 0) · slope` as the recipe writes it (with a no-op cast as the archives have),
    /// run by tract (`ours` false) or with the `Add` swapped for [`PRelu`].
    fn run(x: &Tensor, slope: &Tensor, ours: bool) -> Tensor {
        let mut model = TypedModel::default();
        let input = model.add_source("x", f32::fact(x.shape())).unwrap();
        let zero = model.add_const("zero", tensor4(&[[[[0.0f32]]]])).unwrap();
        let s = model.add_const("slope", slope.clone()).unwrap();
        let cast = model.wire_node("cast", Cast { to: f32::datum_type() }, &[input]).unwrap();
        let hi = model.wire_node("max", max(), &[input, zero]).unwrap();
        let lo = model.wire_node("min", min(), &[cast[0], zero]).unwrap();
        let neg = model.wire_node("mul", mul(), &[lo[0], s]).unwrap();
        let sum = model.wire_node("add", add(), &[hi[0], neg[0]]).unwrap();
        model.select_output_outlets(&sum).unwrap();
        if ours {
            let node = model.node(sum[0].node);
            let inputs = matching(&model, node).unwrap().expect("a PRelu");
            TypedModelPatch::replace_single_op(&model, node, &inputs, PRelu).unwrap().apply(&mut model).unwrap();
        }
        let plan = model.into_optimized().unwrap().into_runnable().unwrap();
        plan.run(tvec!(x.clone().into_tvalue())).unwrap().remove(0).into_tensor()
    }

    #[test]
    fn same_bits_as_tracts_max_min_mul_add() {
        for (i, shape) in [[1, 16, 96, 96], [1, 3, 5, 7], [2, 4, 1, 1]].iter().enumerate() {
            let mut rng = Lcg(i as u64 + 3);
            // a tenth exact zeros, the rest both signs, some tiny enough for `x · slope` to underflow
            let data: Vec<f32> = (0..shape.iter().product())
                .map(|_| {
                    let r = rng.next();
                    if r.abs() < 0.1 {
                        0.0
                    } else if r.abs() < 0.15 {
                        r * 1e-38
                    } else {
                        4.0 * r
                    }
                })
                .collect();
            let slope: Vec<f32> = (0..shape[1]).map(|_| 1.5 * rng.next()).collect();
            let (x, slope) =
                (Tensor::from_shape(shape, &data).unwrap(), Tensor::from_shape(&[1, shape[1], 1, 1], &slope).unwrap());
            assert_same_bits(&run(&x, &slope, true), &run(&x, &slope, false), shape);
        }
    }

    #[test]
    fn negative_zero_gives_a_zero() {
        // the one input whose bits may differ from tract's: a zero either way
        assert_eq!(prelu(-0.0, 0.5), 0.0);
        assert_eq!(prelu(-2.0, 0.25), -0.5);
        assert_eq!(prelu(3.0, 0.25), 3.0);
    }
}
