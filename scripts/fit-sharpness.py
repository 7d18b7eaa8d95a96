#!/usr/bin/env python3
"""Calibrates `sharpness` on the train portraits: their blur metric as photographed (all sharp) and after
synthetic blur of known size (Gaussian sigma 1.0 / 1.5 / 2.5 px, horizontal motion over 9 px). Then reports
the val portraits (every one a sharp photo): how many exceed the chsi profile's `max_blur` (false alarms),
and `--before L` an earlier limit for comparison.
Needs Pillow (`pip install pillow`) and the CLI: `python3 scripts/fit-sharpness.py EVAL_DIR [N] [--before L]`.
"""
import csv, json, os, subprocess, sys, tempfile, tomllib

from PIL import Image, ImageFilter

args = sys.argv[1:]
before = None
if "--before" in args:
    i = args.index("--before")
    before = float(args[i + 1])
    del args[i:i + 2]
eval_dir = args[0] if args else "../shared/eval"
n = int(args[1]) if len(args) > 1 else 40
cli = os.environ.get("PHOTO_CHECK", "target/debug/photo-check")
labels = os.path.join(eval_dir, "portraits", "labels.csv")
rows = [r for r in csv.DictReader(open(labels)) if r["split"] == "train"]
motion = ImageFilter.Kernel((5, 5), [0.2 if i // 5 == 2 else 0 for i in range(25)])  # applied twice: 9 px
out = tempfile.mkdtemp(prefix="photo-check-blur-")
files = {"sharp": []}
for r in rows[:n]:
    src = os.path.join(eval_dir, "portraits", r["file"])
    files["sharp"].append(src)
    im = Image.open(src).convert("RGB")
    for name, img in [("gauss 1.0", im.filter(ImageFilter.GaussianBlur(1.0))),
                      ("gauss 1.5", im.filter(ImageFilter.GaussianBlur(1.5))),
                      ("gauss 2.5", im.filter(ImageFilter.GaussianBlur(2.5))),
                      ("motion 9", im.filter(motion).filter(motion))]:
        path = os.path.join(out, name.replace(" ", "") + "_" + r["file"])
        img.save(path, quality=92)
        files.setdefault(name, []).append(path)
for name, paths in files.items():
    res = subprocess.run([cli, "check", "--json", *paths], capture_output=True, text=True)
    blur = sorted(json.loads(l)["checks"]["sharpness"]["value"].get("blur", float("nan"))
                  for l in res.stdout.splitlines() if "checks" in l)
    print(f"{name:10s} n {len(blur):3d}  min {blur[0]:.3f}  median {blur[len(blur) // 2]:.3f}  max {blur[-1]:.3f}")

limit = tomllib.load(open("profiles/chsi.toml", "rb"))["sharpness"]["max_blur"]
val = [os.path.join(eval_dir, "portraits", r["file"]) for r in csv.DictReader(open(labels)) if r["split"] == "val"]
res = subprocess.run([cli, "check", "--json", *val], capture_output=True, text=True)
blur = [json.loads(l)["checks"]["sharpness"]["value"].get("blur") for l in res.stdout.splitlines() if "checks" in l]
blur = [b for b in blur if b is not None]
for name, lim in [("max_blur", limit)] + ([("--before", before)] if before is not None else []):
    print(f"val sharp portraits over {name} {lim}: {sum(b > lim for b in blur)}/{len(blur)} (false alarms)")
