"""Two models measured as one (sampling.averaged_model_fns, evaluate --average-with)."""
from pathlib import Path

import numpy as np
import pytest
import torch

from pgdiffseg import evaluate
from pgdiffseg.export import random_model
from pgdiffseg.model import example_inputs
from pgdiffseg.sampling import averaged_model_fns, make_scheduler, segment, torch_model_fns

TINY = Path(__file__).resolve().parents[2] / "models" / "pgdiffseg-tiny-test"


@pytest.fixture(scope="module")
def models():
    return random_model("tiny", 7), random_model("tiny", 8)


def run(fns, model, **kw):
    image = example_inputs(model.cfg, 1, seed=3)["image"]
    return segment(*fns, image, make_scheduler("ddim-trailing", model.cfg), 2, 1, seed=4, gate_class=0,
                   gate_threshold=1.01, init_noise="zeros", **kw)


@torch.no_grad()
def test_a_model_averaged_with_itself_segments_as_it_does_alone(models):
    a, _ = models
    alone = run(torch_model_fns(a), a)
    doubled = run(averaged_model_fns(torch_model_fns(a), torch_model_fns(a)), a)
    np.testing.assert_allclose(doubled.probability, alone.probability, atol=1e-5)
    np.testing.assert_allclose(doubled.class_probs, alone.class_probs, atol=1e-6)


@torch.no_grad()
def test_each_denoiser_gets_its_own_prior_and_the_outputs_are_averaged(models):
    a, b = models
    x = example_inputs(a.cfg, 2, seed=9)
    prior_fn, denoiser_fn = averaged_model_fns(torch_model_fns(a), torch_model_fns(b))
    features, logits, coarse = prior_fn(x["image"])
    (fa, la, ca), (fb, lb, cb) = a.prior(x["image"]), b.prior(x["image"])
    assert features.shape[1] == fa.shape[1] + fb.shape[1]
    torch.testing.assert_close(torch.softmax(logits, 1), (torch.softmax(la, 1) + torch.softmax(lb, 1)) / 2)
    torch.testing.assert_close(torch.sigmoid(coarse), (torch.sigmoid(ca) + torch.sigmoid(cb)) / 2, atol=1e-6,
                               rtol=1e-5)
    expected = (a.denoiser(x["x_t"], x["image"], x["t"], fa) + b.denoiser(x["x_t"], x["image"], x["t"], fb)) / 2
    actual = denoiser_fn(x["x_t"], x["image"], x["t"], features)
    torch.testing.assert_close(actual, expected)
    swapped = denoiser_fn(x["x_t"], x["image"], x["t"], torch.cat([fb, fa], 1))
    assert (swapped - expected).abs().max() > 1e-4, "the denoisers must not take each other's features"


def test_bundles_of_another_input_diffusion_or_gate_are_refused():
    base = {"input": {"height": 128}, "diffusion": {"prediction_type": "v_prediction"}, "gating": {"threshold": 0.99}}
    for section, other in (("input", {"height": 256}), ("diffusion", {"prediction_type": "epsilon"}),
                           ("gating", {"threshold": 0.5})):
        with pytest.raises(SystemExit, match=f"'{section}'"):
            evaluate.check_averageable(base, {**base, section: other}, Path("a"), Path("b"))
    evaluate.check_averageable(base, dict(base), Path("a"), Path("b"))


def test_a_folder_without_a_bundle_is_refused_by_name(tmp_path, busi_root):
    with pytest.raises(SystemExit, match=f"{tmp_path}.*no bundle.json"):
        evaluate.evaluate(TINY, busi_root, "ddim-trailing", 2, 1, 0, 0.5, limit=1, average_with=tmp_path)


def test_record_is_refused_with_a_second_model(tmp_path):
    with pytest.raises(SystemExit) as e:
        evaluate.main(["--bundle", str(TINY), "--data", str(tmp_path), "--run", "ddim-trailing:2:1",
                       "--average-with", str(TINY), "--record"])
    assert e.value.code == 2


def test_the_tiny_bundle_averaged_with_itself_scores_as_alone(busi_root):
    kw = dict(limit=3, gate_threshold=1.01, init_noise="zeros", threads=1)
    alone = evaluate.evaluate(TINY, busi_root, "ddim-trailing", 2, 1, 0, 0.5, **kw)
    doubled = evaluate.evaluate(TINY, busi_root, "ddim-trailing", 2, 1, 0, 0.5, average_with=TINY, **kw)
    assert doubled["averaged_with"] == str(TINY)
    assert [r["dice"] for r in doubled["per_image"]] == pytest.approx([r["dice"] for r in alone["per_image"]], abs=1e-6)
