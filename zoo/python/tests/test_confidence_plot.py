"""samples/confidence-plot: the risk-coverage curve and the plot from an eval folder."""
import json

import numpy as np
import pytest

from pgdiffseg import confidence_plot


def test_coverage_curve_is_the_running_mean_most_confident_first():
    fraction, mean = confidence_plot.coverage_curve(np.array([0.2, 0.9, 0.5]), np.array([0.0, 1.0, 0.5]))
    assert fraction.tolist() == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert mean.tolist() == pytest.approx([1.0, 0.75, 0.5])


def test_plots_an_eval_folder_and_refuses_one_without_confidence(tmp_path):
    header = "id,class,tumor,dice,iou,hd95,sensitivity,specificity,gated,p_no_tumor,longest_px,perpendicular_px," \
             "label_longest_px,label_perpendicular_px,confidence\n"
    rows = [f"benign_{i},benign,true,{d},0,0,0,0,false,0.1,,,,,{c}\n"
            for i, (d, c) in enumerate([(0.9, 0.95), (0.2, 0.3), (0.8, 0.97), (0.1, 0.6)])]
    (tmp_path / "eval.csv").write_text(header + "".join(rows) + "normal_1,normal,false,1,1,0,0,1,true,0.99,,,,,0.99\n")
    summary = {"confidence": {"review_threshold": 0.9, "spearman_dice": 0.8, "auroc_dice_below_0_5": 1.0}}
    (tmp_path / "eval.json").write_text(json.dumps(summary))
    tumor, _ = confidence_plot.read_eval(tmp_path)
    assert [r["id"] for r in tumor] == ["benign_0", "benign_1", "benign_2", "benign_3"]
    confidence_plot.main([str(tmp_path), "--out", str(tmp_path / "plot.svg")])
    assert (tmp_path / "plot.svg").read_text().startswith("<?xml")
    (tmp_path / "eval.json").write_text("{}")
    with pytest.raises(SystemExit, match="no confidence summary"):
        confidence_plot.read_eval(tmp_path)
