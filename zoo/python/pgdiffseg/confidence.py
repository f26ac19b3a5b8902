"""Per-image confidence and per-pixel uncertainty of a bundle's masks: signals, fit and report (docs/confidence.md).

    cd zoo/python && python -m pgdiffseg.confidence --bundle ../models/pgdiffseg-busi-128 --data ../../../shared/data/busi --write

Segments every BUSI validation image with the bundle's sampling defaults through its exported graphs (as
pgdiffseg.evaluate does), computes the free signals below for each, fits a logistic model of "this mask has
Dice >= 0.5" on the training split's tumor images the gate keeps, picks the review threshold there (Youden's J),
and prints the figures on the validation split, which the fit never saw: each signal's Spearman correlation with
Dice and AUROC for Dice < 0.5, the model's, and a risk-coverage table. `--write` records the model as bundle.json's
`confidence` section, which the Java SDK reads. The SDK computes the same signals with the same definitions (ConfidenceSignals.java).

Signals (all at model resolution, p = the final lesion probability, lesion = p >= mask threshold):
  coarse_agreement      soft Dice between p and the prior's coarse mask (sigmoid of its logits, each coarse pixel
                        repeated to the model size)
  first_step_agreement  soft Dice between p and the probability of the first step's predicted x0
  gate_tumor            1 - P(skip class)
  sharpness             mean |2p - 1| over the lesion pixels (0 when there are none)
  lesion_fraction       lesion pixels / all pixels
  mirror_prior_agreement
                        soft Dice between p and the coarse mask the prior gives for the horizontally mirrored image,
                        mirrored back (one more prior call on the mirror; the SDK makes it only for a model that
                        uses this signal, or takes it from the flip-averaged batch)
  flip_agreement        soft Dice between p and the mirrored image's probability, mirrored back; only where a
                        mirrored map exists: with --flip (sampling with horizontal-flip averaging)
Soft Dice of a and b is 2 sum(a b) / (sum a + sum b), 1 when both are all zero.

A gated image is scored by the gate instead: gate_precision x P(skip class), where gate_precision is the share of
the fit split's gated images that had no lesion, by the rule of succession ((right + 1) / (gated + 2)): the
softmax of a gate trained on these images says 0.9999999 where its record says less.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import torch

from .config import ModelConfig
from .data import load_image, load_mask, preprocess, read_split
from .metrics import dice, to_original_size
from .sampling import init_noise_for, make_scheduler, onnx_model_fns, segment

SIGNALS = ("coarse_agreement", "first_step_agreement", "gate_tumor", "sharpness", "lesion_fraction",
           "mirror_prior_agreement", "flip_agreement")
# The model's input, chosen by comparing input sets' held-out figures on BUSI val (docs/confidence.md).
DEFAULT_INPUTS = ("mirror_prior_agreement",)
COVERAGES = (0.5, 0.7, 0.8, 0.9, 1.0)
L2 = 1e-2   # a light ridge keeps the fit finite when the classes separate on some signal


def soft_dice(a: np.ndarray, b: np.ndarray) -> float:
    """2 sum(a b) / (sum a + sum b) in float64; 1 when both are all zero."""
    a = a.astype(np.float64).ravel()
    b = b.astype(np.float64).ravel()
    total = a.sum() + b.sum()
    return 1.0 if total == 0 else float(2.0 * np.dot(a, b) / total)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(np.float32)


def upsample_repeat(coarse: np.ndarray, height: int, width: int) -> np.ndarray:
    """Each coarse pixel repeated over the model pixels it covers (the size must be a whole multiple)."""
    ch, cw = coarse.shape
    if height % ch or width % cw:
        raise ValueError(f"coarse mask {ch}x{cw} does not tile the model size {height}x{width}")
    return np.repeat(np.repeat(coarse, height // ch, axis=0), width // cw, axis=1)


def sharpness(p: np.ndarray, threshold: float) -> float:
    """Mean |2p - 1| over the lesion pixels (p >= threshold); 0 when there are none."""
    lesion = p >= threshold
    return 0.0 if not lesion.any() else float(np.abs(2.0 * p[lesion].astype(np.float64) - 1.0).mean())


def signals(probability: np.ndarray, coarse_logits: np.ndarray, first_x0: np.ndarray, p_skip: float,
            threshold: float, mirrored: np.ndarray | None = None,
            mirrored_coarse_logits: np.ndarray | None = None) -> dict[str, float]:
    """The signals of one image the gate kept. mirrored: the probability of the mirrored image, mirrored back
    (None where it was not computed: flip_agreement is then absent); mirrored_coarse_logits: the coarse mask logits
    of the mirrored image, mirrored back (None: mirror_prior_agreement is absent)."""
    h, w = probability.shape
    coarse = upsample_repeat(sigmoid(coarse_logits), h, w)
    s = {"coarse_agreement": soft_dice(probability, coarse),
         "first_step_agreement": soft_dice(probability, first_x0),
         "gate_tumor": 1.0 - float(p_skip),
         "sharpness": sharpness(probability, threshold),
         "lesion_fraction": float((probability >= threshold).mean())}
    if mirrored_coarse_logits is not None:
        s["mirror_prior_agreement"] = soft_dice(probability, upsample_repeat(sigmoid(mirrored_coarse_logits), h, w))
    if mirrored is not None:
        s["flip_agreement"] = soft_dice(probability, mirrored)
    return s


def mirrored_coarse(prior_fn, image: torch.Tensor) -> np.ndarray:
    """The coarse mask logits of the horizontally mirrored image [1, 1, H, W], mirrored back [h', w']."""
    with torch.no_grad():
        return np.ascontiguousarray(prior_fn(torch.flip(image, dims=[-1]))[2].numpy()[0, 0][:, ::-1])


def mirrored_probability(samples: np.ndarray, ensemble: int) -> np.ndarray:
    """The mirror's probability, mirrored back, from a flip-averaged run's final samples [2K, H, W] (x0 in [-1, 1],
    the mirror's K rows last): the mean of their probabilities, as the SDK keeps it for judging the mask."""
    return np.clip((samples[ensemble:] + 1.0) / 2.0, 0.0, 1.0).mean(axis=0)[:, ::-1].astype(np.float32)


def uncertainty_map(probability: np.ndarray, coarse_logits: np.ndarray, samples: np.ndarray | None = None,
                    mirrored: np.ndarray | None = None) -> np.ndarray:
    """Per pixel, the largest disagreement between the sources: |p - coarse|, the ensemble's spread
    (max - min of the samples' probabilities, K > 1) and |p - mirrored|; in [0, 1], float32."""
    h, w = probability.shape
    u = np.abs(probability - upsample_repeat(sigmoid(coarse_logits), h, w)).astype(np.float32)
    if samples is not None and samples.shape[0] > 1:
        per_sample = np.clip((samples + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)
        u = np.maximum(u, per_sample.max(axis=0) - per_sample.min(axis=0))
    if mirrored is not None:
        u = np.maximum(u, np.abs(probability - mirrored).astype(np.float32))
    return u


def confidence(section: dict, sig: dict[str, float] | None, gated: bool, p_skip: float) -> float:
    """The bundle's confidence of one image: for a gated image how sure the gate is, its P(skip class) times the
    section's gate_precision (1 where it has none), else the logistic model of its signals."""
    if gated:
        return float(section.get("gate_precision", 1.0) * p_skip)
    z = section["intercept"] + sum(c * sig[n] for n, c in zip(section["signals"], section["coefficients"]))
    return float(1.0 / (1.0 + np.exp(-z)))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """Newton's method on the L2-penalised log-likelihood (intercept not penalised): coefficients, intercept."""
    a = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(a.shape[1])
    penalty = np.full(a.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-a @ w))
        grad = a.T @ (p - y) + penalty * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w[1:], float(w[0])


def rankdata(v: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their mean rank."""
    order = np.argsort(v, kind="mergesort")
    ranks = np.empty(len(v))
    sorted_v = v[order]
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and sorted_v[j + 1] == sorted_v[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def spearman(a, b) -> float:
    """Pearson correlation of the ranks (ties at mean rank); NaN when either side is constant."""
    ra, rb = rankdata(np.asarray(a, float)), rankdata(np.asarray(b, float))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float("nan") if denom == 0 else float((ra * rb).sum() / denom)


def auroc(scores, positives) -> float:
    """P(score of a random positive < score of a random negative) + half the ties: how well a LOW score finds
    the positives (here: masks with Dice < 0.5). NaN without both classes."""
    s = np.asarray(scores, float)
    pos = np.asarray(positives, bool)
    lo, hi = s[pos], s[~pos]
    if len(lo) == 0 or len(hi) == 0:
        return float("nan")
    less = (lo[:, None] < hi[None, :]).sum() + 0.5 * (lo[:, None] == hi[None, :]).sum()
    return float(less / (len(lo) * len(hi)))


def risk_coverage(scores, dices, coverages=COVERAGES) -> dict[str, float]:
    """Mean Dice of the most confident fraction of images, for each coverage (ties broken by input order)."""
    order = np.argsort(-np.asarray(scores, float), kind="mergesort")
    d = np.asarray(dices, float)[order]
    return {f"{c:g}": float(d[:max(1, int(round(c * len(d))))].mean()) for c in coverages}


def youden_threshold(scores, positives) -> float:
    """The score below which images are flagged that maximises sensitivity + specificity - 1 for the positives
    (midway between two neighbouring scores)."""
    s = np.asarray(scores, float)
    pos = np.asarray(positives, bool)
    values = np.unique(s)
    cuts = np.concatenate([[values[0] - 1e-6], (values[:-1] + values[1:]) / 2, [values[-1] + 1e-6]])
    best, best_j = cuts[0], -1.0
    for c in cuts:
        flagged = s < c
        j = (flagged & pos).sum() / max(pos.sum(), 1) - (flagged & ~pos).sum() / max((~pos).sum(), 1)
        if j > best_j:
            best, best_j = c, j
    return float(best)


def collect(folder: Path, data: Path, split: str = "val", limit: int = 0, flip: bool = False) -> list[dict]:
    """Segments each image of the split with the bundle's sampling defaults; one row per image: id, class, Dice,
    gated, P(skip) and the signals (None when gated). flip: with horizontal-flip averaging (the gate decided on the
    image itself, as the SDK does), which adds flip_agreement."""
    manifest = json.loads((folder / "bundle.json").read_text())
    cfg = ModelConfig.from_dict(manifest["model"]["config"])
    gate = manifest["gating"]
    gate_class = gate["classes"].index(gate["skip_class"])
    d = manifest["sampling_defaults"]
    threshold = d["mask_threshold"]
    prior_fn, denoiser_fn = onnx_model_fns(folder / "prior.onnx", folder / "denoiser.onnx")
    rows = []
    for s in read_split(data, split)[: limit or None]:
        image = torch.from_numpy(preprocess(load_image(s.image_path), cfg.image_size))[None, None]
        out = segment(prior_fn, denoiser_fn, image, make_scheduler(d["scheduler"], cfg), d["steps"], d["ensemble"],
                      d["seed"], gate_class=gate_class, gate_threshold=gate["threshold"],
                      init_noise=init_noise_for(d.get("initial_sample")), flip_average=flip)
        truth = load_mask(s.mask_path) > 127
        pred = np.zeros_like(truth) if out.gated else to_original_size(out.probability, *truth.shape, threshold)
        p_skip = float(out.class_probs[gate_class])
        sig = None
        if not out.gated:
            coarse = prior_fn(image)[2].numpy()[0, 0]
            mirrored = mirrored_probability(out.samples, d["ensemble"]) if flip else None
            sig = signals(out.probability, coarse, out.first_x0, p_skip, threshold, mirrored,
                          mirrored_coarse(prior_fn, image))
        rows.append({"id": s.id, "class": s.busi_class, "dice": dice(pred, truth), "gated": out.gated,
                     "p_skip": p_skip, "signals": sig})
    return rows


def report(fit_rows: list[dict], rows: list[dict], inputs=DEFAULT_INPUTS) -> dict:
    """Fits the model on the tumor images of fit_rows that the gate kept and scores the tumor images of rows (a
    different split: the figures are held-out ones): per-signal and model figures."""
    fit = [r for r in fit_rows if r["class"] != "normal" and not r["gated"]]
    x = np.array([[r["signals"][n] for n in inputs] for r in fit])
    y = np.array([r["dice"] >= 0.5 for r in fit], float)
    coefficients, intercept = fit_logistic(x, y)
    gated = [r for r in fit_rows if r["gated"]]
    gated_right = sum(r["class"] == "normal" for r in gated)
    section = {"signals": list(inputs), "coefficients": [float(c) for c in coefficients], "intercept": intercept,
               "gate_precision": round((gated_right + 1) / (len(gated) + 2), 6)}
    fit_scores = [confidence(section, r["signals"], False, r["p_skip"]) for r in fit]
    review_threshold = youden_threshold(fit_scores, y == 0)
    section["review_threshold"] = round(review_threshold, 6)

    tumor = [r for r in rows if r["class"] != "normal"]
    kept = [r for r in tumor if not r["gated"]]
    kept_dice = np.array([r["dice"] for r in kept])
    per_signal = {}
    for name in SIGNALS:
        if kept and all(name in r["signals"] for r in kept):
            v = [r["signals"][name] for r in kept]
            per_signal[name] = {"spearman": spearman(v, kept_dice), "auroc": auroc(v, kept_dice < 0.5)}
    # Every tumor image: a gated one scores gate_precision x P(skip) (and Dice 0), a kept one the model's confidence.
    dices = np.array([r["dice"] for r in tumor])
    scores = np.array([confidence(section, r["signals"], r["gated"], r["p_skip"]) for r in tumor])
    kept_scores = np.array([s for s, r in zip(scores, tumor) if not r["gated"]])
    flagged = scores < review_threshold
    figures = {
        "fit_images": len(fit), "fit_dice_below_0_5": int((y == 0).sum()),
        "fit_gated": len(gated), "fit_gated_without_lesion": gated_right,
        "tumor_images": len(tumor), "gated_tumor_images": len(tumor) - len(kept),
        "dice_below_0_5": int((dices < 0.5).sum()),
        "per_signal": per_signal,
        "model": {"spearman": spearman(scores, dices), "auroc": auroc(scores, dices < 0.5),
                  "spearman_kept": spearman(kept_scores, kept_dice), "auroc_kept": auroc(kept_scores, kept_dice < 0.5),
                  "risk_coverage": risk_coverage(scores, dices)},
        "review": {"threshold": review_threshold, "flagged": int(flagged.sum()),
                   "flagged_with_dice_below_0_5": int((flagged & (dices < 0.5)).sum()),
                   "mean_dice_flagged": float(dices[flagged].mean()) if flagged.any() else float("nan"),
                   "mean_dice_not_flagged": float(dices[~flagged].mean()) if (~flagged).any() else float("nan")},
    }
    return {"section": section, "figures": figures, "scores": {r["id"]: float(v) for r, v in zip(tumor, scores)}}


def print_report(result: dict) -> None:
    f = result["figures"]
    sec = result["section"]
    print(f"fitted on {f['fit_images']} tumor images ({f['fit_dice_below_0_5']} with Dice < 0.5): "
          + " ".join(f"{c:+.4f} {n}" for n, c in zip(sec["signals"], sec["coefficients"]))
          + f" {sec['intercept']:+.4f}; review_threshold {sec['review_threshold']:.4f}")
    print(f"gate: {f['fit_gated_without_lesion']} of the {f['fit_gated']} gated images of the fit split had no "
          f"lesion; gate_precision {sec['gate_precision']:.6f}")
    print(f"held-out tumor images: {f['tumor_images']} ({f['gated_tumor_images']} gated), "
          f"Dice < 0.5: {f['dice_below_0_5']}")
    print(f"{'signal':22s} spearman  auroc   (held-out tumor images the gate kept)")
    for name, v in f["per_signal"].items():
        print(f"{name:22s} {v['spearman']:8.3f} {v['auroc']:6.3f}")
    m = f["model"]
    print(f"confidence: spearman {m['spearman']:.3f}, auroc {m['auroc']:.3f} (all tumor images; "
          f"kept only {m['spearman_kept']:.3f} / {m['auroc_kept']:.3f})")
    print("risk-coverage (mean Dice of the most confident tumor images): "
          + ", ".join(f"{float(c):.0%}: {d:.4f}" for c, d in m["risk_coverage"].items()))
    r = f["review"]
    print(f"review below {r['threshold']:.4f}: {r['flagged']} tumor images flagged, "
          f"{r['flagged_with_dice_below_0_5']} of them with Dice < 0.5; mean Dice flagged {r['mean_dice_flagged']:.4f}, "
          f"not flagged {r['mean_dice_not_flagged']:.4f}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--data", type=Path, required=True, help="BUSI folder with split.csv")
    p.add_argument("--signals", default=",".join(DEFAULT_INPUTS), help="the model's inputs, comma-separated")
    p.add_argument("--fit-split", default="train", choices=["train", "val"],
                   help="split the model is fitted on (default train; the figures are always on val, so with val "
                        "they are in-sample)")
    p.add_argument("--limit", type=int, default=0, help="first N images of each split only (0: all)")
    p.add_argument("--flip", action="store_true",
                   help="sample with horizontal-flip averaging, which makes flip_agreement available (figures only:"
                        " not with --write)")
    p.add_argument("--write", action="store_true", help="record the model as bundle.json's confidence section")
    p.add_argument("--json", type=Path, help="also write the figures and every image's signals to this file")
    args = p.parse_args(argv)
    inputs = tuple(n for n in args.signals.split(",") if n)
    available = SIGNALS if args.flip else SIGNALS[:-1]
    unknown = [n for n in inputs if n not in available]
    if unknown:
        p.error(f"unknown or unavailable signal(s) {unknown}, expected some of {list(available)}"
                + ("" if args.flip else " (flip_agreement needs --flip)"))
    if args.flip and args.write:
        p.error("--flip measures; it cannot --write: the bundle's sampling defaults do not flip, so the SDK would"
                " score its images without the mirrored pass the model was fitted with")
    rows = collect(args.bundle, args.data, "val", args.limit, flip=args.flip)
    fit_rows = rows if args.fit_split == "val" else collect(args.bundle, args.data, args.fit_split, args.limit,
                                                            flip=args.flip)
    result = report(fit_rows, rows, inputs)
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps({**result, "per_image": rows, "fit_per_image": fit_rows}, indent=2))
    if args.write:
        manifest_path = args.bundle / "bundle.json"
        manifest = json.loads(manifest_path.read_text())
        recorded = list(argv if argv is not None else sys.argv[1:])
        if "--json" in recorded:   # a side file, not part of how the model was made
            i = recorded.index("--json")
            del recorded[i:i + 2]
        f = result["figures"]
        manifest["confidence"] = {
            **result["section"],
            "fitted_on": f"BUSI {args.fit_split} tumor images the gate keeps ({f['fit_images']}), target Dice >= 0.5;"
                         f" gate_precision from its {f['fit_gated']} gated images ({f['fit_gated_without_lesion']}"
                         f" without a lesion)",
            "command": "cd zoo/python && python -m pgdiffseg.confidence " + " ".join(shlex.quote(a) for a in recorded),
            "validation": {"spearman": round(f["model"]["spearman"], 4), "auroc": round(f["model"]["auroc"], 4)}}
        # bundle.json is not among its own checksums (bundle.files): the other files keep theirs.
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        print(f"wrote the confidence section into {manifest_path}")


if __name__ == "__main__":
    main()
