"""Training options of the cpu2 recipe on `tiny2` (random init, a few steps): resume mid-epoch, --max-minutes,
--max-steps, the deterministic validation and the discriminative learning rate."""
import json

import pytest
import torch

from pgdiffseg import train
from pgdiffseg.config import size
from pgdiffseg.model import PGDiffSeg

RECIPE = ["--size", "tiny2", "--batch-size", "64", "--epochs", "2", "--augment", "ultrasound", "--t-power", "2",
          "--x0-loss-weight", "0.5", "--encoder-lr-mult", "0.2", "--warmup-steps", "2", "--lr-schedule", "cosine",
          "--val-sampler", "zeros-ddim", "--val-steps", "2", "--val-every", "1", "--val-limit", "8",
          "--threads", "1", "--class-weight", "0.5", "--mask-weight", "1.0"]


def test_a_stopped_run_resumes_mid_epoch_and_finishes(busi_root, tmp_path, capsys):
    args = ["--data", str(busi_root), "--out", str(tmp_path), *RECIPE]
    train.main([*args, "--max-steps", "3"])
    state = torch.load(tmp_path / "last.pt", weights_only=False)
    assert (state["epoch"], state["step"], state["batch_in_epoch"]) == (0, 3, 3)
    train.main([*args, "--resume", "--max-steps", "10"])      # goes on from batch 3, ends epoch 0 at step 8
    assert "resumed from" in capsys.readouterr().out
    state = torch.load(tmp_path / "last.pt", weights_only=False)
    assert (state["epoch"], state["step"], state["batch_in_epoch"]) == (1, 10, 2)
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert records[0]["epoch"] == 1 and records[0]["step"] == 8 and records[0]["val_sampler"] == "zeros-ddim"
    assert 0 <= records[0]["val_dice"] <= 1 and "x0" in records[0]
    assert (tmp_path / "best.pt").exists() and (tmp_path / "best_tumor.pt").exists()
    assert 0 <= records[0]["val_tumors_gated"] <= 1


def test_max_minutes_stops_mid_epoch_after_a_checkpoint(busi_root, tmp_path):
    train.main(["--data", str(busi_root), "--out", str(tmp_path), *RECIPE, "--max-minutes", "1e-9"])
    state = torch.load(tmp_path / "last.pt", weights_only=False)
    assert (state["epoch"], state["step"], state["batch_in_epoch"]) == (0, 1, 1)


def test_resume_without_a_checkpoint_refuses(busi_root, tmp_path):
    import pytest
    with pytest.raises(SystemExit, match="does not exist"):
        train.main(["--data", str(busi_root), "--out", str(tmp_path), *RECIPE, "--resume"])


def test_encoder_gets_its_own_learning_rate():
    model = PGDiffSeg(size("tiny2"))
    groups = train.param_groups(model, 1e-3, 0.2)
    assert [g["lr_mult"] for g in groups] == [1.0, 0.2]
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))
    assert len(train.param_groups(PGDiffSeg(size("tiny")), 1e-3, 0.2)) == 1


def test_epoch_batches_depend_on_seed_and_epoch_only():
    a = train.epoch_batches(20, 8, 0, 3)
    assert a == train.epoch_batches(20, 8, 0, 3) != train.epoch_batches(20, 8, 0, 4)
    assert [len(b) for b in a] == [8, 8]


def test_checkpoint_minutes_writes_mid_epoch_checkpoints(busi_root, tmp_path, capsys):
    train.main(["--data", str(busi_root), "--out", str(tmp_path), *RECIPE, "--max-steps", "3",
                "--checkpoint-minutes", "1e-9", "--val-every", "0"])
    lines = [line for line in capsys.readouterr().out.splitlines() if '"mid-epoch"' in line]
    assert [json.loads(line)["batch"] for line in lines] == [1, 2, 3]


def test_zeros_ddim_sampling_is_deterministic_and_starts_at_the_last_timestep():
    from pgdiffseg.sampling import make_scheduler, segment
    model = PGDiffSeg(size("tiny2")).eval()
    sched = make_scheduler("ddim-trailing", model.cfg)
    sched.set_timesteps(1)
    assert sched.timesteps.tolist() == [999]
    image = torch.rand(1, 1, 32, 32) * 2 - 1
    a = segment(model.prior, model.denoiser, image, sched, 2, 1, seed=0, gate_class=None, init_noise="zeros")
    b = segment(model.prior, model.denoiser, image, sched, 2, 1, seed=7, gate_class=None, init_noise="zeros")
    assert (a.probability == b.probability).all()


def test_a_manifests_initial_sample_names_segments_start_and_anything_else_is_refused():
    from pgdiffseg.sampling import init_noise_for
    assert [init_noise_for(v) for v in (None, "noise", "zeros")] == ["randn", "randn", "zeros"]
    with pytest.raises(ValueError, match="initial_sample"):
        init_noise_for("ones")
