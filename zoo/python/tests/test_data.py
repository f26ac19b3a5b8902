import numpy as np
import pytest

from pgdiffseg.data import BusiDataset, augment, preprocess, preprocess_mask, read_split


def test_split_counts_match_the_readme(busi_root):
    for split, expected in (("train", {"benign": 305, "malignant": 147, "normal": 93}),
                            ("val", {"benign": 44, "malignant": 21, "normal": 13})):
        samples = read_split(busi_root, split)
        counts = {c: sum(s.busi_class == c for s in samples) for c in expected}
        assert counts == expected
        assert all(s.image_path.exists() and s.mask_path.exists() for s in samples)


def test_unknown_split_is_refused(busi_root):
    with pytest.raises(ValueError, match="split"):
        read_split(busi_root, "test")


def test_preprocessing_windows_and_scales():
    gray = np.array([[0, 30], [235, 255]], dtype=np.float32)
    out = preprocess(gray, 2)
    np.testing.assert_allclose(out, [[-1, -1], [1, 1]])
    mask = preprocess_mask(np.array([[0, 255], [255, 0]], dtype=np.uint8), 2)
    assert set(np.unique(mask)) == {-1.0, 1.0}


def test_six_fold_augmentation_gives_distinct_variants():
    x = np.arange(9, dtype=np.float32).reshape(3, 3)
    variants = [augment(x, k) for k in range(6)]
    assert len({v.tobytes() for v in map(np.ascontiguousarray, variants)}) == 6


def test_dataset_items(busi_root):
    ds = BusiDataset(busi_root, "val", 32, augment=True)
    assert len(ds) == 78 * 6
    image, mask, label = ds[7]
    assert image.shape == (1, 32, 32) and mask.shape == (1, 32, 32)
    assert image.min() >= -1 and image.max() <= 1
    assert int(label) in (0, 1)
