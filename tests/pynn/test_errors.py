"""What users get wrong, and what they cannot do on this machine: each must fail with a message
that names the object and says what to do."""
import warnings

import numpy as np
import pytest
from pyNN import errors
from pyNN.standardmodels.synapses import TsodyksMarkramSynapse

import pynn_spinnaker2 as sim
from pynn_spinnaker2.simulator import state


def test_unknown_parameter_and_state_variable():
    with pytest.raises(errors.NonExistentParameterError, match="tau_foo"):
        sim.IF_curr_exp(tau_foo=3.0)
    pop = sim.Population(2, sim.IF_curr_exp(), label="p")
    with pytest.raises(ValueError, match="no state variable 'u'"):
        pop.initialize(u=1.0)


@pytest.mark.parametrize("delay", [0.0, 0.05, -1.0])
def test_delay_below_one_step(delay):
    pop = sim.Population(2, sim.IF_curr_exp(), label="p")
    with pytest.raises(ValueError, match=r"projection 'short'.*minimum delay is one time step \(0.1 ms\)"):
        sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=delay),
                       label="short")


def test_off_grid_delay_rounds_and_warns_once():
    pop = sim.Population(3, sim.IF_curr_exp(), label="p")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prj = sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=0.26),
                             label="offgrid")
    assert sum("offgrid" in str(w.message) for w in caught) == 1
    np.testing.assert_allclose(prj.get("delay", format="list", with_address=False), 0.3)


def test_synapse_types_the_machine_does_not_run_are_refused():
    with pytest.raises(errors.InvalidParameterValueError, match="STDPMechanism needs a timing_dependence"):
        sim.STDPMechanism(timing_dependence=None, weight_dependence=None)
    with pytest.raises(NotImplementedError, match="StochasticTsodyksMarkramSynapse"):
        sim.StochasticTsodyksMarkramSynapse(U=0.5)
    pop = sim.Population(2, sim.IF_curr_exp(), label="p")
    with pytest.raises(NotImplementedError, match="TsodyksMarkramSynapse is not supported.*from this backend"):
        sim.Projection(pop, pop, sim.AllToAllConnector(), TsodyksMarkramSynapse(weight=0.1, delay=1.0))


def test_unsupported_cells_and_current_sources():
    with pytest.raises(NotImplementedError, match="Izhikevich.*IF_curr_exp"):
        sim.Izhikevich()
    with pytest.raises(NotImplementedError, match="i_offset"):
        sim.DCSource(amplitude=0.5)
    assert sim.list_standard_models() == ["IF_curr_exp", "IF_curr_alpha", "IF_cond_exp",
                                          "SpikeSourcePoisson", "SpikeSourceArray"]


def test_wrong_weight_sign_for_receptor():
    pop = sim.Population(2, sim.IF_curr_exp(), label="p")
    with pytest.raises(errors.ConnectionError):
        sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1),
                       receptor_type="inhibitory")
    sim.Projection(pop, pop, sim.AllToAllConnector(safe=False), sim.StaticSynapse(weight=0.1),
                   receptor_type="inhibitory", label="unsafe")
    with pytest.raises(errors.ConnectionError, match="'unsafe'.*<= 0"):
        state.translate()


def test_setup_options():
    with pytest.raises(ValueError, match="unknown option.*n_chip;.*n_chips"):
        sim.setup(n_chip=4)
    with pytest.warns(UserWarning, match="ignoring spike_precision, threads"):
        sim.setup(threads=4, spike_precision="off_grid")      # NEST scripts run unchanged
    with pytest.raises(ValueError, match="paradigm must be one of"):
        sim.setup(paradigm="fast")
    sim.setup(timestep=0.2, min_delay="auto", n_chips=48, rng_seed=7)
    assert (sim.get_time_step(), sim.get_min_delay(), state.n_chips, state.seed) == (0.2, 0.2, 48, 7)
    assert sim.get_max_delay() == pytest.approx(63 * 0.2)
    pop = sim.Population(2, sim.IF_curr_exp())
    sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(delay=1.0))
    assert sim.get_min_delay() == pytest.approx(1.0)      # 'auto': the network's shortest delay, as NEST


def test_mapping_before_run():
    with pytest.raises(RuntimeError, match="after the first sim.run"):
        sim.mapping()


def test_network_is_frozen_during_a_simulation():
    pop = sim.Population(2, sim.IF_curr_exp(), label="p")
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]), label="s")
    prj = sim.Projection(src, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    sim.run(1.0)
    with pytest.raises(RuntimeError, match="creating population 'late'.*sim.reset"):
        sim.Population(1, sim.IF_curr_exp(), label="late")
    with pytest.raises(RuntimeError, match="creating a projection"):
        sim.Projection(pop, pop, sim.OneToOneConnector())
    with pytest.raises(RuntimeError, match="changing synapses"):
        prj.set(weight=0.2)
    sim.reset()                                   # after a reset the network may change again
    sim.Population(1, sim.IF_curr_exp(), label="late")
    prj.set(weight=0.2)
    sim.run(1.0)
    assert len(state.network.populations) == 3
    np.testing.assert_allclose(state.network.projections[0].weight, 0.2)


def test_spike_times_unsorted_or_off_grid():
    with pytest.raises(errors.InvalidParameterValueError, match="increasing order"):
        sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0, 1.0]))
    with pytest.warns(UserWarning, match="rounded to the nearest step"):
        sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 2.05]))
