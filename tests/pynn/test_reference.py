"""The same PyNN scripts on pyNN.nest and on this backend. Each runs in its own process: two PyNN
backends in one process share PyNN's class-level counters and NEST's kernel state.

NEST runs with ``spike_precision="on_grid"`` for single neurons: the machine is time-driven, so
spikes fall on the grid and NEST's grid-based models are the like-for-like reference."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.reference,
              pytest.mark.skipif(importlib.util.find_spec("nest") is None, reason="NEST is not installed")]

REPO = Path(__file__).resolve().parents[2]
DT = 0.1
MODULES = {"nest": "pyNN.nest", "spinnaker2": "pynn_spinnaker2"}
SETUP = {"nest": ', spike_precision="on_grid"', "spinnaker2": ""}


def run_script(code):
    """Run ``code`` in a fresh interpreter; it prints one JSON line last."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def on_both(template, **fields):
    return {backend: run_script(template.format(module=MODULES[backend], setup=SETUP[backend], **fields))
            for backend in MODULES}


def assert_spikes_within_one_step(result):
    for nest_train, ours in zip(result["nest"], result["spinnaker2"]):
        assert len(ours) == len(nest_train), (nest_train, ours)
        np.testing.assert_allclose(ours, nest_train, atol=DT + 1e-9, rtol=0)


CONSTANT_CURRENT = """
import json
import {module} as sim
sim.setup(timestep=0.1{setup})
pop = sim.Population(3, sim.{cell}(i_offset=[0.8, 1.0, 2.0]))
pop.record("spikes")
sim.run(300.0)
print(json.dumps([st.magnitude.tolist() for st in pop.get_data().segments[0].spiketrains]))
"""


@pytest.mark.parametrize("cell", ["IF_curr_exp", "IF_curr_alpha", "IF_cond_exp"])
def test_constant_current_neuron_matches_nest(cell):
    result = on_both(CONSTANT_CURRENT, cell=cell)
    assert all(len(train) > 3 for train in result["nest"])
    assert_spikes_within_one_step(result)


# min_delay is given: with min_delay='auto', pyNN.nest shifts SpikeSourceArray times for a 0.1 ms
# device-to-parrot delay but then connects the parrots with the network's minimum delay (1 ms).
SPIKE_INPUT = """
import json
import numpy as np
import {module} as sim
sim.setup(timestep=0.1, min_delay=1.0{setup})
exc = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 12.0, 30.0, 30.5, 31.0, 60.0, 61.0, 62.0]))
inh = sim.Population(1, sim.SpikeSourceArray(spike_times=[29.0, 59.0]))
pop = sim.Population(2, sim.IF_curr_exp(tau_syn_E=2.0, tau_syn_I=3.0))
sim.Projection(exc, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=[[6.0, 4.0]], delay=1.0),
               receptor_type="excitatory")
sim.Projection(inh, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=-3.0, delay=1.5),
               receptor_type="inhibitory")
pop.record(["spikes", "v"])
sim.run(100.0)
segment = pop.get_data().segments[0]
print(json.dumps({{"spikes": [st.magnitude.tolist() for st in segment.spiketrains],
                  "v": np.asarray(segment.analogsignals[0].magnitude).tolist()}}))
"""


def test_spike_source_array_input_matches_nest():
    result = on_both(SPIKE_INPUT)
    assert_spikes_within_one_step({k: r["spikes"] for k, r in result.items()})
    assert sum(len(t) for t in result["nest"]["spikes"]) >= 2
    v_nest, v_ours = np.array(result["nest"]["v"]), np.array(result["spinnaker2"]["v"])
    assert v_nest.shape == v_ours.shape
    np.testing.assert_allclose(v_ours, v_nest, atol=1e-3)       # float32 state, exact propagators


BRUNEL = """
import json
from examples.brunel import simulate
r = simulate("{backend}", scale=250, duration=1000.0, timestep=0.1, seed=12345)
print(json.dumps({{k: r[k] for k in ("rate_E", "rate_I", "cv_E")}}))
"""


def test_brunel_matches_nest():
    """Scale 250 (NE=1000, NI=250), dt 0.1 ms, 1 s: the same connectivity and initial state (same
    PyNN RNG draws); only the Poisson realisation differs. Between noise realisations the rate
    varies by 0.9 Hz (NEST) and 0.8 Hz (here) about 96 Hz, the CV by 0.006 and 0.003 about 0.09, so
    the difference of one run on each varies by 1.2 Hz and 0.0064 (``brunel_variability.py``, six
    noise seeds each). The tolerances are four of those standard deviations: 5% of the rate, 0.025
    of CV."""
    nest = run_script(BRUNEL.format(backend="nest"))
    ours = run_script(BRUNEL.format(backend="spinnaker2"))
    assert nest["rate_E"] > 10.0
    assert abs(ours["rate_E"] - nest["rate_E"]) < 0.05 * nest["rate_E"], (ours, nest)
    assert abs(ours["cv_E"] - nest["cv_E"]) < 0.025, (ours, nest)
