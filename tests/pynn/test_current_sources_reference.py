"""Current sources beside pyNN.nest: the same sources into the same neurons, the current that acts
on each step, the recorded current, and a conductance-based membrane driven by them, at dt 0.1 and
1 ms.

Timing is NEST's: a source's value at time t acts on the step (t, t + dt] and is what is recorded
at t. One difference by design: NEST's generators reach their neurons through a connection of
min_delay, so pyNN.nest delivers nothing in the first min_delay + dt and a change between runs
arrives min_delay + 2 dt late; the machine's sources sit on the PEs and act at once. The sources
here start after that window and do not change between runs."""
import importlib.util

import numpy as np
import pytest

from tests.pynn.test_reference import run_script

pytestmark = [pytest.mark.reference,
              pytest.mark.skipif(importlib.util.find_spec("nest") is None, reason="NEST is not installed")]

SCRIPT = """
import json, warnings
import numpy as np
warnings.simplefilter("ignore")
import {module} as sim
dt = {dt}
sim.setup(timestep=dt, min_delay=dt{setup})
integrators = sim.Population(4, sim.IF_curr_exp(tau_m=1e9, v_thresh=1e9, cm=1.0))
cond = sim.Population(1, sim.IF_cond_exp(tau_refrac=2.0, tau_m=5.0), initial_values={{"v": -55.0}})
noisy = sim.Population(200, sim.IF_curr_exp(tau_m=1e9, v_thresh=1e9, cm=1.0))
s = 10 * dt                                  # after NEST's start-up window
sources = [sim.DCSource(amplitude=0.7, start=s, stop=s + 40 * dt),
           sim.ACSource(amplitude=0.4, offset=0.1, frequency=40.0, phase=30.0, start=s, stop=s + 60 * dt),
           sim.StepCurrentSource(times=[s, s + 7 * dt, s + 30 * dt], amplitudes=[0.3, -0.2, 0.5])]
for k, source in enumerate(sources):
    source.inject_into(integrators[k:k + 1])
    source.record()
sources[0].inject_into(integrators[3:4])
sources[2].inject_into(integrators[3:4])
drive = sim.ACSource(amplitude=2.0, offset=3.0, frequency=25.0, start=s, stop=80 * dt)
drive.inject_into(cond)
noise = sim.NoisyCurrentSource(mean=0.4, stdev=0.3, dt=2 * dt, start=s, stop=s + 60 * dt)
noise.inject_into(noisy)
integrators.record("v")
cond.record(["v", "spikes"])
noisy.record("v")
sim.run(100 * dt)
v = np.asarray(integrators.get_data().segments[0].analogsignals[0])
noise_i = np.diff(np.asarray(noisy.get_data().segments[0].analogsignals[0]), axis=0) / dt
out = {{"current": (np.diff(v, axis=0) / dt).T.tolist(),
       "recorded": [np.asarray(source.get_data()).ravel().tolist() for source in sources],
       "v": np.asarray(cond.get_data().segments[0].analogsignals[0])[:, 0].tolist(),
       "spikes": cond.get_data().segments[0].spiketrains[0].magnitude.tolist(),
       "noise": [float(noise_i[10:70].mean()), float(noise_i[10:70:2].std())]}}
print(json.dumps(out))
"""


@pytest.fixture(scope="module", params=[0.1, 1.0], ids=["dt0.1", "dt1"])
def both(request):
    dt = request.param
    return dt, {backend: run_script(SCRIPT.format(module=module, dt=dt, setup=setup))
                for backend, module, setup in (("nest", "pyNN.nest", ', spike_precision="on_grid"'),
                                               ("spinnaker2", "pynn_spinnaker2", ""))}


def test_the_current_acting_on_each_step_matches_nest(both):
    """DC, AC and step sources, alone and two together: per step within float32 rounding of a
    membrane that integrates them (1e-3 nA)."""
    dt, result = both
    ours, nest = np.array(result["spinnaker2"]["current"]), np.array(result["nest"]["current"])
    assert np.abs(nest).max() > 0.5
    np.testing.assert_allclose(ours, nest, atol=1e-3 / dt * 0.1 + 5e-4)


def test_recorded_current_matches_nest(both):
    dt, result = both
    for ours, nest in zip(result["spinnaker2"]["recorded"], result["nest"]["recorded"]):
        assert len(ours) == len(nest) == 101
        np.testing.assert_allclose(ours, nest, atol=1e-6)


def test_a_conductance_neuron_driven_by_a_source_matches_nest(both):
    dt, result = both
    np.testing.assert_allclose(result["spinnaker2"]["spikes"], result["nest"]["spikes"], atol=1e-9)
    assert len(result["nest"]["spikes"]) >= 1
    error = np.abs(np.array(result["spinnaker2"]["v"]) - np.array(result["nest"]["v"]))
    assert error.max() < 1e-3, error.max()


def test_noise_has_nests_mean_and_spread(both):
    """Noise is random on both machines: 200 targets x 30 draws, mean and spread within 5 sigma."""
    _, result = both
    (mean, std), (nest_mean, nest_std) = result["spinnaker2"]["noise"], result["nest"]["noise"]
    n = 200 * 30
    assert abs(mean - 0.4) < 5 * 0.3 / np.sqrt(n) and abs(nest_mean - 0.4) < 5 * 0.3 / np.sqrt(n)
    assert abs(std - nest_std) < 5 * 0.3 / np.sqrt(2 * n)
