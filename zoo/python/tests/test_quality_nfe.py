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

