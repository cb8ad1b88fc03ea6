"""Delays given in ms through PyNN act at exactly spike time + delay, from the shortest delay (one
time step) to the longest a row holds (63 steps) and beyond, through delay PEs' stages, on both
receptor types."""
import numpy as np
import pytest

import pynn_spinnaker2 as sim

DELAYS = [0.1, 0.2, 1.0, 1.5, 3.7, 6.3, 6.4, 12.6, 12.7, 25.0]   # ms at dt 0.1: 1 to 250 steps


@pytest.mark.parametrize("receptor, variable, weight", [("excitatory", "isyn_exc", 1.5),
                                                        ("inhibitory", "isyn_inh", -1.5)])
def test_input_current_arrives_at_spike_time_plus_delay(receptor, variable, weight):
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]), label="s")
    cells = sim.Population(len(DELAYS), sim.IF_curr_exp(tau_syn_E=3.0, tau_syn_I=3.0), label="c")
    sim.Projection(source, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=weight, delay=np.array(DELAYS)[None, :]), receptor_type=receptor)
    cells.record(variable)
    sim.run(30.0)
    signal = cells.get_data().segments[0].analogsignals[0]
    current = np.abs(signal.magnitude)
    arrival = np.round((2.0 + np.array(DELAYS)) / 0.1).astype(int)        # sample index, 0.1 ms apart
    for n, k in enumerate(arrival):
        assert np.all(current[:k, n] == 0.0), f"delay {DELAYS[n]} ms: input before {k * 0.1:.1f} ms"
        assert current[k, n] == pytest.approx(1.5, rel=1e-6), f"delay {DELAYS[n]} ms: no input at {k * 0.1:.1f} ms"
