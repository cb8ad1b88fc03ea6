"""Current sources on the neuron PEs, without NEST: the value a source has at time t acts on the
step (t, t + dt] (pyNN.nest's timing), read off a membrane that integrates its input exactly
(tau_m = 1e9 ms: V moves by I dt / C per step); several sources add; noise is drawn per target
from the neurons' streams; recording shows what acted; changes act from the next step."""
import numpy as np
import pytest

from core import Emulator, Network, Population, compile_network
from core.network import CurrentSource

DT = 0.1
INTEGRATOR = dict(tau_m=1e9, v_thresh=1e9, cm=1.0)


def machine(sources, n=3, model="IF_curr_exp", seed=0, extra=None):
    net = Network(DT)
    pop = net.add_population(Population("n", model, n, parameters=dict(INTEGRATOR, **(extra or {})),
                                        record={"v": 1}))
    for label, kind, parameters, targets, record in sources:
        net.add_current_source(CurrentSource(label, kind, parameters, [(pop, np.asarray(targets))], record))
    return Emulator(compile_network(net), seed=seed), pop


def effective(emu, pop):
    """Per step and neuron: the current that acted (nA), from the membrane's increments."""
    _, v = emu.signals(pop, "v")
    return np.diff(v.astype(float), axis=0) / DT


def test_each_kind_acts_on_the_steps_its_schedule_gives():
    emu, pop = machine([
        ("dc", "dc", dict(amplitude=1.0, start=1.0, stop=1.3), [0], True),
        ("ac", "ac", dict(amplitude=1.0, offset=0.5, frequency=100.0, phase=30.0, start=1.0, stop=1.5), [1], True),
        ("step", "step", dict(times=[0.0, 0.2, 0.5, 1.3], amplitudes=[1.0, 2.0, 3.0, 0.0]), [2], True)])
    emu.run(25)
    i = effective(emu, pop)
    t = np.arange(25) * DT
    dc = np.where((t >= 1.0 - 1e-9) & (t < 1.3 - 1e-9), 1.0, 0.0)
    ac = np.where((t >= 1.0 - 1e-9) & (t < 1.5 - 1e-9), 0.5 + np.sin(2 * np.pi * 100.0 * (t - 1.0) / 1000 + np.pi / 6), 0)
    step = np.select([t < 0.2 - 1e-9, t < 0.5 - 1e-9, t < 1.3 - 1e-9], [1.0, 2.0, 3.0], 0.0)
    for n, expected in enumerate((dc, ac, step)):
        np.testing.assert_allclose(i[:, n], expected, atol=5e-4)     # float32 V: increments to ~1e-4
    for k, expected in enumerate((dc, ac, step)):                   # recorded: the value acting from t
        times, recorded = emu.current_signal(k)
        np.testing.assert_allclose(times, np.arange(26) * DT)
        np.testing.assert_allclose(recorded[:25], expected, atol=1e-6)


def test_sources_add_and_start_stop_round_to_the_nearest_step():
    emu, pop = machine([("a", "dc", dict(amplitude=0.5, start=0.26, stop=0.84), [0, 1], False),
                        ("b", "dc", dict(amplitude=0.25, start=0.5, stop=2.0), [1], False)])
    emu.run(20)
    i = effective(emu, pop)
    t = np.arange(20)
    a = np.where((t >= 3) & (t < 8), 0.5, 0.0)           # 0.26 -> step 3, 0.84 -> step 8
    b = np.where((t >= 5) & (t < 20), 0.25, 0.0)
    np.testing.assert_allclose(i[:, 0], a, atol=5e-4)
    np.testing.assert_allclose(i[:, 1], a + b, atol=5e-4)
    np.testing.assert_allclose(i[:, 2], 0.0, atol=1e-9)


def test_noise_is_held_for_its_interval_independent_per_target_and_recorded_as_the_mean():
    n = 400
    emu, pop = machine([("noise", "noise", dict(mean=1.0, stdev=0.5, dt=0.5, start=1.0, stop=21.0), list(range(n)),
                         True)], n=n, seed=3)
    emu.run(220)
    i = effective(emu, pop)
    assert np.abs(i[:10]).max() < 1e-9 and np.abs(i[210:]).max() < 1e-9
    blocks = i[10:210].reshape(40, 5, n)
    np.testing.assert_allclose(blocks, blocks[:, :1, :].repeat(5, axis=1), atol=2e-3)  # held for 5 steps
    draws = blocks[:, 0, :]
    assert abs(draws.mean() - 1.0) < 4 * 0.5 / np.sqrt(draws.size)
    assert abs(draws.std() - 0.5) < 0.02
    correlation = np.corrcoef(draws[:, 0], draws[:, 1])[0, 1]
    assert abs(correlation) < 0.5                         # 40 draws each: independent targets
    _, recorded = emu.current_signal(0)
    np.testing.assert_allclose(recorded[10:210], i[10:210].mean(axis=1), atol=1e-3)


def test_noise_differs_between_trials_and_repeats_with_the_seed():
    def trial(seed, resets=0):
        emu, pop = machine([("noise", "noise", dict(mean=0.0, stdev=1.0, dt=0.1), [0], False)], n=1, seed=seed)
        for _ in range(resets):
            emu.run(50)
            emu.reset()
        emu.run(50)
        return effective(emu, pop)[:, 0]
    np.testing.assert_array_equal(trial(1), trial(1))
    assert not np.allclose(trial(1), trial(1, resets=1))


def test_changes_between_runs_act_from_the_next_step():
    emu, pop = machine([("dc", "dc", dict(amplitude=1.0, start=0.5, stop=5.0), [0], True)])
    network = emu.program.network
    emu.run(20)
    network.current_sources[0].parameters["amplitude"] = 2.0
    emu.update_current_sources()
    network.add_current_source(CurrentSource("late", "step", dict(times=[2.5, 3.0], amplitudes=[0.5, 0.0]),
                                             [(pop, np.array([0, 1]))], False))
    emu.update_current_sources()
    emu.run(20)
    network.current_sources[0].parameters.update(start=3.6, amplitude=3.0)
    emu.update_current_sources()
    emu.run(20)
    i = effective(emu, pop)
    t = np.arange(60)
    expected = np.select([t < 5, t < 20, t < 25, t < 30, t < 40, t < 50], [0, 1, 2, 2.5, 2, 3], 0)
    np.testing.assert_allclose(i[:, 0], expected, atol=5e-4)
    np.testing.assert_allclose(i[:, 1], np.where((t >= 25) & (t < 30), 0.5, 0.0), atol=5e-4)
    _, recorded = emu.current_signal(0)
    np.testing.assert_allclose(recorded[:60], np.select([t < 5, t < 20, t < 40, t < 50], [0, 1, 2, 3], 0))


def test_injection_drives_conductance_and_nonlinear_models():
    """i_inject reaches every model family's drive (here: the RKF45 models and Izhikevich)."""
    for model, extra in (("IF_cond_exp", {}), ("EIF_cond_exp_isfa_ista", dict(a=0.0, b=0.0, delta_T=0.0,
                                                                              v_spike=2e9, tau_refrac=0.0))):
        emu, pop = machine([("dc", "dc", dict(amplitude=0.5, start=1.0, stop=2.0), [0], False)], n=1,
                           model=model, extra=extra)
        emu.run(30)
        i = effective(emu, pop)[:, 0]
        np.testing.assert_allclose(i, np.where((np.arange(30) >= 10) & (np.arange(30) < 20), 0.5, 0.0), atol=5e-4)


def test_memory_is_costed_and_bad_sources_are_refused():
    emu, pop = machine([("s", "step", dict(times=[1.0, 2.0, 3.0], amplitudes=[1.0, 2.0, 0.0]), [0, 1, 2], False)])
    items = emu.program.report.populations[0].sram_items
    assert items["current sources"] == 4 * 4 + 12 * 3 + 4 * (7 + 2 * 3)
    with pytest.raises(ValueError, match="'bad'.*whole multiple of the time step"):
        machine([("bad", "noise", dict(mean=0.0, stdev=1.0, dt=0.25), [0], False)])
    with pytest.raises(ValueError, match="'bad'.*increasing"):
        CurrentSource("bad", "step", dict(times=[2.0, 1.0], amplitudes=[1.0, 2.0]))
    with pytest.raises(ValueError, match="'bad'.*unknown parameter.*frequency"):
        CurrentSource("bad", "dc", dict(frequency=2.0))
    net = Network(DT)
    src = net.add_population(Population("src", "SpikeSourcePoisson", 2))
    with pytest.raises(ValueError, match="'bad'.*'src' is a spike source"):
        net.add_current_source(CurrentSource("bad", "dc", {}, [(src, np.array([0]))]))
