"""The confidence signals, model and metrics on small arrays with known answers."""
import numpy as np
import pytest

from pgdiffseg import confidence as C


def test_soft_dice_of_known_maps():
    assert C.soft_dice(np.array([1, 0.5, 0]), np.array([1, 1, 1])) == pytest.approx(3 / 4.5)
    assert C.soft_dice(np.zeros(4), np.zeros(4)) == 1.0
    assert C.soft_dice(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == 0.0


def test_coarse_pixels_are_repeated_over_their_block():
    up = C.upsample_repeat(np.array([[1, 2], [3, 4]], np.float32), 4, 4)
    assert up.tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    with pytest.raises(ValueError, match="does not tile"):
        C.upsample_repeat(np.zeros((2, 2), np.float32), 5, 4)


def test_sharpness_and_signals():
    assert C.sharpness(np.array([0.5, 1.0, 0.75, 0.2], np.float32), 0.5) == pytest.approx(0.5)
    assert C.sharpness(np.array([0.1, 0.2], np.float32), 0.5) == 0.0
    p = np.array([[1, 1], [0, 0]], np.float32)
    s = C.signals(p, np.zeros((1, 1), np.float32), p, 0.2, 0.5)
    assert s == pytest.approx({"coarse_agreement": 0.5, "first_step_agreement": 1.0, "gate_tumor": 0.8,
                               "sharpness": 1.0, "lesion_fraction": 0.5})
    assert "flip_agreement" not in s
    assert "mirror_prior_agreement" not in s
    mirrored = np.array([[0, 1], [0, 0]], np.float32)
    assert C.signals(p, np.zeros((1, 1), np.float32), p, 0.2, 0.5, mirrored)["flip_agreement"] == pytest.approx(2 / 3)
    # the mirror's coarse logits (mirrored back), 2 x 1 over the 2 x 2 map: a lesion on the top row agrees fully
    top = np.array([[50.0], [-50.0]], np.float32)
    s = C.signals(p, np.zeros((2, 1), np.float32), p, 0.2, 0.5, None, top)
    assert s["mirror_prior_agreement"] == pytest.approx(1.0) and "flip_agreement" not in s
    assert C.signals(p, np.zeros((2, 1), np.float32), p, 0.2, 0.5, None, -top)["mirror_prior_agreement"] \
        == pytest.approx(0.0, abs=1e-12)


def test_mirrored_coarse_runs_the_prior_on_the_mirror_and_mirrors_back():
    import torch
    seen = []

    def prior_fn(image):
        seen.append(image.clone())
        return None, None, image[:, :, :2, :]   # "coarse" = the first two rows of what it was shown

    image = torch.arange(12, dtype=torch.float32).reshape(1, 1, 3, 4)
    back = C.mirrored_coarse(prior_fn, image)
    assert torch.equal(seen[0], torch.flip(image, dims=[-1]))
    assert back.tolist() == image[0, 0, :2].tolist()


def test_uncertainty_is_the_largest_disagreement():
    p = np.array([[1.0, 0.5], [0.0, 0.25]], np.float32)
    logits = np.array([[0.0]], np.float32)   # 0.5 everywhere
    assert C.uncertainty_map(p, logits).tolist() == [[0.5, 0.0], [0.5, 0.25]]
    samples = np.array([[[1, 0], [-1, -1]], [[-1, 0], [-1, 3]]], np.float32)   # spread 1, 0, 0, 1
    assert C.uncertainty_map(p, logits, samples).tolist() == [[1.0, 0.0], [0.5, 1.0]]


def test_confidence_of_segmented_and_gated_images():
    section = {"signals": ["coarse_agreement", "first_step_agreement"], "coefficients": [4.0, 2.0],
               "intercept": -3.0}
    sig = {"coarse_agreement": 1.0, "first_step_agreement": 0.5}
    assert C.confidence(section, sig, False, 0.1) == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert C.confidence(section, None, True, 0.995) == 0.995
    assert C.confidence({**section, "gate_precision": 0.9}, None, True, 0.995) == pytest.approx(0.8955)


def test_metrics_on_known_inputs():
    assert C.auroc([0.1, 0.6, 0.5, 0.9], [True, True, False, False]) == 0.75
    assert C.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(4.5 / np.sqrt(4.5 * 5))
    table = C.risk_coverage(np.arange(10), np.arange(10) / 10)
    assert list(table) == ["0.5", "0.7", "0.8", "0.9", "1"]
    assert table["0.5"] == pytest.approx(0.7) and table["1"] == pytest.approx(0.45)


def test_logistic_fit_separates_and_stays_finite():
    x = np.array([[0.1], [0.2], [0.8], [0.9]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    c, b = C.fit_logistic(x, y)
    assert c[0] > 0 and np.isfinite(b)
    assert C.youden_threshold([0.1, 0.2, 0.8, 0.9], [True, True, False, False]) == pytest.approx(0.5)


def _rows(n_good: int, n_bad: int, start: int = 0) -> list[dict]:
    """Tumor rows whose agreement signals separate good (Dice 0.9) from bad (Dice 0.1) masks, with some overlap."""
    rng = np.random.default_rng(start)
    rows = []
    for i in range(n_good + n_bad):
        good = i < n_good
        a = float(np.clip(rng.normal(0.85 if good else 0.45, 0.12), 0, 1))
        rows.append({"id": f"benign_{start + i}", "class": "benign", "dice": 0.9 if good else 0.1, "gated": False,
                     "p_skip": 0.1, "signals": {"coarse_agreement": a, "first_step_agreement": a,
                                                "mirror_prior_agreement": a, "gate_tumor": 0.9, "sharpness": 0.8,
                                                "lesion_fraction": 0.1}})
    return rows


def test_report_scores_the_held_out_rows_with_the_model_fitted_on_the_others():
    fit, held = _rows(80, 20, 0), _rows(40, 10, 1000) + [
        {"id": "benign_x", "class": "benign", "dice": 0.0, "gated": True, "p_skip": 0.999, "signals": None}]
    result = C.report(fit, held)
    f = result["figures"]
    assert f["fit_images"] == 100 and f["fit_dice_below_0_5"] == 20
    assert f["tumor_images"] == 51 and f["gated_tumor_images"] == 1
    assert result["section"]["gate_precision"] == 0.5   # no gated fit image: (0 + 1) / (0 + 2)
    assert result["scores"]["benign_x"] == pytest.approx(0.4995)   # the gate's P(skip) times its record
    normal = [{"id": f"normal_{i}", "class": "normal", "dice": 1.0, "gated": True, "p_skip": 0.99, "signals": None}
              for i in range(8)]
    assert C.report(fit + normal, held)["section"]["gate_precision"] == 0.9   # (8 + 1) / (8 + 2)
    assert f["model"]["auroc_kept"] > 0.8 and f["model"]["auroc"] > 0.8
    assert 0 < result["section"]["review_threshold"] < 1


def test_write_records_the_section_and_leaves_every_checksum_valid(tmp_path, monkeypatch):
    import json
    import shutil
    from pgdiffseg import bundle as bundle_io
    from conftest import REPO
    folder = tmp_path / "bundle"
    shutil.copytree(REPO / "zoo" / "models" / "pgdiffseg-tiny-test", folder)
    monkeypatch.setattr(C, "collect", lambda bundle, data, split="val", limit=0, flip=False:
                        _rows(80, 20, 0) if split == "train" else _rows(40, 10, 1000))
    C.main(["--bundle", str(folder), "--data", str(tmp_path), "--write", "--json", str(tmp_path / "f.json")])
    section = json.loads((folder / "bundle.json").read_text())["confidence"]
    assert section["signals"] == ["mirror_prior_agreement"]
    assert len(section["coefficients"]) == 1 and section["gate_precision"] == 0.5 and 0 < section["review_threshold"] < 1
    assert section["command"].startswith("cd zoo/python && python -m pgdiffseg.confidence --bundle ")
    assert "--json" not in section["command"]
    assert set(section["validation"]) == {"spearman", "auroc"}
    assert bundle_io.checksum_problems(folder) == []


def test_flip_agreement_needs_flip_and_flip_cannot_write(tmp_path, capsys):
    for argv, message in (
            (["--signals", "flip_agreement"], "flip_agreement needs --flip"),
            (["--flip", "--write"], "--flip measures; it cannot --write")):
        with pytest.raises(SystemExit) as stopped:
            C.main(["--bundle", str(tmp_path), "--data", str(tmp_path), *argv])
        assert stopped.value.code == 2
        assert message in capsys.readouterr().err


def test_collect_with_flip_gives_flip_agreement_of_the_mirrored_pass():
    from conftest import REPO
    data = REPO.parent / "shared" / "data" / "busi"
    if not (data / "split.csv").exists():
        pytest.skip("BUSI data not beside the checkout")
    folder = REPO / "zoo" / "models" / "pgdiffseg-tiny-test"
    plain = C.collect(folder, data, "val", limit=3)
    flipped = C.collect(folder, data, "val", limit=3, flip=True)
    assert not all(r["gated"] for r in flipped)   # at least one image to compare
    for a, b in zip(plain, flipped):
        assert a["gated"] == b["gated"]   # the gate looks at the image itself either way
        if not a["gated"]:
            assert "flip_agreement" not in a["signals"]
            assert 0.0 <= b["signals"]["flip_agreement"] <= 1.0
