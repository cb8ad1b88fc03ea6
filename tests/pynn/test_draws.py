"""draws.py replays PyNN's one-at-a-time numpy draws: the same values, and the RNG left in the
same state, whatever the chunking."""
import numpy as np
import pytest
from pyNN.random import NumpyRNG, RandomDistribution

from pynn_spinnaker2 import draws


def one_at_a_time(rs, n, n_pre, n_post):
    """PyNN's FixedTotalNumberConnector loop."""
    targets = np.arange(n_post)
    out = [(rs.randint(0, n_pre, size=1)[0], rs.choice(targets, size=1)[0]) for _ in range(n)]
    return np.array(out, dtype=np.int64).reshape(n, 2)


@pytest.mark.parametrize("n_pre, n_post, chunk", [(20683, 5834, 1 << 24), (70, 50, 7), (1, 33, 5),
                                                  (2 ** 16 + 1, 2, 1 << 24), (1, 1, 3)])
def test_source_target_pairs_equal_the_loop(monkeypatch, n_pre, n_post, chunk):
    monkeypatch.setattr(draws, "MAX_RAW_CHUNK", chunk)
    a, b = np.random.RandomState(11), np.random.RandomState(11)
    pre, post = draws.source_target_pairs(a, 500, n_pre, n_post)
    expected = one_at_a_time(b, 500, n_pre, n_post)
    np.testing.assert_array_equal(pre, expected[:, 0])
    np.testing.assert_array_equal(post, expected[:, 1])
    np.testing.assert_array_equal(a.randint(0, 1000, 20), b.randint(0, 1000, 20))   # same state after


@pytest.mark.parametrize("mu, sigma, low, high", [(1.5, 0.75, 0.1, np.inf), (0.2, 0.3, 0.1, 0.5),
                                                  (0.0, 1.0, -np.inf, np.inf)])
def test_normal_clipped_by_column_equals_per_column_draws(mu, sigma, low, high):
    sizes = np.random.default_rng(1).integers(1, 30, 200)
    ours = RandomDistribution("normal_clipped", mu=mu, sigma=sigma, low=low, high=high, rng=NumpyRNG(5))
    theirs = RandomDistribution("normal_clipped", mu=mu, sigma=sigma, low=low, high=high, rng=NumpyRNG(5))
    drawn = draws.normal_clipped_by_column(ours, sizes)
    expected = np.concatenate([np.atleast_1d(theirs.next(int(n))) for n in sizes])
    np.testing.assert_array_equal(drawn, expected)
    assert np.all((drawn >= low) & (drawn <= high))
    np.testing.assert_array_equal(ours.next(10), theirs.next(10))              # same state after


def test_too_many_redraws_raise_as_pynn_does():
    impossible = RandomDistribution("normal_clipped", mu=0.0, sigma=1.0, low=50.0, high=60.0, rng=NumpyRNG(5))
    with pytest.raises(Exception, match="Maximum number of redraws"):
        draws.normal_clipped_by_column(impossible, np.array([3]))


def test_column_sizes():
    np.testing.assert_array_equal(draws.column_sizes(np.array([0, 0, 2, 2, 2, 5])), [2, 3, 1])
    assert draws.column_sizes(np.zeros(0, int)).size == 0


@pytest.mark.parametrize("n_post, dtype", [(1, np.int32), (7, np.int32), (300, np.int64)])
def test_sort_by_target_is_the_stable_argsort(n_post, dtype):
    """PyNN connects a target's sources in draw order: the counting sort must keep it."""
    rng = np.random.default_rng(n_post)
    pre, post = rng.integers(0, 50, 5000).astype(dtype), rng.integers(0, n_post, 5000).astype(dtype)
    order = np.argsort(post, kind="stable")
    got_pre, got_post = draws.sort_by_target(pre, post, n_post)
    np.testing.assert_array_equal(got_pre, pre[order])
    np.testing.assert_array_equal(got_post, post[order])
    assert got_pre.dtype == got_post.dtype == dtype
    with pytest.raises(ValueError, match="target indices"):
        draws.sort_by_target(pre, post, n_post - 1 if n_post > 1 else 0)


@pytest.mark.parametrize("bit_generator", [np.random.MT19937, np.random.PCG64])
def test_source_target_pairs_on_any_bit_generator(monkeypatch, bit_generator):
    """Raw outputs are read straight from a Mersenne Twister, through randint from others."""
    monkeypatch.setattr(draws, "MAX_RAW_CHUNK", 9)
    a, b = np.random.RandomState(bit_generator(4)), np.random.RandomState(bit_generator(4))
    pre, post = draws.source_target_pairs(a, 300, 1000, 37)
    expected = one_at_a_time(b, 300, 1000, 37)
    np.testing.assert_array_equal(np.stack([pre, post], axis=1), expected)
    np.testing.assert_array_equal(a.randint(0, 1000, 20), b.randint(0, 1000, 20))
