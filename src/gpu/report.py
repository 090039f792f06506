"""Writes OUT/report.md from what src/gpu/run.sh left in OUT: steps.tsv, environment.json, check.json,
predict-*.txt, time-vit4j.json, time-timm.json. Missing pieces are reported as missing.

    python src/gpu/report.py OUT
"""
import json
import os
import sys


def load(out, name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"missing": "%s: %s" % (name, e)}


def main(out):
    lines = ["# vit4j on a CUDA GPU", ""]
    env = load(out, "environment.json")
    lines += ["## Environment", "", "```", json.dumps(env, indent=2), "```", ""]
    lines += ["## Steps", "", "| step | exit code | seconds |", "|---|---|---|"]
    try:
        for row in open(os.path.join(out, "steps.tsv")):
            name, rc, secs = row.rstrip("\n").split("\t")
            lines.append("| %s | %s | %s |" % (name, rc, secs))
    except OSError:
        lines.append("| steps.tsv missing | | |")
    check = load(out, "check.json")
    lines += ["", "## GPU against CPU", "",
              "fp32: max |gpu - cpu| of the logits, at most 1e-3; bf16: the GPU's top-1 class equals the CPU's.", "",
              "| model | input | engine | precision | max abs diff | top-1 agree | passed |", "|---|---|---|---|---|---|---|"]
    for m in check.get("forward", []):
        for r in m["runs"]:
            passed = r.get("passed", r.get("skipped", r.get("error", "")))
            lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                m["model"], "x".join(map(str, m["input_shape"])),
                r["engine"] + (" (eager ran: %s)" % r["compiled_unsupported"] if "compiled_unsupported" in r else ""),
                r["precision"],
                "%.3g" % r["max_abs_diff"] if "max_abs_diff" in r else "", r.get("top1_agree", ""), passed))
    t = check.get("train")
    if t:
        lines += ["", "One SGD step (%s): loss %s (CPU) vs %s (GPU); largest parameter difference after the step %.3g; "
                  "passed: %s" % (t["model"], t["cpu_loss"], t["target_loss"],
                                  t["param_max_abs_diff_after_step"], t["passed"])]
    for e in check.get("errors", []):
        lines.append("- error in %s: %s" % (e["where"], e["error"]))
    if "missing" in check:
        lines.append("- " + check["missing"])
    try:
        same = open(os.path.join(out, "predict-cpu.txt")).read() == open(os.path.join(out, "predict-gpu.txt")).read()
        lines += ["", "`vit4j predict --device gpu sample-images/` equals `--device cpu`: %s" % same]
    except OSError as e:
        lines += ["", "predict: %s" % e]
    v = load(out, "time-vit4j.json")
    p = load(out, "time-timm.json")
    lines += ["", "## Speed: ViT-B/16 at 224, images/s", "",
              "| precision | batch | vit4j compiled | timm eager | vit4j / timm |", "|---|---|---|---|---|"]
    timm = {(r["precision"], r["batch"]): r.get("images_per_second") for r in p.get("time", [])}
    for r in v.get("time", []):
        mine, peer = r.get("images_per_second"), timm.get((r["precision"], r["batch"]))
        ratio = "%.2f" % (mine / peer) if mine and peer else ""
        lines.append("| %s | %s | %s | %s | %s |" % (r["precision"], r["batch"], "%.0f" % mine if mine else r.get("error", ""),
                                                      "%.0f" % peer if peer else "", ratio))
    for d in (v, p):
        if "missing" in d:
            lines.append("- " + d["missing"])
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
