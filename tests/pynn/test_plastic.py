"""Plastic synapse types through the PyNN API: weights read from and written to the machine's
rows between runs, reset, per-synapse rule parameters, and the errors for what is not run."""
import numpy as np
import pytest

from pyNN import errors

import pynn_spinnaker2 as sim


def stdp(**kwargs):
    return sim.STDPMechanism(sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.02, A_minus=0.021),
                             sim.AdditiveWeightDependence(w_min=0.0, w_max=0.5), **kwargs)


def learning_network(receptor="excitatory", weight=0.25, i_offset=0.9):
    pre = sim.Population(30, sim.SpikeSourcePoisson(rate=30.0))
    post = sim.Population(4, sim.IF_curr_exp(i_offset=i_offset))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp(weight=weight, delay=1.0),
                         receptor_type=receptor)
    return prj


def core_index(prj):
    return [k for k, p in enumerate(sim.simulator.state.network.projections) if p.label == prj.label][0]


def test_weights_after_learning_are_the_rows():
    prj = learning_network()
    before = prj.get("weight", format="array")
    sim.run(500.0)
    after = prj.get("weight", format="array")
    assert not np.allclose(after, before)
    rows = sim.simulator.state.emulator.weights(core_index(prj))       # the core projection's order
    listed = np.array(prj.get("weight", format="list"))
    np.testing.assert_array_equal(listed[:, 2], rows)
    np.testing.assert_array_equal(listed[:, 2], after[listed[:, 0].astype(int), listed[:, 1].astype(int)])


def test_set_between_runs_writes_the_rows_and_reset_restores_the_initial_weights():
    prj = learning_network()
    sim.run(200.0)
    prj.set(weight=0.4)
    np.testing.assert_allclose(prj.get("weight", format="array"), 0.4, rtol=1e-7)
    sim.run(300.0)
    learnt = prj.get("weight", format="array")
    assert not np.allclose(learnt, 0.4)
    with pytest.raises(ValueError, match="outside"):
        prj.set(weight=0.8)
    sim.reset()                                  # PyNN's reset: weights back to their initial values
    np.testing.assert_allclose(prj.get("weight", format="array"), 0.25, rtol=1e-7)
    sim.run(100.0)
    assert sim.get_current_time() == pytest.approx(100.0)


def test_a_network_change_mid_run_keeps_the_learnt_weights():
    """PyNN lets the network change between runs; the next run maps it again and the plastic
    rows go on with the learnt weights (not the initial ones), saying what starts afresh."""
    prj = learning_network()
    sim.run(300.0)
    learnt = prj.get("weight", format="array")
    assert np.abs(learnt - 0.25).max() > 0.05
    extra = sim.Population(2, sim.IF_curr_exp())
    sim.Projection(prj.post, extra, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    with pytest.warns(UserWarning, match="learnt weights"):
        sim.run(0.1)
    assert sim.get_current_time() == pytest.approx(300.1)
    np.testing.assert_allclose(prj.get("weight", format="array"), learnt, atol=0.011)


def test_inhibitory_current_synapses_keep_their_sign():
    prj = learning_network(receptor="inhibitory", weight=-0.02, i_offset=1.5)
    sim.run(300.0)
    w = prj.get("weight", format="array")
    assert np.all(w <= 0) and not np.allclose(w, -0.02)
    with pytest.raises(errors.ConnectionError, match="sign"):
        prj.set(weight=0.1)


def test_rule_parameters_per_synapse_are_read_set_and_split():
    """U per synapse: read back as given, settable before a run, and mapped as one parameter
    set per distinct value; each synapse depresses with its own U."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 20.0]))
    post = sim.Population(3, sim.IF_curr_exp(tau_syn_E=3.0, v_thresh=100.0))
    prj = sim.Projection(src, post, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=1.0, delay=1.0, U=np.array([[0.1, 0.5, 0.5]]),
                                                   tau_rec=200.0))
    assert prj.get("U", format="list", with_address=False) == [0.1, 0.5, 0.5]
    assert prj[0].U == pytest.approx(0.1) and prj[0].weight == pytest.approx(1.0)
    prj.set(U=np.array([[0.2, 0.6, 0.9]]))
    np.testing.assert_array_equal(prj.get("U", format="array"), [[0.2, 0.6, 0.9]])
    post.record("isyn_exc")
    sim.run(40.0)
    assert len(sim.simulator.state.network.projections) == 3
    i = np.asarray(post.get_data().segments[0].filter(name="isyn_exc")[0].magnitude, dtype=float)
    jumps = i[1:] - np.exp(-0.1 / 3.0) * i[:-1]
    first, second = jumps[int(10.0 / 0.1) + 9], jumps[int(20.0 / 0.1) + 9]
    U = np.array([0.2, 0.6, 0.9])
    np.testing.assert_allclose(first, U, rtol=1e-3)
    pyy, pzz = np.exp(-10.0 / 3.0), np.exp(-10.0 / 200.0)   # NEST's tsodyks_synapse between the spikes
    x = (1 - U) + U * ((pzz - 1) * 200.0 - (pyy - 1) * 3.0) / (3.0 - 200.0)
    np.testing.assert_allclose(second / first, x, rtol=1e-3)
    assert second[2] / first[2] < second[0] / first[0]


def test_what_the_machine_does_not_run_is_a_clear_error():
    a = sim.Population(2, sim.IF_curr_exp())
    for name in ("StochasticTsodyksMarkramSynapse", "MultiQuantalSynapse"):
        with pytest.raises(NotImplementedError, match=name):
            getattr(sim, name)(weight=0.1)
    with pytest.raises(errors.NoModelAvailableError):
        sim.STDPMechanism(sim.Vogels2011Rule(), sim.MultiplicativeWeightDependence())
    with pytest.raises(NotImplementedError, match="dendritic_delay_fraction"):
        sim.Projection(a, a, sim.AllToAllConnector(), stdp(weight=0.1, delay=1.0, dendritic_delay_fraction=0.0))
        sim.run(1.0)


def test_one_postsynaptic_trace_per_population():
    pre = sim.Population(2, sim.SpikeSourcePoisson(rate=10.0))
    post = sim.Population(2, sim.IF_curr_exp())
    sim.Projection(pre, post, sim.AllToAllConnector(), stdp(weight=0.1, delay=1.0), label="a")
    other = sim.STDPMechanism(sim.SpikePairRule(tau_minus=30.0), sim.AdditiveWeightDependence(w_max=0.5),
                              weight=0.1, delay=1.0)
    sim.Projection(pre, post, sim.AllToAllConnector(), other, label="b")
    with pytest.raises(ValueError, match="'a' and 'b'.*20 and 30 ms"):
        sim.run(1.0)
