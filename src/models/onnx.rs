//! ONNX model bytes (feature `onnx`, native only): parsing them into a typed graph, and converting them
//! once, offline, into the NNEF archives the wasm build loads (examples/to_nnef.rs writes models/*.nnef.tar).

use tract_nnef::internal::*;
use tract_nnef::ser;
use tract_onnx::prelude::InferenceModelExt as _;

use crate::error::{catch_panic, Error, Result};

/// ONNX bytes → the typed (not yet optimised) graph with the fixed NHWC `f32` input.
pub(crate) fn typed_model(name: &'static str, bytes: &[u8], input_shape: [usize; 4]) -> Result<TypedModel> {
    let err = |e: TractError| Error::ModelLoad { model: name, detail: format!("{e:#}") };
    let onnx = tract_onnx::onnx();
    let proto = onnx.proto_model_for_read(&mut &bytes[..]).map_err(err)?;
    check_graph_outputs(&proto).map_err(|detail| Error::ModelLoad { model: name, detail })?;
    // tract 0.23 can still panic on other malformed graphs (found by fuzz/fuzz_targets/model_bytes.rs).
    catch_panic(
        || -> Result<TypedModel> {
            onnx.model_for_proto_model(&proto)
                .map_err(err)?
                .with_input_fact(0, f32::fact(input_shape).into())
                .map_err(err)?
                .into_typed()
                .map_err(err)
        },
        |panic| Error::ModelLoad { model: name, detail: format!("tract failed on this model ({panic})") },
    )
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

/// ONNX bytes → the NNEF archive (tar) of the decluttered typed graph, input fixed to `input_shape`.
/// Deterministic (fixed timestamps, sorted entries): the same ONNX bytes give the same archive bytes.
/// Float32 weights that float16 holds exactly (MediaPipe's weights, stored as float16 in the ONNX files
/// too) are written as float16 variables followed by a cast back to float32, which tract folds at load:
/// the loaded graph holds the same float32 values, in half the bytes on the wire. (tract's own NNEF writer
/// folds such casts into float32 variables, hence the rewrite of its document here.)
pub(crate) fn to_nnef(name: &'static str, bytes: &[u8], input_shape: [usize; 4]) -> Result<Vec<u8>> {
    let err = |e: TractError| Error::ModelLoad { model: name, detail: format!("{e:#}") };
    let model = typed_model(name, bytes, input_shape)?.into_decluttered().map_err(err)?;
    let nnef = tract_nnef::nnef();
    let mut proto = tract_nnef::ser::to_proto_model(&nnef, &model).map_err(err)?;
    canonical_names(&mut proto);
    narrow_to_f16(&mut proto).map_err(err)?;
    write_tar(&nnef, &proto).map_err(err)
}

/// Renames every intermediate value `<stem>_<n>` (its name without tract's numeric suffixes, then its
/// position in the graph) and every weight file after its value: tract numbers the values its rewrites add
/// in hash-map order, so their names (not the graph) changed from run to run.
fn canonical_names(proto: &mut tract_nnef::ProtoModel) {
    use std::collections::HashMap;
    use tract_nnef::ast::{Argument, Identifier, LValue, Literal, RValue, Subscript};
    let graph = &mut proto.doc.graph_def;
    let keep: Vec<String> = graph.parameters.iter().chain(&graph.results).map(|i| i.0.clone()).collect();
    let mut names: HashMap<String, String> = HashMap::new();
    fn lvalues(lv: &mut LValue, f: &mut dyn FnMut(&mut Identifier)) {
        match lv {
            LValue::Identifier(id) => f(id),
            LValue::Array(items) | LValue::Tuple(items) => items.iter_mut().for_each(|i| lvalues(i, f)),
        }
    }
    fn rvalues(rv: &mut RValue, f: &mut dyn FnMut(&mut RValue)) {
        f(rv);
        match rv {
            RValue::Binary(a, _, b) => {
                rvalues(a, f);
                rvalues(b, f);
            }
            RValue::Unary(_, a) => rvalues(a, f),
            RValue::Tuple(items) | RValue::Array(items) => items.iter_mut().for_each(|i| rvalues(i, f)),
            RValue::Subscript(a, sub) => {
                rvalues(a, f);
                match sub.as_mut() {
                    Subscript::Single(i) => rvalues(i, f),
                    Subscript::Range(a, b) => a.iter_mut().chain(b.iter_mut()).for_each(|i| rvalues(i, f)),
                }
            }
            RValue::Comprehension(c) => {
                c.loop_iters.iter_mut().for_each(|(_, i)| rvalues(i, f));
                c.filter.iter_mut().for_each(|i| rvalues(i, f));
                rvalues(&mut c.yields, f);
            }
            RValue::IfThenElse(c) => {
                rvalues(&mut c.cond, f);
                rvalues(&mut c.then, f);
                rvalues(&mut c.otherwise, f);
            }
            RValue::Invocation(inv) => inv.arguments.iter_mut().for_each(|a| rvalues(&mut a.rvalue, f)),
            RValue::Identifier(_) | RValue::Literal(_) => {}
        }
    }
    let mut n = 0;
    for assignment in &mut graph.body {
        lvalues(&mut assignment.left, &mut |id| {
            if !keep.contains(&id.0) {
                let stem = id.0.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
                let new = format!("{}_{n}", if stem.is_empty() { "v" } else { stem });
                names.insert(id.0.clone(), new.clone());
                id.0 = new;
                n += 1;
            }
        });
    }
    let mut labels: HashMap<String, String> = HashMap::new();
    for assignment in &mut graph.body {
        let left = match &assignment.left {
            LValue::Identifier(id) => Some(id.0.clone()),
            _ => None,
        };
        rvalues(&mut assignment.right, &mut |rv| match rv {
            RValue::Identifier(id) => {
                if let Some(new) = names.get(&id.0) {
                    id.0 = new.clone();
                }
            }
            RValue::Invocation(inv) if inv.id.0 == "variable" => {
                for arg in &mut inv.arguments {
                    if let (Argument { id: Some(key), rvalue: RValue::Literal(Literal::String(label)) }, Some(left)) =
                        (arg, &left)
                    {
                        if key.0 == "label" {
                            labels.insert(label.clone(), left.trim_start_matches('_').to_string());
                            *label = left.trim_start_matches('_').to_string();
                        }
                    }
                }
            }
            _ => {}
        });
    }
    proto.tensors = std::mem::take(&mut proto.tensors)
        .into_iter()
        .map(|(label, t)| (labels.get(&label.0).map(|l| Identifier(l.clone())).unwrap_or(label), t))
        .collect();
}

/// Stores each float32 variable of 16 values or more that survives the float16 round trip bit for bit as
/// float16, read through `tract_core_cast(…, to = "f32")`.
fn narrow_to_f16(proto: &mut tract_nnef::ProtoModel) -> TractResult<()> {
    use tract_nnef::ast::{Assignment, LValue, Literal, RValue};
    let mut narrowed = std::collections::HashSet::new();
    for (label, tensor) in proto.tensors.iter_mut() {
        if tensor.datum_type() != f32::datum_type() || tensor.len() < 16 {
            continue;
        }
        let half = tensor.cast_to::<f16>()?.into_owned();
        let back = half.cast_to::<f32>()?;
        let wide = tensor.try_as_plain_ram()?;
        let (wide, back) = (wide.as_slice::<f32>()?, back.try_as_plain_ram()?.as_slice::<f32>()?.to_vec());
        if wide.iter().zip(&back).all(|(a, b)| a.to_bits() == b.to_bits()) {
            *tensor = half.into_arc_tensor();
            narrowed.insert(label.0.clone());
        }
    }
    let label_of = |rv: &RValue| match rv {
        RValue::Invocation(inv) if inv.id.0 == "variable" => inv.arguments.iter().find_map(|a| match a {
            tract_nnef::ast::Argument { id: Some(id), rvalue: RValue::Literal(Literal::String(s)) }
                if id.0 == "label" =>
            {
                Some(s.clone())
            }
            _ => None,
        }),
        _ => None,
    };
    let mut body = Vec::with_capacity(proto.doc.graph_def.body.len() + narrowed.len());
    for assignment in std::mem::take(&mut proto.doc.graph_def.body) {
        match (&assignment.left, label_of(&assignment.right)) {
            (LValue::Identifier(id), Some(label)) if narrowed.contains(&label) => {
                let half = format!("{}_f16", id.0);
                let cast =
                    ser::invocation("tract_core_cast", &[ser::ident(&half).into()], &[("to", ser::string("f32"))]);
                body.push(Assignment { left: ser::lident(&half), right: assignment.right });
                body.push(Assignment { left: assignment.left, right: cast.as_ref().clone() });
            }
            _ => body.push(assignment),
        }
    }
    proto.doc.graph_def.body = body;
    Ok(())
}

/// The archive as tract's own writer lays it out (graph.nnef, then `<label>.dat` by label), with a fixed
/// timestamp.
fn write_tar(nnef: &tract_nnef::framework::Nnef, proto: &tract_nnef::ProtoModel) -> TractResult<Vec<u8>> {
    // 1 Jan 1980, as tract's deterministic writer
    const MTIME: u64 = 315_532_800;
    let mut ar = tar::Builder::new(Vec::new());
    let mut append = |path: &str, data: &[u8]| -> TractResult<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(MTIME);
        ar.append_data(&mut header, path, data).with_context(|| format!("appending {path}"))
    };
    let mut graph = Vec::new();
    tract_nnef::ast::dump::Dumper::new(nnef, &mut graph).document(&proto.doc)?;
    append("graph.nnef", &graph)?;
    let mut labels: Vec<_> = proto.tensors.keys().collect();
    labels.sort();
    for label in labels {
        tract_nnef::framework::ensure_label_is_relative_path(&label.0)?;
        let mut data = Vec::new();
        tract_nnef::tensors::write_tensor(&mut data, &proto.tensors[label])?;
        append(&format!("{}.dat", label.0.trim_start_matches('/')), &data)?;
    }
    Ok(ar.into_inner()?)
}
