#!/usr/bin/env python3
"""Chooses check thresholds on the `train` rows of the labelled photos and reports them on `val`.

Input: the labels CSV of a set and the CLI's JSON reports for its images (`photo-check check --json`, one
line per image; see scripts/fit.sh). The measures in a report do not depend on the thresholds, so each
check's rule is replayed here on the measured values for every candidate threshold (the rules below mirror
src/checks/*.rs). A candidate is admissible when its false-alarm rate (label pass -> fail) on train is at
most --max-false-alarm; among those the best balanced accuracy on train wins (ties: the candidate
nearest the middle of the tied ones).
Only then are the val rows looked at, to report the chosen rule. Unknown counts as wrong.

    python3 scripts/fit_thresholds.py --labels DIR/labels.csv --reports reports.jsonl --check ears_visible
"""
import argparse
import csv
import itertools
import json
import math
import os
import sys


def frange(a, b, step):
    n = int(round((b - a) / step))
    return [round(a + i * step, 4) for i in range(n + 1)]


# --- the rules, as in src/checks (value = the report's `value` object) ---------------------------------

def ears_rule(v, p):
    if "right" not in v:
        return "unknown"
    states = []
    for side in ("right", "left"):
        e = v[side]
        if e["state"] in ("hidden_by_pose", "outside_frame"):
            states.append(e["state"])
            continue
        full = e["person"] >= p["full_person_share"]
        visible = e["skin"] >= p["min_skin_share"] and (not full or e["skin"] >= p["min_skin_share_full"])
        # covered: hair fills the zone (no background beside the ear) and little of it is skin
        covered = e["person"] >= p["min_covered_person"] and e["skin"] < p["max_covered_skin"]
        states.append("visible" if visible else "covered" if covered else "unclear")
    if states == ["visible", "visible"]:
        return "pass"
    return "fail" if "covered" in states else "unknown"


def mouth_rule(v, p):
    if "lip_gap_ratio" not in v:
        return "unknown"
    if v["lip_gap_ratio"] > p["max_lip_gap_ratio"] or v["opening_share"] > p["max_opening_share"]:
        return "fail"
    return "pass"


def hat_rule(v, p):
    if "skin" not in v or v.get("in_frame", 0) < 0.6:
        return "unknown"
    return "fail" if v["skin"] < p["min_crown_skin"] else "pass"


def hair_rule(v, p):
    if "right" not in v:
        return "unknown"
    ok = [v[s]["skin"] >= p["min_skin_share"] for s in ("right", "left")]
    return "pass" if all(ok) else "fail"


def blur_rule(v, p):
    if v.get("blur") is None:
        return "unknown"
    return "fail" if v["blur"] > p["max_blur"] else "pass"


def body_rule(v, p):
    tilt, asym = v.get("shoulder_tilt_deg"), v.get("width_asymmetry")
    if tilt is None:
        return "unknown"
    if asym is not None and asym > p["max_width_asymmetry"]:
        return "fail"
    if abs(tilt) > p["max_shoulder_tilt_deg"]:
        return "fail"
    return "unknown" if asym is None else "pass"


def pose_rule(v, p):
    if "yaw" not in v:
        return "unknown"
    ok = all(abs(v[axis]) <= p[f"max_{axis}_deg"] for axis in ("yaw", "pitch", "roll"))
    return "pass" if ok else "fail"


CHECKS = {
    # check id: (report check, rule, parameter grid, lenient direction per parameter: +1 = larger is lenient)
    "ears_visible": ("ears_visible", ears_rule, {
        "min_skin_share": frange(0.1, 0.4, 0.05),
        "full_person_share": [0.9, 0.95],
        "min_skin_share_full": frange(0.5, 0.9, 0.05),
        "min_covered_person": frange(0.8, 1.0, 0.02),
        "max_covered_skin": frange(0.02, 0.6, 0.02),
    }, {"min_skin_share": -1, "full_person_share": +1, "min_skin_share_full": -1, "min_covered_person": +1,
        "max_covered_skin": -1}),
    "mouth_closed": ("mouth_closed", mouth_rule, {
        "max_lip_gap_ratio": frange(0.01, 0.1, 0.0025),
        "max_opening_share": frange(0.05, 0.6, 0.01),
    }, {"max_lip_gap_ratio": +1, "max_opening_share": +1}),
    "no_hat": ("no_hat", hat_rule, {"min_crown_skin": frange(0.02, 0.6, 0.01)}, {"min_crown_skin": -1}),
    "hair_clear": ("hair_clear", hair_rule, {"min_skin_share": frange(0.02, 0.6, 0.01)}, {"min_skin_share": -1}),
    "sharpness": ("sharpness", blur_rule, {"max_blur": frange(0.3, 0.8, 0.005)}, {"max_blur": +1}),
    "body_frontal": ("body_tilt", body_rule, {
        "max_shoulder_tilt_deg": frange(3, 20, 0.5),
        "max_width_asymmetry": frange(0.1, 0.6, 0.01),
    }, {"max_shoulder_tilt_deg": +1, "max_width_asymmetry": +1}),
    "head_frontal": ("head_pose", pose_rule, {
        "max_yaw_deg": frange(4, 20, 0.5),
        "max_pitch_deg": frange(6, 20, 1),
        "max_roll_deg": [8.0],
    }, {"max_yaw_deg": +1, "max_pitch_deg": +1, "max_roll_deg": +1}),
}


def score(rows, rule, p):
    """Counts [label][prediction] and the figures: recall per class, false alarms, balanced accuracy."""
    c = {l: {"pass": 0, "fail": 0, "unknown": 0} for l in ("pass", "fail")}
    for label, value in rows:
        c[label][rule(value, p)] += 1
    n_pass, n_fail = sum(c["pass"].values()), sum(c["fail"].values())
    rp = c["pass"]["pass"] / n_pass if n_pass else None
    rf = c["fail"]["fail"] / n_fail if n_fail else None
    fa = c["pass"]["fail"] / n_pass if n_pass else 0.0
    recalls = [r for r in (rp, rf) if r is not None]
    bal = sum(recalls) / len(recalls) if recalls else 0.0
    return {"counts": c, "n_pass": n_pass, "n_fail": n_fail, "recall_pass": rp, "recall_fail": rf,
            "false_alarm": fa, "balanced": bal}


def interval(s):
    """95 % normal-approximation interval of the balanced accuracy (mean of two binomial proportions)."""
    parts = [(r, n) for r, n in ((s["recall_pass"], s["n_pass"]), (s["recall_fail"], s["n_fail"])) if r is not None]
    var = sum(r * (1 - r) / n for r, n in parts) / len(parts) ** 2
    h = 1.96 * math.sqrt(var)
    return max(0.0, s["balanced"] - h), min(1.0, s["balanced"] + h)


def fmt(s):
    lo, hi = interval(s)
    rp = "-" if s["recall_pass"] is None else f"{s['recall_pass']:.3f}"
    rf = "-" if s["recall_fail"] is None else f"{s['recall_fail']:.3f}"
    unk = s["counts"]["pass"]["unknown"] + s["counts"]["fail"]["unknown"]
    return (f"n pass {s['n_pass']:4d} fail {s['n_fail']:4d} | recall pass {rp} fail {rf} | false alarms "
            f"{s['counts']['pass']['fail']:3d} ({100 * s['false_alarm']:.1f} %) | unknown {unk:3d} | "
            f"balanced {s['balanced']:.3f} [{lo:.3f}, {hi:.3f}]")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", required=True)
    ap.add_argument("--reports", required=True, nargs="+", help="JSONL files of `photo-check check --json`")
    ap.add_argument("--check", required=True, choices=sorted(CHECKS))
    ap.add_argument("--label-column", help="label column (default: the check name)")
    ap.add_argument("--invert", action="store_true", help="attribute yes = fail, no = pass (e.g. bangs)")
    ap.add_argument("--max-false-alarm", type=float, default=0.01)
    ap.add_argument("--fixed", default="", help="k=v,... parameters to keep fixed (e.g. the current profile)")
    args = ap.parse_args()

    report_check, rule, grid, lenient = CHECKS[args.check]
    reports = {}
    for path in args.reports:
        for line in open(path):
            r = json.loads(line)
            if "checks" in r:
                reports[os.path.basename(r["file"])] = r["checks"][report_check]
    column = args.label_column or args.check
    split_rows = {"train": [], "val": []}
    for row in csv.DictReader(open(args.labels)):
        label = row.get(column, "")
        if args.invert:
            label = {"yes": "fail", "no": "pass"}.get(label, "")
        if label not in ("pass", "fail") or row["file"] not in reports:
            continue
        split_rows.setdefault(row.get("split", "train"), []).append((label, reports[row["file"]]["value"]))
    fixed = dict((k, float(v)) for k, v in (kv.split("=") for kv in args.fixed.split(",") if kv))
    if fixed and all(k in fixed for k in grid):
        best = fixed
    else:
        keys = [k for k in grid if k not in fixed]
        scored = []
        for combo in itertools.product(*(grid[k] for k in keys)):
            p = dict(fixed, **dict(zip(keys, combo)))
            s = score(split_rows["train"], rule, p)
            if s["false_alarm"] <= args.max_false_alarm:
                scored.append((round(s["balanced"], 6), p))
        if not scored:
            sys.exit(f"{args.check}: no threshold keeps train false alarms within {args.max_false_alarm}")
        # Many candidates tie on train. Take the one nearest the middle of the tied ones (per parameter,
        # in grid steps): a threshold in the middle of a gap between train rows, not at its edge.
        top = max(b for b, _ in scored)
        tied = [p for b, p in scored if b == top]
        mid = {k: sorted(p[k] for p in tied)[len(tied) // 2] for k in keys}
        span = {k: (max(grid[k]) - min(grid[k])) or 1.0 for k in keys}
        best = min(tied, key=lambda p: sum(abs(p[k] - mid[k]) / span[k] for k in keys))
    print(f"{args.check} ({column}{' inverted' if args.invert else ''}): chosen on train: "
          + ", ".join(f"{k} = {v:g}" for k, v in best.items()))
    for split in ("train", "val"):
        if split_rows.get(split):
            print(f"  {split:5s} {fmt(score(split_rows[split], rule, best))}")


if __name__ == "__main__":
    main()
