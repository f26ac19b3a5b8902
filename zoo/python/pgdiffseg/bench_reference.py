"""Times the Python reference pipelines on one image, for comparison with the Java SDK's `pgdiffseg bench`:
ONNX Runtime (Python) with diffusers schedulers on the bundle's graphs, and PyTorch eager on its checkpoint.

    python -m pgdiffseg.bench_reference --bundle zoo/models/pgdiffseg-busi-128 --image scan.png \
        --scheduler dpm++ --steps 20 --ensemble 5 --runs 5
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from .config import ModelConfig
from .data import load_image, preprocess
from .sampling import make_scheduler, onnx_model_fns, segment, torch_model_fns


def time_pipeline(fns, image, cfg, scheduler: str, steps: int, ensemble: int, runs: int, warmup: int,
                  init_noise: str = "randn") -> list[float]:
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        segment(*fns, image, make_scheduler(scheduler, cfg), steps, ensemble, 0, gate_class=None,
                init_noise=init_noise)
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--image", type=Path, required=True)
    p.add_argument("--scheduler", default="dpm++")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--ensemble", type=int, default=5)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    args = p.parse_args(argv)
    manifest = json.loads((args.bundle / "bundle.json").read_text())
    cfg = ModelConfig.from_dict(manifest["model"]["config"])
    image = torch.from_numpy(preprocess(load_image(args.image), cfg.image_size))[None, None]
    results = {"threads": torch.get_num_threads()}
    results["onnxruntime_python_ms"] = time_pipeline(onnx_model_fns(args.bundle / "prior.onnx", args.bundle / "denoiser.onnx"),
                                                     image, cfg, args.scheduler, args.steps, args.ensemble, args.runs, args.warmup)
    checkpoint = args.bundle / "torch" / "checkpoint.pt"
    if checkpoint.exists():
        from .export import load_model
        with torch.no_grad():
            results["pytorch_eager_ms"] = time_pipeline(torch_model_fns(load_model(checkpoint)), image, cfg, args.scheduler,
                                                        args.steps, args.ensemble, args.runs, args.warmup)
    summary = {k: statistics.median(v) for k, v in results.items() if isinstance(v, list)}
    print(json.dumps({"median_ms": summary, "runs_ms": results}))


if __name__ == "__main__":
    main()
