"""The DICOM Segmentation checks of validate_seg.py: the sources it writes cover the cases, it passes a SEG that
highdicom itself built, it fails one whose pixels or references are wrong, and it passes the SEGs the SDK wrote
(sdk/target/dicom-seg, left there by DicomSegValidationTest of `mvn -pl sdk test`)."""
import json
import shutil
import sys
import uuid
from pathlib import Path

import cv2
import highdicom as hd
import numpy as np
import pydicom
import pytest
from pydicom.sr.codedict import codes
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "conformance" / "python"))
import validate_seg  # noqa: E402

SDK_SEGS = ROOT / "sdk" / "target" / "dicom-seg" / "manifest.json"


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    return validate_seg.make_sources(tmp_path_factory.mktemp("sources"))


def _masks(source: Path, out: Path) -> list[Path]:
    ds = pydicom.dcmread(source)
    frames = int(ds.get("NumberOfFrames", 1))
    paths = []
    for f in range(frames):
        mask = np.zeros((ds.Rows, ds.Columns), np.uint8)
        mask[5 + f:20 + f, 7:30] = 255
        paths.append(out / f"{source.stem}_f{f + 1:03d}_mask.png")
        cv2.imwrite(str(paths[-1]), mask)
    return paths


def _uid() -> str:
    return f"2.25.{uuid.uuid4().int}"


def _highdicom_seg(source: Path, masks: list[Path], out: Path) -> Path:
    ds = pydicom.dcmread(source)
    pixels = np.stack([cv2.imread(str(m), cv2.IMREAD_UNCHANGED) > 0 for m in masks])
    segment = hd.seg.SegmentDescription(
        segment_number=1, segment_label="lesion",
        segmented_property_category=codes.SCT.MorphologicallyAbnormalStructure,
        segmented_property_type=codes.SCT.Mass,
        algorithm_type=hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC,
        algorithm_identification=hd.AlgorithmIdentificationSequence(
            name="PGDiffSeg", version="test 1", family=codes.DCM.ArtificialIntelligence))
    seg = hd.seg.Segmentation(
        source_images=[ds], pixel_array=pixels if pixels.shape[0] > 1 else pixels[0],
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY, segment_descriptions=[segment],
        series_instance_uid=_uid(), series_number=9901, sop_instance_uid=_uid(), instance_number=1,
        manufacturer="PGDiffSeg", manufacturer_model_name="test", software_versions="1",
        device_serial_number="0", omit_empty_frames=False, transfer_syntax_uid=ExplicitVRLittleEndian)
    if "PatientOrientation" not in seg:
        # highdicom 0.28 leaves out this type 2C attribute when the source has no plane orientation; dciodvfy
        # wants it present (empty), as the SDK writes it
        seg.PatientOrientation = ""
    path = out / f"{source.stem}_seg.dcm"
    seg.save_as(path)
    return path


def test_the_sources_cover_both_little_endian_encodings_regions_frames_and_spacing(sources):
    seen = set()
    for path in sources:
        ds = pydicom.dcmread(path)
        seen.add(ds.file_meta.TransferSyntaxUID)
        seen.add(("frames", int(ds.get("NumberOfFrames", 1)) > 1))
        seen.add(("spacing", "PixelSpacing" in ds))
        seen.add(("regions", "SequenceOfUltrasoundRegions" in ds))
    for needed in [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ("frames", True), ("frames", False),
                   ("spacing", True), ("spacing", False), ("regions", True)]:
        assert needed in seen, needed


def test_a_seg_built_by_highdicom_passes(sources, tmp_path):
    # highdicom builds no SEG of a multi-frame source without a Frame of Reference (it reads ours)
    for source in [s for s in sources if "multiframe" not in s.name]:
        masks = _masks(source, tmp_path)
        seg = _highdicom_seg(source, masks, tmp_path)
        problems, _ = validate_seg.check(source, seg, masks)
        assert problems == [], (source.name, problems)


def test_one_changed_pixel_fails(sources, tmp_path):
    source = next(s for s in sources if "no_spacing" in s.name)
    masks = _masks(source, tmp_path)
    seg = _highdicom_seg(source, masks, tmp_path)
    last = cv2.imread(str(masks[-1]), cv2.IMREAD_UNCHANGED)
    last[0, 0] = 255 - last[0, 0]
    cv2.imwrite(str(masks[-1]), last)
    problems, _ = validate_seg.check(source, seg, masks)
    assert any("1 pixels differ" in p for p in problems), problems


def test_a_seg_of_another_patient_or_source_fails(sources, tmp_path):
    source = next(s for s in sources if "ct_" in s.name)
    masks = _masks(source, tmp_path)
    seg_path = _highdicom_seg(source, masks, tmp_path)
    seg = pydicom.dcmread(seg_path)
    seg.PatientID = "someone else"
    seg.ReferencedSeriesSequence[0].SeriesInstanceUID = hd.UID()
    seg.save_as(seg_path)
    problems, _ = validate_seg.check(source, seg_path, masks)
    assert any(p.startswith("PatientID") for p in problems), problems
    assert any("Referenced Series" in p for p in problems), problems


def test_dciodvfy_errors_fail_when_it_is_installed(sources, tmp_path):
    if shutil.which("dciodvfy") is None:
        pytest.skip("dciodvfy (dicom3tools) is not installed; samples/run-tests installs it where apt-get can")
    source = next(s for s in sources if "regions" in s.name)
    masks = _masks(source, tmp_path)
    seg_path = _highdicom_seg(source, masks, tmp_path)
    seg = pydicom.dcmread(seg_path)
    del seg.SegmentSequence[0].SegmentLabel   # type 1
    seg.save_as(seg_path)
    errors, _ = validate_seg.dciodvfy(seg_path)
    assert any("SegmentLabel" in e for e in errors), errors


def test_the_segs_the_sdk_wrote_pass():
    if not SDK_SEGS.exists():
        pytest.skip(f"{SDK_SEGS.relative_to(ROOT)} absent: `mvn -pl sdk test` (DicomSegValidationTest) writes it")
    entries = json.loads(SDK_SEGS.read_text())
    assert len(entries) == 4
    for e in entries:
        problems, _ = validate_seg.check(Path(e["source"]), Path(e["seg"]), [Path(m) for m in e["masks"]])
        assert problems == [], (e["seg"], problems)
