import pytest

from pgdiffseg.train import learning_rate


def test_constant_schedule_keeps_the_base_rate():
    assert learning_rate(500, 1000, 3e-4, 1e-5, "constant") == 3e-4


@pytest.mark.parametrize("step, expected", [(0, 3e-4), (500, (3e-4 + 1e-5) / 2), (1000, 1e-5), (5000, 1e-5)])
def test_cosine_schedule_falls_from_base_to_floor_and_stays_there(step, expected):
    assert learning_rate(step, 1000, 3e-4, 1e-5, "cosine") == pytest.approx(expected)


def test_cosine_schedule_only_falls():
    rates = [learning_rate(s, 100, 3e-4, 1e-5, "cosine") for s in range(101)]
    assert all(a >= b for a, b in zip(rates, rates[1:]))
