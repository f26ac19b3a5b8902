"""Budgeted training (pgdiffseg.budget_train), its batched augmentation, the sweep, and the larger priors."""
import json

import cv2
import numpy as np
import pytest
import torch

from pgdiffseg import batch_augment, budget_train, export, sweep, train
from pgdiffseg.bundle import sha256 as bundle_sha256
from pgdiffseg.config import size
from pgdiffseg.model import PGDiffSeg, encoder_taps, efficientnet_lite


def test_the_warp_is_opencvs_rotation_matrix_and_warp_affine():
    rng = np.random.default_rng(0)
    image = cv2.GaussianBlur(rng.uniform(-1, 1, (32, 32)).astype(np.float32), (5, 5), 2)
    m = cv2.getRotationMatrix2D((15.5, 15.5), 9.0, 1.1)
    m[:, 2] += (2.0, -1.5)
    expected = cv2.warpAffine(image, m, (32, 32), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=-1.0)
    ours = batch_augment.rotation_matrices(32, torch.tensor([9.0]), torch.tensor([1.1]), torch.tensor([[2.0, -1.5]]))
    assert np.allclose(ours[0].numpy(), m, atol=1e-5)
    mask = torch.from_numpy(np.where(image > 0, 1.0, -1.0).astype(np.float32))[None, None]
    warped, warped_mask = batch_augment.warp(torch.from_numpy(image)[None, None], mask, ours)
    inner = (slice(6, 26), slice(6, 26))   # OpenCV's fixed-point interpolation differs by ~1e-3 and at the border
    assert np.abs(warped[0, 0].numpy()[inner] - expected[inner]).max() < 0.02
    assert set(np.unique(warped_mask.numpy())) <= {-1.0, 1.0}


def test_the_speckle_blur_is_opencvs_gaussian_blur():
    x = np.random.default_rng(1).standard_normal((16, 16)).astype(np.float32)
    ours = batch_augment.gaussian_blur3(torch.from_numpy(x)[None, None])[0, 0].numpy()
    assert np.allclose(ours, cv2.GaussianBlur(x, (3, 3), 0.8), atol=1e-5)


def test_batch_augmentation_keeps_ranges_and_depends_only_on_the_seed():
    images = torch.rand(6, 1, 32, 32) * 2 - 1
    masks = torch.where(torch.rand(6, 1, 32, 32) > 0.5, 1.0, -1.0)
    a = batch_augment.augment_ultrasound_batch(images, masks, torch.Generator().manual_seed(3))
    b = batch_augment.augment_ultrasound_batch(images, masks, torch.Generator().manual_seed(3))
    c = batch_augment.augment_ultrasound_batch(images, masks, torch.Generator().manual_seed(4))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and not torch.equal(a[0], c[0])
    assert a[0].shape == images.shape and a[0].min() >= -1 and a[0].max() <= 1
    assert set(a[1].unique().tolist()) <= {-1.0, 1.0}


def test_the_learning_rate_warms_up_then_ends_its_cosine_with_the_budget():
    assert budget_train.budget_lr(0.0, 0, 1e-3, 1e-5, 10) == pytest.approx(1e-4)
    assert budget_train.budget_lr(0.5, 50, 1e-3, 1e-5, 10) == pytest.approx((1e-3 + 1e-5) / 2)
    assert budget_train.budget_lr(1.0, 500, 1e-3, 1e-5, 10) == pytest.approx(1e-5)
    assert budget_train.budget_lr(1.7, 500, 1e-3, 1e-5, 10) == pytest.approx(1e-5)   # past the budget: the floor
    assert budget_train.scaled_lr(5e-4, 32, "sqrt") == pytest.approx(1e-3)
    assert budget_train.scaled_lr(5e-4, 32, "linear") == pytest.approx(2e-3)


def test_weight_average_is_the_mean_of_the_snapshots():
    model = torch.nn.BatchNorm1d(2)
    average = budget_train.WeightAverage()
    with torch.no_grad():
        for value in (1.0, 3.0):
            model.weight.fill_(value)
            model.num_batches_tracked.fill_(int(value))
            average.add(model)
    state = average.state_dict(model)
    assert torch.allclose(state["weight"], torch.full((2,), 2.0))
    assert int(state["num_batches_tracked"]) == 3   # integer buffers: the last snapshot's


def test_a_budgeted_run_writes_final_and_averaged_checkpoints_that_export_reads(busi_root, tmp_path):
    result = budget_train.main(["--data", str(busi_root), "--out", str(tmp_path), "--size", "tiny2",
                                "--budget-minutes", "5", "--max-steps", "2", "--batch-size", "4", "--threads", "1",
                                "--average-from", "0", "--pretrained", "none"])
    assert result["steps"] == 2 and result["averaged_epochs"] == 1
    assert 0 <= result["final"]["val_dice"] <= 1 and 0 <= result["averaged"]["val_dice"] <= 1
    assert json.loads((tmp_path / "result.json").read_text())["steps"] == 2
    info = export.training_info(tmp_path / "final.pt")
    assert info["command"].startswith("python -m pgdiffseg.budget_train") and "--budget-minutes 5" in info["command"]
    model = export.load_model(tmp_path / "averaged.pt")
    assert isinstance(model, PGDiffSeg)


def test_a_run_can_start_from_another_runs_weights_with_a_fresh_schedule(busi_root, tmp_path):
    flags = ["--data", str(busi_root), "--budget-minutes", "5", "--batch-size", "4", "--threads", "1",
             "--pretrained", "none"]
    budget_train.main(flags + ["--out", str(tmp_path / "a"), "--size", "tiny2", "--max-steps", "2"])
    start = tmp_path / "a" / "final.pt"
    # At learning rate 0 the weights stay where they started; the size is the checkpoint's, not --size's.
    result = budget_train.main(flags + ["--out", str(tmp_path / "b"), "--size", "cpu2", "--init", str(start),
                                        "--lr", "0", "--lr-min", "0", "--max-steps", "1"])
    assert result["size"] == "tiny2" and result["steps"] == 1
    before = export.load_model(start)
    after = export.load_model(tmp_path / "b" / "final.pt")
    for (name, a), b in zip(before.named_parameters(), after.parameters()):
        assert torch.equal(a, b), name
    info = export.training_info(tmp_path / "b" / "final.pt")
    assert "--init INIT" in info["command"]
    assert info["initialised_from"] == {"checkpoint": "final.pt", "sha256": bundle_sha256(start)}


def test_init_refuses_what_is_not_a_checkpoint(tmp_path):
    with pytest.raises(SystemExit, match="no such file"):
        train.initial_weights(tmp_path / "missing.pt")
    (tmp_path / "text.pt").write_text("not a checkpoint")
    with pytest.raises(SystemExit, match="not a PyTorch checkpoint"):
        train.initial_weights(tmp_path / "text.pt")
    torch.save({"model": {}}, tmp_path / "raw.pt")
    with pytest.raises(SystemExit, match="not a pgdiffseg checkpoint"):
        train.initial_weights(tmp_path / "raw.pt")


def test_the_sweep_tabulates_every_run_and_refuses_a_used_folder(busi_root, tmp_path):
    out = tmp_path / "sweep"
    flags = "--size tiny2 --max-steps 1 --batch-size 4 --pretrained none --average-from 0"
    results = sweep.main(["--data", str(busi_root), "--out", str(out), "--budget-minutes", "5", "--seeds", "0,1",
                          "--variant", f"tiny={flags}", "--device", "cpu"])
    assert [(r["variant"], r["seed"]) for r in results] == [("tiny", 0), ("tiny", 1)]
    table = (out / "table.md").read_text()
    assert "| tiny | 0 |" in table and "| tiny | 1 |" in table and "| tiny | 0,1 |" in table
    with pytest.raises(SystemExit, match="not empty"):
        sweep.main(["--data", str(busi_root), "--out", str(out), "--budget-minutes", "1", "--variant", "lite0"])


def test_a_failed_run_is_a_row_with_its_error(busi_root, tmp_path):
    results = sweep.main(["--data", str(busi_root), "--out", str(tmp_path / "s"), "--budget-minutes", "1",
                          "--seeds", "0", "--variant", "broken=--size no-such-size"])
    assert "exit" in results[0]["error"] and "failed" in (tmp_path / "s" / "table.md").read_text()


@pytest.mark.parametrize("text", ["unknown-variant", "bad name=--size cpu2", "=--size cpu2"])
def test_a_bad_variant_is_refused(text):
    with pytest.raises(Exception):
        sweep.parse_variant(text)


def test_lite0_taps_are_the_blocks_the_2_0_0_prior_was_built_on():
    assert encoder_taps(efficientnet_lite("efficientnet-lite0", 128)) == \
        {2: (0, 16), 4: (2, 24), 8: (4, 40), 16: (10, 112), 32: (15, 320)}


@pytest.mark.parametrize("name", ["cpu2-lite1", "cpu2-lite2"])
def test_the_larger_priors_start_from_their_imagenet_weights_and_keep_the_graph_contract(name):
    cfg = size(name)
    model = PGDiffSeg(cfg).eval()
    model.prior.load_imagenet()
    prior, logits, coarse = model.prior(torch.zeros(1, 1, 128, 128))
    assert prior.shape == (1, cfg.prior_channels, cfg.bottleneck_size, cfg.bottleneck_size)
    assert logits.shape == (1, 2) and coarse.shape == (1, 1, 64, 64)


def test_the_operator_profile_sums_kernel_time_by_type_over_the_timed_calls(tmp_path):
    from pgdiffseg.op_profile import kernel_time_by_op
    events = [{"cat": "Session", "name": "model_run", "ts": 0, "dur": 10},        # warm-up, left out
              {"cat": "Node", "name": "c_kernel_time", "ts": 1, "dur": 9000, "args": {"op_name": "Conv"}},
              {"cat": "Session", "name": "model_run", "ts": 100, "dur": 10},
              {"cat": "Node", "name": "c_kernel_time", "ts": 101, "dur": 2000, "args": {"op_name": "Conv"}},
              {"cat": "Node", "name": "c_fence_before", "ts": 102, "dur": 500, "args": {"op_name": "Conv"}},
              {"cat": "Node", "name": "s_kernel_time", "ts": 103, "dur": 1000, "args": {"op_name": "Softmax"}},
              {"cat": "Session", "name": "model_run", "ts": 200, "dur": 10},
              {"cat": "Node", "name": "c_kernel_time", "ts": 201, "dur": 4000, "args": {"op_name": "Conv"}}]
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(events))
    assert kernel_time_by_op(profile, 2) == {"Conv": 3.0, "Softmax": 0.5}
    with pytest.raises(ValueError, match="expected at least 4"):
        kernel_time_by_op(profile, 4)
