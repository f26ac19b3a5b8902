"""pgdiffseg.paired: two evaluate --json outputs compared image by image."""
import json

import pytest

from pgdiffseg import paired


def write(path, rows):
    path.write_text(json.dumps([{"scheduler": "ddim-trailing", "per_image": rows}]))
    return path


def row(name, cls, dice, p_skip=0.0):
    return {"id": name, "class": cls, "dice": dice, "p_skip": p_skip, "gated": False}


@pytest.fixture
def pair(tmp_path):
    a = [row("t1", "benign", 0.8), row("t2", "malignant", 0.5), row("n1", "normal", 0.0, 0.995)]
    b = [row("t1", "benign", 0.9), row("t2", "malignant", 0.5, 0.999), row("n1", "normal", 1.0, 0.2)]
    return write(tmp_path / "a.json", a), write(tmp_path / "b.json", b)


def test_the_same_run_twice_differs_by_nothing(pair):
    r = paired.main([str(pair[0]), str(pair[0])])
    assert r["difference"] == 0 and r["interval_95"] == [0, 0] and r["better"] == r["worse"] == 0


def test_without_a_gate_every_image_keeps_its_dice(pair):
    r = paired.main([str(pair[0]), str(pair[1])])
    assert r["difference"] == pytest.approx((0.1 + 0 + 1.0) / 3)
    assert r["difference_tumor"] == pytest.approx(0.05)
    assert r["better"] == 2 and r["worse"] == 0
    assert r["gate_accuracy_a"] == r["gate_accuracy_b"] == pytest.approx(2 / 3)   # nothing skipped: tumors right


def test_a_gate_skips_from_p_skip_a_normal_scoring_1_and_a_tumor_0(pair):
    r = paired.main([str(pair[0]), str(pair[1]), "--gate-threshold", "0.99"])
    # a: n1 skipped (1.0); b: t2 skipped (0.0), n1 kept with its Dice 1.0
    assert r["dice_a"] == pytest.approx((0.8 + 0.5 + 1.0) / 3)
    assert r["dice_b"] == pytest.approx((0.9 + 0.0 + 1.0) / 3)
    assert r["gate_accuracy_a"] == 1.0 and r["gate_accuracy_b"] == pytest.approx(1 / 3)   # t1 kept: right
    assert r["interval_95"][0] <= r["difference"] <= r["interval_95"][1]
    own = paired.main([str(pair[0]), str(pair[1]), "--gate-threshold", "0.99", "--gate-threshold-b", "1.01"])
    assert own["dice_b"] == pytest.approx((0.9 + 0.5 + 1.0) / 3)


def test_files_of_other_images_or_other_contents_are_refused(pair, tmp_path):
    other = write(tmp_path / "c.json", [row("x", "benign", 0.5)])
    with pytest.raises(SystemExit, match="different images"):
        paired.main([str(pair[0]), str(other)])
    for bad in ("not json", "{}", "[]", '[{"per_image": 3}]'):
        (tmp_path / "bad.json").write_text(bad)
        with pytest.raises(SystemExit, match="not the output of pgdiffseg.evaluate"):
            paired.main([str(pair[0]), str(tmp_path / "bad.json")])
    with pytest.raises(SystemExit, match="not the output"):
        paired.main([str(pair[0]), str(tmp_path / "missing.json")])
    empty = write(tmp_path / "e.json", [])
    with pytest.raises(SystemExit, match="no images"):
        paired.main([str(empty), str(empty)])
