"""PyNN's PointNeuron beside pyNN.nest: AdExp with three alpha-conductance receptors (NEST's
``aeif_cond_alpha_multisynapse``) and LIF with three exponential current receptors, one of them
inhibitory (``iaf_psc_exp_multisynapse``), each receptor driven by its own spikes, at dt 0.1 and
1 ms: every receptor's state within float32 rounding, the membrane within 1e-3 mV, except where
AdExp's dynamics are unstable (V above v_thresh, where the exponential term grows faster than the
leak restores: rounding grows there, 1e-2 mV)."""
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
sim.setup(timestep={dt}, min_delay=1.0{setup})
adexp = sim.Population(1, sim.PointNeuron(sim.AdExp(tau_m=10.0, v_rest=-60.0, i_offset=0.3),
                                          AMPA=sim.AlphaPSR(tau_syn=1.0, e_syn=0.0),
                                          NMDA=sim.AlphaPSR(tau_syn=20.0, e_syn=0.0),
                                          GABAA=sim.AlphaPSR(tau_syn=1.5, e_syn=-70.0)),
                       initial_values={{"v": -60.0}})
lif = sim.Population(1, sim.PointNeuron(sim.LIF(tau_m=10.0, v_rest=-60.0, i_offset=1.4),
                                        AMPA=sim.CurrExpPostSynapticResponse(tau_syn=1.0),
                                        NMDA=sim.CurrExpPostSynapticResponse(tau_syn=20.0),
                                        GABAA=sim.CurrExpPostSynapticResponse(tau_syn=1.5)),
                     initial_values={{"v": -60.0}})
inputs = sim.Population(3, sim.SpikeSourceArray(spike_times=[[20.0, 30.0, 31.0, 120.0], [60.0, 61.0, 140.0],
                                                               [90.0, 95.0, 150.0]]))
for k, (receptor, w_adexp, w_lif) in enumerate((("AMPA", 0.01, 2.0), ("GABAA", 0.1, -2.0), ("NMDA", 0.005, 0.3))):
    sim.Projection(inputs[k:k + 1], adexp, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_adexp, delay=1.5),
                   receptor_type=receptor)
    sim.Projection(inputs[k:k + 1], lif, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_lif, delay=1.5),
                   receptor_type=receptor)
adexp.record(["v", "spikes", "AMPA.gsyn", "NMDA.gsyn", "GABAA.gsyn"])
lif.record(["v", "spikes", "AMPA.isyn", "NMDA.isyn", "GABAA.isyn"])
sim.run(200.0)
out = {{}}
for name, pop in (("adexp", adexp), ("lif", lif)):
    segment = pop.get_data().segments[0]
    out[name] = {{signal.name: np.asarray(signal.magnitude)[:, 0].tolist() for signal in segment.analogsignals}}
    out[name]["spikes"] = segment.spiketrains[0].magnitude.tolist()
print(json.dumps(out))
"""


@pytest.fixture(scope="module", params=[0.1, 1.0], ids=["dt0.1", "dt1"])
def both(request):
    return {backend: run_script(SCRIPT.format(module=module, dt=request.param, setup=setup))
            for backend, module, setup in (("nest", "pyNN.nest", ', spike_precision="on_grid"'),
                                           ("spinnaker2", "pynn_spinnaker2", ""))}


@pytest.mark.parametrize("neuron", ["adexp", "lif"])
def test_point_neurons_match_nest(both, neuron):
    nest, ours = both["nest"][neuron], both["spinnaker2"][neuron]
    assert len(nest["spikes"]) >= 1
    np.testing.assert_allclose(ours["spikes"], nest["spikes"], atol=1e-9)
    assert set(nest) == set(ours)
    for name in nest:
        if name == "spikes":
            continue
        a, b = np.array(nest[name]), np.array(ours[name])
        error = np.abs(a - b)
        if name == "v":
            unstable = a > -50.4 if neuron == "adexp" else np.zeros(a.size, bool)
            assert error[~unstable].max() < 1e-3, (neuron, error[~unstable].max())
            assert error.max() < 1e-2, (neuron, error.max())
        else:
            assert error.max() < 1e-6 * max(1.0, np.abs(a).max()), (neuron, name, error.max())
