import torch

from pgdiffseg import diffusion
from pgdiffseg.config import size
from pgdiffseg.model import PGDiffSeg


def test_graph_shapes_follow_the_contract():
    cfg = size("tiny")
    model = PGDiffSeg(cfg).eval()
    image = torch.rand(3, 1, cfg.image_size, cfg.image_size) * 2 - 1
    prior, logits, coarse = model.prior(image)
    b = cfg.bottleneck_size
    assert prior.shape == (3, cfg.prior_channels, b, b)
    assert logits.shape == (3, cfg.num_classes)
    assert coarse.shape == (3, 1, 2 * b, 2 * b)
    eps = model.denoiser(torch.randn_like(image), image, torch.tensor([0.0, 500.0, 999.0]), prior)
    assert eps.shape == image.shape


def test_psa_gamma_starts_at_zero_so_flows_start_independent():
    model = PGDiffSeg(size("tiny"))
    gammas = [p for n, p in model.named_parameters() if n.endswith("gamma")]
    assert len(gammas) == len(size("tiny").channel_mults)
    assert all(float(g.detach()) == 0.0 for g in gammas)


def test_cpu_default_fits_its_budget():
    from pgdiffseg.bundle import model_cost
    cost = model_cost(PGDiffSeg(size("cpu")).eval())["denoiser"]
    assert cost["gflops_per_call"] <= 3.0
    assert cost["parameters"] <= 12_000_000


def test_prior_losses_are_zero_free_and_reward_the_right_answer():
    mask = -torch.ones(2, 1, 32, 32)
    mask[0, :, 8:24, 8:24] = 1.0
    labels = torch.tensor([1, 0])
    coarse_good = torch.where(torch.nn.functional.interpolate(mask, size=(4, 4)) > 0, 10.0, -10.0)
    logits_good = torch.tensor([[-5.0, 5.0], [5.0, -5.0]])
    ce_good, seg_good = diffusion.prior_losses(logits_good, coarse_good, mask, labels)
    ce_bad, seg_bad = diffusion.prior_losses(-logits_good, -coarse_good, mask, labels)
    assert ce_good < 0.01 < ce_bad
    assert seg_good < 0.05 < seg_bad


def test_q_sample_matches_closed_form():
    schedule = diffusion.NoiseSchedule(size("tiny"))
    x0, noise = torch.ones(1, 1, 2, 2), torch.zeros(1, 1, 2, 2)
    a = schedule.alphas_cumprod[999]
    assert torch.allclose(schedule.q_sample(x0, torch.tensor([999]), noise), a.sqrt() * x0)
    assert abs(float(schedule.alphas_cumprod[0]) - (1 - 1e-4)) < 1e-7


def test_metrics_on_known_masks():
    import numpy as np
    from pgdiffseg.metrics import dice, hd95, iou
    a = np.zeros((20, 20), bool)
    a[5:15, 5:15] = True
    b = np.zeros((20, 20), bool)
    b[5:15, 7:17] = True
    empty = np.zeros((20, 20), bool)
    assert dice(empty, empty) == 1.0 and iou(empty, empty) == 1.0 and hd95(empty, empty) == 0.0
    assert dice(a, a) == 1.0 and hd95(a, a) == 0.0
    assert abs(dice(a, b) - 2 * 80 / 200) < 1e-9 and abs(iou(a, b) - 80 / 120) < 1e-9
    assert abs(hd95(a, b) - 2.0) < 1e-6
    assert np.isnan(hd95(a, empty)) and dice(a, empty) == 0.0


def test_every_training_target_converts_back_to_the_clean_mask_as_the_schedulers_do():
    """The target a denoiser learns must be what diffusers' schedulers turn back into x0, or sampling
    would decode a different quantity than training taught."""
    from diffusers import DDIMScheduler
    cfg = size("tiny")
    schedule = diffusion.NoiseSchedule(cfg)
    x0 = torch.where(torch.rand(2, 1, 8, 8) > 0.5, 1.0, -1.0)
    noise = torch.randn_like(x0)
    for prediction_type in ("epsilon", "v_prediction", "sample"):
        scheduler = DDIMScheduler(num_train_timesteps=cfg.num_train_timesteps, beta_start=cfg.beta_start,
                                  beta_end=cfg.beta_end, prediction_type=prediction_type, clip_sample=False)
        scheduler.set_timesteps(10)
        for t in (int(scheduler.timesteps[0]), int(scheduler.timesteps[-1])):
            tt = torch.full((2,), t)
            x_t = schedule.q_sample(x0, tt, noise)
            target = schedule.target(prediction_type, x0, tt, noise)
            recovered = scheduler.step(target, t, x_t).pred_original_sample
            assert torch.allclose(recovered, x0, atol=2e-3), (prediction_type, t)


def test_unknown_prediction_type_is_refused():
    import pytest
    schedule = diffusion.NoiseSchedule(size("tiny"))
    with pytest.raises(ValueError, match="prediction type"):
        schedule.target("x0", torch.zeros(1, 1, 2, 2), torch.tensor([0]), torch.zeros(1, 1, 2, 2))
