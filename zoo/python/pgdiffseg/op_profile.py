"""Where a denoiser step's time goes, operator type by operator type, in two bundles' graphs side by side (fp32 and
its int8 build): ONNX Runtime's own profiler on the CPU provider, the same real sampler inputs for both.

    python -m pgdiffseg.op_profile --bundle ../models/pgdiffseg-busi-128 --other ../models/pgdiffseg-busi-128-int8 \
        --data ../../../shared/data/busi --calls 40 --threads 1

Each graph runs --calls denoiser steps in turn with the other (A B A B ...), one intra-op thread; every node's kernel
time is summed by operator type and divided by the calls. Prints a markdown table (ms per call and share of the
kernel time per operator type, both graphs) and writes --json if given.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path

import onnxruntime as ort

from .quantize import calibration_images, collect_denoiser_inputs, step_feeds


def profiled_session(path: Path, threads: int, folder: str) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.enable_profiling = True
    opts.profile_file_prefix = os.path.join(folder, path.parent.name)
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def kernel_time_by_op(profile: Path, calls: int) -> dict[str, float]:
    """Milliseconds per call by operator type, from an ONNX Runtime profile (node events ending in _kernel_time),
    skipping the warm-up calls the profile also holds."""
    events = json.loads(profile.read_text())
    runs = [e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    if len(runs) < calls:
        raise ValueError(f"{profile}: {len(runs)} runs profiled, expected at least {calls}")
    first = runs[len(runs) - calls]["ts"]   # the timed calls are the last `calls` runs
    totals: dict[str, float] = defaultdict(float)
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] >= first:
            totals[e["args"]["op_name"]] += e["dur"] / 1000.0
    return {op: ms / calls for op, ms in totals.items()}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--other", type=Path, required=True, help="the bundle to compare with (e.g. its int8 build)")
    p.add_argument("--data", type=Path, help="BUSI folder: denoiser inputs from the sampler on training images")
    p.add_argument("--images", type=int, default=4)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--calls", type=int, default=40)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    manifest = json.loads((args.bundle / "bundle.json").read_text())
    defaults = manifest["sampling_defaults"]
    images, _ = calibration_images(args.data, args.images, manifest["input"]["height"])
    rows = collect_denoiser_inputs(args.bundle, images, defaults["scheduler"], defaults["steps"],
                                   init_noise="zeros" if defaults.get("initial_sample") == "zeros" else "randn")
    feeds = step_feeds(rows, args.batch)
    with tempfile.TemporaryDirectory() as folder:
        names = {"a": args.bundle.name, "b": args.other.name}
        sessions = {"a": profiled_session(args.bundle / "denoiser.onnx", args.threads, folder),
                    "b": profiled_session(args.other / "denoiser.onnx", args.threads, folder)}
        for s in sessions.values():
            for _ in range(args.warmup):
                s.run(None, feeds)
        for _ in range(args.calls):
            for s in sessions.values():
                s.run(None, feeds)
        per_op = {k: kernel_time_by_op(Path(s.end_profiling()), args.calls) for k, s in sessions.items()}
    ops = sorted(set(per_op["a"]) | set(per_op["b"]), key=lambda op: -max(per_op["a"].get(op, 0), per_op["b"].get(op, 0)))
    totals = {k: sum(v.values()) for k, v in per_op.items()}
    result = {"bundles": names, "batch": args.batch, "calls": args.calls, "threads": args.threads,
              "kernel_ms_per_call": totals, "by_op": {op: {k: per_op[k].get(op, 0.0) for k in per_op} for op in ops}}
    print(f"| operator type | {names['a']} ms | share | {names['b']} ms | share |\n|---|---:|---:|---:|---:|")
    for op in ops:
        a, b = per_op["a"].get(op, 0.0), per_op["b"].get(op, 0.0)
        print(f"| {op} | {a:.2f} | {100 * a / totals['a']:.1f} % | {b:.2f} | {100 * b / totals['b']:.1f} % |")
    print(f"| all kernels | {totals['a']:.2f} | | {totals['b']:.2f} | |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
