import numpy as np
import pytest

from core import Network, Population, Projection
from core.hardware import DATA_SRAM_BYTES
from core.mapping import switching
from core.mapping.partition import partition


def grid_like(seed, n_source, n_target, density, delay_range):
    rng = np.random.default_rng(seed)
    src, tgt = np.nonzero(rng.random((n_source, n_target)) < density)
    return src, tgt, rng.integers(1, 256, src.size), rng.integers(1, delay_range + 1, src.size)


def test_partition_without_dram_cuts_slices_finer():
    rng = np.random.default_rng(0)
    net = Network()
    a = net.add_population(Population("src", "SpikeSourcePoisson", 1000))
    b = net.add_population(Population("dst", "IF_curr_exp", 200))
    for k in range(4):
        i, j = np.nonzero(rng.random((1000, 200)) < 0.9)
        net.add_projection(Projection(f"p{k}", a, b, i, j, 1.0, 1))
    with_dram, without = partition(net), partition(net, dram=False)
    assert any(v.dram for v in with_dram.vertices)
    assert not any(v.dram for v in without.vertices)
    assert len(without.pop_slices[b]) > len(with_dram.pop_slices[b])
    assert all(sum(v.bytes.values()) <= DATA_SRAM_BYTES for v in without.vertices)
    held = sorted(s for v in without.vertices if without.slices[v.slice].population == b for s in v.sources)
    assert len(held) == len(without.pop_slices[a]) * len(without.pop_slices[b])   # every block held once


def test_serial_estimate_replays_the_partition():
    """Exact on most layers; a layer near a PE's capacity may flip by a slice."""
    layers = [(50, 50, 0.1, 1), (500, 500, 1.0, 16), (300, 150, 0.4, 4), (450, 100, 0.7, 9), (100, 500, 0.2, 2),
              (250, 350, 0.9, 12), (500, 50, 0.5, 1), (200, 450, 0.3, 16), (350, 250, 0.6, 3), (150, 300, 0.8, 7)]
    exact, estimate = [], []
    for seed, (ns, nt, p, D) in enumerate(layers):
        src, tgt, w, d = grid_like(seed, ns, nt, p, D)
        exact.append(switching.serial_pes(src, tgt, d, ns, nt))
        estimate.append(switching.serial_estimate(ns, nt, p, D))
    exact, estimate = np.array(exact), np.array(estimate)
    assert np.sum(exact == estimate) >= 8 and np.all(estimate <= 2 * exact) and np.all(exact <= 2 * estimate)


def test_parallel_estimate_tracks_compiled_layers():
    layers = [(50, 50, 0.1, 1), (500, 500, 1.0, 1), (300, 300, 0.5, 8), (100, 400, 0.9, 2)]
    for seed, (ns, nt, p, D) in enumerate(layers):
        src, tgt, w, d = grid_like(seed, ns, nt, p, D)
        exact = switching.parallel_pes(src, tgt, w, d, ns, nt, D)
        estimate = switching.parallel_estimate(ns, nt, p, D)
        assert exact <= estimate <= 1.5 * exact + 1


def test_model_evaluator_adds_up_each_kind():
    stump = [[1, -1, -1], [2, -1, -1], [0, -2, -2], [10.0, -2.0, -2.0], [0.0, -1.0, 2.0]]   # x0 <= 10: -1 else 2
    x_small, x_large = [5.0], [20.0]
    gb = dict(kind="gradient_boosting", init=0.5, learning_rate=0.25, trees=[stump, stump])
    assert switching.model_score(gb, x_small) == pytest.approx(0.5 - 0.5)
    assert switching.model_score(gb, x_large) == pytest.approx(0.5 + 1.0)
    ada = dict(kind="adaboost", weights=[1.0, 0.4], trees=[stump, [[-1], [-1], [-2], [-2.0], [-3.0]]])
    assert switching.model_score(ada, x_small) == pytest.approx(-1.4)
    assert switching.model_score(ada, x_large) == pytest.approx(0.6)
    leaf = lambda p: [[-1], [-1], [-2], [-2.0], [p]]                                        # noqa: E731
    forest = dict(kind="forest", trees=[leaf(1.0), leaf(0.0), leaf(1.0)])
    assert switching.model_score(forest, x_small) == pytest.approx(2 / 3 - 0.5)
    with pytest.raises(ValueError, match="unknown model kind 'svm'.*classifiers.py"):
        switching.model_score(dict(kind="svm"), x_small)


def test_shipped_model_is_complete():
    model = switching.load_model()
    assert model["features"] == list(switching.FEATURES)
    assert model["grid"]["n_source"] == [50, 500] and model["grid"]["delay_range"] == [1, 16]
    for left, right, feature, threshold, value in model["trees"]:
        n = len(left)
        assert len(right) == len(feature) == len(threshold) == len(value) == n
        inner = np.array(left) >= 0
        assert np.all(np.array(feature)[inner] < len(switching.FEATURES))
        assert np.all((np.array(left)[inner] < n) & (np.array(right)[inner] < n))


@pytest.mark.parametrize("seed, n_source, n_target, density, delay_range", [
    (11, 500, 500, 1.0, 1), (12, 400, 300, 0.9, 1), (13, 500, 450, 0.8, 16), (14, 350, 400, 0.6, 12),
    (15, 450, 250, 1.0, 2), (16, 300, 500, 0.5, 10), (17, 150, 50, 0.1, 1), (18, 250, 200, 0.3, 6)])
def test_shipped_model_picks_the_paradigm_with_fewer_pes(seed, n_source, n_target, density, delay_range):
    src, tgt, w, d = grid_like(seed, n_source, n_target, density, delay_range)
    s, p = switching.exact_pes(src, tgt, w, d, n_source, n_target, delay_range)
    choice = switching.choose_paradigm(n_source, n_target, density, delay_range)
    assert choice.source == "classifier"
    if s != p:
        assert choice.paradigm == ("parallel" if p < s else "serial")


def test_outside_the_grid_falls_back_to_the_cost_models():
    choice = switching.choose_paradigm(2048, 20, 0.0316, 1)
    assert choice.source == "cost model (n_source, n_target, density outside the training grid)"
    assert choice.paradigm in ("serial", "parallel")
    assert switching.choose_paradigm(200, 200, 0.5, 40).paradigm == "serial"      # long delays: many map rows
    assert switching.choose_paradigm(600, 600, 1.0, 1).paradigm == "parallel"     # dense, one delay
    assert "weight_bits" in switching.choose_paradigm(100, 100, 0.5, 2, weight_bits=16).source
    assert "n_types" in switching.choose_paradigm(100, 100, 0.5, 2, n_types=2).source
