"""Checks DICOM Segmentations against their sources and masks, and writes the sources the SDK's tests use.

  python validate_seg.py sources OUT          writes source DICOMs (pydicom) into OUT
  python validate_seg.py check MANIFEST.json  checks each {"source", "seg", "masks": [png per frame]} entry

A SEG passes when highdicom reads it back, its segment and references are as docs/dicom-out.md says, its
patient and study are the source's, every frame equals its mask PNG pixel for pixel (read both through
highdicom's source-frame lookup and through pydicom's own bit unpacking), and, when dciodvfy is installed, it
reports no error. Warnings of dciodvfy are listed. Exit code 1 when any check fails.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import highdicom as hd
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"
COPIED = ["PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID", "StudyDate",
          "StudyTime", "ReferringPhysicianName", "AccessionNumber", "StudyID"]
US_IMAGE = "1.2.840.10008.5.1.4.1.1.6.1"
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
# Odd sizes on purpose: the frames of a 1-bit SEG then start inside a byte.
ROWS, COLUMNS = 37, 45


def _base(sop_class: str, modality: str, syntax: str, rng: np.random.Generator) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[sop_class, modality, syntax])
    ds.file_meta.TransferSyntaxUID = syntax
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = modality
    ds.PatientName = "Doe^Jane"
    ds.PatientID = "PGD-0001"
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "F"
    ds.StudyInstanceUID = generate_uid(entropy_srcs=["study", modality])
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=["series", modality, syntax])
    ds.StudyDate = "20260102"
    ds.StudyTime = "101500"
    ds.ReferringPhysicianName = "Smith^John"
    ds.AccessionNumber = "A" + modality
    ds.StudyID = "S1"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.Rows = ROWS
    ds.Columns = COLUMNS
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = rng.integers(0, 256, (ROWS, COLUMNS), dtype=np.uint8).tobytes()
    return ds


def make_sources(out: Path) -> list[Path]:
    """Single-frame ultrasound with regions, multi-frame ultrasound, CT with geometry, one without spacing."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    written = []

    us = _base(US_IMAGE, "US", ExplicitVRLittleEndian, rng)
    us.SpecificCharacterSet = "ISO_IR 192"
    us.PatientName = "Müller^Anna"   # UTF-8: copied byte for byte with its character set
    region = Dataset()
    region.RegionSpatialFormat = 1
    region.RegionDataType = 1
    region.RegionFlags = 0
    region.RegionLocationMinX0 = 0
    region.RegionLocationMinY0 = 0
    region.RegionLocationMaxX1 = COLUMNS - 1
    region.RegionLocationMaxY1 = ROWS - 1
    region.PhysicalUnitsXDirection = 3   # cm
    region.PhysicalUnitsYDirection = 3
    region.PhysicalDeltaX = 0.01
    region.PhysicalDeltaY = 0.01
    us.SequenceOfUltrasoundRegions = Sequence([region])
    written.append(_save(us, out / "us_regions_explicit.dcm"))

    multi = _base(US_MULTIFRAME, "US", ImplicitVRLittleEndian, rng)
    multi.NumberOfFrames = 3
    multi.FrameIncrementPointer = pydicom.tag.Tag("FrameTime")
    multi.FrameTime = 33.3
    multi.PixelData = rng.integers(0, 256, (3, ROWS, COLUMNS), dtype=np.uint8).tobytes()
    written.append(_save(multi, out / "us_multiframe_implicit.dcm"))

    ct = _base(CT_IMAGE, "CT", ExplicitVRLittleEndian, rng)
    ct.BitsAllocated = 16
    ct.BitsStored = 12
    ct.HighBit = 11
    ct.RescaleIntercept = -1024
    ct.RescaleSlope = 1
    ct.PixelData = rng.integers(0, 4096, (ROWS, COLUMNS), dtype=np.uint16).tobytes()
    ct.FrameOfReferenceUID = generate_uid(entropy_srcs=["frame of reference"])
    ct.PositionReferenceIndicator = ""
    ct.PixelSpacing = [0.5, 0.6]
    ct.SliceThickness = 2.5
    ct.ImagePositionPatient = [-100.0, -120.5, 30.0]
    ct.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ct.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    written.append(_save(ct, out / "ct_spacing_explicit.dcm"))

    sc = _base(SECONDARY_CAPTURE, "OT", ImplicitVRLittleEndian, rng)
    sc.ConversionType = "WSD"
    written.append(_save(sc, out / "sc_no_spacing_implicit.dcm"))
    return written


def _save(ds: Dataset, path: Path) -> Path:
    ds.save_as(path, enforce_file_format=True)
    return path


def check(source: Path, seg_path: Path, masks: list[Path]) -> tuple[list[str], list[str]]:
    """Problems and dciodvfy warnings of one SEG."""
    problems: list[str] = []
    src = pydicom.dcmread(source)
    raw = pydicom.dcmread(seg_path)
    if raw.file_meta.TransferSyntaxUID != ExplicitVRLittleEndian:
        problems.append(f"transfer syntax {raw.file_meta.TransferSyntaxUID}, expected explicit VR little endian")
    if raw.SOPClassUID != SEGMENTATION_STORAGE:
        problems.append(f"SOP Class {raw.SOPClassUID}, expected {SEGMENTATION_STORAGE}")
    for keyword in COPIED:
        if str(raw.get(keyword, "")) != str(src.get(keyword, "")):
            problems.append(f"{keyword} {raw.get(keyword)!r}, the source has {src.get(keyword)!r}")
    for keyword in ["SeriesInstanceUID", "SOPInstanceUID"]:
        value = str(raw.get(keyword, ""))
        if not value.startswith("2.25.") or value == str(src.get(keyword)):
            problems.append(f"{keyword} {value}: expected a new 2.25 UID")
    if "FrameOfReferenceUID" in src and raw.FrameOfReferenceUID != src.FrameOfReferenceUID:
        problems.append("Frame of Reference UID not copied from the source")
    if "PixelSpacing" in src:
        measures = raw.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0]
        if [float(v) for v in measures.PixelSpacing] != [float(v) for v in src.PixelSpacing]:
            problems.append(f"Pixel Spacing {measures.PixelSpacing}, the source has {src.PixelSpacing}")
    series = raw.ReferencedSeriesSequence[0]
    if (series.SeriesInstanceUID != src.SeriesInstanceUID
            or series.ReferencedInstanceSequence[0].ReferencedSOPInstanceUID != src.SOPInstanceUID):
        problems.append("Referenced Series Sequence does not name the source")

    seg = hd.seg.segread(seg_path)
    if seg.segmentation_type != hd.seg.SegmentationTypeValues.BINARY:
        problems.append(f"segmentation type {seg.segmentation_type}")
    segment = seg.get_segment_description(1)
    if (segment.segment_label != "lesion" or segment.segmented_property_category.value != "49755003"
            or segment.segmented_property_type.value != "4147007" or segment.algorithm_type.value != "AUTOMATIC"):
        problems.append(f"segment 1 is not the lesion segment of docs/dicom-out.md: {segment}")
    family = segment.algorithm_identification[0].AlgorithmFamilyCodeSequence[0]
    if (family.CodeValue, family.CodingSchemeDesignator) != ("123110", "DCM"):
        problems.append(f"algorithm family {family.CodeValue} {family.CodingSchemeDesignator}")

    expected = np.stack([cv2.imread(str(m), cv2.IMREAD_UNCHANGED) > 0 for m in masks])
    frames = int(src.get("NumberOfFrames", 1))
    if expected.shape != (frames, src.Rows, src.Columns):
        problems.append(f"masks of shape {expected.shape} for {frames} frames of {src.Rows} x {src.Columns}")
        return problems, []
    if frames > 1:
        read = seg.get_pixels_by_source_frame(src.SOPInstanceUID, list(range(1, frames + 1)),
                                              combine_segments=True)
    else:
        read = seg.get_pixels_by_source_instance([src.SOPInstanceUID], combine_segments=True)
    if not np.array_equal(read > 0, expected):
        problems.append(f"highdicom reads {int((read > 0).sum())} lesion pixels, the masks hold "
                        f"{int(expected.sum())}; {int(((read > 0) != expected).sum())} pixels differ")
    unpacked = raw.pixel_array.reshape(expected.shape)
    if not np.array_equal(unpacked > 0, expected):
        problems.append(f"pydicom unpacks {int(((unpacked > 0) != expected).sum())} pixels unlike the masks")
    errors, warnings = dciodvfy(seg_path)
    problems += [f"dciodvfy: {e}" for e in errors]
    return problems, warnings


def dciodvfy(path: Path) -> tuple[list[str], list[str]]:
    """Errors and warnings of dciodvfy, when it is installed; none when it is not."""
    tool = shutil.which("dciodvfy")
    if tool is None:
        return [], []
    run = subprocess.run([tool, "-new", str(path)], capture_output=True, text=True, check=False)
    lines = (run.stdout + run.stderr).splitlines()
    return [l for l in lines if l.startswith("Error")], [l for l in lines if l.startswith("Warning")]


def check_manifest(manifest: Path) -> int:
    entries = json.loads(manifest.read_text())
    failed = 0
    for e in entries:
        problems, warnings = check(Path(e["source"]), Path(e["seg"]), [Path(m) for m in e["masks"]])
        for w in warnings:
            print(f"{e['seg']}: {w}")
        for p in problems:
            print(f"{e['seg']}: FAILED: {p}")
        failed += bool(problems)
        print(f"{e['seg']}: {'failed' if problems else 'valid'}")
    if shutil.which("dciodvfy") is None:
        print("dciodvfy not installed: checked with highdicom and pydicom only")
    return 1 if failed or not entries else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("sources", help="write the source DICOMs").add_argument("out", type=Path)
    sub.add_parser("check", help="check the SEGs a manifest lists").add_argument("manifest", type=Path)
    args = parser.parse_args(argv)
    if args.command == "sources":
        for path in make_sources(args.out):
            print(path)
        return 0
    return check_manifest(args.manifest)


if __name__ == "__main__":
    sys.exit(main())
