#!/usr/bin/env python3
"""Extract MediaPipe's canonical 3-D face model and Procrustes landmark weights
from the npm package `@mediapipe/face_mesh` and write `src/observe/canonical_face.rs`.

Usage (from the repo root; needs only Python 3 and npm):

    mkdir -p /tmp/fm && (cd /tmp/fm && npm pack @mediapipe/face_mesh@0.4.1657299874 \
        && tar xzf mediapipe-face_mesh-0.4.1657299874.tgz)
    python3 models/canonical_face/extract.py /tmp/fm/package > src/observe/canonical_face.rs

The package ships `face_mesh_solution_packed_assets.data`, an Emscripten file
package. `face_mesh_solution_packed_assets_loader.js` lists the files in it with
byte offsets; one of them is
`/third_party/mediapipe/modules/face_geometry/data/geometry_pipeline_metadata_landmarks.binarypb`,
a serialized `mediapipe.face_geometry.GeometryPipelineMetadata` protobuf
(mediapipe/modules/face_geometry/protos/geometry_pipeline_metadata.proto):

    message GeometryPipelineMetadata {
      InputSource input_source = 3;                          // enum; absent = DEFAULT
      Mesh3d canonical_mesh = 1;
      repeated WeightedLandmarkRef procrustes_landmark_basis = 2;
    }

(Field numbers as found in the shipped file: the mesh is field 1, the
landmark basis field 2 and the input-source enum field 3.)
    message WeightedLandmarkRef { uint32 landmark_id = 1; float weight = 2; }
    message Mesh3d {
      VertexType vertex_type = 1;        // VERTEX_PT = 0: x, y, z, u, v per vertex
      PrimitiveType primitive_type = 2;  // TRIANGLE = 0
      repeated float vertex_buffer = 3;
      repeated uint32 index_buffer = 4;
    }

The protobuf is decoded with the small hand-written reader below (no protobuf
package needed).
"""
import hashlib
import json
import re
import struct
import sys
from pathlib import Path

ASSET = "geometry_pipeline_metadata_landmarks.binarypb"


def find_asset(pkg: Path) -> bytes:
    loader = (pkg / "face_mesh_solution_packed_assets_loader.js").read_text()
    m = re.search(r"loadPackage\((\{.*?\})\);", loader, re.S)
    if not m:
        sys.exit("loadPackage({...}) not found in the loader")
    meta = json.loads(m.group(1))
    for f in meta["files"]:
        if f["filename"].endswith("/" + ASSET):
            data = (pkg / "face_mesh_solution_packed_assets.data").read_bytes()
            return data[f["start"]:f["end"]]
    sys.exit(ASSET + " not listed in the packed assets")


def varint(buf: bytes, i: int):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def fields(buf: bytes):
    """Yield (field_number, wire_type, value) for one message; value is an int
    for varint, bytes for length-delimited and fixed32/fixed64."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        fnum, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        yield fnum, wt, v


def floats(wt, v):
    if wt == 5:  # unpacked
        return [struct.unpack("<f", v)[0]]
    return list(struct.unpack(f"<{len(v) // 4}f", v))  # packed


def parse(buf: bytes):
    basis, mesh = [], None
    for fnum, wt, v in fields(buf):
        if fnum == 2 and wt == 2:
            lid, w = None, 0.0
            for f2, w2, v2 in fields(v):
                if f2 == 1:
                    lid = v2
                elif f2 == 2:
                    w = struct.unpack("<f", v2)[0]
            basis.append((lid, w))
        elif fnum == 1 and wt == 2:
            mesh = {"vertex_type": 0, "vb": [], "ib": 0}
            for f2, w2, v2 in fields(v):
                if f2 == 1:
                    mesh["vertex_type"] = v2
                elif f2 == 3:
                    mesh["vb"] += floats(w2, v2)
                elif f2 == 4:
                    mesh["ib"] += 1
    return basis, mesh


def f32(x: float) -> str:
    """Shortest decimal that reads back as the same f32 (Rust literal form)."""
    bits = struct.pack("<f", x)
    for digits in range(1, 10):
        s = f"{x:.{digits}g}"
        if struct.pack("<f", float(s)) == bits:
            break
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant if '.' in mant else mant + '.0'}e{int(exp)}"
    elif "." not in s:
        s += ".0"
    return s


def main():
    pkg = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/fm/package")
    version = json.loads((pkg / "package.json").read_text())["version"]
    raw = find_asset(pkg)
    basis, mesh = parse(raw)
    assert mesh is not None and mesh["vertex_type"] == 0, "expected VERTEX_PT mesh"
    vb = mesh["vb"]
    assert len(vb) == 468 * 5, len(vb)
    verts = [vb[5 * k:5 * k + 3] for k in range(468)]
    assert all(lid is not None and 0 <= lid < 468 for lid, _ in basis)

    out = []
    w = out.append
    w("// @generated by models/canonical_face/extract.py -- do not edit by hand.")
    w("//")
    w(f"// Source: npm package @mediapipe/face_mesh@{version} (Apache-2.0, Google LLC),")
    w("// file /third_party/mediapipe/modules/face_geometry/data/" + ASSET)
    w("// inside face_mesh_solution_packed_assets.data")
    w(f"// (sha256 of the extracted file: {hashlib.sha256(raw).hexdigest()}).")
    w("// It is a mediapipe.face_geometry.GeometryPipelineMetadata protobuf; its")
    w("// canonical_mesh (VERTEX_PT: x, y, z, u, v) gives the vertices below and its")
    w("// procrustes_landmark_basis gives the weights.")
    w("//")
    w("// Regenerate: see models/canonical_face/README.md, in short")
    w("//   npm pack @mediapipe/face_mesh && tar xzf mediapipe-face_mesh-*.tgz")
    w("//   python3 models/canonical_face/extract.py package > src/observe/canonical_face.rs")
    w("")
    w("/// MediaPipe's canonical face mesh: 468 vertices (x, y, z) in centimetres,")
    w("/// indexed like the Face Mesh landmarks. Right-handed frame, x toward the")
    w("/// image's right (the subject's left), y up, z toward the viewer (out of the")
    w("/// face); the nose tip (landmarks 1 and 4) has the largest z.")
    w("#[rustfmt::skip]")
    w("pub const CANONICAL_FACE: [[f32; 3]; 468] = [")
    for k, (x, y, z) in enumerate(verts):
        w(f"    [{f32(x)}, {f32(y)}, {f32(z)}], // {k}")
    w("];")
    w("")
    w("/// MediaPipe's `procrustes_landmark_basis`: (landmark index, weight) pairs used")
    w("/// to fit the canonical face to detected landmarks (weighted Procrustes).")
    w("#[rustfmt::skip]")
    w(f"pub const PROCRUSTES_WEIGHTS: [(u16, f32); {len(basis)}] = [")
    for lid, wt in basis:
        w(f"    ({lid}, {f32(wt)}),")
    w("];")
    print("\n".join(out))
    print(f"version {version}, {len(raw)} bytes, {len(basis)} basis landmarks, "
          f"{mesh['ib']} index-buffer chunks", file=sys.stderr)


if __name__ == "__main__":
    main()
