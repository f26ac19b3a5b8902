"""int8 CPU build of a bundle: ONNX Runtime static quantization (QDQ, per-channel weights) of the denoiser,
calibrated on the denoiser inputs the bundle's own sampler produces on BUSI training images.

    cd zoo/python && python -m pgdiffseg.quantize --bundle ../models/pgdiffseg-busi-128 \
        --data ../../../shared/data/busi --out ../models/pgdiffseg-busi-128-int8

Calibration: for --images training images (evenly spaced over the training split, never validation), the fp32
graphs run the bundle's default sampler (scheduler, steps; gate off, one sample per image, seed = image index),
and every denoiser call's real inputs (x_t, image, t, prior) are kept: images x steps calibration rows.
Blocks named in --keep-float stay float32 (docs/benchmarks.md, "int8 variant", has the measurements that chose
them); the graph boundary stays float32, so the graph contract of the manifest is unchanged. The prior graph
runs once per image and is copied unchanged unless --quantize-prior.

Writes a complete bundle: both graphs, bundle.json (id <id>-int8, the fp32 bundle's version, provenance under
model.quantization, checksums of every file) and MODEL_CARD.md. Validation figures are added afterwards by
`python -m pgdiffseg.evaluate --bundle OUT ... --record`, conformance fixtures by
`conformance/python/gen_bundle_fixtures.py --bundle OUT --reference onnxruntime`.
"""
from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from . import bundle as bundle_io
from .config import ModelConfig
from .data import load_image, preprocess, read_split
from .export import DENOISER_INPUTS
from .sampling import init_noise_for, make_scheduler, onnx_model_fns, segment

# Blocks of the denoiser, by the node names torch.onnx gives the modules of model.Denoiser. A node belongs to a
# block when its name matches the pattern and its op type is listed (None: any op type).
BLOCKS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "attention": (r"^/(psa\.\d+|mid_attn)/", ("MatMul", "Softmax")),           # PSA and bottleneck self-attention
    "attention_proj": (r"^/(psa\.\d+/(query|key|value_c|value_d)(_\d+)?|mid_attn/(qkv|proj))/", ("Conv",)),
    "normalisation": (r"norm|/block[12]/block[12]\.0/|/out/out\.0/", None),    # GroupNorm (as InstanceNorm)
    "time_embedding": (r"^/(time_mlp/|Sin|Cos|Mul$|Concat$|Cast$|Unsqueeze$)|/temb/", None),
    "first_convs": (r"^/sdb_(image|mask)/stem/", ("Conv",)),
    "last_conv": (r"^/out/out\.2/", ("Conv",)),
    "sdb": (r"^/sdb_(image|mask)/layers\.", ("Conv",)),
    "down_convs": (r"^/(cond|noise)_units\.\d+/down/", ("Conv",)),
    "res_convs": (r"/block[12]/block[12]\.\d+/|/skip/", ("Conv",)),
    # Elementwise ops between the slim dense blocks' convs: quantized too, the block runs int8 from stem to sum.
    "sdb_chain": (r"^/sdb_(image|mask)/", ("LeakyRelu", "Add", "Mul")),
    "attn_softmax": (r"^/(psa\.\d+|mid_attn)/", ("Softmax",)),
    "silu": (r"/block[12]\.1/|/out/out\.1/", ("Sigmoid", "Mul")),
    "residual_adds": (r"^/(cond_units\.\d+/res|noise_units\.\d+/res|mid[12]|up_units\.\d+)/Add(_1)?$", ("Add",)),
}
DEFAULT_KEEP_FLOAT = ("attention", "attention_proj", "normalisation", "time_embedding", "last_conv")
DEFAULT_OP_TYPES = ("Conv", "MatMul", "Gemm")
DEFAULT_INT8_CHAINS = ("sdb_chain",)


def block_nodes(model: onnx.ModelProto, blocks) -> list[str]:
    """Names of the nodes of the given blocks."""
    names = []
    for block in blocks:
        if block not in BLOCKS:
            raise ValueError(f"unknown block {block!r}, expected one of {sorted(BLOCKS)}")
        pattern, ops = BLOCKS[block]
        names += [n.name for n in model.graph.node
                  if re.search(pattern, n.name) and (ops is None or n.op_type in ops)]
    return sorted(set(names))


def calibration_images(data: Path | None, count: int, size: int, seed: int = 0) -> tuple[list[np.ndarray], list[str]]:
    """count preprocessed training images, evenly spaced over the training split; without data, smooth
    synthetic images (for tests)."""
    if data is None:
        rng = np.random.default_rng(seed)
        yy, xx = np.mgrid[:size, :size] / size
        images = []
        for i in range(count):
            cy, cx, r = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), rng.uniform(0.1, 0.25)
            disc = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
            images.append(np.where(disc, -0.6, 0.3).astype(np.float32) + rng.normal(0, 0.1, (size, size)).astype(np.float32))
        return [np.clip(im, -1, 1) for im in images], [f"synthetic-{i}" for i in range(count)]
    samples = read_split(data, "train")
    picked = [samples[int(i)] for i in np.linspace(0, len(samples) - 1, count).round()]
    return [preprocess(load_image(s.image_path), size) for s in picked], [s.id for s in picked]


def collect_denoiser_inputs(folder: Path, images: list[np.ndarray], scheduler: str, steps: int,
                            seed: int = 0, init_noise: str = "randn") -> list[dict[str, np.ndarray]]:
    """Runs the fp32 graphs with the sampler and keeps every denoiser call's inputs: one dict of arrays per
    image, the steps of that image stacked along the batch axis."""
    manifest = json.loads((folder / "bundle.json").read_text())
    cfg = ModelConfig.from_dict(manifest["model"]["config"])
    prior_fn, denoiser_fn = onnx_model_fns(folder / "prior.onnx", folder / "denoiser.onnx")
    rows = []
    for i, image in enumerate(images):
        calls = []

        def recording(x_t, image_b, t, prior):
            calls.append({"x_t": x_t.numpy().copy(), "image": image_b.numpy().copy(), "t": t.numpy().copy(),
                          "prior": prior.numpy().copy()})
            return denoiser_fn(x_t, image_b, t, prior)

        segment(prior_fn, recording, torch.from_numpy(image)[None, None], make_scheduler(scheduler, cfg), steps,
                1, seed + i, gate_class=None, init_noise=init_noise)
        rows.append({n: np.concatenate([c[n] for c in calls]) for n in DENOISER_INPUTS})
    return rows


class Reader:
    """onnxruntime.quantization CalibrationDataReader over a list of feed dicts."""

    def __init__(self, feeds: list[dict[str, np.ndarray]]):
        self.feeds, self.i = feeds, 0

    def get_next(self):
        if self.i >= len(self.feeds):
            return None
        self.i += 1
        return self.feeds[self.i - 1]

    def rewind(self):
        self.i = 0


def merge_every(rows: int) -> int:
    """How many calibration batches the calibrator holds before merging their ranges: at most 8 (memory), and
    not a divisor of the row count (onnxruntime's MinMax calibrator finds no data when the last merge leaves
    nothing pending)."""
    return next(k for k in range(min(8, rows), rows + 2) if rows % k)


def quantize_graph(src: Path, dst: Path, feeds: list[dict[str, np.ndarray]], keep_float=DEFAULT_KEEP_FLOAT,
                   op_types=DEFAULT_OP_TYPES, method: str = "MinMax", per_channel: bool = True,
                   int8_chains=DEFAULT_INT8_CHAINS) -> list[str]:
    """Static QDQ quantization of one graph: the nodes of op_types, less those of the keep_float blocks, plus
    the nodes of the int8_chains blocks. Returns the names of the op_types nodes kept float."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        model = onnx.load(str(pre))
        excluded = set(block_nodes(model, keep_float))
        chains = set(block_nodes(model, int8_chains))
        chosen = [n.name for n in model.graph.node
                  if (n.op_type in op_types and n.name not in excluded) or n.name in chains]
        excluded = [n.name for n in model.graph.node if n.op_type in op_types and n.name not in chosen]
        quantize_static(str(pre), str(dst), Reader(feeds), quant_format=QuantFormat.QDQ,
                        op_types_to_quantize=sorted({n.op_type for n in model.graph.node if n.name in chosen}),
                        nodes_to_quantize=chosen, per_channel=per_channel,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=getattr(CalibrationMethod, method),
                        extra_options={"CalibMaxIntermediateOutputs": merge_every(len(feeds)),
                                       "CalibTensorRangeSymmetric": False})
    return sorted(set(excluded))


def session(path: Path, threads: int = 0) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def compare(fp32: Path, int8: Path, feeds: list[dict[str, np.ndarray]]) -> dict:
    """Max abs error, relative RMS error and cosine similarity of the int8 graph's first output against fp32
    on the given feeds."""
    a, b = session(fp32), session(int8)
    err = ref = out = dot = worst = 0.0
    for f in feeds:
        ra, rb = a.run(None, f)[0].astype(np.float64), b.run(None, f)[0].astype(np.float64)
        err, ref, out, dot = err + ((ra - rb) ** 2).sum(), ref + (ra ** 2).sum(), out + (rb ** 2).sum(), dot + (ra * rb).sum()
        worst = max(worst, float(np.abs(ra - rb).max()))
    return {"max_abs": worst, "rel_rms": float(np.sqrt(err / max(ref, 1e-30))),
            "cosine": float(dot / max(np.sqrt(ref * out), 1e-30))}


def step_feeds(rows: list[dict[str, np.ndarray]], batch: int) -> dict[str, np.ndarray]:
    """One denoiser call of `batch` rows taken from different images and steps."""
    picks = [(i % len(rows), (3 * i + 5) % len(rows[0]["t"])) for i in range(batch)]
    return {n: np.ascontiguousarray(np.concatenate([rows[i][n][j:j + 1] for i, j in picks])) for n in DENOISER_INPUTS}


def bench_step(graphs: dict[str, Path], rows, batch: int, pairs: int, threads: int) -> dict[str, dict]:
    """Per-call time of each graph on the same feeds, the graphs interleaved call by call (A B A B ...) so that
    a shared machine's load falls on all alike; medians in ms and the first graph's median over each one's."""
    feeds = step_feeds(rows, batch)
    sessions = {k: session(p, threads) for k, p in graphs.items()}
    for s in sessions.values():
        for _ in range(3):
            s.run(None, feeds)
    times = {k: [] for k in sessions}
    for _ in range(pairs):
        for k, s in sessions.items():
            t = time.perf_counter()
            s.run(None, feeds)
            times[k].append(time.perf_counter() - t)
    base = float(np.median(times[next(iter(times))]))
    return {k: {"median_ms": round(1000 * float(np.median(v)), 2), "speedup": round(base / float(np.median(v)), 3)}
            for k, v in times.items()}


# Configurations --measure-blocks compares: (name, blocks kept float, blocks quantized with their elementwise ops).
MEASURED = [
    ("convs+matmuls, nothing float", (), ()),
    ("keep attention float", ("attention",), ()),
    ("+ attention projections float", ("attention", "attention_proj"), ()),
    ("+ normalisation, time embedding, last conv float", ("attention", "attention_proj", "normalisation",
                                                          "time_embedding", "last_conv"), ()),
    ("+ first convs float", DEFAULT_KEEP_FLOAT + ("first_convs",), ()),
    ("+ slim dense blocks int8 end to end (default)", DEFAULT_KEEP_FLOAT, ("sdb_chain",)),
    ("default + SiLU and residual adds int8", DEFAULT_KEEP_FLOAT, ("sdb_chain", "silu", "residual_adds")),
    ("default, attention MatMuls int8", tuple(b for b in DEFAULT_KEEP_FLOAT if b != "attention"), ("sdb_chain",)),
]


def measure_blocks(src: Path, data: Path | None, images: int, threads: int, pairs: int, log=print) -> list[dict]:
    """Each MEASURED configuration: denoiser error against fp32 on held-out training rows (every sixth
    calibration image, not used to calibrate) and the interleaved per-step speed-up at batch 1 and 5."""
    manifest = json.loads((src / "bundle.json").read_text())
    cfg = ModelConfig.from_dict(manifest["model"]["config"])
    d = manifest["sampling_defaults"]
    pictures, _ = calibration_images(data, images, cfg.image_size)
    rows = collect_denoiser_inputs(src, pictures, d["scheduler"], d["steps"], init_noise=init_noise_for(d.get("initial_sample")))
    held = rows[3::6]
    calib = [r for i, r in enumerate(rows) if i % 6 != 3]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        graphs = {"fp32": src / "denoiser.onnx"}
        for i, (name, keep, chains) in enumerate(MEASURED):
            graphs[name] = Path(tmp) / f"v{i}.onnx"
            quantize_graph(src / "denoiser.onnx", graphs[name], calib, keep, int8_chains=chains)
            results.append({"config": name, "kept_float": list(keep), "int8_chains": list(chains),
                            **compare(src / "denoiser.onnx", graphs[name], held)})
            log(f"{name}: relative RMS {results[-1]['rel_rms']:.4f}")
        speed = {b: bench_step(graphs, rows, b, pairs, threads) for b in (1, 5)}
    for r in results:
        r["speedup_batch1"], r["speedup_batch5"] = speed[1][r["config"]]["speedup"], speed[5][r["config"]]["speedup"]
        log(f"| {r['config']} | {r['rel_rms']:.4f} | {r['cosine']:.5f} | {r['speedup_batch1']:.2f} | "
            f"{r['speedup_batch5']:.2f} |")
    return results


def record_speed(src: Path, out: Path, data: Path | None, threads: int, pairs: int, command: str, log=print) -> dict:
    """Interleaved per-step speed of the int8 denoiser against the fp32 one at batch 1 and 5 (the ensemble),
    written into the int8 bundle's metrics."""
    manifest = json.loads((src / "bundle.json").read_text())
    cfg = ModelConfig.from_dict(manifest["model"]["config"])
    d = manifest["sampling_defaults"]
    pictures, _ = calibration_images(data, 2, cfg.image_size)
    rows = collect_denoiser_inputs(src, pictures, d["scheduler"], d["steps"], init_noise=init_noise_for(d.get("initial_sample")))
    graphs = {"fp32": src / "denoiser.onnx", "int8": out / "denoiser.onnx"}
    speed = {"threads": threads or "onnxruntime default", "pairs": pairs, "provider": "CPUExecutionProvider"}
    wide = d["ensemble"] if d["ensemble"] > 1 else 4   # the ensemble's batch, or images batched with --batch 4
    for batch in (1, wide):
        r = bench_step(graphs, rows, batch, pairs, threads)
        speed[f"batch{batch}"] = {"fp32_ms": r["fp32"]["median_ms"], "int8_ms": r["int8"]["median_ms"],
                                  "speedup": r["int8"]["speedup"]}
    speed["summary"] = (f"denoiser step {speed['batch1']['speedup']:.2f}x faster than fp32 at batch 1, "
                        f"{speed['batch' + str(wide)]['speedup']:.2f}x at batch {wide} "
                        f"(ONNX Runtime CPU, {speed['threads']} intra-op threads, medians of {pairs} interleaved "
                        "calls).")
    speed["command"] = command
    log(speed["summary"])
    path = out / bundle_io.MANIFEST
    m = json.loads(path.read_text())
    m.setdefault("metrics", {})["speed"] = speed
    path.write_text(json.dumps(m, indent=2) + "\n")
    bundle_io.write_model_card(out)
    bundle_io.refresh_checksums(out)
    return speed


def write_card(folder: Path) -> None:
    """The fp32 bundle's card (bundle.write_model_card, which adds the quantization section)."""
    bundle_io.write_model_card(folder)


def quantize_bundle(src: Path, out: Path, data: Path | None, images: int = 24, keep_float=DEFAULT_KEEP_FLOAT,
                    op_types=DEFAULT_OP_TYPES, method: str = "MinMax", quantize_prior: bool = False,
                    seed: int = 0, int8_chains=DEFAULT_INT8_CHAINS, command: str = "", log=print) -> dict:
    manifest = json.loads((src / "bundle.json").read_text())
    cfg = ModelConfig.from_dict(manifest["model"]["config"])
    defaults = manifest["sampling_defaults"]
    started = time.time()
    pictures, ids = calibration_images(data, images, cfg.image_size, seed)
    feeds = collect_denoiser_inputs(src, pictures, defaults["scheduler"], defaults["steps"], seed,
                                    init_noise_for(defaults.get("initial_sample")))
    log(f"calibration: {len(ids)} images x {defaults['steps']} steps ({time.time() - started:.0f} s)")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    kept = quantize_graph(src / "denoiser.onnx", out / "denoiser.onnx", feeds, keep_float, op_types, method,
                          int8_chains=int8_chains)
    log(f"denoiser quantized, {len(kept)} nodes kept float ({time.time() - started:.0f} s)")
    prior_kept = None
    if quantize_prior:
        prior_feeds = [{"image": f["image"][:1]} for f in feeds]
        prior_kept = quantize_graph(src / "prior.onnx", out / "prior.onnx", prior_feeds, (), op_types, method,
                                    int8_chains=())
    else:
        shutil.copyfile(src / "prior.onnx", out / "prior.onnx")
    if defaults.get("scheduler_config"):   # the same sampler, stated the same way
        shutil.copyfile(src / defaults["scheduler_config"], out / defaults["scheduler_config"])
    error = compare(src / "denoiser.onnx", out / "denoiser.onnx", feeds)
    log(f"denoiser int8 vs fp32 on the calibration rows: max abs {error['max_abs']:.4f}, "
        f"relative RMS {error['rel_rms']:.4f}")
    write_manifest(src, out, manifest, ids, data, keep_float, kept, op_types, method, quantize_prior,
                   prior_kept, error, seed, int8_chains, command)
    return error


def write_manifest(src: Path, out: Path, manifest: dict, ids: list[str], data: Path | None, keep_float, kept,
                   op_types, method, quantize_prior, prior_kept, error, seed, int8_chains=(), command="") -> None:
    q = dict(manifest)
    q["id"] = manifest["id"] + "-int8"
    q["description"] = manifest["description"] + "; int8 CPU build (static QDQ quantization of the denoiser)"
    q["changelog"] = [{"version": manifest["version"],
                       "changes": f"int8 build of {manifest['id']} {manifest['version']}"}]
    defaults = manifest["sampling_defaults"]
    q["model"] = dict(manifest["model"])
    q["model"].pop("random_seed", None)   # the int8 weights are in the graphs only; no PyTorch rebuild of them
    if "weights" in manifest["model"]:     # what the quantized graphs came from
        q["model"]["weights"] = {"source": "quantized", "from": manifest["model"]["weights"]}
    q["model"]["quantization"] = {
        "from": {"id": manifest["id"], "version": manifest["version"],
                 "bundle_json_sha256": bundle_io.sha256(src / "bundle.json"),
                 "denoiser_sha256": manifest["graphs"]["denoiser"]["sha256"],
                 "prior_sha256": manifest["graphs"]["prior"]["sha256"],
                 **({"random_seed": manifest["model"]["random_seed"]} if "random_seed" in manifest["model"] else {})},
        "tool": f"onnxruntime {ort.__version__} quantize_static",
        "format": "QDQ", "weights": "int8, per channel, symmetric", "activations": "uint8, per tensor",
        "calibration_method": method,
        "op_types": list(op_types),
        "graphs": ["denoiser", "prior"] if quantize_prior else ["denoiser"],
        "calibration": {
            "data": ("BUSI training split (never validation), " + str(len(ids)) + " images evenly spaced"
                     if data is not None else f"{len(ids)} synthetic images"),
            "images": ids, "scheduler": defaults["scheduler"], "steps": defaults["steps"],
            "rows": len(ids) * defaults["steps"],
            "what": "the denoiser's inputs (x_t, image, t, prior) at every step of the fp32 graphs' sampler, "
                    f"gate off, one sample per image, " + ("from x_T = 0" if defaults.get("initial_sample") == "zeros"
                                                            else f"seed {seed} + image index")},
        "kept_float_blocks": list(keep_float),
        "int8_chain_blocks": list(int8_chains),
        "kept_float_nodes": [n for n in kept],
        "error_vs_fp32_on_calibration": error,
        "command": command,
    }
    if prior_kept is not None:
        q["model"]["quantization"]["prior_kept_float_nodes"] = prior_kept
    q["exported_with"] = dict(manifest["exported_with"])
    q["metrics"] = {}
    q.pop("files", None)
    q["files"] = {}
    for graph in q["graphs"].values():
        graph["opset"] = next(o.version for o in onnx.load(str(out / graph["file"])).opset_import
                              if o.domain in ("", "ai.onnx"))
    (out / bundle_io.MANIFEST).write_text(json.dumps(q, indent=2) + "\n")
    write_card(out)
    bundle_io.refresh_checksums(out)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", type=Path, required=True, help="the fp32 bundle")
    p.add_argument("--data", type=Path, help="BUSI folder with split.csv (training split used); "
                                             "without it, synthetic images (tests only)")
    p.add_argument("--out", type=Path, help="the int8 bundle folder (required but with --measure-blocks)")
    p.add_argument("--images", type=int, default=24, help="calibration images")
    p.add_argument("--keep-float", default=",".join(DEFAULT_KEEP_FLOAT),
                   help=f"comma-separated blocks left float32, of {','.join(BLOCKS)} (default %(default)s)")
    p.add_argument("--int8-chains", default=",".join(DEFAULT_INT8_CHAINS),
                   help="comma-separated blocks whose elementwise ops are quantized too (default %(default)s)")
    p.add_argument("--op-types", default=",".join(DEFAULT_OP_TYPES), help="op types quantized (default %(default)s)")
    p.add_argument("--method", default="MinMax", choices=["MinMax", "Entropy", "Percentile"])
    p.add_argument("--quantize-prior", action="store_true", help="quantize prior.onnx too (default: copy it)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--measure-blocks", action="store_true",
                   help="instead of writing a bundle: error and speed-up of each configuration of MEASURED")
    p.add_argument("--speed", action="store_true",
                   help="instead of quantizing: measure the --out bundle's denoiser step against --bundle's and "
                        "record it in --out's metrics")
    p.add_argument("--threads", type=int, default=1, help="intra-op threads for --speed and --measure-blocks")
    p.add_argument("--pairs", type=int, default=40, help="interleaved calls per graph for --speed/--measure-blocks")
    args = p.parse_args(argv)
    command = "cd zoo/python && python -m pgdiffseg.quantize " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    if args.out is None and not args.measure_blocks:
        p.error("--out is required")
    if args.measure_blocks:
        measure_blocks(args.bundle, args.data, args.images, args.threads, args.pairs)
        return
    if args.speed:
        record_speed(args.bundle, args.out, args.data, args.threads, args.pairs, command)
        return
    keep = tuple(b for b in args.keep_float.split(",") if b)
    quantize_bundle(args.bundle, args.out, args.data, args.images, keep, tuple(args.op_types.split(",")),
                    args.method, args.quantize_prior, args.seed,
                    tuple(b for b in args.int8_chains.split(",") if b), command)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
