"""Random DICOM files and pydicom's reading of them: the oracle the SDK's DICOM reader is compared with.

`write` makes COUNT files (transfer syntaxes implicit VR little endian, explicit VR little and big endian, JPEG
Baseline; 8, 16 and 32 bits, signed or not, with fewer bits stored; MONOCHROME1/2, RGB interleaved or planar,
YBR_FULL and YBR_FULL_422; one to three frames, Number of Frames sometimes absent; rescale, windows, private
elements, nested sequences of defined and undefined length, values of odd size; a few truncated or short of pixel
data) and `expected.json` with what pydicom reads: rows, columns, frames, samples and a SHA-256 per frame of the
stored values (YBR kept as YBR) and of the modality values (stored value, an RGB pixel's luma or a YBR pixel's Y,
times Rescale Slope plus Intercept), or that it refuses the file. JPEG Baseline files (YBR_FULL_422 or MONOCHROME2,
decoded by pydicom with Pillow) carry each frame's luma itself, which the SDK must match within a tolerance.
`check` reads committed files again and says whether the installed pydicom still gives the committed answers. The
SDK side is `org.pgdiffseg.sdk.imaging.DicomDifferential` (sdk test sources); `samples/dicom-differential` runs
both.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import random
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.pixels import apply_modality_lut, pixel_array
from pydicom.sequence import Sequence
from pydicom.uid import (ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEGBaseline8Bit,
                         generate_uid)

SYNTAXES = [ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian]
# Implicit VR lengths whose two low bytes spell a VR ("DA", "FD"): readers that guess the VR misread them.
VR_SPELLING_LENGTHS = [0x4144, 0x4446]
LUMA = (0.299, 0.587, 0.114)  # OpenCV's BGR2GRAY weights, which the SDK uses for RGB


def stored_hash(frame: np.ndarray) -> str:
    """SHA-256 of a frame's stored values, row-major, a colour pixel's samples in turn, as int64 little endian."""
    return hashlib.sha256(np.ascontiguousarray(frame, dtype="<i8").tobytes()).hexdigest()


def modality_hash(values: np.ndarray) -> str:
    """SHA-256 of modality values as float64 little endian; -0.0 counts as 0.0."""
    v = np.ascontiguousarray(values, dtype="<f8") + 0.0
    return hashlib.sha256(v.tobytes()).hexdigest()


def pydicom_reading(data: bytes) -> dict[str, Any]:
    """What pydicom reads from a file: its frames' stored and modality values, or that it refuses it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(io.BytesIO(data))
            pixels = pixel_array(ds, as_rgb=False)  # YBR stays YBR: its Y is the luma the SDK reads
            samples = int(ds.SamplesPerPixel)
            ybr = str(ds.PhotometricInterpretation).startswith("YBR")
            frames = pixels if pixels.ndim == (4 if samples == 3 else 3) else pixels[np.newaxis]
            readings = []
            lossy = ds.file_meta.TransferSyntaxUID == JPEGBaseline8Bit
            for frame in frames:
                if ybr:
                    slope = float(ds.get("RescaleSlope", 1.0))
                    intercept = float(ds.get("RescaleIntercept", 0.0))
                    modality = frame[..., 0].astype(np.float64) * slope + intercept
                elif samples == 3:
                    rgb = frame.astype(np.float64)
                    gray = LUMA[0] * rgb[..., 0] + LUMA[1] * rgb[..., 1] + LUMA[2] * rgb[..., 2]
                    slope = float(ds.get("RescaleSlope", 1.0))
                    intercept = float(ds.get("RescaleIntercept", 0.0))
                    modality = gray * slope + intercept
                else:
                    modality = np.asarray(apply_modality_lut(frame, ds), dtype=np.float64)
                luma = base64.b64encode(modality.astype(np.uint8).tobytes()).decode() if lossy else None
                readings.append((stored_hash(frame), modality_hash(modality), luma))
    except Exception as e:  # noqa: BLE001 - any failure to read is pydicom's refusal
        return {"refused": f"{type(e).__name__}: {e}"[:200]}
    reading: dict[str, Any] = {"rows": int(ds.Rows), "columns": int(ds.Columns), "frames": len(readings),
                               "samples": samples}
    if lossy:
        # JPEG decoders may differ by a rounding: the luma itself is kept, compared within a tolerance
        reading["luma_base64"] = [r[2] for r in readings]
    else:
        reading["stored_sha256"] = [r[0] for r in readings]
        reading["modality_sha256"] = [r[1] for r in readings]
    return reading


def _values(rng: random.Random, shape: tuple[int, ...], bits_stored: int, signed: bool) -> np.ndarray:
    lo, hi = (-(1 << (bits_stored - 1)), (1 << (bits_stored - 1)) - 1) if signed else (0, (1 << bits_stored) - 1)
    np_rng = np.random.default_rng(rng.getrandbits(32))
    if rng.random() < 0.3:  # a smooth ramp, as images mostly are
        ramp = np.linspace(lo, hi, num=int(np.prod(shape)))
        return ramp.astype(np.int64).reshape(shape)
    return np_rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64)


def _extras(rng: random.Random, ds: Dataset, implicit: bool) -> None:
    """Elements a reader must walk past: text of odd length, private elements, nested sequences."""
    ds.PatientName = rng.choice(["Doe^Jane", "X", "Anon^Odd"])  # odd lengths get padded by the writer
    ds.StudyDate = "20260101"
    ds.Modality = "US"
    if rng.random() < 0.5:
        ds.private_block(0x0009, "PGDIFFSEG TEST", create=True).add_new(
            0x10, "OB", bytes(rng.getrandbits(8) for _ in range(rng.choice([1, 3, 16, 101]))))
    if implicit and rng.random() < 0.1:
        block = ds.private_block(0x0011, "PGDIFFSEG SPELL", create=True)
        block.add_new(0x10, "OB", bytes(rng.choice(VR_SPELLING_LENGTHS)))
    if rng.random() < 0.5:
        inner = Dataset()
        inner.CodeValue = "T-04000"
        inner.CodeMeaning = "Breast"
        outer = Dataset()
        outer.ReferencedSOPInstanceUID = "1.2.3.4.5"
        outer.AnatomicRegionSequence = Sequence([inner])
        ds.ReferencedImageSequence = Sequence([outer])
        if rng.random() < 0.5:
            ds["ReferencedImageSequence"].is_undefined_length = True
            outer.is_undefined_length_sequence_item = True
            outer["AnatomicRegionSequence"].is_undefined_length = True


def _new_dataset(rng: random.Random, syntax: str) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.6.1"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[str(rng.random())])
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    return ds


def random_jpeg_file(rng: random.Random) -> bytes:
    """A JPEG Baseline file as ultrasound scanners write it: YBR_FULL_422 colour (4:2:2) or MONOCHROME2."""
    ds = _new_dataset(rng, JPEGBaseline8Bit)
    _extras(rng, ds, False)
    colour = rng.random() < 0.6
    rows, columns, frames = rng.randint(16, 48), rng.randint(16, 48), rng.choice([1, 1, 2, 3])
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = 3 if colour else 1
    ds.PhotometricInterpretation = "YBR_FULL_422" if colour else "MONOCHROME2"
    if colour:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    if frames > 1 or rng.random() < 0.5:
        ds.NumberOfFrames = frames
    np_rng = np.random.default_rng(rng.getrandbits(32))
    jpegs = []
    for _ in range(frames):
        # smooth gradients with some noise, as a scan is
        ramp = np.add.outer(np.arange(rows) * rng.uniform(0, 4), np.arange(columns) * rng.uniform(0, 4))
        if colour:
            ramp = ramp[..., np.newaxis] + np.array([rng.uniform(0, 80) for _ in range(3)])
        noisy = ramp + np_rng.normal(0, rng.choice([0, 4, 12]), size=ramp.shape)
        image = Image.fromarray(noisy.clip(0, 255).astype(np.uint8), "RGB" if colour else "L")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=rng.choice([75, 90, 95]), **({"subsampling": 1} if colour else {}))
        jpegs.append(out.getvalue())
    per_frame = 2 if frames == 1 and rng.random() < 0.3 else 1  # one JPEG in two fragments
    ds.PixelData = encapsulate(jpegs, fragments_per_frame=per_frame, has_bot=rng.random() < 0.5)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def random_file(rng: random.Random) -> bytes:
    """One random DICOM file; about one in ten is truncated or short of pixel data, one in eight is JPEG."""
    if rng.random() < 0.12:
        return random_jpeg_file(rng)
    syntax = rng.choice(SYNTAXES)
    ds = _new_dataset(rng, syntax)
    _extras(rng, ds, syntax == ImplicitVRLittleEndian)
    colour = rng.random() < 0.2
    rows, columns = rng.randint(16, 40), rng.randint(16, 40)
    bits = rng.choice([8, 16]) if colour else rng.choice([8, 16, 16, 32])
    frames = 1 if bits == 32 else rng.choice([1, 1, 2, 3])
    stored = rng.choice([bits, bits, 12 if bits == 16 else bits, 10 if bits == 16 else bits - 1])
    signed = not colour and rng.random() < 0.4
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = 3 if colour else 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits, stored, stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if frames > 1 or rng.random() < 0.3:
        if rng.random() < 0.85:
            ds.NumberOfFrames = frames
    if colour:
        ds.PhotometricInterpretation = rng.choice(["RGB", "RGB", "YBR_FULL", "YBR_FULL_422"])
        if ds.PhotometricInterpretation == "YBR_FULL_422":
            bits = stored = 8  # as ultrasound scanners write it
            ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
            columns += columns % 2
            ds.Columns = columns
        ds.PlanarConfiguration = 0 if ds.PhotometricInterpretation == "YBR_FULL_422" else rng.choice([0, 1])
        shape: tuple[int, ...] = (frames, rows, columns, 3)
    else:
        ds.PhotometricInterpretation = rng.choice(["MONOCHROME1", "MONOCHROME2"])
        shape = (frames, rows, columns)
        if rng.random() < 0.6:
            ds.RescaleSlope = rng.choice(["1", "0.5", "2", "-1", "1.5E-3", "3.25"])
            ds.RescaleIntercept = rng.choice(["0", "-1024", "100.5", "-0.25"])
    if rng.random() < 0.5:
        ds.WindowCenter = rng.choice(["40", "127.5", "-600", "40\\300"])
        ds.WindowWidth = rng.choice(["400", "256", "1500", "400\\1500"])
    values = _values(rng, shape, stored, signed)
    raw = values & ((1 << bits) - 1)  # two's complement within the allocated bits
    if colour and ds.PhotometricInterpretation == "YBR_FULL_422":
        pairs = raw.reshape(frames, rows, columns // 2, 2, 3)
        # Y0 Y1 Cb Cr: each two pixels of a row keep their own Y and share the first one's Cb and Cr
        raw = np.stack([pairs[..., 0, 0], pairs[..., 1, 0], pairs[..., 0, 1], pairs[..., 0, 2]], axis=-1)
    elif colour and ds.PlanarConfiguration == 1:
        raw = np.moveaxis(raw, -1, 1)  # frame, sample, row, column
    order = ">" if syntax == ExplicitVRBigEndian else "<"
    ds.PixelData = raw.astype(f"{order}u{bits // 8}").tobytes()
    ds["PixelData"].VR = "OB" if bits == 8 else "OW"
    mutation = rng.random()
    if mutation < 0.04:
        ds.NumberOfFrames = frames + 1  # declares a frame the pixel data lacks
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    data = out.getvalue()
    declares_all = frames == 1 or ds.get("NumberOfFrames") == frames
    if 0.04 <= mutation < 0.08 and declares_all:
        # An interrupted copy, cut inside the last frame. Where Number of Frames is absent pydicom reads the whole
        # frames left of a cut file while the SDK refuses any cut file, so only files both must refuse are cut.
        frame_bytes = rows * columns * ds.SamplesPerPixel * bits // 8
        data = data[: len(data) - frame_bytes // 2]
    return data


def write(out: Path, count: int, seed: int) -> dict[str, Any]:
    """Writes COUNT files case-NNNN.dcm and expected.json (pydicom's readings) into OUT."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cases = {}
    for i in range(count):
        data = random_file(rng)
        name = f"case-{i:04d}.dcm"
        (out / name).write_bytes(data)
        cases[name] = pydicom_reading(data)
    expected = {"pydicom": pydicom.__version__, "seed": seed, "cases": cases}
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    return expected


def check(folder: Path) -> list[str]:
    """Cases whose committed expectation differs from what the installed pydicom reads now."""
    expected = json.loads((folder / "expected.json").read_text())
    return [name for name, reading in sorted(expected["cases"].items())
            if _comparable(pydicom_reading((folder / name).read_bytes())) != _comparable(reading)]


def _comparable(reading: dict[str, Any]) -> dict[str, Any]:
    return {"refused": True} if "refused" in reading else reading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    w = commands.add_parser("write", help="write random files and pydicom's readings")
    w.add_argument("--out", type=Path, required=True)
    w.add_argument("--count", type=int, default=150)
    w.add_argument("--seed", type=int, default=1)
    c = commands.add_parser("check", help="check committed readings against the installed pydicom")
    c.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if args.command == "write":
        expected = write(args.out, args.count, args.seed)
        refused = sum("refused" in r for r in expected["cases"].values())
        print(f"{args.count} files in {args.out}, pydicom {pydicom.__version__} refuses {refused}")
        return 0
    differing = check(args.folder)
    for name in differing:
        print(f"{name}: pydicom {pydicom.__version__} no longer reads it as committed", file=sys.stderr)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
