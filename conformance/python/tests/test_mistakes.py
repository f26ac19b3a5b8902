"""Mistakes a researcher can make between training and the conformance suite, each made the way a researcher would
(train, export, edit, generate fixtures, run `samples/pgdiffseg conformance`), and the check that names the cause
(the table in docs/conformance.md). A tiny model trained for a few steps on a synthetic BUSI-layout folder keeps it
fast; the Java side runs through the launcher, which builds the CLI on first use."""
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]
ZOO = ROOT / "zoo" / "python"
RUNS = ("--run", "ddim:3", "--ensemble", "1")


def python(*args: str, cwd: Path = ZOO, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, check=check, capture_output=True, text=True)


def synthetic_busi(root: Path) -> Path:
    """split.csv, train and val images with a lesion whose contrast lies outside the training window [30, 235]
    in part (so a wrong window changes what the model sees), and masks."""
    rng = np.random.default_rng(0)
    rows = ["id,class,split"]
    for split, n in (("train", 6), ("val", 4)):
        (root / split / "images").mkdir(parents=True)
        (root / split / "masks").mkdir(parents=True)
        for i in range(n):
            cls = "normal" if i == n - 1 else "benign"
            name = f"{cls}_{split}{i}"
            yy, xx = np.mgrid[:40, :48]
            lesion = ((yy - 14 - 3 * i) ** 2 + (xx - 20 - 2 * i) ** 2 < 60) & (cls != "normal")
            image = np.where(lesion, rng.integers(0, 30, (40, 48)), rng.integers(150, 256, (40, 48)))
            cv2.imwrite(str(root / split / "images" / f"{name}.png"), image.astype(np.uint8))
            cv2.imwrite(str(root / split / "masks" / f"{name}.png"), (lesion * 255).astype(np.uint8))
            rows.append(f"{name},{cls},{split}")
    (root / "split.csv").write_text("\n".join(rows) + "\n")
    return root


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """(BUSI-layout data, a training run's last.pt): a few steps of `tiny`, stopped mid-epoch by --max-steps."""
    tmp = tmp_path_factory.mktemp("research")
    data = synthetic_busi(tmp / "busi")
    run = tmp / "run"
    python("-m", "pgdiffseg.train", "--data", str(data), "--size", "tiny", "--out", str(run), "--epochs", "2",
           "--batch-size", "2", "--max-steps", "4", "--val-every", "0", "--threads", "1")
    state = __import__("torch").load(run / "last.pt", map_location="cpu", weights_only=False)
    assert state["step"] == 4 and state["batch_in_epoch"] == 4
    return data, run / "last.pt"


def export(checkpoint: Path, out: Path, *extra: str) -> Path:
    python("-m", "pgdiffseg.export", "--checkpoint", str(checkpoint), "--out", str(out), "--id", "research", *extra)
    return out


def fixtures(bundle: Path) -> subprocess.CompletedProcess:
    return python(str(ROOT / "conformance" / "python" / "gen_bundle_fixtures.py"), "--bundle", str(bundle), *RUNS,
                  cwd=ROOT)


def edit(bundle: Path, change) -> None:
    manifest = json.loads((bundle / "bundle.json").read_text())
    change(manifest)
    (bundle / "bundle.json").write_text(json.dumps(manifest, indent=2) + "\n")


def conformance(bundle: Path, *extra: str) -> dict:
    """The suite's JSON report, checks by name."""
    report = bundle.parent / (bundle.name + "-report.json")
    done = subprocess.run([str(ROOT / "samples" / "pgdiffseg"), "conformance", "--bundle", str(bundle), "--cpu",
                           "--report", str(report), *extra], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    checks = {c["name"]: c for c in json.loads(report.read_text())["checks"]}
    assert (done.returncode == 0) == all(c["status"] != "failed" for c in checks.values())
    return checks


def failed(checks: dict, name: str, *message: str) -> None:
    assert checks[name]["status"] == "failed", checks[name]
    for part in message:
        assert part in checks[name]["detail"], checks[name]["detail"]


def recorded(bundle: Path, data: Path) -> None:
    python("-m", "pgdiffseg.evaluate", "--bundle", str(bundle), "--data", str(data), "--run", "ddim:3:1", "--record")


def test_the_documented_order_passes(trained, tmp_path):
    bundle = export(trained[1], tmp_path / "bundle")
    fixtures(bundle)
    assert conformance(bundle)["claimed validation Dice"]["status"] == "skipped"   # an export records no metrics
    recorded(bundle, trained[0])
    checks = conformance(bundle, "--data", str(trained[0]))
    assert all(c["status"] != "failed" for c in checks.values())
    assert checks["bundle.json vs training"]["status"] == "passed"
    assert checks["weights provenance"]["status"] == "passed"
    assert '"weights":"ema"' in checks["weights provenance"]["detail"]
    assert checks["claimed validation Dice"]["status"] == "passed"
    assert "all 4 images within 0.02 of their recorded Dice" in checks["claimed validation Dice"]["detail"]


def test_an_edited_intensity_window_is_named(trained, tmp_path):
    bundle = export(trained[1], tmp_path / "bundle")
    edit(bundle, lambda m: m["input"].update(intensity_window=[0.0, 255.0]))
    assert "input.intensity_window" in fixtures(bundle).stderr
    recorded(bundle, trained[0])
    checks = conformance(bundle, "--data", str(trained[0]))
    failed(checks, "bundle.json vs training",
           "input.intensity_window: bundle.json says [0.0,255.0], the training code (pgdiffseg.data) says [30.0,235.0]")
    failed(checks, "preprocessing")
    # The few-step model's Dice barely moves with the window; the claimed Dice is compared image by image anyway.
    assert "images" in checks["claimed validation Dice"]["detail"]


def test_one_image_off_its_recorded_dice_fails(trained, tmp_path):
    """A claim one image does not reproduce, by 0.3: the mean moves by 0.3 / 78 on BUSI val, inside the old 0.01."""
    bundle = export(trained[1], tmp_path / "bundle")
    fixtures(bundle)
    recorded(bundle, trained[0])

    def claim(m):
        figures = m["metrics"]["results"][0]["per_image_dice"]
        figures["benign_val1"] = round(min(figures["benign_val1"] + 0.3, 1.0), 6)
    edit(bundle, claim)
    failed(conformance(bundle, "--data", str(trained[0])), "claimed validation Dice",
           "1 of 4 images differ from their recorded Dice by more than 0.02: benign_val1 SDK")


def test_an_edited_noise_schedule_is_named(trained, tmp_path):
    bundle = export(trained[1], tmp_path / "bundle")

    def schedule(m):
        m["diffusion"]["beta_end"] = 0.03
        m["model"]["config"]["beta_end"] = 0.03
        # The bundle states its schedule twice; both say 0.03, so only the training checkpoint disagrees (a
        # bundle whose two statements disagree is refused before any check, which another test shows).
        config = bundle / "scheduler_config.json"
        if config.exists():
            scheduler = json.loads(config.read_text())
            scheduler["beta_end"] = 0.03
            config.write_text(json.dumps(scheduler, indent=2) + "\n")
            m["files"]["scheduler_config.json"] = hashlib.sha256(config.read_bytes()).hexdigest()
    edit(bundle, schedule)
    fixtures(bundle)
    checks = conformance(bundle)
    failed(checks, "bundle.json vs training",
           "diffusion.beta_end: bundle.json says 0.03, torch/checkpoint.pt's training config says 0.02",
           "model.config.beta_end")
    failed(checks, "end to end ddim 3 steps")


def test_an_export_of_the_raw_weights_is_named(trained, tmp_path):
    bundle = export(trained[1], tmp_path / "bundle", "--weights", "raw")
    fixtures(bundle)
    checks = conformance(bundle)
    failed(checks, "weights provenance", 'model.weights.weights: bundle.json says "raw", the fixtures\' reference is "ema"')
    failed(checks, "graph output denoiser batch 1")


def test_fixtures_of_an_older_export_are_named(trained, tmp_path):
    bundle = export(trained[1], tmp_path / "bundle")
    fixtures(bundle)
    old = tmp_path / "old-fixtures"
    shutil.copytree(bundle / "fixtures", old)
    index = json.loads((old / "index.json").read_text())
    index["provenance"]["step"] = 2
    (old / "index.json").write_text(json.dumps(index))
    failed(conformance(bundle, "--fixtures", str(old)), "weights provenance",
           "model.weights.step: bundle.json says 4, the fixtures' reference is 2")


def test_fixture_generation_does_not_sign_an_edit(trained, tmp_path):
    bundle = export(trained[1], tmp_path / "bundle")
    (bundle / "MODEL_CARD.md").write_text("edited by hand\n")
    done = python(str(ROOT / "conformance" / "python" / "gen_bundle_fixtures.py"), "--bundle", str(bundle), *RUNS,
                  cwd=ROOT, check=False)
    assert done.returncode != 0
    assert "MODEL_CARD.md: bundle.json has sha256" in done.stderr
    assert not (bundle / "fixtures").exists()
    failed(conformance(bundle), "manifest and sha256", "MODEL_CARD.md")
