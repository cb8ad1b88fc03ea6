"""The network may change between runs without a reset, as in pyNN.nest: the next run maps the
changed network and carries the running one over (state, random streams, input under way,
recordings), so a change that does not touch a population leaves its activity exactly as it was."""
import numpy as np
import pytest

import pynn_spinnaker2 as sim
from pynn_spinnaker2.simulator import state


def recurrent(paradigm, delay, change):
    """Poisson-driven recurrent population run 10 ms, then (with ``change``) a new population fed by
    it, then 15 ms more: the old population's spikes and membrane trace."""
    sim.setup(timestep=0.1, seed=3, paradigm=paradigm)
    source = sim.Population(40, sim.SpikeSourcePoisson(rate=200.0), label="source")
    exc = sim.Population(60, sim.IF_curr_exp(tau_m=10.0, i_offset=0.3), label="exc")
    sim.Projection(source, exc, sim.FixedProbabilityConnector(0.3, rng=sim.NumpyRNG(1)),
                   sim.StaticSynapse(weight=0.4, delay=3.0))
    sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.2, rng=sim.NumpyRNG(2)),
                   sim.StaticSynapse(weight=-0.2, delay=delay), receptor_type="inhibitory")
    exc.record(["spikes", "v"])
    sim.run(10.0)
    if change:
        late = sim.Population(20, sim.IF_curr_exp(), label="late")
        sim.Projection(exc, late, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=2.0))
        late.record("v")
    sim.run(15.0)
    segment = exc.get_data().segments[0]
    late_v = late.get_data().segments[0].filter(name="v")[0] if change else None
    sim.end()
    return [np.asarray(s) for s in segment.spiketrains], np.asarray(segment.filter(name="v")[0]), late_v


@pytest.mark.parametrize("paradigm, delay", [("serial", 4.0), ("serial", 12.0), ("parallel", 5.0)],
                         ids=["serial", "delay-PEs", "parallel"])
def test_adding_to_a_running_network_leaves_the_rest_exactly_as_it_was(paradigm, delay):
    """Spikes under way at the change (recurrent delays beyond the change, through synaptic rows,
    delay PEs or the MAC array's stacked input) must still arrive; Poisson streams must go on."""
    spikes, v, _ = recurrent(paradigm, delay, change=False)
    changed_spikes, changed_v, late_v = recurrent(paradigm, delay, change=True)
    assert sum(map(len, spikes)) > 100
    assert all(np.array_equal(a, b) for a, b in zip(spikes, changed_spikes))
    np.testing.assert_array_equal(v, changed_v)
    assert late_v.times[0] == pytest.approx(10.0) and late_v.shape[0] == 151   # recorded from the change on


def psp_trace(weight_after):
    """One neuron, spikes at 5 and 15 ms through a 3 ms delay; weight 0.5 nA, changed at 6 ms (the
    first spike under way) to ``weight_after``."""
    sim.setup(timestep=0.1, seed=1)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 15.0]), label="source")
    cell = sim.Population(1, sim.IF_curr_exp(), label="cell")
    projection = sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=3.0))
    cell.record("v")
    sim.run(6.0)
    if weight_after is not None:
        projection.set(weight=weight_after)
    sim.run(24.0)
    v = np.asarray(cell.get_data().segments[0].filter(name="v")[0])[:, 0]
    sim.end()
    return v


def two_sources_trace():
    """The same neuron with the two spikes from two sources, weights 0.5 and 1.0 from the start."""
    sim.setup(timestep=0.1, seed=1)
    first = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]), label="first")
    second = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0]), label="second")
    cell = sim.Population(1, sim.IF_curr_exp(), label="cell")
    sim.Projection(first, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=3.0))
    sim.Projection(second, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0, delay=3.0))
    cell.record("v")
    sim.run(30.0)
    v = np.asarray(cell.get_data().segments[0].filter(name="v")[0])[:, 0]
    sim.end()
    return v


def test_a_spike_under_way_keeps_its_weight_and_later_ones_take_the_new_one():
    unchanged = psp_trace(None)
    with pytest.warns(UserWarning, match="requantised"):      # the weight step doubled with the weight
        changed = psp_trace(1.0)
    # until the second spike acts: the first, under way, requantised to the new weight step
    np.testing.assert_allclose(changed[:181], unchanged[:181], atol=1e-4)
    assert changed[:181].max() - unchanged[:181].min() > 1.0
    assert changed[181:].max() - unchanged[181:].max() > 0.1                  # it acts with the new weight
    np.testing.assert_allclose(changed, two_sources_trace(), atol=1e-4)


def test_state_set_while_changed_is_carried_over():
    """initialize() between the change and the next run goes to the running machine's state."""
    sim.setup(timestep=0.1, seed=1)
    cell = sim.Population(2, sim.IF_curr_exp(), label="cell")
    sim.run(1.0)
    sim.Population(1, sim.IF_curr_exp(), label="late")
    cell.initialize(v=-55.0)
    sim.run(0.1)
    assert state.emulator.get_state(0, "v")[0] == pytest.approx(-55.0 + (-65.0 + 55.0) * (1 - np.exp(-0.1 / 20)),
                                                                abs=1e-4)
    sim.end()
