"""Renewal spike sources against their distributions, without NEST: rates, dead times, the
coefficient of variation a gamma process of shape alpha has (1/sqrt(alpha)), time bins of the
inhomogeneous gamma source, start and duration. Tolerances are 5 standard errors of the
estimate (the estimates' spread for these sample sizes), so a wrong rate unit, shape or dead
time fails and noise does not."""
import numpy as np
import pytest

from core import Emulator, Network, Population, compile_network

DT = 0.1


def spike_trains(model, parameters, n, steps, seed=1, sequences=None):
    net = Network(DT)
    pop = net.add_population(Population("s", model, n, parameters=parameters, sequences=sequences or {},
                                        record={"spikes": 1}))
    emu = Emulator(compile_network(net), seed=seed)
    emu.run(steps)
    ids, times = emu.spikes(pop)
    return [times[ids == i] for i in range(n)], emu


def intervals(trains):
    return np.concatenate([np.diff(t) for t in trains])


def test_poisson_with_dead_time():
    """Rate 50 Hz with a 5 ms dead time: no interval below 5 ms (less a step of rounding), mean
    interval 20 ms, the part beyond the dead time exponential (its CV 1)."""
    trains, _ = spike_trains("SpikeSourcePoissonRefractory", dict(rate=50.0, tau_refrac=5.0), 50, 100000)
    isi = intervals(trains)
    assert isi.min() >= 5.0 - DT - 1e-9
    assert abs(isi.mean() - 20.0) < 5 * 15.0 / np.sqrt(isi.size)
    free = isi - 5.0
    assert abs(free.std() / free.mean() - 1.0) < 0.05


@pytest.mark.parametrize("alpha", [1.0, 2.5, 4.0])
def test_gamma_intervals_have_shape_alpha(alpha):
    beta = 100.0                                   # Hz: mean interval alpha / beta
    trains, _ = spike_trains("SpikeSourceGamma", dict(alpha=alpha, beta=beta), 40, 100000)
    isi = intervals(trains)
    mean = 1000.0 * alpha / beta
    assert abs(isi.mean() - mean) < 5 * mean / np.sqrt(alpha * isi.size)
    assert abs(isi.std() / isi.mean() - 1 / np.sqrt(alpha)) < 0.05


def test_start_and_duration_bound_the_sources():
    for model, parameters in (("SpikeSourcePoissonRefractory", dict(rate=200.0, tau_refrac=1.0)),
                              ("SpikeSourceGamma", dict(alpha=2.0, beta=400.0))):
        trains, _ = spike_trains(model, dict(parameters, start=100.0, duration=50.0), 10, 3000)
        times = np.concatenate(trains)
        assert times.size > 50 and times.min() > 100.0 and times.max() <= 150.0 + 1e-9


def test_inhomogeneous_gamma_follows_its_bins():
    """Bins from 0, 1000 and 2000 ms: rate 1/(a b) and CV 1/sqrt(a) in each; silent before the
    first bin, which here starts at 200 ms; bins per neuron."""
    a, b, tbins = [2.0, 5.0, 1.0], [0.01, 0.001, 0.02], [200.0, 1000.0, 2000.0]
    sequences = {"a": [a] * 30 + [[1.0]], "b": [b] * 30 + [[0.005]], "tbins": [tbins] * 30 + [[0.0]]}
    trains, _ = spike_trains("SpikeSourceInhGamma", {}, 31, 30000, sequences=sequences)
    assert min(t.min() for t in trains[:30]) > 200.0
    for lo, hi, shape, scale in ((200.0, 1000.0, 2.0, 0.01), (1000.0, 2000.0, 5.0, 0.001), (2000.0, 3000.0, 1.0, 0.02)):
        rate = 1.0 / (shape * scale)
        count = sum(((t > lo) & (t <= hi)).sum() for t in trains[:30])
        expected = rate * (hi - lo) / 1000.0 * 30
        assert abs(count - expected) < 5 * np.sqrt(expected / shape) + 0.05 * expected, (lo, count, expected)
        isi = np.concatenate([np.diff(t[(t > lo + 100) & (t <= hi)]) for t in trains[:30]])
        assert abs(isi.std() / isi.mean() - 1 / np.sqrt(shape)) < 0.1, (lo, isi.std() / isi.mean())
    assert abs(trains[30].size - 600) < 5 * np.sqrt(600)         # the last neuron: its own single bin


def test_inhomogeneous_gamma_bins_change_between_runs():
    net = Network(DT)
    pop = net.add_population(Population("s", "SpikeSourceInhGamma", 20, record={"spikes": 1},
                                        sequences={"a": [[1.0]] * 20, "b": [[0.01]] * 20, "tbins": [[0.0]] * 20}))
    emu = Emulator(compile_network(net), seed=2)
    emu.run(10000)
    emu.set_sequences(pop, {"a": [[1.0]] * 20, "b": [[0.002]] * 20, "tbins": [[1000.0]] * 20})
    emu.run(10000)
    _, times = emu.spikes(pop)
    first, second = (times <= 1000).sum(), (times > 1000).sum()
    assert abs(first - 2000) < 5 * np.sqrt(2000) and abs(second - 10000) < 5 * np.sqrt(10000)


def test_sources_repeat_with_the_seed_and_differ_between_trials():
    def run(seed, resets=0):
        trains, emu = spike_trains("SpikeSourceGamma", dict(alpha=3.0, beta=300.0), 5, 10, seed=seed)
        for _ in range(resets):
            emu.reset()
        emu.run(2000)
        return emu.spikes(0)[1]
    np.testing.assert_array_equal(run(7), run(7))
    assert not np.array_equal(run(7), run(7, resets=1))


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="'s'.*rate 300.0 Hz cannot be reached with a dead time of 5.0 ms"):
        Population("s", "SpikeSourcePoissonRefractory", 1, parameters=dict(rate=300.0, tau_refrac=5.0))
    with pytest.raises(ValueError, match="'s', neuron 0: a, b and tbins must have the same length"):
        Population("s", "SpikeSourceInhGamma", 1, sequences={"a": [[1.0, 2.0]], "b": [[1.0]], "tbins": [[0.0]]})
    with pytest.raises(ValueError, match="'s', neuron 0: tbins must be increasing"):
        Population("s", "SpikeSourceInhGamma", 1, sequences={"a": [[1.0, 2.0]], "b": [[1.0, 1.0]],
                                                               "tbins": [[5.0, 1.0]]})


def test_tabled_poisson_counts_are_the_cumulative_probabilities_below_the_deviate():
    """``rng.below``'s binary search equals counting the table's entries below u, including
    deviates equal to an entry and tables with repeated entries (a small mean's saturate at 1)."""
    from numba import njit

    from core.models.rng import TABLE, below, poisson_table

    count = njit(lambda u, table: below(u, table, 0, 1))
    rng = np.random.default_rng(3)
    for lam in (0.01, 0.9, 2.0, 6.0, 29.0):
        p0 = np.float32(np.exp(-lam))
        table = np.array([[0.0] + [float(q[0]) for q in poisson_table(np.array([lam]), np.array([p0]))]], np.float32)
        for u in np.concatenate([rng.random(500), table[0, 1:].astype(np.float64), [0.0, 1.0]]):
            assert count(u, table) == int(np.sum(u > table[0, 1:1 + TABLE].astype(np.float64))), (lam, u)
