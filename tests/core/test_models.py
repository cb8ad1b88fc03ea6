"""Propagators against the matrix exponential, and a neuron's spike times against theory."""
import math

import numpy as np
import pytest
from scipy.linalg import expm

from core import Emulator, Network, Population, compile_network
from core.models.spec import propagator_di_to_v, propagator_i_to_v


@pytest.mark.parametrize("tau_syn, tau_m", [(0.5, 20.0), (5.0, 10.0), (10.0, 10.0), (10.0, 10.0 + 1e-9)])
def test_propagators_match_matrix_exponential(tau_syn, tau_m):
    h, cm = 0.1, 0.25
    # state (dI, I, V): dI' = -dI/ts, I' = dI - I/ts, V' = I/C - V/tm
    a = np.array([[-1 / tau_syn, 0, 0], [1, -1 / tau_syn, 0], [0, 1 / cm, -1 / tau_m]])
    p = expm(a * h)
    assert propagator_i_to_v(tau_syn, tau_m, cm, h) == pytest.approx(p[2, 1], rel=1e-6)
    assert propagator_di_to_v(tau_syn, tau_m, cm, h) == pytest.approx(p[2, 0], rel=1e-6)


@pytest.mark.parametrize("dt", [0.1, 1.0])
@pytest.mark.parametrize("model", ["IF_curr_exp", "IF_curr_alpha", "IF_cond_exp"])
def test_constant_current_gives_analytic_period(model, dt):
    """V(t) = v_rest + R I (1 - exp(-t/tau_m)) from v_reset: the interspike interval is known."""
    tau_m, cm, i, tref = 20.0, 1.0, 1.0, 2.0
    net = Network(dt)
    pop = net.add_population(Population("n", model, 1, parameters=dict(
        tau_m=tau_m, cm=cm, i_offset=i, tau_refrac=tref, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0),
        record={"spikes": 1}))
    emu = Emulator(compile_network(net), seed=0)
    emu.run(int(200 / dt))
    _, times = emu.spikes(pop)
    r = tau_m / cm
    t_cross = -tau_m * np.log(1 - 15.0 / (r * i))
    expected = np.ceil(t_cross / dt - 1e-9) * dt + tref
    assert np.diff(times) == pytest.approx(expected, abs=dt + 1e-9)
    assert times[0] == pytest.approx(np.ceil(t_cross / dt - 1e-9) * dt, abs=dt + 1e-9)


def test_poisson_rate_and_multiplicity():
    net = Network(0.1)
    src = net.add_population(Population("p", "SpikeSourcePoisson", 3, parameters={
        "rate": [10.0, 1000.0, 25000.0]}, record={"spikes": 1}))
    emu = Emulator(compile_network(net), seed=3)
    emu.run(20000)
    ids, _ = emu.spikes(src)
    expected = np.array([10.0, 1000.0, 25000.0]) * 2.0
    assert (np.abs(np.bincount(ids, minlength=3) - expected) < 4 * np.sqrt(expected)).all()   # 4 sigma


@pytest.mark.parametrize("lam", [0.3, 1.8, 6.5, 40.0])
def test_poisson_counts_per_step_follow_the_poisson_distribution(lam):
    """Counts per step, drawn from the kept cumulative table (small counts), by inversion beyond
    it, or by PTRS (mean 40): each count's frequency within 5 sigma of the Poisson pmf."""
    net = Network(0.1)
    src = net.add_population(Population("p", "SpikeSourcePoisson", 200, parameters={"rate": lam * 1e4},
                                        record={"spikes": 1}))
    emu = Emulator(compile_network(net), seed=5)
    steps = 500
    emu.run(steps)
    ids, times = emu.spikes(src)
    per_step = np.bincount(ids * steps + np.round(times / 0.1).astype(np.int64), minlength=200 * steps)
    freq = np.bincount(per_step)
    k = np.arange(freq.size)
    pmf = np.exp(-lam + k * np.log(lam) - np.array([math.lgamma(x + 1.0) for x in k]))
    n = per_step.size
    assert np.all(np.abs(freq - n * pmf) <= 5 * np.sqrt(n * pmf * (1 - pmf)) + 1), (freq, n * pmf)
    assert pmf[freq.size:].sum() * n < 5      # no count missing from the top of the range


def test_spike_source_array_times_and_start_error():
    net = Network(0.1)
    src = net.add_population(Population("a", "SpikeSourceArray", 2, spike_times=[[0.3, 1.0, 1.0], [2.56]],
                                        record={"spikes": 1}))
    emu = Emulator(compile_network(net), seed=0)
    emu.run(50)
    ids, times = emu.spikes(src)
    assert sorted(zip(ids.tolist(), np.round(times, 6).tolist())) == [(0, 0.3), (0, 1.0), (0, 1.0), (1, 2.6)]
    bad = Network(0.1)
    bad.add_population(Population("early", "SpikeSourceArray", 1, spike_times=[[0.0]]))
    with pytest.raises(ValueError, match="'early'.*before the first time step"):
        compile_network(bad)
