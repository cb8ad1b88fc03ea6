"""PyNN's current sources through the front end: injection into populations, views, assemblies
and lists of cells, recording as a neo signal, parameters changed between runs, reset, and the
errors PyNN defines."""
import numpy as np
import pytest
import quantities as pq

import pynn_spinnaker2 as sim


def integrators(n=3, label="n"):
    """Neurons whose membrane integrates the injected current (V moves by I dt / C)."""
    pop = sim.Population(n, sim.IF_curr_exp(tau_m=1e9, v_thresh=1e9, cm=1.0), label=label)
    pop.record("v")
    return pop


def currents(pop):
    v = pop.get_data().segments[-1].analogsignals[0]
    return np.diff(np.asarray(v), axis=0) / 0.1


def test_injection_into_views_assemblies_and_cells_and_the_recorded_signal():
    a, b = integrators(4, "a"), integrators(2, "b")
    dc = sim.DCSource(amplitude=0.5, start=1.0, stop=2.0)
    dc.inject_into(a[1:3])
    step = sim.StepCurrentSource(times=[0.5, 1.5], amplitudes=[0.2, -0.2])
    step.inject_into(a + b)
    ac = sim.ACSource(amplitude=0.3, offset=0.1, frequency=50.0, phase=90.0, start=0.0, stop=3.0)
    ac.inject_into([a[0], b[1]])
    dc.record()
    sim.run(3.0)
    i_a, i_b = currents(a), currents(b)
    t = np.arange(30) * 0.1 + 1e-9
    dc_i = np.where((t >= 1.0) & (t < 2.0), 0.5, 0.0)
    step_i = np.select([t < 0.5, t < 1.5], [0.0, 0.2], -0.2)
    ac_i = 0.1 + 0.3 * np.cos(2 * np.pi * 50.0 * t / 1000.0)
    np.testing.assert_allclose(i_a[:, 0], step_i + ac_i, atol=5e-4)
    np.testing.assert_allclose(i_a[:, 1], step_i + dc_i, atol=5e-4)
    np.testing.assert_allclose(i_a[:, 3], step_i, atol=5e-4)
    np.testing.assert_allclose(i_b[:, 1], step_i + ac_i, atol=5e-4)
    signal = dc.get_data()
    assert signal.units == pq.nA and signal.sampling_period == 0.1 * pq.ms and signal.t_start == 0 * pq.ms
    np.testing.assert_allclose(np.asarray(signal).ravel()[:30], dc_i)


def test_parameters_change_between_runs_and_survive_reset():
    pop = integrators(1)
    dc = sim.DCSource(amplitude=1.0, start=0.0, stop=100.0)
    dc.inject_into(pop)
    sim.run(1.0)
    dc.amplitude = 2.0
    assert dc.amplitude == 2.0 and dc.get_parameters()["amplitude"] == 2.0
    sim.run(1.0)
    dc.set_parameters(amplitude=3.0, stop=2.5)
    sim.run(1.0)
    i = currents(pop)[:, 0]
    np.testing.assert_allclose(i, np.select([np.arange(30) < 10, np.arange(30) < 20, np.arange(30) < 25],
                                            [1.0, 2.0, 3.0], 0.0), atol=5e-4)
    sim.reset()
    sim.run(3.0)
    np.testing.assert_allclose(currents(pop)[:, 0], np.where(np.arange(30) < 25, 3.0, 0.0), atol=5e-4)


def test_noise_source_and_a_source_made_between_runs():
    pop = integrators(50)
    sim.run(1.0)
    noise = sim.NoisyCurrentSource(mean=0.5, stdev=0.2, dt=0.2, start=1.0, stop=5.0)
    noise.inject_into(pop)
    noise.record()
    sim.run(4.0)
    i = currents(pop)
    assert np.abs(i[:10]).max() < 1e-9
    draws = i[10:50:2]
    assert abs(draws.mean() - 0.5) < 0.02 and abs(draws.std() - 0.2) < 0.02
    signal = noise.get_data()                             # recorded from when record() was called
    assert signal.t_start == 1.0 * pq.ms and signal.shape[0] == 41
    np.testing.assert_allclose(np.asarray(signal).ravel()[:40], i[10:50].mean(axis=1), atol=1e-3)


def test_errors_pynn_defines():
    source = sim.Population(1, sim.SpikeSourcePoisson(rate=10.0), label="poisson")
    with pytest.raises(TypeError, match="spike source"):
        sim.DCSource(amplitude=1.0).inject_into(source)
    with pytest.raises(ValueError, match="2 times but 1 amplitudes"):
        sim.StepCurrentSource(times=[1.0, 2.0], amplitudes=[0.5])
    with pytest.raises(ValueError, match="increasing"):
        sim.StepCurrentSource(times=[2.0, 1.0], amplitudes=[0.5, 0.2])
    with pytest.raises(AttributeError, match="set values using the parameter name"):
        sim.DCSource().set(amplitude=1.0)
