"""What users get wrong, and what they cannot do on this machine: each must fail with a message
that names the object and says what to do."""
import warnings

import numpy as np
import pytest
from pyNN import errors
from pyNN.standardmodels.synapses import TsodyksMarkramSynapse

import pynn_spinnaker2 as sim
from core.mapping.delays import LONGEST_DELAY
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


def test_delays_round_half_up_per_synapse_and_non_finite_ones_are_refused():
    """Rounded as NEST does, floor(d / dt + 0.5), each synapse its own; a shared delay stays one value."""
    pop = sim.Population(6, sim.IF_curr_exp(), label="p")
    delays = np.array([0.1, 0.15, 0.2499, 0.25, 0.35, 1.0])
    conn = [(i, (i + 1) % 6, 0.1, d) for i, d in enumerate(delays)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prj = sim.Projection(pop, pop, sim.FromListConnector(conn, column_names=["weight", "delay"]))
    got = {(i, j): d for i, j, d in prj.get("delay", format="list")}
    want = np.floor(delays / 0.1 + 0.5) * 0.1
    np.testing.assert_allclose([got[c[:2]] for c in conn], want)
    shared = sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=0.3))
    assert shared._steps.strides == (0,) and shared._steps[0] == 3
    with pytest.raises(ValueError, match=r"projection 'nan'.*delays must be finite"):
        sim.Projection(pop, pop, sim.FromListConnector([(0, 1, 0.1, 0.2), (1, 2, 0.1, np.nan)],
                                                       column_names=["weight", "delay"]), label="nan")


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


def test_unsupported_cells():
    with pytest.raises(NotImplementedError, match="IF_facets_hardware1.*IF_curr_exp"):
        sim.IF_facets_hardware1()
    assert set(sim.list_standard_models()) >= {
        "IF_curr_exp", "IF_curr_alpha", "IF_curr_delta", "IF_cond_exp", "IF_cond_alpha", "IF_cond_exp_gsfa_grr",
        "HH_cond_exp", "EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista", "Izhikevich", "GIF_cond_exp",
        "SpikeSourcePoisson", "SpikeSourcePoissonRefractory", "SpikeSourceGamma", "SpikeSourceInhGamma",
        "SpikeSourceArray"}


def test_wrong_weight_sign_is_refused_at_creation_naming_the_projection():
    """PyNN's rule (pyNN.standardmodels.check_weights), applied to every connector, FromList
    included, and even with safe=False: the machine cannot hold a weight of the wrong sign."""
    curr = sim.Population(2, sim.IF_curr_exp(), label="curr")
    cond = sim.Population(2, sim.IF_cond_exp(), label="cond")
    with pytest.raises(errors.ConnectionError, match="'inh'.*inhibitory receptor.*'curr'.*<= 0.*got 0.1"):
        sim.Projection(curr, curr, sim.AllToAllConnector(safe=False), sim.StaticSynapse(weight=0.1),
                       receptor_type="inhibitory", label="inh")
    with pytest.raises(errors.ConnectionError, match="'listed'.*<= 0"):
        sim.Projection(curr, curr, sim.FromListConnector([(0, 1, -0.2, 1.0), (1, 0, 0.3, 1.0)]),
                       receptor_type="inhibitory", label="listed")
    with pytest.raises(errors.ConnectionError, match="'exc'.*excitatory weights onto 'curr' must be >= 0"):
        sim.Projection(curr, curr, sim.OneToOneConnector(), sim.StaticSynapse(weight=-0.1),
                       receptor_type="excitatory", label="exc")
    with pytest.raises(errors.ConnectionError, match="'g'.*conductances .uS. onto 'cond' must be >= 0"):
        sim.Projection(curr, cond, sim.OneToOneConnector(), sim.StaticSynapse(weight=-0.01),
                       receptor_type="inhibitory", label="g")
    assert state.projections == []                          # nothing half-made was kept
    prj = sim.Projection(curr, curr, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.1),
                         receptor_type="inhibitory", label="ok")
    with pytest.raises(errors.ConnectionError, match="'ok'.*<= 0"):
        prj.set(weight=0.5)
    with pytest.raises(errors.ConnectionError, match="'ok'.*<= 0"):
        prj[1].weight = 0.5
    np.testing.assert_array_equal(prj.get("weight", format="list", with_address=False), -0.1)


@pytest.mark.parametrize("dt, delay, steps", [(0.1, 6.3, 63), (1.0, 63.0, 63), (0.1, 6.4, 64),
                                             (0.1, 207.9, LONGEST_DELAY)])
def test_longest_delay_the_machine_holds_is_accepted(dt, delay, steps):
    """A row holds 63 steps; delay PEs' stages take longer delays, up to LONGEST_DELAY steps."""
    sim.setup(timestep=dt)
    pop = sim.Population(2, sim.IF_curr_exp(), label="p")
    sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=delay))
    assert state.translate().projections[0].delay.max() == steps


def test_delay_beyond_the_machine_is_refused_at_creation_and_set():
    pop = sim.Population(2, sim.IF_curr_exp(), label="p")
    with pytest.raises(errors.ConnectionError,
                       match=r"'long'.*208 ms \(2080 time steps\) exceeds the 2079 time steps.*timestep of at least 0.1"):
        sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=208.0),
                       label="long")
    prj = sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0),
                         label="short")
    with pytest.raises(errors.ConnectionError, match="'short'.*exceeds the 2079 time steps"):
        prj.set(delay=sim.RandomDistribution("uniform", (1.0, 300.0), rng=sim.NumpyRNG(1)))
    np.testing.assert_allclose(prj.get("delay", format="list", with_address=False), 1.0)


def test_min_and_max_delay_from_setup_are_honoured():
    """As pyNN.nest does (it refuses delays outside [min_delay, max_delay] set in setup)."""
    sim.setup(timestep=0.1, min_delay=0.5, max_delay=2.0)
    assert (sim.get_min_delay(), sim.get_max_delay()) == (0.5, 2.0)
    pop = sim.Population(2, sim.IF_curr_exp(), label="p")
    prj = sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1), label="default")
    np.testing.assert_allclose(prj.get("delay", format="list", with_address=False), 0.5)   # min_delay
    with pytest.raises(errors.ConnectionError, match="'a'.*0.3 ms is shorter than min_delay=0.5"):
        sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.3), label="a")
    with pytest.raises(errors.ConnectionError, match="'b'.*2.5 ms is longer than max_delay=2"):
        sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(delay=2.5), label="b")
    sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(delay=2.0), label="edge")


def test_max_delay_beyond_the_machine_warns_at_setup():
    with pytest.warns(UserWarning, match="max_delay=300 ms is longer than the 2079 time steps.*207.9 ms") as caught:
        sim.setup(timestep=0.1, max_delay=300.0)
    assert caught[0].filename == __file__                   # the user's line, not the library's
    assert sim.get_max_delay() == pytest.approx(207.9)


def test_setup_options():
    with pytest.raises(ValueError, match="unknown option 'n_chip'; did you mean 'n_chips'"):
        sim.setup(n_chip=4)
    with pytest.warns(UserWarning, match="ignoring spike_precision") as caught:
        sim.setup(threads=4, spike_precision="off_grid")      # NEST scripts run unchanged
    assert caught[0].filename == __file__
    assert sim.simulator.state.threads <= 4               # honoured, up to the host's cores
    with pytest.raises(ValueError, match="threads must be a positive integer"):
        sim.setup(threads=0)
    with pytest.raises(ValueError, match="weight_bits must be one of"):
        sim.setup(weight_bits=12)
    with pytest.warns(UserWarning, match="ignoring debug, label, quit_on_end, time_scale_factor, useFancy"):
        sim.setup(quit_on_end=False, debug=True, label="VA", time_scale_factor=2, useFancy=1)
    with pytest.raises(ValueError, match="paradigm must be one of"):
        sim.setup(paradigm="fast")
    with pytest.raises(ValueError, match="setup\\(\\): a machine is 1 to 48 chips or whole 48-chip boards, not 50"):
        sim.setup(n_chips=50)                               # the core's message, at setup()
    with pytest.raises(ValueError, match="give the machine size once"):
        sim.setup(n_chips=1, n_boards_required=1)
    with pytest.raises(ValueError, match="seed must be an integer"):
        sim.setup(seed=1.5)
    sim.setup(n_boards_required=2)
    assert state.n_chips == 96
    sim.setup(timestep=None, min_delay=None, max_delay=None)             # sPyNNaker's defaults
    assert (sim.get_time_step(), sim.get_max_delay()) == (0.1, pytest.approx(LONGEST_DELAY * 0.1))
    sim.setup(n_chips_required=3)
    assert state.n_chips == 3
    sim.setup(timestep=0.2, min_delay="auto", n_chips=48, rng_seed=7)
    assert (sim.get_time_step(), sim.get_min_delay(), state.n_chips, state.seed) == (0.2, 0.2, 48, 7)
    assert sim.get_max_delay() == pytest.approx(LONGEST_DELAY * 0.2)     # delay extensions' reach
    pop = sim.Population(2, sim.IF_curr_exp())
    sim.Projection(pop, pop, sim.AllToAllConnector(), sim.StaticSynapse(delay=1.0))
    assert sim.get_min_delay() == pytest.approx(1.0)      # 'auto': the network's shortest delay, as NEST


def test_mapping_before_run():
    with pytest.raises(RuntimeError, match="after the first sim.run"):
        sim.mapping()


def test_spike_times_unsorted_or_off_grid():
    with pytest.raises(errors.InvalidParameterValueError, match="increasing order"):
        sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0, 1.0]))
    with pytest.warns(UserWarning, match="rounded up to the next step, as NEST's on_grid") as caught:
        sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 2.05]))
    assert caught[0].filename == __file__
    with pytest.raises(errors.InvalidParameterValueError, match="'neg'.*>= 0 ms, got -1"):
        sim.Population(1, sim.SpikeSourceArray(spike_times=[-1.0, 2.0]), label="neg")
