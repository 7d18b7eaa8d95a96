#!/usr/bin/env python3
"""Figures for `shadow_free` and `clothing_contrast` on the labelled photos (README quotes them).

Neither check has a label of its own in the evaluation sets, so the figures use what the sets say:
- shadow on the face: Extended Yale B (`lighting/`): `lighting_even` pass (light within 10° of the camera)
  has no hard shadow, fail (light 50° or more to the side) has one; split by subject: odd subjects train,
  even subjects val. The official portraits (`portraits/`, their own split) count as photos without a hard
  shadow. The limit is fitted on train: the smallest multiple of 0.05 at least 0.05 above every train
  photo without a hard shadow; val gives false alarms and recall.
- shadow behind the head, red-eye, clothing: no photo in the sets shows them, so only false alarms are
  measured here (val portraits; red-eye also the CelebA val rows); recall is on synthetic scenes (unit tests).

Usage: python3 scripts/measure-shadow-clothing.py [--bin target/debug/photo-check] [--eval ../shared/eval]
"""
import argparse
import csv
import json
import math
import os
import subprocess
import tomllib


def run(binary, files):
    """One report per file, by base name (`photo-check check --json`)."""
    out = {}
    for i in range(0, len(files), 400):
        proc = subprocess.run([binary, "check", "--json", *files[i:i + 400]], capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            r = json.loads(line)
            if "checks" in r:
                out[os.path.basename(r["file"])] = r
    return out


def labels(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def value(report, check, key):
    v = report["checks"][check]["value"] or {}
    return v.get(key)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/debug/photo-check")
    ap.add_argument("--eval", default="../shared/eval")
    args = ap.parse_args()
    with open("profiles/chsi.toml", "rb") as f:
        profile = tomllib.load(f)
    sf, cc = profile["shadow_free"], profile["clothing_contrast"]

    portraits = labels(f"{args.eval}/portraits/labels.csv")
    lighting = labels(f"{args.eval}/lighting/labels.csv")
    celeba = labels(f"{args.eval}/celeba-5k/labels.csv")
    for r in lighting:
        subject = int(r["file"][5:7])
        r["split"] = "train" if subject % 2 else "val"
    reports = {
        "portraits": run(args.bin, [f"{args.eval}/portraits/{r['file']}" for r in portraits]),
        "lighting": run(args.bin, [f"{args.eval}/lighting/{r['file']}" for r in lighting]),
        "celeba-5k": run(args.bin, [f"{args.eval}/celeba-5k/{r['file']}" for r in celeba if r["split"] == "val"]),
    }

    # shadow on the face: (set, split, hard shadow?, face_dark_share)
    rows = []
    for r in portraits:
        rep = reports["portraits"].get(r["file"])
        rows.append(("portraits", r["split"], False, rep and value(rep, "shadow_free", "face_dark_share")))
    for r in lighting:
        if r["lighting_even"] == "ambiguous":
            continue
        rep = reports["lighting"].get(r["file"])
        shadow = r["lighting_even"] == "fail"
        rows.append(("lighting", r["split"], shadow, rep and value(rep, "shadow_free", "face_dark_share")))
    clean_train = [x for s, split, shadow, x in rows if split == "train" and not shadow and x is not None]
    fitted = math.ceil((max(clean_train) + 0.05) / 0.05 - 1e-9) * 0.05
    limit = sf["max_face_dark_share"]
    print(f"shadow_on_face: train photos without a hard shadow reach {max(clean_train):.3f} "
          f"→ fitted limit {fitted:.2f} (profile: {limit})")
    for name in ("portraits", "lighting"):
        sel = [(shadow, x) for s, split, shadow, x in rows if s == name and split == "val"]
        clean = [x for shadow, x in sel if not shadow]
        hard = [x for shadow, x in sel if shadow]
        fa = sum(1 for x in clean if x is not None and x > limit)
        line = f"  val {name}: false alarms {fa}/{len(clean)} without a hard shadow"
        line += f" ({sum(1 for x in clean if x is None)} not measured: no face)"
        if hard:
            caught = sum(1 for x in hard if x is not None and x > limit)
            measured = sum(1 for x in hard if x is not None)
            line += f"; hard shadows caught {caught}/{measured} measured ({len(hard) - measured} without a face)"
        print(line)

    # the whole checks on the val rows: every fail is a false alarm (no val photo shows these faults)
    val_portraits = [reports["portraits"][r["file"]] for r in portraits
                     if r["split"] == "val" and r["file"] in reports["portraits"]]
    for check in ("shadow_free", "clothing_contrast"):
        counts = {}
        for rep in val_portraits:
            key = (rep["checks"][check]["status"], rep["checks"][check]["reason"])
            counts[key] = counts.get(key, 0) + 1
        text = ", ".join(f"{s}/{r} {n}" for (s, r), n in sorted(counts.items()))
        print(f"{check} on the {len(val_portraits)} val portraits: {text}")
    judged = [rep for rep in val_portraits if value(rep, "shadow_free", "halo_share") is not None]
    halo = sum(1 for rep in judged if value(rep, "shadow_free", "halo_share") > sf["max_halo_share"])
    print(f"shadow_behind_head: judged on {len(judged)}/{len(val_portraits)} val portraits (plain background "
          f"around the head), false alarms {halo}/{len(judged)}")
    red_rows = [rep for rep in list(reports["celeba-5k"].values()) + val_portraits
                if value(rep, "shadow_free", "red_share") is not None]
    red = sum(1 for rep in red_rows if value(rep, "shadow_free", "red_share") > sf["max_red_share"])
    worst = max(value(rep, "shadow_free", "red_share") for rep in red_rows)
    print(f"red_eye: false alarms {red}/{len(red_rows)} val rows with an open eye (CelebA-5k val + portraits), "
          f"largest red share {worst:.3f} (limit {sf['max_red_share']})")
    de = sorted(value(rep, "clothing_contrast", "median_delta_e") for rep in val_portraits
                if value(rep, "clothing_contrast", "median_delta_e") is not None)
    like = sum(1 for rep in val_portraits if rep["checks"]["clothing_contrast"]["status"] == "fail")
    print(f"clothing_contrast: fails {like}/{len(de)} val portraits with clothing in frame; smallest median "
          f"ΔE00 to {cc['backgrounds']}: {', '.join(f'{x:.1f}' for x in de[:3])}")


if __name__ == "__main__":
    main()
