"""The committed DICOM differential corpus: pydicom (as pinned) still reads it as committed, the generator still
writes it, and it covers what the SDK's reader must agree with pydicom on."""
import io
import json
import sys
from pathlib import Path

import pydicom

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "conformance" / "python"))
import dicom_differential  # noqa: E402

CORPUS = ROOT / "sdk" / "src" / "test" / "resources" / "org" / "pgdiffseg" / "sdk" / "imaging" / "dicom-differential"


def test_the_pinned_pydicom_reads_the_corpus_as_committed():
    assert pydicom.__version__ == json.loads((CORPUS / "expected.json").read_text())["pydicom"]
    assert dicom_differential.check(CORPUS) == []


def test_the_generator_writes_the_committed_corpus(tmp_path):
    expected = json.loads((CORPUS / "expected.json").read_text())
    written = dicom_differential.write(tmp_path, len(expected["cases"]), expected["seed"])
    assert written == expected
    for name in expected["cases"]:
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name


def test_a_changed_pixel_changes_the_reading():
    name = next(n for n, r in json.loads((CORPUS / "expected.json").read_text())["cases"].items()
                if "stored_sha256" in r)
    data = bytearray((CORPUS / name).read_bytes())
    before = dicom_differential.pydicom_reading(bytes(data))
    data[-3] ^= 0x01  # a bit of the last frame's pixel data
    after = dicom_differential.pydicom_reading(bytes(data))
    assert after != before


def test_the_corpus_covers_the_encodings_and_pixel_layouts():
    seen = set()
    for path in sorted(CORPUS.glob("*.dcm")):
        ds = pydicom.dcmread(io.BytesIO(path.read_bytes()), stop_before_pixels=True)
        seen.add(("syntax", ds.file_meta.TransferSyntaxUID.name))
        seen.add(("photometric", ds.PhotometricInterpretation))
        seen.add(("bits", ds.BitsAllocated))
        seen.add(("signed", ds.PixelRepresentation))
        seen.add(("frames", "declared" if "NumberOfFrames" in ds else "absent"))
        seen.add(("planar", ds.get("PlanarConfiguration")))
        seen.add(("stored below allocated", ds.BitsStored < ds.BitsAllocated))
        seen.add(("length spelling a VR", b"PGDIFFSEG SPELL" in path.read_bytes()))
    needed = [("syntax", "Implicit VR Little Endian"), ("syntax", "Explicit VR Little Endian"),
              ("syntax", "Explicit VR Big Endian"), ("syntax", "JPEG Baseline (Process 1)"),
              ("photometric", "MONOCHROME1"), ("photometric", "MONOCHROME2"), ("photometric", "RGB"),
              ("photometric", "YBR_FULL_422"), ("photometric", "YBR_FULL"), ("bits", 8), ("bits", 16), ("bits", 32),
              ("signed", 1), ("planar", 1), ("frames", "absent"), ("stored below allocated", True),
              ("length spelling a VR", True)]
    for needed in needed:
        assert needed in seen, needed
    cases = json.loads((CORPUS / "expected.json").read_text())["cases"]
    assert any("refused" in r for r in cases.values())
    assert any(r.get("frames", 0) > 1 for r in cases.values())
    assert any(r.get("frames", 0) > 1 and "luma_base64" in r for r in cases.values())
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 2_000_000
