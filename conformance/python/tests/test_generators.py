"""The fixture generators run and write what docs/conformance.md describes."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]


def run(script: str, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "conformance" / "python" / script), *args], check=True,
                   capture_output=True, text=True)


def test_scheduler_vectors_cover_every_family(tmp_path):
    run("gen_scheduler_fixtures.py", "--out", str(tmp_path))
    index = json.loads((tmp_path / "index.json").read_text())
    families = {c["scheduler"] for c in index["cases"]}
    assert families == {"DDPMScheduler", "DDIMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"}
    first = index["cases"][0]["id"]
    assert (tmp_path / f"{first}_samples.npy").exists()


def test_committed_scheduler_keys_are_the_installed_diffusers_ones(tmp_path):
    run("gen_scheduler_keys.py", "--out", str(tmp_path / "keys.json"))
    committed = ROOT / "sdk" / "src" / "test" / "resources" / "schedule" / "diffusers_config_keys.json"
    assert (tmp_path / "keys.json").read_text() == committed.read_text()


def test_bundle_fixtures_for_a_fresh_bundle(tmp_path):
    bundle = tmp_path / "bundle"
    subprocess.run([sys.executable, "-m", "pgdiffseg.export", "--random", "tiny", "--seed", "11", "--out", str(bundle),
                    "--id", "fresh"], check=True, cwd=ROOT / "zoo" / "python", capture_output=True)
    run("gen_bundle_fixtures.py", "--bundle", str(bundle), "--run", "ddim:3", "--run", "dpm++:3",
        "--run", "ddpm:2:noise:flip", "--ensemble", "1")
    index = json.loads((bundle / "fixtures" / "index.json").read_text())
    assert [c["scheduler"] for c in index["end_to_end"]] == ["ddim", "dpm++", "ddpm"]
    assert ["flip_average" in c for c in index["end_to_end"]] == [False, False, True]
    flipped = index["end_to_end"][2]
    x_t = np.load(bundle / "fixtures" / flipped["trajectory"][0]["file"])
    assert x_t.shape == (2, 32, 32)                       # K = 1 rows of the image, then of its mirror
    np.testing.assert_array_equal(x_t[1], x_t[0][:, ::-1])   # the mirror starts from the image's x_T mirrored
    assert len(index["graph_io"]) == 4
    manifest = json.loads((bundle / "bundle.json").read_text())
    assert "fixtures/index.json" in manifest["files"]


def test_a_run_that_is_not_flip_is_refused():
    sys.path.insert(0, str(ROOT / "conformance" / "python"))
    from gen_bundle_fixtures import parse_run
    assert parse_run("ddim-trailing:2:zeros:flip") == ("ddim-trailing", 2, "zeros", True)
    assert parse_run("ddim:20") == ("ddim", 20, "noise", False)
    for bad in ("ddim:2:zeros:flop", "ddim:2:flip", "ddim:2:noise:flip:x"):
        try:
            parse_run(bad)
        except SystemExit as e:
            assert "flip" in str(e)
        else:
            raise AssertionError(f"{bad} was accepted")
