"""Runs the Java SDK and the Python reference pipelines back to back on the same graphs and images and writes
docs/benchmarks.md and docs/benchmarks.json. Started by `samples/bench-compare`, which supplies the Python
environment; every figure comes from this one run.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs"
sys.path.insert(0, str(ROOT / "zoo" / "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from pgdiffseg.bench_reference import time_pipeline  # noqa: E402
from pgdiffseg.config import ModelConfig  # noqa: E402
from pgdiffseg.data import load_image, preprocess  # noqa: E402
from pgdiffseg.export import load_model  # noqa: E402
from pgdiffseg.sampling import init_noise_for, onnx_model_fns, torch_model_fns  # noqa: E402

SCHEDULER_NAMES = {"dpm++": "DPM-Solver++ 2M", "ddim": "DDIM", "ddim-trailing": "DDIM (trailing spacing)",
                   "unipc": "UniPC", "ddpm": "DDPM"}
SWEEP = [("ddim", 10), ("ddim", 20), ("ddim", 50), ("dpm++", 10), ("dpm++", 20), ("dpm++", 50),
         ("unipc", 10), ("unipc", 20), ("unipc", 50), ("ddpm", 1000)]
LAUNCHER = ROOT / "samples" / "pgdiffseg"
JMH = ROOT / "samples" / "jmh"
PARTS = ("main", "sweep", "gating", "soak", "jmh", "tuning", "tradeoff")
# Sampler settings of the Dice-against-time part: the deterministic few-step samplers and the stochastic ones.
TRADEOFF = [("ddim-trailing", 1, 1, "zeros"), ("ddim-trailing", 2, 1, "zeros"), ("ddim-trailing", 4, 1, "zeros"),
            ("dpm++", 10, 1, "noise"), ("dpm++", 20, 1, "noise"), ("dpm++", 20, 5, "noise")]
# Session options tried against the defaults (all cores, graph optimisation ALL, memory pattern, no spinning).
TUNING = [("defaults", []), ("1 intra-op thread", ["--threads", "1"]), ("optimisation EXTENDED", ["--optimization", "extended"]),
          ("optimisation BASIC", ["--optimization", "basic"]), ("no memory pattern", ["--no-memory-pattern"]),
          ("spinning", ["--spin"])]
TUNING_DEFAULTS = "all cores, graph optimisation ALL, memory pattern on, no spinning"
# What the defaults were in figures recorded before the record said (spinning was on until it was measured).
FORMER_TUNING_DEFAULTS = "all cores, graph optimisation ALL, memory pattern on, spinning on"


def java_bench(model: Path, image: Path, scheduler: str, steps: int, ensemble: int, runs: int, warmup: int,
               *extra: str) -> dict:
    """One `pgdiffseg bench` run, its printed figures parsed."""
    cmd = [str(LAUNCHER), "bench", "--model", str(model), "--scheduler", scheduler, "--steps", str(steps),
           "--ensemble", str(ensemble), "--runs", str(runs), "--warmup", str(warmup), "--cpu", "--no-confidence",
           *extra, str(image)]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    print(text, end="", flush=True)

    def grab(pattern: str) -> float | None:
        m = re.search(pattern, text, re.MULTILINE)
        return float(m.group(1)) if m else None
    return {"total_ms": grab(r"^\s+total\s+median\s+([\d.]+)"),
            "postprocess_ms": grab(r"^\s+postprocess\s+median\s+([\d.]+)"),
            "step_ms": grab(r"per denoiser step .*?: ([\d.]+) ms"),
            "raw_ms": grab(r"raw graph time .*?median ([\d.]+) ms"),
            "sdk_over_raw": grab(r"SDK total (?:without the confidence )?/ raw = ([\d.]+)"),
            "gate_skipped": grab(r"the gate skipped diffusion in (\d+) of"),
            "rss_mib": [int(v) for v in re.findall(r"^run \d+: resident (\d+) MiB", text, re.MULTILINE)],
            "rss_line": next((line.strip() for line in text.splitlines() if "resident memory after" in line), None),
            "command": " ".join(["samples/pgdiffseg", *cmd[1:]]).replace(str(ROOT) + "/", "")}


def sgemm_peak_gflops() -> float:
    """The machine's practical float32 limit: the best of a few large matrix products through numpy's BLAS."""
    n = 2048
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = a.T.copy()
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(5))
    return 2 * n ** 3 / best / 1e9


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 1)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory, "gpu": None}


def versions() -> dict:
    import diffusers
    import onnxruntime
    pom = (ROOT / "pom.xml").read_text()
    java_ort = re.search(r"<onnxruntime.version>([^<]+)<", pom).group(1)
    out = subprocess.run([str(LAUNCHER), "--version"], check=True, capture_output=True, text=True).stdout
    java = re.search(r"^Java (\S+)", out, re.MULTILINE)
    return {"onnxruntime_java": java_ort, "java": java.group(1) if java else None, "onnxruntime_python": onnxruntime.__version__,
            "torch": torch.__version__.split("+")[0], "diffusers": diffusers.__version__, "numpy": np.__version__}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", type=Path, default=ROOT / "zoo" / "models" / "pgdiffseg-busi-128")
    p.add_argument("--image", type=Path, default=ROOT / "samples" / "images" / "benign_306.png")
    p.add_argument("--normal-image", type=Path, default=ROOT / "samples" / "images" / "normal_095.png")
    p.add_argument("--runs", type=int, default=5, help="timed runs of the main comparison")
    p.add_argument("--sweep-runs", type=int, default=3, help="timed runs of each NFE sweep point (DDPM 1000: 1)")
    p.add_argument("--soak-runs", type=int, default=2000)
    p.add_argument("--int8-model", type=Path, default=ROOT / "zoo" / "models" / "pgdiffseg-busi-128-int8",
                   help="the int8 build of --model, for its own rows of the Dice-against-time part")
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "busi",
                   help="BUSI folder whose val/images and val/masks the Dice-against-time part evaluates")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--parts", default=",".join(PARTS),
                   help=f"comma-separated subset of {','.join(PARTS)} to run again; the others are kept from "
                        "the existing benchmarks.json")
    args = p.parse_args(argv)
    parts = set(args.parts.split(","))
    if not parts <= set(PARTS):
        p.error(f"--parts: expected a subset of {PARTS}, got {sorted(parts)}")
    previous = previous_figures(args.out, parts)
    if parts != set(PARTS) and previous is None:
        p.error(f"--parts {args.parts} reruns part of the benchmarks and keeps the rest from a benchmarks.json, but "
                f"neither {args.out / 'benchmarks.json'} nor {DEFAULT_OUT / 'benchmarks.json'} exists; run all parts "
                "(leave out --parts) first")

    manifest = json.loads((args.model / "bundle.json").read_text())
    cfg = ModelConfig.from_dict(manifest["model"]["config"])
    step_gflop = manifest["model"]["cost"]["denoiser"]["gflops_per_call"]
    image = torch.from_numpy(preprocess(load_image(args.image), cfg.image_size))[None, None]
    ort_fns = onnx_model_fns(args.model / "prior.onnx", args.model / "denoiser.onnx")
    with torch.no_grad():
        torch_fns = torch_model_fns(load_model(args.model / "torch" / "checkpoint.pt"))

    def python_ms(fns, scheduler, steps, ensemble, runs, warmup, init_noise="randn"):
        with torch.no_grad():
            return statistics.median(time_pipeline(fns, image, cfg, scheduler, steps, ensemble, runs, warmup,
                                                   init_noise))

    if parts != set(PARTS):
        print(f"keeping the parts not rerun from {previous}")
    figures = json.loads(previous.read_text()) if parts != set(PARTS) else {}
    # When and on which model each part was measured: a partial run keeps the other parts' record.
    earlier = {"date": figures.get("date"), "model_version": figures.get("model_version")}
    measured = {part: figures.get("measured", {}).get(part, earlier) for part in PARTS if part in figures
                or (part == "sweep" and "sweep_k1" in figures)}
    measured.update({part: {"date": datetime.date.today().isoformat(), "model_version": manifest["version"]}
                     for part in parts})
    figures.pop("kept_from", None)
    figures["measured"] = measured
    figures.update({"date": datetime.date.today().isoformat(), "machine": machine(), "versions": versions(),
                    "model": manifest["id"], "model_version": manifest["version"],
                    "denoiser_gflop_per_image_step": step_gflop, "command": "samples/bench-compare",
                    "sgemm_peak_gflops": round(sgemm_peak_gflops(), 1)})
    if parts != set(PARTS):
        figures["rerun_parts"] = sorted(parts)
    quality_nfe = args.out / "quality-vs-nfe.json"
    figures["quality"] = recorded_quality(manifest, quality_nfe if quality_nfe.exists()
                                          else DEFAULT_OUT / "quality-vs-nfe.json")

    if "main" in parts:
        run_main(figures, args, ort_fns, torch_fns, python_ms)
    if "sweep" in parts:
        run_sweep(figures, args, ort_fns, torch_fns, python_ms)
    if "gating" in parts:
        run_gating(figures, args)
    if "soak" in parts:
        run_soak(figures, args)
    if "jmh" in parts:
        run_jmh(figures, args)
    if "tuning" in parts:
        run_tuning(figures, args)
    if "tradeoff" in parts:
        run_tradeoff(figures, args)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "benchmarks.json").write_text(json.dumps(figures, indent=2) + "\n")
    (args.out / "benchmarks.md").write_text(render(figures) + kept_sections(args.out / "benchmarks.md"))
    print(f"wrote {args.out / 'benchmarks.md'} and {args.out / 'benchmarks.json'}")


def previous_figures(out: Path, parts: set) -> Path | None:
    """The benchmarks.json whose other parts a partial run keeps: --out's own, else the committed one in docs/
    (a new --out folder starts from it); None when there is neither."""
    for candidate in (out / "benchmarks.json", DEFAULT_OUT / "benchmarks.json"):
        if candidate.exists():
            return candidate
    return None


def recorded_quality(manifest: dict, quality_nfe: Path) -> dict | None:
    """DPM-Solver++ 20 steps against DDPM 1000 steps, both K = 1, from the validation figures recorded in
    bundle.json (`pgdiffseg.evaluate --record`), with the seed-to-seed spread of DPM-Solver++ 20 from the
    quality-vs-NFE figures; None where the two runs were not both recorded."""
    metrics = manifest.get("metrics") or {}
    found = {(r["scheduler"], r["steps"], r["ensemble"]): r for r in metrics.get("results", [])}
    fast, slow = found.get(("dpm++", 20, 1)), found.get(("ddpm", 1000, 1))
    if not (fast and slow):
        return None
    rows = json.loads(quality_nfe.read_text())["rows"] if quality_nfe.exists() else []
    seeds = next((r["dice"] for r in rows if r["scheduler"] == "dpm++" and r["nfe"] == 20), [])
    return {"dpmpp_20_dice": fast["dice"], "ddpm_1000_dice": slow["dice"], "seed": fast["seed"],
            "command": metrics["command"], "seed_sd": statistics.stdev(seeds) if len(seeds) > 1 else None}


def bundle_defaults(model: Path) -> dict:
    """The bundle's sampling_defaults: what a user gets without options, and so what the main part times."""
    d = json.loads((model / "bundle.json").read_text())["sampling_defaults"]
    return {"scheduler": d["scheduler"], "steps": d["steps"], "ensemble": d["ensemble"],
            "initial_sample": d.get("initial_sample", "noise")}


def run_main(figures, args, ort_fns, torch_fns, python_ms) -> None:
    """The bundle's defaults, in each pipeline; with an ensemble, also K = 1 for the batching ratio."""
    d = bundle_defaults(args.model)
    start = ("--initial-sample", d["initial_sample"])
    init_noise = init_noise_for(d["initial_sample"])
    runs = args.runs * 4 if d["steps"] * d["ensemble"] < 10 else args.runs   # short runs: more of them
    main = java_bench(args.model, args.image, d["scheduler"], d["steps"], d["ensemble"], runs, 2, *start)
    k1 = java_bench(args.model, args.image, d["scheduler"], d["steps"], 1, runs, 2, *start) if d["ensemble"] > 1 else None
    figures["main"] = {**d, "runs": runs, "java": main, "java_k1": k1,
                       "onnxruntime_python_ms": python_ms(ort_fns, d["scheduler"], d["steps"], d["ensemble"], runs, 2,
                                                          init_noise),
                       "pytorch_eager_ms": python_ms(torch_fns, d["scheduler"], d["steps"], d["ensemble"], runs, 2,
                                                     init_noise)}
    if (args.int8_model / "bundle.json").exists():   # the int8 build at the same settings: SDK and ONNX Runtime Python
        int8 = java_bench(args.int8_model, args.image, d["scheduler"], d["steps"], d["ensemble"], runs, 2, *start)
        int8_fns = onnx_model_fns(args.int8_model / "prior.onnx", args.int8_model / "denoiser.onnx")
        figures["main"]["int8"] = {"java": int8, "onnxruntime_python_ms": python_ms(
            int8_fns, d["scheduler"], d["steps"], d["ensemble"], runs, 2, init_noise)}


def run_sweep(figures, args, ort_fns, torch_fns, python_ms) -> None:
    """Every scheduler at NFE 10, 20, 50 and DDPM at 1000, one sample (K = 1)."""
    sweep = []
    for scheduler, steps in SWEEP:
        runs, warmup = (1, 0) if steps >= 1000 else (args.sweep_runs, 1)
        java = java_bench(args.model, args.image, scheduler, steps, 1, runs, warmup)
        sweep.append({"scheduler": scheduler, "nfe": steps, "runs": runs, "java_ms": java["total_ms"],
                      "raw_ms": java["raw_ms"], "step_ms": java["step_ms"],
                      "onnxruntime_python_ms": python_ms(ort_fns, scheduler, steps, 1, runs, warmup),
                      "pytorch_eager_ms": python_ms(torch_fns, scheduler, steps, 1, runs, warmup)})
    figures["sweep_k1"] = sweep


def run_gating(figures, args) -> None:
    """A normal image with the gate on (diffusion skipped) against the tumor image's full run of the main part."""
    d = bundle_defaults(args.model)
    gate = java_bench(args.model, args.normal_image, d["scheduler"], d["steps"], d["ensemble"], 20, 2, "--with-gate",
                      "--initial-sample", d["initial_sample"])
    figures["gating"] = {"normal_image": args.normal_image.name, "runs": 20, "skipped": gate["gate_skipped"],
                         "normal_ms": gate["total_ms"], "tumor_ms": figures["main"]["java"]["total_ms"]}


def run_soak(figures, args) -> None:
    """Native memory: many short segmentations of the default model (2 steps, K = 1)."""
    soak = java_bench(args.model, args.image, "dpm++", 2, 1, args.soak_runs, 20, "--rss-every", "100")
    figures["soak"] = {"runs": args.soak_runs, "steps": 2, "ensemble": 1, "rss_mib": soak["rss_mib"],
                       "summary": soak["rss_line"], "command": soak["command"]}


def java_eval(model: Path, data: Path, scheduler: str, steps: int, ensemble: int, start: str) -> dict:
    """Validation figures of one setting from `pgdiffseg eval` (the bundle's gate on)."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [str(LAUNCHER), "eval", "--model", str(model), "--images", str(data / "val" / "images"), "--masks",
               str(data / "val" / "masks"), "--scheduler", scheduler, "--steps", str(steps), "--ensemble",
               str(ensemble), "--initial-sample", start, "--cpu", "--out", out]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        r = json.loads((Path(out) / "eval.json").read_text())
    return {"dice": r["mean"]["dice"], "dice_tumor": r["mean_tumor_images"]["dice"], "images": r["mean"]["images"],
            "eval_command": " ".join(["samples/pgdiffseg", *cmd[1:-2]]).replace(str(ROOT) + "/", "")
            .replace(str(ROOT.parent) + "/", "../")}


def run_tradeoff(figures, args) -> None:
    """Validation Dice against time per image for the samplers of TRADEOFF, on the bundle and its int8 build."""
    rows = []
    for model in (args.model, args.int8_model):
        if not (model / "bundle.json").exists():
            continue
        manifest = json.loads((model / "bundle.json").read_text())
        for scheduler, steps, ensemble, start in TRADEOFF:
            runs = args.sweep_runs * 4 if steps * ensemble < 10 else args.sweep_runs   # short runs: more of them
            timing = java_bench(model, args.image, scheduler, steps, ensemble, runs, 1, "--initial-sample", start)
            rows.append({"model": manifest["id"], "version": manifest["version"], "scheduler": scheduler,
                         "steps": steps, "ensemble": ensemble, "initial_sample": start, "ms": timing["total_ms"],
                         **java_eval(model, args.data, scheduler, steps, ensemble, start)})
    figures["tradeoff"] = {"runs": args.sweep_runs, "rows": rows}
    plot_tradeoff(rows, args.out / TRADEOFF_PLOT)


TRADEOFF_PLOT = "dice-vs-time.svg"


def plot_tradeoff(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "pgdiffseg"   # the same figures give the same file
    matplotlib.rcParams["svg.fonttype"] = "none"        # labels stay text: small, searchable
    from matplotlib import pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for model, marker in zip(dict.fromkeys(r["model"] for r in rows), ("o", "s", "^")):
        mine = [r for r in rows if r["model"] == model]
        ax.scatter([r["ms"] for r in mine], [r["dice"] for r in mine], marker=marker, label=model)
        for r in mine:
            ax.annotate(f"{r['scheduler']} {r['steps']}" + (f" x{r['ensemble']}" if r["ensemble"] > 1 else ""),
                        (r["ms"], r["dice"]), textcoords="offset points", xytext=(4, 3), fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("ms per image (Java SDK, CPU, log scale)")
    ax.set_ylabel("validation Dice (78 BUSI images)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def tradeoff_section(f: dict) -> list[str]:
    if "tradeoff" not in f:
        return []
    rows = f["tradeoff"]["rows"]
    lines = ["", "## Dice against time", "",
             f"Each point: validation Dice of the CLI's `eval` (78 BUSI validation images, the bundle's gate on, "
             f"seed 0) against the median time per image of its `bench` on the tumor image "
             f"({f['tradeoff']['runs']} timed runs, 4x as many under 10 denoiser calls; gate off, so every point runs "
             "its whole loop). Pick a point; the "
             "bundle's defaults are the fastest within 0.005 Dice of the best.", "",
             f"![Dice against time]({TRADEOFF_PLOT})", "",
             "| model | sampler | start | ms per image | images per second | Dice | Dice, tumor images |",
             "|---|---|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['model']} {r['version']} | {r['scheduler']} {r['steps']} step{'s' if r['steps'] > 1 else ''}, "
                     f"K = {r['ensemble']} | "
                     f"{'x_T = 0' if r['initial_sample'] == 'zeros' else 'noise'} | {r['ms']:.1f} | "
                     f"{1000 / r['ms']:.2f} | {r['dice']:.4f} | {r['dice_tumor']:.4f} |")
    lines += ["", f"Dice of a row: `{rows[0]['eval_command']}` with that row's model and sampler." if rows else ""]
    return lines


def run_tuning(figures, args, rounds: int = 3) -> None:
    """The main configuration (DPM-Solver++ 20 steps, K = 5) under each ONNX Runtime session option. The settings
    take turns, round after round, so that a change in the shared machine's load falls on all of them alike."""
    totals = {name: [] for name, _ in TUNING}
    steps = {name: [] for name, _ in TUNING}
    for _ in range(rounds):
        for name, options in TUNING:
            r = java_bench(args.model, args.image, "dpm++", 20, 5, args.runs, 1, *options)
            totals[name].append(r["total_ms"])
            steps[name].append(r["step_ms"])
    rows = [{"setting": name, "options": options, "total_ms": statistics.median(totals[name]),
             "step_ms": statistics.median(steps[name]), "round_totals_ms": totals[name]} for name, options in TUNING]
    figures["tuning"] = {"runs": args.runs, "rounds": rounds, "rows": rows, "defaults": TUNING_DEFAULTS}


def tuning_section(f: dict) -> list[str]:
    if "tuning" not in f:
        return []
    rows = f["tuning"]["rows"]
    base = rows[0]["total_ms"]
    lines = ["", "## Session options", "",
             f"DPM-Solver++ 20 steps, K = 5, each setting a fresh `samples/pgdiffseg bench --cpu IMAGE` of "
             f"{f['tuning']['runs']} timed runs with the options shown; the settings take turns for "
             f"{f['tuning']['rounds']} rounds and the table gives the median of the rounds' medians (every round in "
             f"the last column). The defaults are {f['tuning'].get('defaults', FORMER_TUNING_DEFAULTS)}.", "",
             "| setting | options | ms per image | ms per denoiser step | time vs defaults | each round, ms |",
             "|---|---|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['setting']} | `{' '.join(r['options']) or '-'}` | {r['total_ms']:.1f} | {r['step_ms']:.1f} | "
                     f"{ratio(r['total_ms'], base)} | {', '.join(f'{t:.0f}' for t in r['round_totals_ms'])} |")
    best = min(rows, key=lambda r: r["total_ms"])
    lines += ["", f"Fastest here: {best['setting']} ({ratio(best['total_ms'], base)} of the defaults' time). Differences "
              "under about 3 % are within this shared machine's run-to-run noise."]
    return lines


def run_jmh(figures, args) -> None:
    """The JMH module's hot paths: scheduler step, decode and preprocessing, one denoiser call through the binding."""
    out = args.out / "jmh.json"
    command = [str(JMH), "-rf", "json", "-rff", str(out)]
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    rows = []
    for r in json.loads(out.read_text()):
        alloc = r["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score")
        rows.append({"benchmark": r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1],
                     "params": r.get("params", {}), "us_per_op": r["primaryMetric"]["score"],
                     "us_error": r["primaryMetric"]["scoreError"], "bytes_per_op": alloc})
    out.unlink()
    figures["jmh"] = {"command": "samples/jmh -rf json -rff FILE", "results": rows}


def jmh_section(f: dict) -> list[str]:
    if "jmh" not in f:
        return []
    lines = ["", "## Hot paths (JMH)", "",
             f"`{f['jmh']['command']}` (module `benchmarks`, one fork, 3 warm-up and 5 measured iterations, GC "
             "profiler). Scheduler step: one update of a K = 5 ensemble of 128 x 128 masks, averaged over whole "
             "20-step runs, so its bytes per step include the run's multistep history, allocated once at its first "
             "step (2 or 3 buffers of 5 x 128 x 128 floats); later steps allocate nothing. Denoiser call: x_t and t "
             "copied in and eps copied out through the I/O binding; the 32 x 32 tiny test bundle's graph does "
             "6.4 MFLOP, so its rows are the fixed cost of one call (binding, copies, ONNX Runtime's dispatch of "
             "each node), the default bundle's rows a real step. Bytes per op come from the thread's allocation "
             "counter over an iteration, so JMH's own bookkeeping shows as a few bytes on slow operations.", "",
             "| benchmark | parameters | us per op | +- (99.9 %) | bytes allocated per op |", "|---|---|---:|---:|---:|"]
    for r in f["jmh"]["results"]:
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "-"
        alloc = f"{r['bytes_per_op']:.0f}" if r["bytes_per_op"] is not None else "n/a"
        lines.append(f"| {r['benchmark']} | {params} | {r['us_per_op']:.1f} | {r['us_error']:.1f} | {alloc} |")
    return lines


def java_work_share(f: dict, step_ms: float) -> str:
    """What the JMH figures say of the Java work between graph calls, as a share of the denoiser step."""
    us = {(r["benchmark"], r["params"].get("scheduler")): r["us_per_op"] for r in f.get("jmh", {}).get("results", [])}
    update = us.get(("SchedulerStepBenchmark.step", "dpm++"))
    if update is None:
        return "; a JMH profile of the Java work between graph calls is the next step."
    per_image = us.get(("PreprocessBenchmark.decode", None), 0) + us.get(("PreprocessBenchmark.preprocess", None), 0)
    return (f". JMH (below) puts the DPM-Solver++ update at {update:.0f} us per K = 5 step, "
            f"{100 * update / 1000 / step_ms:.2f} % of the {step_ms:.1f} ms denoiser step, and decoding plus "
            f"preprocessing at {per_image / 1000:.1f} ms per image, so the Java work between graph calls is not "
            "where the time goes: what is left of the gap is within this machine's run-to-run noise; more runs "
            "on a quieter machine would settle it, faster Java would not.")


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "n/a"


# Sections of benchmarks.md measured by other commands (they say which); a rerun of this script keeps them.
KEPT_SECTIONS = ("## int8 variant",)


def kept_sections(path) -> str:
    """The sections of the existing file that this script does not measure, from the first of them to the end."""
    if not path.exists():
        return ""
    text = path.read_text()
    starts = [text.find("\n" + heading) for heading in KEPT_SECTIONS if "\n" + heading in text]
    return text[min(starts):] if starts else ""


def int8_rows(main: dict, java: float) -> list[str]:
    """The int8 build's rows of the main table; its speed-up column is against the fp32 SDK row."""
    if "int8" not in main:
        return []
    sdk, ort = main["int8"]["java"]["total_ms"], main["int8"]["onnxruntime_python_ms"]
    return [f"| Java SDK, int8 build (`{main['int8']['java']['command']}`) | {sdk:.1f} | {1000 / sdk:.2f} | "
            f"{ratio(sdk, java)} |",
            f"| ONNX Runtime Python + diffusers, int8 build | {ort:.1f} | {1000 / ort:.2f} | {ratio(ort, java)} |"]


def measured_text(f: dict) -> str:
    """Which parts were measured when, on which model version (after partial reruns)."""
    groups: dict[tuple, list[str]] = {}
    for part, when in f.get("measured", {}).items():
        groups.setdefault((when.get("date"), when.get("model_version")), []).append(part)
    return "Measured: " + "; ".join(f"{', '.join(parts)} on {date} (model {version})"
                                     for (date, version), parts in sorted(groups.items(), reverse=True)) + "."


def settings_text(d: dict) -> str:
    """'DPM-Solver++ 20 steps, K = 5 as one batch' for a figures dict with scheduler, steps, ensemble, start."""
    name = SCHEDULER_NAMES.get(d["scheduler"], d["scheduler"])
    start = ", from x_T = 0" if d.get("initial_sample") == "zeros" else ""
    return f"{name}, {d['steps']} step{'s' if d['steps'] > 1 else ''}, K = {d['ensemble']}" + (
        " as one batch" if d["ensemble"] > 1 else "") + start


def render(f: dict) -> str:
    m, main, v = f["machine"], f["main"], f["versions"]
    java = main["java"]["total_ms"]
    k1 = main["java_k1"]["total_ms"] if main.get("java_k1") else None
    step_ms = main["java"]["step_ms"]
    ensemble, steps = main.get("ensemble", 5), main.get("steps", 20)
    achieved = f["denoiser_gflop_per_image_step"] * ensemble / (step_ms / 1000)
    rss = f["soak"]["rss_mib"]
    settled = rss[len(rss) // 10] if rss else None
    lines = [
        "# Benchmarks", "",
        f"The figures below come from `samples/bench-compare` on {f['date']}: {m['cpu']}, {m['cores']} "
        f"cores, {m['memory_gib']} GiB, no GPU (CPU execution provider only). Model `{f['model']}` "
        f"{f['model_version']}. Java SDK on ONNX Runtime {v['onnxruntime_java']} ({v['java']}); Python side "
        f"onnxruntime {v['onnxruntime_python']}, torch {v['torch']}, diffusers {v['diffusers']}. The pipelines run "
        "back to back in the same script on the same ONNX graphs (PyTorch on the checkpoint they were exported "
        "from) and the same image (`samples/images/benign_306.png`); medians after warm-up. Raw figures: "
        "`docs/benchmarks.json`. The SDK runs with `--no-confidence`: the Python pipelines score no confidence, so "
        "both do the same graph calls (docs/confidence.md says what the confidence adds). The machine is shared, so "
        "compare ratios within this run, not with other runs." +
        (f" The parts {', '.join(f['rerun_parts'])} were run again by `samples/bench-compare --parts "
         f"{','.join(f['rerun_parts'])}` on that date. " + measured_text(f) if f.get("rerun_parts") else ""),
        "",
        f"## The bundle's defaults: {settings_text({'ensemble': 5, 'steps': 20, 'scheduler': 'dpm++', **main})}", "",
        "| pipeline | median ms per image | images per second | SDK speed-up |", "|---|---:|---:|---:|",
        f"| Java SDK (`{main['java']['command']}`) | {java:.1f} | {1000 / java:.2f} | 1.00 |",
        f"| ONNX Runtime Python + diffusers | {main['onnxruntime_python_ms']:.1f} | "
        f"{1000 / main['onnxruntime_python_ms']:.2f} | {ratio(main['onnxruntime_python_ms'], java)} |",
        f"| PyTorch eager reference (`zoo/python`) | {main['pytorch_eager_ms']:.1f} | "
        f"{1000 / main['pytorch_eager_ms']:.2f} | {ratio(main['pytorch_eager_ms'], java)} |",
        *int8_rows(main, java), "",
        f"Images per second: one image at a time on one tumor image (the gate does not skip it), "
        f"{main.get('runs', 5)} timed runs after warm-up. The last column is each pipeline's time over the fp32 SDK's "
        "(fp32 against fp32; the int8 rows, where there are any, run the int8 build's graphs: below 1 is faster).", "",
        *([f"- Every pipeline is timed from the preprocessed image to the probability map; the SDK's time also makes "
           f"the mask at the original size ({main['java']['postprocess_ms']:.1f} ms of its {java:.1f} ms here)."]
          if main["java"].get("postprocess_ms") else []),
        f"- Raw graph time of the same calls (prior + {steps} denoiser step{'s' if steps > 1 else ''} through the "
        f"SDK's bindings, nothing else): {main['java']['raw_ms']:.1f} ms; SDK total / raw = "
        f"{main['java']['sdk_over_raw']:.3f} (target <= 1.05)."]
    if k1:
        lines.append(f"- Ensemble: K = {ensemble} in one batch takes {java:.1f} ms; K = 1 takes {k1:.1f} ms, so "
                     f"{ensemble} sequential runs take {ensemble * k1:.1f} ms: batching gives {ensemble * k1 / java:.2f}x "
                     "the throughput (target >= 1.5).")
    lines += [
        f"- Compute: {f['denoiser_gflop_per_image_step']} GFLOP per image per denoiser step (counted by "
        f"`python -m pgdiffseg.cost`), x {ensemble} per step in {step_ms:.1f} ms = {achieved:.1f} GFLOP/s; this "
        f"machine's float32 matrix-product limit (numpy/OpenBLAS sgemm, 2048^3) is {f['sgemm_peak_gflops']} GFLOP/s, "
        f"so the denoiser runs at {100 * achieved / f['sgemm_peak_gflops']:.0f} % of it.",
        "- Java heap allocated per denoising step after warm-up: 0 bytes, asserted by "
        "`SegmenterTest.theDenoisingLoopAllocatesNoHeapPerStepAfterWarmUp` (thread allocation counter across steps).",
        "", "## Speed against NFE (K = 1)", "",
        "Median ms per image (prior + NFE denoiser steps + scheduler), one sample. DDPM at 1000 steps is one run.", "",
        "| scheduler | NFE | Java SDK | raw graphs | SDK / raw | ONNX Runtime Python + diffusers | PyTorch eager | "
        "SDK speed-up vs ORT Python | vs PyTorch |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in f["sweep_k1"]:
        lines.append(f"| {r['scheduler']} | {r['nfe']} | {r['java_ms']:.1f} | {r['raw_ms']:.1f} | "
                     f"{ratio(r['java_ms'], r['raw_ms'])} | {r['onnxruntime_python_ms']:.1f} | {r['pytorch_eager_ms']:.1f} | "
                     f"{ratio(r['onnxruntime_python_ms'], r['java_ms'])} | {ratio(r['pytorch_eager_ms'], r['java_ms'])} |")
    g = f["gating"]
    lines += ["", "## Gating", "",
              f"`{g['normal_image']}` (BUSI normal) with the gate on: diffusion skipped in {g['skipped']:.0f} of "
              f"{g['runs']} runs, {g['normal_ms']:.1f} ms per image, against {g['tumor_ms']:.1f} ms for the tumor image "
              f"with the whole loop at the bundle's defaults: {ratio(g['tumor_ms'], g['normal_ms'])}x the throughput on "
              "images the gate skips.", "",
              "## Resident memory", "",
              f"{f['soak']['runs']} segmentations of the default model (`{f['soak']['command']}`; 2 steps and K = 1 so "
              "that the run is about calls, not arithmetic): resident memory every 100 runs, in MiB: "
              f"{', '.join(str(x) for x in rss)}."]
    if settled:
        lines.append(f"From run {len(rss) // 10 * 100} (arenas and JIT settled, {settled} MiB) to the last sample "
                     f"({rss[-1]} MiB): {100 * (rss[-1] - settled) / settled:+.1f} % (target within +-5 %). "
                     f"`{f['soak']['summary']}`.")
    lines += ["", "CI runs a short version: `NativeMemorySoakTest` (1,500 segmentations of the test bundle).", "",
              "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    speedups = [(main["pytorch_eager_ms"] / java, 2.0), (main["onnxruntime_python_ms"] / java, 1.2)]
    rows = [("SDK time <= 1.05 x raw graph time", f"{main['java']['sdk_over_raw']:.3f}", main["java"]["sdk_over_raw"] <= 1.05),
            (">= 2 x faster than PyTorch eager", f"{speedups[0][0]:.2f}x", speedups[0][0] >= 2.0),
            (">= 1.2 x faster than ONNX Runtime Python + diffusers", f"{speedups[1][0]:.2f}x", speedups[1][0] >= 1.2)]
    if k1:
        rows.append((f"K = {ensemble} batched >= 1.5 x the throughput of {ensemble} sequential runs",
                     f"{ensemble * k1 / java:.2f}x", ensemble * k1 / java >= 1.5))
    rows.append(("0 bytes of Java heap per step after warm-up", "0 (test)", True))
    q = f.get("quality")
    quality_met = q is None or 100 * (q["ddpm_1000_dice"] - q["dpmpp_20_dice"]) <= 1.0
    if q:
        rows.append(("DPM-Solver++ 20 NFE within 1 Dice point of DDPM 1000 (val, K = 1)",
                     f"{q['dpmpp_20_dice']:.4f} vs {q['ddpm_1000_dice']:.4f}", quality_met))
    if settled:
        growth = 100 * (rss[-1] - settled) / settled
        rows.append(("resident memory flat (+-5 %) over the soak", f"{growth:+.1f} %", abs(growth) <= 5))
    lines += [f"| {t} | {value} | {'yes' if ok else 'no'} |" for t, value, ok in rows]
    raw_share = main["java"]["raw_ms"] / java
    per_sample_batched = step_ms / ensemble
    lines += ["", "Why the misses, and what would close them:", "",
              f"- Speed-ups over ONNX Runtime Python and PyTorch: {100 * raw_share:.0f} % of the SDK's time is the graph "
              "calls themselves, which are the same ONNX Runtime kernels in the Python pipeline, so on CPU the SDK "
              "can only win the few per cent around them; what separates it from PyTorch eager is ONNX Runtime's "
              "graph optimisation. A faster graph (operator fusion, int8 quantisation, a smaller model) or the CUDA "
              "provider, not a faster SDK, would move these ratios.",
              *([f"- Batching: one K = 1 step takes {main['java_k1']['step_ms']:.1f} ms, one K = {ensemble} step "
                 f"{step_ms:.1f} ms ({per_sample_batched:.1f} ms per sample): on two cores a single image already keeps "
                 "both cores busy, so a batch has little idle hardware to fill. More cores or a GPU is where batching "
                 "pays."] if k1 else []),
              "- SDK time over raw graph time: the scheduler update and the NaN check run in Java on K x 128 x 128 "
              "floats between graph calls, plus preprocessing and postprocessing once per image. Run-to-run noise "
              "on this shared machine is of the same size (compare the raw times of the sweep rows)" +
              java_work_share(f, step_ms)]
    if not quality_met and q["seed_sd"] is not None:
        lines.append(f"- DPM-Solver++ 20 against DDPM 1000: {q['dpmpp_20_dice']:.4f} against {q['ddpm_1000_dice']:.4f} "
                     f"with one sample per image and one seed. Single samples vary by {q['seed_sd']:.3f} Dice "
                     "from seed to seed (DPM-Solver++ 20, standard deviation over the seeds of quality-vs-nfe.md), "
                     "more than the target's 1 point, so the "
                     "gap needs DDPM 1000 over several seeds (30 CPU-minutes each here) to be sure of; the "
                     "deterministic solvers do not gain with more steps (flat from 5 to 50 NFE there), so what "
                     "would close it is DDPM's fresh noise at every step, or spending the calls on samples: "
                     "DPM-Solver++ 20 with K = 5 (100 calls) scores above DDPM 1000 with K = 1 (the model card).")
    lines += tradeoff_section(f)
    lines += tuning_section(f)
    lines += jmh_section(f)
    if q:
        lines += ["", f"The quality row compares the validation Dice recorded in the bundle (seed {q['seed']}, one sample "
                  f"per image) by `{q['command']}`."]
    lines += ["", "Quality against NFE is measured separately (it needs the validation split, not timing): "
              "[quality-vs-nfe.md](quality-vs-nfe.md), by `python -m pgdiffseg.quality_nfe`. Not measured: ONNX "
              "Runtime's CUDA provider (this machine has no GPU).", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
