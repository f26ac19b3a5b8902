import json

import cv2

from pgdiffseg import quality_nfe


def test_render_writes_the_table_and_a_plot(tmp_path):
    rows = [{"scheduler": s, "nfe": n, "seeds": [0, 1], "dice": [0.5 + n / 100, 0.52 + n / 100],
             "dice_tumor": [0.4, 0.42]} for s in ("ddim", "dpm++") for n in (5, 10)]
    figures = {"date": "2026-01-01", "model": "m", "version": "1", "command": "cmd", "ensemble": 1, "rows": rows}
    (tmp_path / "quality-vs-nfe.json").write_text(json.dumps(figures))
    quality_nfe.main(["--render", str(tmp_path)])
    text = (tmp_path / "quality-vs-nfe.md").read_text()
    assert "| dpm++ | 10 | 0.610 ± 0.014 | 0.410 ± 0.014 |" in text
    image = cv2.imread(str(tmp_path / "quality-vs-nfe.png"))
    assert image is not None and image.shape == (400, 640, 3)



def test_merge_adds_new_seeds_to_the_recorded_figures_and_refuses_repeats(tmp_path, monkeypatch):
    import pytest
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "bundle.json").write_text(json.dumps({"id": "m", "version": "1"}))
    monkeypatch.setattr(quality_nfe, "evaluate", lambda b, d, scheduler, nfe, k, seed, t: {
        "dice": seed / 10, "dice_tumor": seed / 20, "seconds": 0})
    common = ["--bundle", str(bundle), "--data", str(tmp_path), "--schedulers", "ddim", "--nfe", "5", "--out", str(tmp_path)]
    quality_nfe.main([*common, "--seeds", "0", "1"])
    quality_nfe.main([*common, "--seeds", "2", "--merge"])
    figures = json.loads((tmp_path / "quality-vs-nfe.json").read_text())
    assert figures["rows"][0]["seeds"] == [0, 1, 2]
    assert figures["rows"][0]["dice"] == [0.0, 0.1, 0.2]
    assert "--seeds 0 1 2" in figures["command"]
    with pytest.raises(SystemExit):
        quality_nfe.main([*common, "--seeds", "1", "--merge"])
    with pytest.raises(SystemExit):
        quality_nfe.main([*common, "--nfe", "10", "--seeds", "3", "--merge"])
