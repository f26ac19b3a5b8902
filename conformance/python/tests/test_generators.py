"""The fixture generators run and write what docs/conformance.md describes."""
import json
import subprocess
import sys
from pathlib import Path

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
    run("gen_bundle_fixtures.py", "--bundle", str(bundle), "--run", "ddim:3", "--run", "dpm++:3", "--ensemble", "1")
    index = json.loads((bundle / "fixtures" / "index.json").read_text())
    assert [c["scheduler"] for c in index["end_to_end"]] == ["ddim", "dpm++"]
    assert len(index["graph_io"]) == 4
    manifest = json.loads((bundle / "bundle.json").read_text())
    assert "fixtures/index.json" in manifest["files"]
