import pytest

from pgdiffseg.evaluate import gate_sweep


def test_gate_sweep_scores_skipped_normals_one_and_skipped_tumors_zero():
    rows = [{"class": "normal", "p_skip": 0.95, "dice": 0.0},     # diffusion drew a false lesion
            {"class": "benign", "p_skip": 0.6, "dice": 0.8},
            {"class": "malignant", "p_skip": 0.1, "dice": 0.7}]
    sweep = gate_sweep(rows, [0.5, 0.9, 0.99])
    assert sweep["0.5"] == pytest.approx((1.0 + 0.0 + 0.7) / 3)
    assert sweep["0.9"] == pytest.approx((1.0 + 0.8 + 0.7) / 3)
    assert sweep["0.99"] == pytest.approx((0.0 + 0.8 + 0.7) / 3)
