#!/usr/bin/env python3
"""Reference fixtures for the SDK's imaging package (decode, preprocess, postprocess).

Runs the exact preprocessing sequence of the training code with opencv-python-headless on
(a) small synthetic images this script writes itself (8/16-bit, gray/RGB/RGBA/gray+alpha; PNG, JPEG,
BMP, TIFF) and (b) the full-size BUSI originals, which are read from the shared data folder and never
copied into the fixtures. It also runs the mask postprocessing (bilinear resize to an odd size,
threshold, largest component, hole filling) and the ensemble probability. Everything is written as
.npy arrays plus an index.json that the Java tests read.

    python conformance/python/gen_preprocessing_fixtures.py --out sdk/src/test/resources/imaging
"""
from __future__ import annotations

import argparse
import json
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "sdk" / "src" / "test" / "resources" / "imaging"


def find_busi_originals() -> Path:
    """`<repo>/../shared/data/busi/originals`, looked for in each folder above the repository."""
    for folder in REPO.parents:
        candidate = folder / "shared" / "data" / "busi" / "originals"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "data" / "busi" / "originals"


DEFAULT_BUSI = find_busi_originals()

# The model's input (PreprocessSpec.busi128) and a second, non-square spec that exercises other paths.
SPECS = {
    "busi128": dict(height=128, width=128, window_low=30.0, window_high=235.0,
                    out_low=-1.0, out_high=1.0, interpolation="area"),
    "alt96x64": dict(height=96, width=64, window_low=10.0, window_high=200.0,
                     out_low=0.0, out_high=1.0, interpolation="linear"),
}
INTERPOLATION = {"area": cv2.INTER_AREA, "linear": cv2.INTER_LINEAR, "nearest": cv2.INTER_NEAREST,
                 "cubic": cv2.INTER_CUBIC}


# ---------------------------------------------------------------- reference algorithm

def decode_gray(data: bytes) -> tuple[np.ndarray, int, int]:
    """Decoded gray float32 on 0..255, plus the decoded channel count and bit depth."""
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ValueError("cv2.imdecode failed")
    channels = 1 if img.ndim == 2 else img.shape[2]
    depth = 16 if img.dtype == np.uint16 else 8
    if img.dtype == np.uint16:
        img = img.astype(np.float32) / np.float32(257.0)
    elif img.dtype != np.uint8:
        raise ValueError(f"unsupported dtype {img.dtype}")
    if channels == 3:
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    elif channels == 4:
        gray = cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
    elif channels == 2:
        gray = img[:, :, 0]
    else:
        gray = img
    return np.ascontiguousarray(gray.astype(np.float32)), channels, depth


def preprocess(gray: np.ndarray, spec: dict) -> np.ndarray:
    f = gray.astype(np.float32)
    f = np.clip(f, spec["window_low"], spec["window_high"])
    f = cv2.resize(f, (spec["width"], spec["height"]), interpolation=INTERPOLATION[spec["interpolation"]])
    lo, hi, olo, ohi = spec["window_low"], spec["window_high"], spec["out_low"], spec["out_high"]
    x = (f - lo) / (hi - lo) * (ohi - olo) + olo
    assert x.dtype == np.float32
    return x


def ensemble_probability(x0: np.ndarray) -> np.ndarray:
    return np.clip((x0 + 1) / 2, 0, 1).mean(axis=0).astype(np.float32)


def postprocess(prob: np.ndarray, out_h: int, out_w: int, threshold: float,
                keep_largest: bool, fill_holes: bool) -> np.ndarray:
    resized = cv2.resize(prob, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
    mask = np.where(resized >= np.float32(threshold), 255, 0).astype(np.uint8)
    if keep_largest:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        if n > 2:
            best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
            mask = np.where(labels == best, 255, 0).astype(np.uint8)
    if fill_holes:
        background = (mask == 0).astype(np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(background, connectivity=4)
        for label in range(1, n):
            left, top, w, h = (stats[label, cv2.CC_STAT_LEFT], stats[label, cv2.CC_STAT_TOP],
                               stats[label, cv2.CC_STAT_WIDTH], stats[label, cv2.CC_STAT_HEIGHT])
            if not (left == 0 or top == 0 or left + w == out_w or top + h == out_h):
                mask[labels == label] = 255
    return mask


# ---------------------------------------------------------------- synthetic inputs

def png_bytes(arr: np.ndarray, color_type: int) -> bytes:
    """A minimal PNG writer, for layouts cv2.imencode cannot write (gray+alpha)."""
    h, w = arr.shape[:2]
    bits = 16 if arr.dtype == np.uint16 else 8
    rows = arr.astype(">u2" if bits == 16 else np.uint8).reshape(h, -1)
    raw = b"".join(b"\x00" + rows[y].tobytes() for y in range(h))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", w, h, bits, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def tiff_gray_alpha_bytes(arr: np.ndarray) -> bytes:
    """A minimal uncompressed little-endian TIFF with two samples (gray + unassociated alpha)."""
    h, w, spp = arr.shape
    pix = arr.astype(np.uint8).tobytes()
    ifd_offset = 8 + len(pix) + (len(pix) % 2)
    entries = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 2, 8 | (8 << 16)), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8), (277, 3, 1, spp), (278, 4, 1, h), (279, 4, 1, len(pix)), (338, 3, 1, 2)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries)
    return b"II*\x00" + struct.pack("<I", ifd_offset) + pix + b"\x00" * (len(pix) % 2) + ifd + struct.pack("<I", 0)


def synthetic_images() -> dict[str, bytes]:
    rng = np.random.default_rng(20241022)
    h, w = 61, 97  # odd sizes, not a multiple of the model size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    base = 255 * (0.15 + 0.7 * xx / (w - 1)) * (0.6 + 0.4 * yy / (h - 1))
    blob = 120 * np.exp(-(((xx - 60) / 14) ** 2 + ((yy - 30) / 10) ** 2))
    lum = np.clip(base - blob + rng.normal(0, 12, (h, w)), 0, 255)
    gray8 = np.round(lum).astype(np.uint8)
    gray16 = np.round(lum * 257 + rng.integers(-128, 128, (h, w))).clip(0, 65535).astype(np.uint16)
    bgr8 = np.dstack([gray8, np.clip(gray8.astype(int) + 40 - (xx > 50) * 80, 0, 255),
                      np.clip(255 - gray8.astype(int), 0, 255)]).astype(np.uint8)
    bgr16 = np.dstack([gray16, np.flipud(gray16), np.fliplr(gray16)]).astype(np.uint16)
    alpha = np.round(255 * xx / (w - 1)).astype(np.uint8)
    images = {
        "gray8.png": cv2.imencode(".png", gray8)[1].tobytes(),
        "gray16.png": cv2.imencode(".png", gray16)[1].tobytes(),
        "bgr16.png": cv2.imencode(".png", bgr16)[1].tobytes(),
        "bgra.png": cv2.imencode(".png", np.dstack([bgr8, alpha]))[1].tobytes(),
        "gray_alpha.png": png_bytes(np.dstack([gray8, alpha]), color_type=4),
        "gray_alpha16.png": png_bytes(np.dstack([gray16, (alpha.astype(np.uint16) * 257)]), color_type=4),
        "bgr.jpg": cv2.imencode(".jpg", bgr8, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes(),
        "gray.jpg": cv2.imencode(".jpg", gray8, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes(),
        "bgr.bmp": cv2.imencode(".bmp", bgr8)[1].tobytes(),
        "gray.tiff": cv2.imencode(".tiff", gray8)[1].tobytes(),
        "gray16.tiff": cv2.imencode(".tiff", gray16)[1].tobytes(),
        "bgr.tiff": cv2.imencode(".tiff", bgr8)[1].tobytes(),
        "gray_alpha.tiff": tiff_gray_alpha_bytes(np.dstack([gray8, alpha])),
    }
    return images


# ---------------------------------------------------------------- postprocessing inputs

def probability_map() -> np.ndarray:
    """A 128x128 map with a ring (a hole to fill), a smaller blob and specks (components to drop)."""
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:128, 0:128].astype(np.float64)
    r = np.hypot(xx - 60, yy - 66)
    ring = np.exp(-((r - 24) / 9) ** 2)
    blob = 0.9 * np.exp(-(((xx - 108) / 7) ** 2 + ((yy - 20) / 6) ** 2))
    specks = (rng.random((128, 128)) > 0.995) * 0.8
    return np.clip(ring + blob + specks + rng.normal(0, 0.05, (128, 128)), 0, 1).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixture folder (default: %(default)s)")
    parser.add_argument("--busi", type=Path, default=DEFAULT_BUSI,
                        help="folder of BUSI originals, read but not copied (default: %(default)s)")
    args = parser.parse_args()

    out: Path = args.out
    (out / "synthetic").mkdir(parents=True, exist_ok=True)
    (out / "expected").mkdir(parents=True, exist_ok=True)
    index: dict = {"opencv": cv2.__version__, "numpy": np.__version__, "specs": SPECS, "images": [],
                   "postprocess": [], "ensemble": None}

    sources: list[tuple[str, str, bytes]] = []
    for name, data in synthetic_images().items():
        (out / "synthetic" / name).write_bytes(data)
        sources.append(("synthetic", name, data))
    busi = sorted(p for p in args.busi.glob("*.png") if not p.stem.endswith("_mask")) if args.busi.is_dir() else []
    if not busi:
        raise SystemExit(f"no BUSI originals under {args.busi}")
    for path in busi:
        sources.append(("busi", path.name, path.read_bytes()))

    for source, name, data in sources:
        gray, channels, depth = decode_gray(data)
        stem = f"{source}_{name.replace('.', '_')}"
        entry = {"source": source, "file": name, "width": int(gray.shape[1]), "height": int(gray.shape[0]),
                 "channels": channels, "bit_depth": depth, "gray_sum": float(gray.astype(np.float64).sum()),
                 "gray": None, "preprocessed": {}}
        if source == "synthetic":
            entry["gray"] = f"expected/{stem}.gray.npy"
            np.save(out / entry["gray"], gray)
        for spec_name, spec in SPECS.items():
            if source == "busi" and spec_name != "busi128":
                continue
            rel = f"expected/{stem}.{spec_name}.npy"
            np.save(out / rel, preprocess(gray, spec))
            entry["preprocessed"][spec_name] = rel
        index["images"].append(entry)

    prob = probability_map()
    np.save(out / "expected/prob_128.npy", prob)
    cases = [(157, 201, 0.5, False, False), (157, 201, 0.5, True, False), (157, 201, 0.5, False, True),
             (157, 201, 0.5, True, True), (157, 201, 0.37, True, True), (61, 97, 0.5, True, True),
             (128, 128, 0.5, False, False)]
    for out_h, out_w, threshold, largest, holes in cases:
        mask = postprocess(prob, out_h, out_w, threshold, largest, holes)
        rel = f"expected/mask_{out_h}x{out_w}_t{threshold}_l{int(largest)}_h{int(holes)}.npy"
        np.save(out / rel, mask)
        index["postprocess"].append({"probability": "expected/prob_128.npy", "out_height": out_h,
                                     "out_width": out_w, "threshold": threshold, "keep_largest": largest,
                                     "fill_holes": holes, "mask": rel,
                                     "lesion_pixels": int((mask == 255).sum())})

    rng = np.random.default_rng(11)
    x0 = np.clip(rng.normal(0, 1.5, (3, 128, 128)), -5, 5).astype(np.float32)   # some samples far outside [-1, 1]
    np.save(out / "expected/ensemble_x0.npy", x0)
    np.save(out / "expected/ensemble_prob.npy", ensemble_probability(x0))
    index["ensemble"] = {"x0": "expected/ensemble_x0.npy", "probability": "expected/ensemble_prob.npy",
                         "samples": 3}

    (out / "index.json").write_text(json.dumps(index, indent=2) + "\n")


if __name__ == "__main__":
    main()
