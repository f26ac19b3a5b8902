"""Encoder-only ImageNet copies (pgdiffseg.imagenet_copies) load into the prior as the packages' files do."""
import pytest
import torch

from pgdiffseg import imagenet_copies
from pgdiffseg.config import size
from pgdiffseg.model import EfficientPriorEncoder


def test_a_copy_loads_into_the_prior_as_the_package_file_does(tmp_path):
    [path] = imagenet_copies.main(["--out", str(tmp_path), "--encoder", "efficientnet-lite0"])
    assert path.name == "efficientnet-lite0.pth"
    from_package, from_copy = EfficientPriorEncoder(size("cpu2")), EfficientPriorEncoder(size("cpu2"))
    from_package.load_imagenet()
    from_copy.load_imagenet(str(path))
    a, b = from_package.encoder.state_dict(), from_copy.encoder.state_dict()
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0)
    assert not any(k.startswith("_fc") for k in torch.load(path, weights_only=True))


def test_half_copies_are_rounded_to_float16_and_load_as_float32(tmp_path):
    [path] = imagenet_copies.main(["--out", str(tmp_path), "--encoder", "efficientnet-lite0", "--half"])
    state = torch.load(path, weights_only=True)
    assert all(v.dtype == torch.float16 for v in state.values() if v.is_floating_point())
    prior = EfficientPriorEncoder(size("cpu2"))
    prior.load_imagenet(str(path))
    weight = prior.encoder._conv_stem.weight
    assert weight.dtype == torch.float32
    torch.testing.assert_close(weight, state["_conv_stem.weight"].float(), rtol=0, atol=0)


def test_an_existing_file_is_not_written_over(tmp_path):
    target = tmp_path / "efficientnet-lite0.pth"
    target.write_bytes(b"the user's file")
    with pytest.raises(SystemExit, match="exists"):
        imagenet_copies.main(["--out", str(tmp_path), "--encoder", "efficientnet-lite0"])
    assert target.read_bytes() == b"the user's file"


def test_an_unknown_encoder_is_refused(tmp_path):
    with pytest.raises(SystemExit) as e:
        imagenet_copies.main(["--out", str(tmp_path), "--encoder", "efficientnet-b7"])
    assert e.value.code == 2
    assert not any(tmp_path.iterdir())
