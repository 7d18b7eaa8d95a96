#!/usr/bin/env python3
"""Store a converted model's weights as float16 where that loses nothing.

MediaPipe ships these models with float16 weights; the TFLite -> ONNX conversion widens them to float32,
which doubles the files. This step narrows back every float32 initializer whose values all survive the
round trip float32 -> float16 -> float32 bit for bit, and feeds it to the graph through a `Cast` to
float32, so the model computes exactly what the float32 file computes (runtimes fold the casts of
constants when they load the model). Initializers that would change stay float32.

Used by convert.py before it checks and writes each model; also runnable on its own:
    python pack_f16.py IN.onnx OUT.onnx
"""
import sys

import numpy as np

SUFFIX = "__f16"


def pack(model):
    """Returns the number of initializers narrowed; edits `model` (an onnx.ModelProto) in place."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    casts = []
    kept = []
    for init in graph.initializer:
        a = numpy_helper.to_array(init)
        narrow = a.astype(np.float16)
        if a.dtype != np.float32 or a.size < 2 or not np.array_equal(narrow.astype(np.float32), a,
                                                                    equal_nan=True):
            kept.append(init)
            continue
        packed = numpy_helper.from_array(narrow, init.name + SUFFIX)
        kept.append(packed)
        casts.append(helper.make_node("Cast", [packed.name], [init.name], name=init.name + "/to_f32",
                                      to=TensorProto.FLOAT))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)  # constants first: the graph stays topologically sorted
    return len(casts)


def main():
    import onnx

    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model = onnx.load(sys.argv[1])
    n = pack(model)
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])
    print(f"{sys.argv[2]}: {n} initializers stored as float16")


if __name__ == "__main__":
    main()
