"""Flip averaging in the reference pipeline (sampling.segment(flip_average=True)) and its gate modes."""
import numpy as np
import pytest
import torch

from pgdiffseg.evaluate import flip_gate_modes
from pgdiffseg.export import random_model
from pgdiffseg.sampling import make_scheduler, segment


@pytest.fixture(scope="module")
def model():
    return random_model("tiny", 7)   # the tiny test bundle's weights: an untrained PGDiffSeg's heads start at zero


def image() -> torch.Tensor:
    g = torch.Generator().manual_seed(5)
    return torch.rand((1, 1, 32, 32), generator=g) * 2 - 1


def run(model, img, scheduler="ddim-trailing", steps=2, ensemble=1, **kw):
    return segment(model.prior, model.denoiser, img, make_scheduler(scheduler, model.cfg), steps, ensemble, seed=4,
                   gate_class=None, **kw)


def test_from_zeros_the_map_is_the_mean_of_the_image_and_its_mirror_mapped_back(model):
    img = image()
    plain = run(model, img, init_noise="zeros").probability
    mirrored = run(model, torch.flip(img, dims=[-1]), init_noise="zeros").probability[:, ::-1]
    flipped = run(model, img, init_noise="zeros", flip_average=True)
    np.testing.assert_allclose(flipped.probability, (plain + mirrored) / 2, atol=1e-4)   # batch of 2 vs 1
    assert flipped.samples.shape == (2, 32, 32)
    assert np.abs(flipped.probability - plain).max() > 1e-3


def test_the_mirror_starts_from_the_images_noise_mirrored(model):
    out = run(model, image(), scheduler="ddpm", steps=3, ensemble=2, keep_trajectory=True, flip_average=True)
    x_t = out.trajectory[0]
    assert x_t.shape == (4, 32, 32)
    expected = torch.randn((2, 1, 32, 32), generator=torch.Generator().manual_seed(4))[:, 0].numpy()
    np.testing.assert_array_equal(x_t[:2], expected)
    np.testing.assert_array_equal(x_t[2:], expected[:, :, ::-1])
    zeros = run(model, image(), keep_trajectory=True, init_noise="zeros", flip_average=True)
    assert not zeros.trajectory[0].any()


def test_off_is_the_pipeline_without_flipping(model):
    img = image()
    a = run(model, img, scheduler="ddpm", steps=3, ensemble=2)
    b = run(model, img, scheduler="ddpm", steps=3, ensemble=2, flip_average=False)
    np.testing.assert_array_equal(a.probability, b.probability)


def test_the_gate_modes_decide_from_the_original_the_mean_or_both(model):
    img = image()
    p_orig = float(run(model, img).class_probs[0])
    p_mirror = float(run(model, torch.flip(img, dims=[-1])).class_probs[0])
    low, high = sorted([p_orig, p_mirror])
    assert high - low > 1e-6, "the test image's mirror must change the prior's probability"
    between = (low + high) / 2

    def gated(mode, threshold):
        return segment(model.prior, model.denoiser, img, make_scheduler("ddim-trailing", model.cfg), 2, 1, seed=4,
                       gate_class=0, gate_threshold=threshold, flip_average=True, flip_gate=mode).gated

    assert gated("original", between) == (p_orig >= between)
    assert gated("both", between) is False                       # one of the two is below
    assert gated("mean", (p_orig + p_mirror) / 2 - 1e-7) is True
    assert gated("mean", (p_orig + p_mirror) / 2 + 1e-6) is False
    with pytest.raises(ValueError, match="flip_gate"):
        gated("either", 0.5)


def test_flip_gate_modes_score_each_way_of_skipping():
    rows = [{"class": "normal", "p_skip": 0.995, "p_skip_mirrored": 0.98, "dice": 0.0},
            {"class": "benign", "p_skip": 0.2, "p_skip_mirrored": 0.999, "dice": 0.8},
            {"class": "normal", "p_skip": 0.999, "p_skip_mirrored": 0.999, "dice": 0.5}]
    modes = flip_gate_modes(rows, 0.99)
    assert modes["original"] == pytest.approx({"dice": (1 + 0.8 + 1) / 3, "dice_tumor": 0.8, "gate_accuracy": 1.0})
    assert modes["mean"] == pytest.approx({"dice": (0 + 0.8 + 1) / 3, "dice_tumor": 0.8, "gate_accuracy": 2 / 3})
    assert modes["both"] == modes["mean"]
