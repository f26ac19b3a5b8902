import json

import numpy as np
import onnx
import pytest

from pgdiffseg import export
from pgdiffseg.bundle import sha256


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    export.main(["--random", "tiny", "--seed", "3", "--out", str(out), "--id", "t"])
    return out


def test_export_round_trip_matches_pytorch(exported):
    model = export.random_model("tiny", 3)
    error = export.verify_graphs(model, exported / "prior.onnx", exported / "denoiser.onnx", batches=(1, 4))
    assert error <= export.TOLERANCE


def test_graphs_declare_the_contract(exported):
    for name, inputs, outputs in (("prior", export.PRIOR_INPUTS, export.PRIOR_OUTPUTS),
                                  ("denoiser", export.DENOISER_INPUTS, export.DENOISER_OUTPUTS)):
        graph = onnx.load(str(exported / f"{name}.onnx"))
        assert [i.name for i in graph.graph.input] == inputs
        assert [o.name for o in graph.graph.output] == outputs
        assert graph.opset_import[0].version >= 17
        assert graph.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "N"


def test_manifest_checksums_every_file(exported):
    manifest = json.loads((exported / "bundle.json").read_text())
    assert manifest["graphs"]["prior"]["sha256"] == sha256(exported / "prior.onnx")
    assert set(manifest["files"]) == {"prior.onnx", "denoiser.onnx", "MODEL_CARD.md", "scheduler_config.json"}
    assert manifest["model"]["random_seed"] == 3


def test_default_sampling_is_dpmpp_20_steps_5_samples_from_noise(exported):
    manifest = json.loads((exported / "bundle.json").read_text())
    assert manifest["sampling_defaults"] == {"scheduler": "dpm++", "scheduler_config": "scheduler_config.json",
                                             "steps": 20, "ensemble": 5, "mask_threshold": 0.5, "seed": 0}
    assert manifest["gating"]["threshold"] == 0.5
    config = json.loads((exported / "scheduler_config.json").read_text())
    assert config["_class_name"] == "DPMSolverMultistepScheduler" and config["algorithm_type"] == "dpmsolver++"


def test_sampling_defaults_chosen_at_export(tmp_path):
    export.main(["--random", "tiny", "--out", str(tmp_path), "--id", "t", "--sampling", "ddim-trailing:2:1",
                 "--initial-sample", "zeros", "--gate-threshold", "0.9", "--flip-average"])
    manifest = json.loads((tmp_path / "bundle.json").read_text())
    defaults = manifest["sampling_defaults"]
    assert defaults["flip_average"] is True   # absent when not asked for (the test above)
    assert "averaged with its horizontal mirror" in (tmp_path / "MODEL_CARD.md").read_text()
    assert (defaults["scheduler"], defaults["steps"], defaults["ensemble"], defaults["initial_sample"]) == \
        ("ddim-trailing", 2, 1, "zeros")
    assert manifest["gating"]["threshold"] == 0.9
    config = json.loads((tmp_path / "scheduler_config.json").read_text())
    assert config["_class_name"] == "DDIMScheduler" and config["timestep_spacing"] == "trailing"
    assert config["prediction_type"] == manifest["diffusion"]["prediction_type"]
    assert manifest["files"]["scheduler_config.json"] == sha256(tmp_path / "scheduler_config.json")


@pytest.mark.parametrize("bad", [["--sampling", "ddim:2"], ["--sampling", "ddim:two:1"], ["--sampling", "nope:2:1"],
                                 ["--sampling", "ddim:0:1"], ["--initial-sample", "ones"], ["--gate-threshold", "1.5"]])
def test_bad_sampling_defaults_are_refused_before_anything_is_written(tmp_path, bad):
    with pytest.raises(SystemExit) as refused:
        export.main(["--random", "tiny", "--out", str(tmp_path / "b"), "--id", "t", *bad])
    assert refused.value.code == 2
    assert not (tmp_path / "b").exists()


def test_the_card_of_random_weights_claims_no_training_data(exported):
    card = (exported / "MODEL_CARD.md").read_text()
    assert "Random weights, never trained" in card
    assert "Trained on" not in card and "BUSI" not in card


def test_a_perturbed_graph_fails_verification(exported, tmp_path):
    model = export.random_model("tiny", 3)
    other = export.random_model("tiny", 4)
    with pytest.raises(AssertionError, match="differ"):
        export.verify_graphs(other, exported / "prior.onnx", exported / "denoiser.onnx", batches=(1,))
    assert np.isfinite(export.verify_graphs(model, exported / "prior.onnx", exported / "denoiser.onnx", batches=(1,)))


def test_a_new_version_adds_its_changelog_entry_once():
    from pgdiffseg.bundle import changelog
    first = changelog([], "1.0.0", "first release")
    second = changelog(first, "1.1.0", "retrained")
    assert [e["version"] for e in second] == ["1.0.0", "1.1.0"]
    assert changelog(second, "1.1.0", "again") == second


def test_continuing_training_needs_a_recorded_earlier_stage(exported):
    with pytest.raises(SystemExit, match="records no training"):
        export.earlier_stages(exported)
