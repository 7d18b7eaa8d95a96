#!/usr/bin/env python3
"""Convert MediaPipe's face models (PyPI wheel mediapipe==0.10.14) to ONNX.

Run through convert.sh, which prepares the pinned venv and downloads the wheel. Steps:
  1. extract the three .tflite files from the wheel and check their SHA-256 against the pinned ones;
  2. convert each with tf2onnx (tensorflow-cpu) at the pinned opset, with
     - a custom-op handler mapping MediaPipe's `Convolution2DTransposeBias` to ONNX `ConvTranspose`,
     - HardSwish registered as element-wise in tf2onnx's transpose optimiser;
  3. check the result (standard ONNX ops only, float32 weights, expected I/O names and shapes, output
     names renamed to the expected ones if tf2onnx named them otherwise) and rewrite internal names
     canonically so that reruns give identical bytes;
  4. compare with the original .tflite (TFLite interpreter) and, when given, with reference ONNX files
     (onnxruntime), on seeded random inputs in each model's input range, a synthetic image and, when
     given, a sample photo;
  5. rewrite PRelu as Relu + Min·slope + Add (prelu_split.py: same values, 4× cheaper in tract), and
     store the weights as float16 where that is lossless (pack_f16.py: MediaPipe's weights are float16;
     the conversion widened them), so the checks of step 4 run on the files that ship;
  6. write the .onnx files, SHA256SUMS and MANIFEST.md into the output folder.
"""
import argparse
import hashlib
import json
import os
import struct
import sys
import zipfile

import numpy as np

import pack_f16
import prelu_split

MEDIAPIPE_VERSION = "0.10.14"
MAX_ABS_DIFF = 1e-4     # the "reproducible" tolerance against the reference conversions
TFLITE_MAX_DIFF = 1e-3  # sanity bound against the original .tflite (different kernels, float rounding)

# name -> path in the wheel, sha256 of that .tflite, opset, input (name, shape, value range), outputs
MODELS = {
    "face_detection_short_range": {
        "tflite": "mediapipe/modules/face_detection/face_detection_short_range.tflite",
        "tflite_sha256": "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
        "opset": 13,
        "input": ("input", [1, 128, 128, 3], (-1.0, 1.0)),
        "outputs": [("regressors", [1, 896, 16]), ("classificators", [1, 896, 1])],
        "image_box": None,  # whole sample image (square), resized
        "what": "BlazeFace short-range face detector (faces within ~2 m); RGB NHWC; "
                "outputs: 896 anchors x (box dx,dy,w,h + 6 keypoints x,y) in 128-px units, and score logits",
    },
    "face_landmark": {
        "tflite": "mediapipe/modules/face_landmark/face_landmark.tflite",
        "tflite_sha256": "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
        "opset": 13,
        "input": ("input_1", [1, 192, 192, 3], (0.0, 1.0)),
        "outputs": [("conv2d_21", [1, 1, 1, 1404]), ("conv2d_31", [1, 1, 1, 1])],
        "image_box": (125, 15, 325, 215),  # face crop of astronaut.png (left, top, right, bottom)
        "what": "Face Mesh; RGB NHWC crop of the face ROI; outputs: 468 x (x,y,z) in input pixels, "
                "face-present logit",
    },
    "selfie_segmentation": {
        "tflite": "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
        "tflite_sha256": "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
        "opset": 14,  # HardSwish needs opset 14
        "input": ("input_1", [1, 256, 256, 3], (0.0, 1.0)),
        "outputs": [("activation_10", [1, 256, 256, 1])],
        "image_box": None,
        "what": "Selfie segmentation (general, square 256x256); RGB NHWC; output: person probability",
    },
}

CUSTOM_OP = "TFL_Convolution2DTransposeBias"  # tf2onnx prefixes tflite op names with TFL_
TFLITE_PADDING = {1: "SAME", 2: "VALID"}       # TfLitePadding enum


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    with open(path, "rb") as f:
        return sha256_bytes(f.read())


def log(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------------------------------------------
# Convolution2DTransposeBias
# ---------------------------------------------------------------------------------------------------

def read_transpose_conv_options(tflite_path):
    """Options of every Convolution2DTransposeBias op, keyed by output tensor name.

    MediaPipe stores them as a raw TfLiteTransposeConvParams struct (not a flexbuffer, so tf2onnx cannot
    parse them): int32 padding (TfLitePadding), int32 stride_width, int32 stride_height.
    """
    from tf2onnx.tflite.Model import Model
    with open(tflite_path, "rb") as f:
        buf = f.read()
    model = Model.GetRootAsModel(buf, 0)
    codes = [model.OperatorCodes(i).CustomCode() for i in range(model.OperatorCodesLength())]
    found = {}
    for s in range(model.SubgraphsLength()):
        g = model.Subgraphs(s)
        for i in range(g.OperatorsLength()):
            op = g.Operators(i)
            if codes[op.OpcodeIndex()] != b"Convolution2DTransposeBias":
                continue
            raw = op.CustomOptionsAsNumpy().tobytes()
            padding, stride_w, stride_h = struct.unpack("<iii", raw[:12])
            out = g.Tensors(op.Outputs(0)).Name().decode()
            found[out] = {"padding": TFLITE_PADDING.get(padding, padding), "stride_w": stride_w,
                          "stride_h": stride_h}
    return found


def make_transpose_conv_handler(options_by_output):
    """tf2onnx custom-op handler (old-style `func(ctx, node, name, args)`) for Convolution2DTransposeBias.

    tflite: input NHWC [N,H,W,Ci], kernel [Co,kh,kw,Ci] (OHWI), bias [Co], output NHWC [N,H*s,W*s,Co].
    ONNX:   Transpose(NHWC->NCHW) -> ConvTranspose(W=[Ci,Co,kh,kw], B) -> Transpose(NCHW->NHWC);
    tf2onnx's optimisers then fold the kernel transpose and cancel the activation transposes.
    """
    def handler(ctx, node, name, args):
        out = node.output[0]
        opts = options_by_output.get(out)
        if opts is None:
            raise RuntimeError(f"{CUSTOM_OP}: no options found for output {out!r}")
        in_shape = ctx.get_shape(node.input[0])
        k_shape = ctx.get_shape(node.input[1])
        out_shape = ctx.get_shape(out)
        if opts["padding"] != "SAME" or opts["stride_w"] != opts["stride_h"]:
            raise RuntimeError(f"{CUSTOM_OP}: unsupported options {opts}")
        stride = opts["stride_h"]
        co, kh, kw, ci = k_shape
        h, w = in_shape[1], in_shape[2]
        # TF/TFLite SAME padding for a transposed conv: output = input * stride, and the padding removed
        # from the full result ((in-1)*s + k) is split with the smaller half at the start.
        pads = []
        for size, k in ((h, kh), (w, kw)):
            total = max((size - 1) * stride + k - size * stride, 0)
            pads.append((total // 2, total - total // 2))
        if out_shape is not None and out_shape[1:] != [h * stride, w * stride, co]:
            raise RuntimeError(f"{CUSTOM_OP}: unexpected output shape {out_shape}")
        dtype = ctx.get_dtype(out)

        t_in = ctx.make_node("Transpose", [node.input[0]], attr={"perm": [0, 3, 1, 2]},
                             shapes=[[in_shape[0], in_shape[3], h, w]], dtypes=[dtype])
        t_k = ctx.make_node("Transpose", [node.input[1]], attr={"perm": [3, 0, 1, 2]},
                            shapes=[[ci, co, kh, kw]], dtypes=[dtype])
        bias = node.input[2]
        ctx.remove_node(node.name)
        conv = ctx.make_node("ConvTranspose", [t_in.output[0], t_k.output[0], bias],
                             attr={"kernel_shape": [kh, kw], "strides": [stride, stride],
                                   "pads": [pads[0][0], pads[1][0], pads[0][1], pads[1][1]]},
                             shapes=[[in_shape[0], co, h * stride, w * stride]], dtypes=[dtype],
                             name=name)
        ctx.make_node("Transpose", [conv.output[0]], attr={"perm": [0, 2, 3, 1]},
                      outputs=[out], shapes=[out_shape], dtypes=[dtype])
    return handler


def tflite_with_builtin_transpose_conv(src, dst):
    """Copy of a .tflite whose Convolution2DTransposeBias ops are replaced by the builtin TRANSPOSE_CONV
    (same kernel layout OHWI, bias as 4th input, same padding/stride options), so that the plain TFLite
    interpreter can run the model as a check independent of tf2onnx. Returns the number of ops replaced."""
    import flatbuffers
    from tensorflow.lite.python import schema_py_generated as S

    with open(src, "rb") as f:
        model = S.ModelT.InitFromPackedBuf(bytearray(f.read()), 0)
    custom = [i for i, c in enumerate(model.operatorCodes)
              if c.customCode in (b"Convolution2DTransposeBias", "Convolution2DTransposeBias")]
    if not custom:
        return 0
    code = S.OperatorCodeT()
    code.builtinCode = S.BuiltinOperator.TRANSPOSE_CONV
    code.deprecatedBuiltinCode = S.BuiltinOperator.TRANSPOSE_CONV
    code.version = 3  # version 3 = bias input supported
    model.operatorCodes.append(code)
    code_index = len(model.operatorCodes) - 1
    replaced = 0
    for g in model.subgraphs:
        for op in g.operators:
            if op.opcodeIndex not in custom:
                continue
            padding, stride_w, stride_h = struct.unpack("<iii", bytes(op.customOptions)[:12])
            x, kernel, bias = op.inputs
            out_shape = np.array(g.tensors[op.outputs[0]].shape, dtype=np.int32)
            buf = S.BufferT()
            buf.data = list(out_shape.tobytes())
            model.buffers.append(buf)
            t = S.TensorT()
            t.shape = [len(out_shape)]
            t.type = S.TensorType.INT32
            t.buffer = len(model.buffers) - 1
            out_name = g.tensors[op.outputs[0]].name
            t.name = f"{out_name.decode() if isinstance(out_name, bytes) else out_name}/output_shape"
            g.tensors.append(t)
            opts = S.TransposeConvOptionsT()
            opts.padding = {1: S.Padding.SAME, 2: S.Padding.VALID}[padding]
            opts.strideW, opts.strideH = stride_w, stride_h
            op.opcodeIndex = code_index
            op.inputs = [len(g.tensors) - 1, kernel, x, bias]
            op.builtinOptionsType = S.BuiltinOptions.TransposeConvOptions
            op.builtinOptions = opts
            op.customOptions = None
            replaced += 1
    b = flatbuffers.Builder(1024)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    with open(dst, "wb") as f:
        f.write(b.Output())
    return replaced


def register_hardswish_elementwise():
    """Let tf2onnx's transpose optimiser push transposes through HardSwish like through Relu."""
    from tf2onnx.optimizer.transpose_optimizer import TransposeOptimizer
    if getattr(TransposeOptimizer, "_hardswish_patched", False):
        return
    original = TransposeOptimizer._initialize_handlers

    def _initialize_handlers(self):
        original(self)
        self._handler_map["HardSwish"] = self._simple_through_handler

    TransposeOptimizer._initialize_handlers = _initialize_handlers
    TransposeOptimizer._hardswish_patched = True


# ---------------------------------------------------------------------------------------------------
# Conversion and checks
# ---------------------------------------------------------------------------------------------------

def canonicalize_names(model):
    """Make the bytes reproducible. tf2onnx's graph structure and node order are stable from run to run,
    but its names are not: made-up names carry a global counter (`foo__537`) and, where its optimiser
    merges duplicate nodes (face_landmark has two identical MaxPools), which original name survives
    varies. So every name but the graph inputs/outputs is rewritten from the node order: a node and its
    outputs are named `<index>_<OpType>[:<k>]`, initializers `<index>_w` in order of first use."""
    graph = model.graph
    keep = {vi.name for vi in list(graph.input) + list(graph.output)}
    init_names = {t.name for t in graph.initializer}
    mapping = {}
    width = len(str(len(graph.node)))
    for k, n in enumerate(graph.node):
        n.name = f"{k:0{width}d}_{n.op_type}"
        for j, o in enumerate(n.output):
            if o and o not in keep:
                mapping[o] = n.name if len(n.output) == 1 else f"{n.name}:{j}"
    for n in graph.node:
        for i in n.input:
            if i in init_names and i not in mapping:
                mapping[i] = f"w{sum(1 for v in mapping if v in init_names):03d}"
    for n in graph.node:
        n.input[:] = [mapping.get(i, i) for i in n.input]
        n.output[:] = [mapping.get(o, o) for o in n.output]
    unused = [t.name for t in graph.initializer if t.name not in mapping]
    if unused:
        raise RuntimeError(f"unused initializers {unused}")
    for t in graph.initializer:
        t.name = mapping[t.name]
    inits = sorted(graph.initializer, key=lambda t: t.name)
    del graph.initializer[:]
    graph.initializer.extend(inits)
    if len(graph.value_info):
        del graph.value_info[:]  # shape annotations of intermediates: not needed, dropped
    return model


def convert(name, spec, tflite_path):
    import onnx
    import tf2onnx

    handlers = {}
    custom = read_transpose_conv_options(tflite_path)
    if custom:
        handlers[CUSTOM_OP] = (make_transpose_conv_handler(custom), [])
        log(f"  {CUSTOM_OP}: {custom}")
    model, _ = tf2onnx.convert.from_tflite(tflite_path, opset=spec["opset"],
                                           custom_op_handlers=handlers or None)

    # from_tflite continues on errors: anything tf2onnx could not map stays as a non-ONNX op. Refuse that.
    bad = [(n.domain, n.op_type) for n in model.graph.node
           if n.domain not in ("", "ai.onnx") or n.op_type.startswith("TFL_")]
    if bad:
        raise RuntimeError(f"{name}: unconverted ops {sorted(set(bad))}")

    # Output names: rename to the expected ones (by position) if tf2onnx named them otherwise.
    want_in, want_in_shape, _ = spec["input"]
    graph = model.graph
    if [i.name for i in graph.input] != [want_in]:
        raise RuntimeError(f"{name}: inputs {[i.name for i in graph.input]}, expected [{want_in!r}]")
    for out, (want, _) in zip(graph.output, spec["outputs"]):
        if out.name != want:
            log(f"  renaming output {out.name!r} -> {want!r}")
            for n in graph.node:
                for k, o in enumerate(n.output):
                    if o == out.name:
                        n.output[k] = want
                for k, i in enumerate(n.input):
                    if i == out.name:
                        n.input[k] = want
            out.name = want

    def dims(vi):
        return [d.dim_value if d.HasField("dim_value") else d.dim_param for d in vi.type.tensor_type.shape.dim]

    got = [(i.name, dims(i)) for i in graph.input], [(o.name, dims(o)) for o in graph.output]
    want = [(want_in, want_in_shape)], [(n, list(s)) for n, s in spec["outputs"]]
    if got != want:
        raise RuntimeError(f"{name}: I/O {got}, expected {want}")
    for vi in list(graph.input) + list(graph.output):
        if vi.type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
            raise RuntimeError(f"{name}: {vi.name} is not float32")
    float_types = {onnx.TensorProto.FLOAT, onnx.TensorProto.INT64, onnx.TensorProto.INT32}
    odd = {t.name: t.data_type for t in graph.initializer if t.data_type not in float_types}
    if odd:
        raise RuntimeError(f"{name}: initializers not float32/int: {odd}")
    canonicalize_names(model)
    onnx.checker.check_model(model, full_check=True)
    return model


def test_inputs(spec, seed, image=None):
    """Seeded random inputs spanning the model's input range, a smooth synthetic image, and (if given)
    the sample photo (scikit-image's astronaut.png), cropped/resized to the model's input."""
    _, shape, (lo, hi) = spec["input"]
    rng = np.random.default_rng(seed)
    xs = [("uniform", rng.uniform(lo, hi, size=shape).astype(np.float32)) for _ in range(3)]
    xs.append(("range ends", rng.choice(np.array([lo, hi], dtype=np.float32), size=shape)))
    # a smooth image-like input: a bright ellipse on a gradient background
    _, h, w, _ = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ell = (((xx - w / 2) / (w * 0.25)) ** 2 + ((yy - h / 2) / (h * 0.33)) ** 2) < 1
    img = np.stack([0.2 + 0.6 * xx / w, 0.3 + 0.2 * yy / h, 0.5 * np.ones_like(xx)], axis=-1)
    img[ell] = [0.9, 0.7, 0.6]
    xs.append(("synthetic image", (lo + (hi - lo) * img)[None].astype(np.float32)))
    if image is not None:
        box = spec["image_box"]
        im = image.crop(box) if box else image
        arr = np.asarray(im.convert("RGB").resize((w, h), resample=3), dtype=np.float32) / 255.0  # bicubic
        xs.append(("photo", (lo + (hi - lo) * arr)[None].astype(np.float32)))
    return xs


def sigmoid(v):
    v = np.clip(np.asarray(v, dtype=np.float64), -100.0, 100.0)
    return 1.0 / (1.0 + np.exp(-v))


def photo_summary(name, out):
    """Plausibility numbers on the sample photo (the notes give ~0.92 / ~0.996 / ~0.54 for these)."""
    if name == "face_detection_short_range":
        return f"best detection score {sigmoid(out['classificators']).max():.3f}"
    if name == "face_landmark":
        return f"face-present score {sigmoid(out['conv2d_31']).item():.4f}"
    if name == "selfie_segmentation":
        return f"mask mean {out['activation_10'].mean():.3f}"
    return ""


def run_onnx(path_or_bytes, name_in, x):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path_or_bytes, so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, {name_in: x})))


def run_tflite(path, x):
    import tensorflow as tf
    # XNNPACK off: run the reference kernels (XNNPACK is also the delegate that misreads sparse weights)
    interp = tf.lite.Interpreter(
        model_path=path, num_threads=1,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    interp.invoke()
    return {d["name"]: interp.get_tensor(d["index"]) for d in interp.get_output_details()}


def compare(label, name, spec, ours, theirs_fn, image=None, notes=None):
    name_in = spec["input"][0]
    worst = {o: 0.0 for o, _ in spec["outputs"]}
    for kind, x in test_inputs(spec, seed=20240611, image=image):
        a = run_onnx(ours, name_in, x)
        b = theirs_fn(x)
        if kind == "photo":
            log(f"    photo: ours {photo_summary(name, a)}; {label} {photo_summary(name, b)}")
            if notes is not None:
                notes["photo"] = photo_summary(name, a)
        for o in worst:
            d = float(np.max(np.abs(a[o].astype(np.float64) - b[o].astype(np.float64))))
            worst[o] = max(worst[o], d)
    for o, d in worst.items():
        log(f"    vs {label:9s} {o:15s} max abs diff {d:.3g}")
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", required=True, help="the downloaded mediapipe==0.10.14 wheel")
    ap.add_argument("--out", required=True, help="where to write the .onnx, SHA256SUMS and MANIFEST.md")
    ap.add_argument("--work", required=True, help="scratch folder for the extracted .tflite files")
    ap.add_argument("--reference", help="folder of reference .onnx conversions to compare with (optional)")
    ap.add_argument("--image", help="a sample photo for the checks (optional; convert.sh takes astronaut.png "
                                    "from the scikit-image wheel)")
    args = ap.parse_args()

    import onnx
    import onnxruntime
    import tensorflow as tf
    import tf2onnx

    register_hardswish_elementwise()
    image = None
    if args.image:
        from PIL import Image
        image = Image.open(args.image)
        image.load()
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    wheel_name = os.path.basename(args.wheel)
    versions = {"python": sys.version.split()[0], "tf2onnx": tf2onnx.__version__,
                "tensorflow-cpu": tf.__version__, "onnx": onnx.__version__,
                "onnxruntime": onnxruntime.__version__, "numpy": np.__version__}
    log("tools:", json.dumps(versions))

    report = {}
    failed = False
    with zipfile.ZipFile(args.wheel) as z:
        for name, spec in MODELS.items():
            log(f"== {name}")
            data = z.read(spec["tflite"])
            digest = sha256_bytes(data)
            if digest != spec["tflite_sha256"]:
                raise RuntimeError(f"{spec['tflite']}: sha256 {digest}, expected {spec['tflite_sha256']}")
            tflite_path = os.path.join(args.work, name + ".tflite")
            with open(tflite_path, "wb") as f:
                f.write(data)

            model = convert(name, spec, tflite_path)
            prelus = prelu_split.split(model)
            if prelus:
                log(f"  {prelus} PRelu rewritten as Relu + Min*slope + Add")
            packed = pack_f16.pack(model)
            onnx.checker.check_model(model)
            log(f"  {packed} initializers stored as float16 (bit-exact)")
            blob = model.SerializeToString()
            out_path = os.path.join(args.out, name + ".onnx")
            tmp = out_path + ".tmp"
            with open(tmp, "wb") as f:
                f.write(blob)
            os.replace(tmp, out_path)
            ops = {}
            for n in model.graph.node:
                ops[n.op_type] = ops.get(n.op_type, 0) + 1
            log(f"  wrote {out_path} ({len(blob)} bytes, {len(model.graph.node)} nodes: "
                f"{', '.join(f'{k} {v}' for k, v in sorted(ops.items()))})")

            # the TFLite interpreter does not know MediaPipe's custom op: run a copy using the builtin op
            runnable = os.path.join(args.work, name + ".builtin.tflite")
            if tflite_with_builtin_transpose_conv(tflite_path, runnable):
                log(f"  tflite check uses {runnable} ({CUSTOM_OP[4:]} -> builtin TRANSPOSE_CONV)")
            else:
                runnable = tflite_path
            notes = {}
            diffs = {"tflite": compare("tflite", name, spec, blob, lambda x: run_tflite(runnable, x), image,
                                       notes)}
            if max(diffs["tflite"].values()) > TFLITE_MAX_DIFF:
                log(f"  !! {name}: differs from the .tflite by more than {TFLITE_MAX_DIFF}")
                failed = True
            ref = os.path.join(args.reference, name + ".onnx") if args.reference else None
            if ref and os.path.exists(ref):
                diffs["reference"] = compare("reference", name, spec, blob,
                                             lambda x: run_onnx(ref, spec["input"][0], x), image)
                if max(diffs["reference"].values()) > MAX_ABS_DIFF:
                    log(f"  !! {name}: differs from the reference by more than {MAX_ABS_DIFF}")
                    failed = True
            report[name] = {"tflite_bytes": len(data), "tflite_sha256": digest, "onnx_bytes": len(blob),
                            "onnx_sha256": sha256_bytes(blob), "ops": ops, "diffs": diffs, **notes}

    with open(os.path.join(args.out, "SHA256SUMS"), "w") as f:
        for name in MODELS:
            f.write(f"{report[name]['onnx_sha256']}  {name}.onnx\n")
    write_manifest(os.path.join(args.out, "MANIFEST.md"), wheel_name, sha256_file(args.wheel), versions,
                   report)
    with open(os.path.join(args.work, "report.json"), "w") as f:
        json.dump({"wheel": wheel_name, "versions": versions, "models": report}, f, indent=1)
    log("wrote SHA256SUMS and MANIFEST.md")
    if failed:
        sys.exit(1)


def write_manifest(path, wheel_name, wheel_sha256, versions, report):
    L = []
    L.append("# Model manifest")
    L.append("")
    L.append("Generated by `recipe/convert.py` (run through `recipe/convert.sh`); do not edit by hand.")
    L.append("")
    L.append(f"Source: PyPI package `mediapipe=={MEDIAPIPE_VERSION}` (`pip download --no-deps`), wheel "
             f"`{wheel_name}`, sha256 `{wheel_sha256}`; licence Apache-2.0, Copyright Google LLC "
             "(see `LICENSE`).")
    L.append("")
    L.append("Tools: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    L.append("")
    L.append("All models: NHWC float32 input `[1,H,W,3]` (RGB), float32 outputs; weights stored as "
             "float16 (exactly MediaPipe's values: each is widened by a `Cast` to float32 at load, so the "
             "network computes in float32 what the unpacked conversion computes), "
             "PRelu written as `Relu(x) + Min(x, 0) * slope` (the same values; faster in tract), "
             "standard ONNX ops only (default domain). Internal node/tensor names are canonical "
             "(`<index>_<OpType>`, weights `wNNN`), so a rerun gives the same bytes; only the graph "
             "input/output names are meaningful.")
    L.append("")
    for name, spec in MODELS.items():
        r = report[name]
        in_name, in_shape, (lo, hi) = spec["input"]
        L.append(f"## {name}.onnx")
        L.append("")
        L.append(f"{spec['what']}.")
        L.append("")
        L.append("| field | value |")
        L.append("|---|---|")
        L.append(f"| source | `{spec['tflite']}` in the wheel |")
        L.append(f"| tflite bytes | {r['tflite_bytes']:,} |")
        L.append(f"| tflite sha256 | `{r['tflite_sha256']}` |")
        L.append(f"| onnx bytes | {r['onnx_bytes']:,} |")
        L.append(f"| onnx sha256 | `{r['onnx_sha256']}` |")
        L.append(f"| opset | {spec['opset']} |")
        L.append(f"| input | `{in_name}` float32 {in_shape}, values in [{lo:g}, {hi:g}] |")
        for o, s in spec["outputs"]:
            L.append(f"| output | `{o}` float32 {s} |")
        L.append("| ops | " + ", ".join(f"{k} {v}" for k, v in sorted(r["ops"].items())) + " |")
        if "photo" in r:
            L.append(f"| on astronaut.png | {r['photo']} |")
        for label, d in r["diffs"].items():
            L.append(f"| max abs diff vs {label} | " + ", ".join(f"`{o}` {v:.3g}" for o, v in d.items()) + " |")
        L.append("")
    L.append("Diffs: max over seeded inputs (3 uniform in the input range, 1 of the range's two ends, "
             "1 synthetic image, and the sample photo `skimage/data/astronaut.png` resized, or its face crop "
             "for face_landmark), onnxruntime CPU vs the TFLite interpreter (reference kernels, no XNNPACK; "
             "for selfie_segmentation a copy of the .tflite with the custom op replaced by the builtin "
             "TRANSPOSE_CONV) and vs the reference conversions in `shared/models/` when present.")
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    main()
