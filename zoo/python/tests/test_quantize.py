"""pgdiffseg.quantize on the tiny test bundle: a complete, verifiable int8 bundle whose denoiser stays close to
fp32 and keeps the fp32 graph contract."""
import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from pgdiffseg import quantize
from pgdiffseg.bundle import sha256
from pgdiffseg.config import ModelConfig

TINY = Path(__file__).resolve().parents[2] / "models" / "pgdiffseg-tiny-test"


@pytest.fixture(scope="module")
def int8(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("q") / "pgdiffseg-tiny-test-int8"
    quantize.main(["--bundle", str(TINY), "--out", str(out), "--images", "3"])
    return out


def test_writes_a_bundle_that_verifies(int8):
    fp32 = json.loads((TINY / "bundle.json").read_text())
    m = json.loads((int8 / "bundle.json").read_text())
    assert m["id"] == "pgdiffseg-tiny-test-int8" and m["version"] == fp32["version"]
    assert set(m["files"]) == {"MODEL_CARD.md", "denoiser.onnx", "prior.onnx"}
    for name, digest in m["files"].items():
        assert sha256(int8 / name) == digest, name
    for graph in m["graphs"].values():
        assert sha256(int8 / graph["file"]) == graph["sha256"]
    q = m["model"]["quantization"]
    assert q["from"]["denoiser_sha256"] == fp32["graphs"]["denoiser"]["sha256"]
    assert q["from"]["bundle_json_sha256"] == sha256(TINY / "bundle.json")
    assert q["calibration"]["rows"] == 3 * fp32["sampling_defaults"]["steps"]
    assert "random_seed" not in m["model"]
    assert "## Quantization" in (int8 / "MODEL_CARD.md").read_text()
    assert sha256(int8 / "prior.onnx") == fp32["graphs"]["prior"]["sha256"]   # the prior stays fp32 by default


def test_the_denoiser_is_int8_inside_and_float32_at_its_boundary(int8):
    graph = onnx.load(str(int8 / "denoiser.onnx")).graph
    ops = {n.op_type for n in graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    reference = onnx.load(str(TINY / "denoiser.onnx")).graph
    for ours, theirs in ((graph.input, reference.input), (graph.output, reference.output)):
        assert [(v.name, v.type.tensor_type.elem_type) for v in ours] == \
               [(v.name, v.type.tensor_type.elem_type) for v in theirs]
        assert all(v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT for v in ours)
    kept = set(json.loads((int8 / "bundle.json").read_text())["model"]["quantization"]["kept_float_nodes"])
    assert "/out/out.2/Conv" in kept and "/psa.0/MatMul" in kept


def test_int8_outputs_are_close_to_fp32(int8):
    """On denoiser inputs the sampler produces for images that were not in the calibration set."""
    cfg = ModelConfig.from_dict(json.loads((TINY / "bundle.json").read_text())["model"]["config"])
    images, _ = quantize.calibration_images(None, 2, cfg.image_size, seed=99)
    feeds = quantize.collect_denoiser_inputs(TINY, images, "dpm++", 20, seed=99)
    error = quantize.compare(TINY / "denoiser.onnx", int8 / "denoiser.onnx", feeds)
    # Random weights quantize worse than trained ones (the BUSI bundle: relative RMS 0.03 on held-out rows).
    assert error["rel_rms"] < 0.75 and error["cosine"] > 0.8, error
    out = quantize.session(int8 / "denoiser.onnx").run(None, feeds[0])[0]
    assert out.shape == feeds[0]["x_t"].shape and out.dtype == np.float32 and np.isfinite(out).all()


def test_unknown_block_is_refused():
    with pytest.raises(ValueError, match="unknown block"):
        quantize.block_nodes(onnx.load(str(TINY / "denoiser.onnx")), ["no_such_block"])


def test_a_bundle_sampling_from_zeros_is_calibrated_from_zeros_and_keeps_its_scheduler_config(tmp_path):
    from pgdiffseg import export
    src = tmp_path / "src"
    export.main(["--random", "tiny", "--out", str(src), "--id", "z", "--sampling", "ddim-trailing:2:1",
                 "--initial-sample", "zeros"])
    out = tmp_path / "z-int8"
    quantize.main(["--bundle", str(src), "--out", str(out), "--images", "2"])
    m = json.loads((out / "bundle.json").read_text())
    assert m["sampling_defaults"]["initial_sample"] == "zeros"
    fp32_weights = json.loads((src / "bundle.json").read_text())["model"]["weights"]
    assert m["model"]["weights"] == {"source": "quantized", "from": fp32_weights}
    assert (out / "scheduler_config.json").read_bytes() == (src / "scheduler_config.json").read_bytes()
    assert m["files"]["scheduler_config.json"] == sha256(out / "scheduler_config.json")
    calibration = m["model"]["quantization"]["calibration"]
    assert calibration["rows"] == 4 and "from x_T = 0" in calibration["what"]
    rows = quantize.collect_denoiser_inputs(src, [np.zeros((32, 32), np.float32)], "ddim-trailing", 2,
                                            init_noise="zeros")
    assert not rows[0]["x_t"][0].any()   # the first call sees x_T = 0
