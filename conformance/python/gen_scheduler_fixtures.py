"""Reference vectors of the diffusers schedulers for the SDK's scheduler tests (docs/schedulers.md).

    python conformance/python/gen_scheduler_fixtures.py --out sdk/src/test/resources/schedule

For every case (scheduler class, config in diffusers' own keys, number of steps) it runs diffusers on a
small sample with seeded model outputs and writes <case>.npz-like .npy files:
  timesteps [n] int64, model_outputs [n, L] float32, samples [n + 1, L] float32
where samples[0] is torch.randn(L) from a CPU generator seeded with `seed`, samples[i + 1] is diffusers'
prev_sample of step i, and stochastic steps draw their noise from that same generator, as the SDK does.
"""
from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np
import torch
from diffusers import DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler, UniPCMultistepScheduler

LENGTH = 32            # sample of shape [2, 1, 4, 4]
SHAPE = (2, 1, 4, 4)
BASE = dict(num_train_timesteps=1000, beta_start=1e-4, beta_end=2e-2, beta_schedule="linear")
CLASSES = {"DDPMScheduler": DDPMScheduler, "DDIMScheduler": DDIMScheduler,
           "DPMSolverMultistepScheduler": DPMSolverMultistepScheduler,
           "UniPCMultistepScheduler": UniPCMultistepScheduler}


def cases():
    for steps in (1, 10, 1000):
        yield "DDPMScheduler", {}, steps
    # fixed_large_log is left out: diffusers takes the square root of log(beta) < 0 there (NaN); see docs.
    for var, clip, spacing in itertools.product(("fixed_small", "fixed_small_log", "fixed_large"),
                                                (True, False), ("leading", "trailing", "linspace")):
        yield "DDPMScheduler", {"variance_type": var, "clip_sample": clip, "timestep_spacing": spacing}, 10
    yield "DDPMScheduler", {"prediction_type": "v_prediction"}, 10
    yield "DDPMScheduler", {"prediction_type": "sample", "clip_sample_range": 0.5}, 10
    for steps in (1, 2, 10, 50, 1000):
        yield "DDIMScheduler", {}, steps
    for eta, spacing, alpha_one in itertools.product((0.0, 0.5, 1.0), ("leading", "trailing", "linspace"), (True, False)):
        yield "DDIMScheduler", {"eta": eta, "timestep_spacing": spacing, "set_alpha_to_one": alpha_one,
                                "clip_sample": False, "steps_offset": 1}, 20
    yield "DDIMScheduler", {"prediction_type": "v_prediction"}, 20
    # 1000 steps over T = 1000 repeat a timestep in the multistep solvers (h = 0, NaN); the SDK refuses them.
    for steps in (1, 2, 5, 10, 20, 50, 999):
        yield "DPMSolverMultistepScheduler", {}, steps
    for algo, order, solver, lof, final in itertools.product(("dpmsolver++", "dpmsolver", "sde-dpmsolver++"), (1, 2, 3),
                                                              ("midpoint", "heun"), (True, False), ("zero", "sigma_min")):
        if (algo.startswith("sde") and order == 3) or (algo == "dpmsolver" and final == "zero"):
            continue   # combinations diffusers refuses; so does the SDK
        yield "DPMSolverMultistepScheduler", {"algorithm_type": algo, "solver_order": order, "solver_type": solver,
                                              "lower_order_final": lof, "final_sigmas_type": final}, 12
    for spacing in ("leading", "trailing"):
        yield "DPMSolverMultistepScheduler", {"timestep_spacing": spacing, "steps_offset": 1}, 20
    yield "DPMSolverMultistepScheduler", {"euler_at_final": True}, 20
    yield "DPMSolverMultistepScheduler", {"prediction_type": "v_prediction"}, 20
    for steps in (1, 2, 5, 10, 20, 999):
        yield "UniPCMultistepScheduler", {}, steps
    for solver, order, corrector, lof, final in itertools.product(("bh1", "bh2"), (1, 2, 3), (True, False),
                                                                  (True, False), ("zero", "sigma_min")):
        if final == "zero" and (solver == "bh1" or (order > 1 and not lof)):
            continue   # diffusers yields NaN there (h is infinite at sigma 0); the SDK's finite result is tested on its own
        cfg = {"solver_type": solver, "solver_order": order, "lower_order_final": lof, "final_sigmas_type": final}
        if not corrector:
            cfg["disable_corrector"] = list(range(12))
        yield "UniPCMultistepScheduler", cfg, 12
    for spacing in ("leading", "trailing"):
        yield "UniPCMultistepScheduler", {"timestep_spacing": spacing, "steps_offset": 1}, 20
    yield from more_cases()


def more_cases():
    """Cases added after the first 150, appended so that those keep their ids and seeds."""
    dpm, unipc = "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"
    cosine = {"beta_schedule": "squaredcos_cap_v2"}
    # lambda_min_clipped: -5.1 on the cosine schedule it is meant for (timesteps 995, 918, ... at 13 steps) ...
    for spacing, steps in (("linspace", 13), ("linspace", 20), ("leading", 20), ("trailing", 20), ("trailing", 7)):
        yield dpm, {**cosine, "lambda_min_clipped": -5.1, "timestep_spacing": spacing}, steps
    yield dpm, {**cosine, "lambda_min_clipped": -5.1, "solver_order": 3}, 20
    yield dpm, {**cosine, "lambda_min_clipped": -5.1, "algorithm_type": "sde-dpmsolver++"}, 20
    # ... and on the linear one, whose noisiest half log-SNRs are about -5.06
    for spacing in ("linspace", "leading", "trailing"):
        yield dpm, {"lambda_min_clipped": -4.0, "timestep_spacing": spacing}, 20
    # Karras sigmas
    for algo, order, final in itertools.product(("dpmsolver++", "sde-dpmsolver++", "dpmsolver", "sde-dpmsolver"),
                                                (1, 2, 3), ("zero", "sigma_min")):
        if (not algo.endswith("++") and final == "zero") or (algo == "sde-dpmsolver" and order == 3):
            continue   # combinations diffusers refuses or lacks; so does the SDK
        yield dpm, {"use_karras_sigmas": True, "algorithm_type": algo, "solver_order": order,
                    "final_sigmas_type": final}, 12
    for steps in (1, 2, 20, 50):
        yield dpm, {"use_karras_sigmas": True}, steps
    # On cosine DPM-Solver truncates the Karras timesteps where UniPC rounds them; with more steps than these the
    # first timestep repeats and diffusers starts at the second sigma and runs out of sigmas (the SDK refuses that).
    yield dpm, {**cosine, "use_karras_sigmas": True}, 3
    yield dpm, {"beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012, "use_karras_sigmas": True}, 20
    yield dpm, {"use_karras_sigmas": True, "prediction_type": "v_prediction", "lower_order_final": False}, 20
    # SDE-DPM-Solver (noise prediction; orders 1 and 2 as diffusers has them)
    for order, solver, lof in itertools.product((1, 2), ("midpoint", "heun"), (True, False)):
        yield dpm, {"algorithm_type": "sde-dpmsolver", "solver_order": order, "solver_type": solver,
                    "lower_order_final": lof, "final_sigmas_type": "sigma_min"}, 12
    yield dpm, {"algorithm_type": "sde-dpmsolver", "final_sigmas_type": "sigma_min", "prediction_type": "v_prediction"}, 20
    # SDE-DPM-Solver++ of third order
    for solver, lof, final in itertools.product(("midpoint", "heun"), (True, False), ("zero", "sigma_min")):
        yield dpm, {"algorithm_type": "sde-dpmsolver++", "solver_order": 3, "solver_type": solver,
                    "lower_order_final": lof, "final_sigmas_type": final}, 12
    for steps in (20, 50):
        yield dpm, {"algorithm_type": "sde-dpmsolver++", "solver_order": 3}, steps
    # UniPC on Karras sigmas (bh1 with a zero final sigma is NaN in diffusers, as above)
    for solver, order, final in itertools.product(("bh1", "bh2"), (1, 2, 3), ("zero", "sigma_min")):
        if final == "zero" and solver == "bh1":
            continue
        yield unipc, {"use_karras_sigmas": True, "solver_type": solver, "solver_order": order,
                      "final_sigmas_type": final}, 12
    for steps in (1, 2, 20, 50):
        yield unipc, {"use_karras_sigmas": True}, steps
    yield unipc, {**cosine, "use_karras_sigmas": True}, 5
    yield unipc, {"use_karras_sigmas": True, "sigma_min": 0.05, "sigma_max": 40.0, "final_sigmas_type": "sigma_min"}, 20
    # solver names diffusers maps onto its own (DEIS onto DPM-Solver++ midpoint, other solvers onto UniPC bh2)
    yield dpm, {"algorithm_type": "deis", "solver_type": "logrho", "final_sigmas_type": "sigma_min"}, 12
    yield dpm, {"solver_type": "bh2"}, 12
    yield unipc, {"solver_type": "midpoint"}, 12


def run_case(cls_name: str, cfg: dict, steps: int, seed: int):
    extra = {k: v for k, v in cfg.items() if k != "eta"}
    scheduler = CLASSES[cls_name](**{**BASE, **extra})
    scheduler.set_timesteps(steps)
    generator = torch.Generator().manual_seed(seed)
    outputs_gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(SHAPE, generator=generator, dtype=torch.float32)
    samples, outputs = [x.flatten().numpy().copy()], []
    kwargs = {}
    if cls_name in ("DDPMScheduler", "DDIMScheduler", "DPMSolverMultistepScheduler"):
        kwargs["generator"] = generator
    if cls_name == "DDIMScheduler":
        kwargs["eta"] = cfg.get("eta", 0.0)
    # Model outputs of a plausible denoiser: the exact noise towards a fixed mask-like target, perturbed.
    target = torch.where(torch.randn(SHAPE, generator=outputs_gen) > 0, 1.0, -1.0)
    alphas_cumprod = scheduler.alphas_cumprod
    for t in scheduler.timesteps:
        a = alphas_cumprod[int(t)]
        eps = (x - a.sqrt() * target) / (1 - a).sqrt() + 0.1 * torch.randn(SHAPE, generator=outputs_gen)
        eps = eps.to(torch.float32)
        x = scheduler.step(eps, t, x, **kwargs).prev_sample
        outputs.append(eps.flatten().numpy().copy())
        samples.append(x.flatten().numpy().copy())
    return scheduler.timesteps.numpy().astype(np.int64), np.stack(outputs), np.stack(samples)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.npy"):
        old.unlink()
    index = []
    for i, (cls_name, cfg, steps) in enumerate(cases()):
        seed = 1000 + i
        timesteps, outputs, samples = run_case(cls_name, cfg, steps, seed)
        if not np.isfinite(samples).all():
            raise SystemExit(f"case {i} {cls_name} {cfg} is not finite in diffusers")
        name = f"case{i:03d}"
        np.save(args.out / f"{name}_timesteps.npy", timesteps)
        np.save(args.out / f"{name}_model_outputs.npy", outputs.astype(np.float32))
        np.save(args.out / f"{name}_samples.npy", samples.astype(np.float32))
        index.append({"id": name, "scheduler": cls_name, "config": {**BASE, **cfg, "prediction_type": cfg.get("prediction_type", "epsilon")},
                      "steps": steps, "seed": seed})
    (args.out / "index.json").write_text(json.dumps({"diffusers": __import__("diffusers").__version__,
                                                      "shape": list(SHAPE), "cases": index}, indent=1) + "\n")
    print(f"wrote {len(index)} cases to {args.out}")


if __name__ == "__main__":
    main()
