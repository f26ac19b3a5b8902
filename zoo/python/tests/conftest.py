import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def busi_root() -> Path:
    root = REPO.parent / "shared" / "data" / "busi"
    if not (root / "split.csv").exists():
        pytest.skip(f"BUSI data not found at {root}")
    return root
