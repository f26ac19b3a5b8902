import json

import onnx
import pytest

from pgdiffseg import export


@pytest.fixture(scope="module")
def exported2(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle2")
    export.main(["--random", "tiny2", "--seed", "5", "--out", str(out), "--id", "t2"])
    return out


def test_efficientnet_prior_exports_within_tolerance(exported2):
    model = export.random_model("tiny2", 5)
    assert export.verify_graphs(model, exported2 / "prior.onnx", exported2 / "denoiser.onnx",
                                batches=(1, 4)) <= export.TOLERANCE


def test_the_contract_is_unchanged_and_declares_the_shapes(exported2):
    for name, inputs, outputs in (("prior", export.PRIOR_INPUTS, export.PRIOR_OUTPUTS),
                                  ("denoiser", export.DENOISER_INPUTS, export.DENOISER_OUTPUTS)):
        graph = onnx.load(str(exported2 / f"{name}.onnx"))
        assert [i.name for i in graph.graph.input] == inputs
        assert [o.name for o in graph.graph.output] == outputs
        assert graph.opset_import[0].version == 17
    manifest = json.loads((exported2 / "bundle.json").read_text())
    outs = {t["name"]: t["shape"] for t in manifest["graphs"]["prior"]["outputs"]}
    cfg = export.random_model("tiny2", 5).cfg
    assert outs["prior"] == ["N", cfg.prior_channels, 2, 2]
    assert outs["coarse_mask"] == ["N", 1, 16, 16]
    assert manifest["graphs"]["denoiser"]["inputs"][3]["shape"] == outs["prior"]
    assert manifest["model"]["config"]["encoder"] == "efficientnet-lite0"
