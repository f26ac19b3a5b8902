import numpy as np
import pytest

from pgdiffseg.data import BusiDataset, augment_ultrasound


def test_ultrasound_augmentation_keeps_ranges_and_binary_masks():
    rng = np.random.default_rng(0)
    image = rng.uniform(-1, 1, (32, 32)).astype(np.float32)
    mask = -np.ones((32, 32), np.float32)
    mask[8:20, 10:24] = 1
    for seed in range(20):
        img, msk = augment_ultrasound(image, mask, np.random.default_rng(seed))
        assert img.shape == msk.shape == (32, 32) and img.dtype == msk.dtype == np.float32
        assert img.min() >= -1 and img.max() <= 1
        assert set(np.unique(msk)) <= {-1.0, 1.0}


def test_ultrasound_augmentation_is_a_function_of_the_seed():
    image = np.linspace(-1, 1, 32 * 32, dtype=np.float32).reshape(32, 32)
    mask = np.where(image > 0, 1.0, -1.0).astype(np.float32)
    a = augment_ultrasound(image, mask, np.random.default_rng((0, 3, 7)))
    b = augment_ultrasound(image, mask, np.random.default_rng((0, 3, 7)))
    c = augment_ultrasound(image, mask, np.random.default_rng((0, 4, 7)))
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[0], c[0])


def test_dataset_ultrasound_mode_has_one_item_per_image(busi_root):
    ds = BusiDataset(busi_root, "val", 32, augment="ultrasound")
    assert len(ds) == len(ds.samples)
    ds.epoch = 1
    first = ds[0][0].clone()
    ds.epoch = 2
    assert ds[0][0].shape == (1, 32, 32)
    ds.epoch = 1
    assert np.array_equal(ds[0][0].numpy(), first.numpy())
    with pytest.raises(ValueError):
        BusiDataset(busi_root, "val", 32, augment="sideways")
