"""PyNN objects -> core.Network arrays: cell types, connectors, views and assemblies, weight
signs and receptors, delays in steps. No emulator involved (``state.translate()`` only)."""
import numpy as np
import pytest

import pynn_spinnaker2 as sim
from pynn_spinnaker2.simulator import state


def translate():
    return state.translate()


def core_projection(net, label):
    (proj,) = [p for p in net.projections if p.label == label]
    return proj


@pytest.mark.parametrize("cell_type, extra", [
    (sim.IF_curr_exp, {}), (sim.IF_curr_alpha, {}), (sim.IF_cond_exp, {"e_rev_I": -75.0})])
def test_neuron_parameters_and_initial_values(cell_type, extra):
    tau_m = np.linspace(10, 30, 6)
    rng = sim.NumpyRNG(seed=3)
    pop = sim.Population(6, cell_type(tau_m=tau_m, cm=0.5, **extra), label="p")
    pop.initialize(v=sim.RandomDistribution("uniform", (-70, -60), rng=rng))
    pop[1:3].initialize(v=-55.0)
    (core_pop,) = translate().populations
    assert core_pop.model == cell_type.__name__ and core_pop.size == 6
    np.testing.assert_array_equal(core_pop.parameters["tau_m"], tau_m)
    np.testing.assert_array_equal(core_pop.parameters["cm"], 0.5)
    for name, value in extra.items():
        np.testing.assert_array_equal(core_pop.parameters[name], value)
    v = core_pop.initial_state["v"]
    assert np.all(v[1:3] == -55.0) and np.all((v[[0, 3, 4, 5]] >= -70) & (v[[0, 3, 4, 5]] < -60))
    np.testing.assert_array_equal(v, pop.initial_values["v"].evaluate())   # drawn once, not per read
    assert pop[1].get_initial_value("v") == -55.0
    pop[4].set_initial_value("v", -52.0)
    assert translate().populations[0].initial_state["v"][4] == -52.0


def test_sources():
    sim.Population(3, sim.SpikeSourcePoisson(rate=[1.0, 2.0, 3.0], start=5.0, duration=50.0), label="poisson")
    sim.Population(2, sim.SpikeSourceArray(spike_times=[sim.Sequence([1.0, 2.5]), sim.Sequence([4.0])]),
                   label="array")
    poisson, array = translate().populations
    assert poisson.model == "SpikeSourcePoisson"
    np.testing.assert_array_equal(poisson.parameters["rate"], [1, 2, 3])
    np.testing.assert_array_equal(poisson.parameters["start"], 5.0)
    np.testing.assert_array_equal(poisson.parameters["duration"], 50.0)
    assert array.model == "SpikeSourceArray"
    assert [t.tolist() for t in array.spike_times] == [[1.0, 2.5], [4.0]]


def test_set_parameters_on_view_reaches_root():
    pop = sim.Population(5, sim.IF_curr_exp(), label="p")
    pop[[0, 4]].set(i_offset=0.3)
    np.testing.assert_array_equal(translate().populations[0].parameters["i_offset"], [0.3, 0, 0, 0, 0.3])
    np.testing.assert_array_equal(pop.get("i_offset"), [0.3, 0, 0, 0, 0.3])


def test_recording_translates_to_intervals():
    pop = sim.Population(4, sim.IF_curr_exp(), label="p")
    pop.record("spikes")
    pop[0:2].record(["v", "isyn_exc"], sampling_interval=0.5)
    assert translate().populations[0].record == {"spikes": 1, "v": 5, "isyn_exc": 5}


def test_all_to_all_without_autapses():
    pop = sim.Population(5, sim.IF_curr_exp(), label="p")
    sim.Projection(pop, pop, sim.AllToAllConnector(allow_self_connections=False),
                   sim.StaticSynapse(weight=0.2, delay=1.0), label="a2a")
    proj = core_projection(translate(), "a2a")
    assert proj.size == 20 and not np.any(proj.pre_index == proj.post_index)
    assert {(i, j) for i, j in zip(proj.pre_index, proj.post_index)} == \
        {(i, j) for i in range(5) for j in range(5) if i != j}
    assert np.all(proj.weight == 0.2) and np.all(proj.delay == 10) and proj.receptor == 0


def test_one_to_one_inhibitory_current_weights_become_magnitudes():
    a = sim.Population(4, sim.IF_curr_exp(), label="a")
    b = sim.Population(4, sim.IF_curr_alpha(), label="b")
    prj = sim.Projection(a, b, sim.OneToOneConnector(), sim.StaticSynapse(weight=-0.5, delay=0.3),
                         receptor_type="inhibitory", label="o2o")
    proj = core_projection(translate(), "o2o")
    np.testing.assert_array_equal(proj.pre_index, np.arange(4))
    np.testing.assert_array_equal(proj.post_index, np.arange(4))
    assert proj.receptor == 1 and np.all(proj.weight == 0.5) and np.all(proj.delay == 3)
    assert np.all(prj.get("weight", format="array").diagonal() == -0.5)   # PyNN's sign convention


def test_conductance_inhibitory_weights_stay_positive():
    a = sim.Population(3, sim.IF_cond_exp(), label="a")
    sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.1),
                   receptor_type="inhibitory", label="g")
    proj = core_projection(translate(), "g")
    assert proj.receptor == 1 and np.all(proj.weight == 0.01) and np.all(proj.delay == 1)


def test_fixed_number_pre_and_post():
    a = sim.Population(50, sim.IF_curr_exp(), label="a")
    b = sim.Population(40, sim.IF_curr_exp(), label="b")
    rng = sim.NumpyRNG(seed=1)
    sim.Projection(a, b, sim.FixedNumberPreConnector(7, rng=rng), label="pre")
    sim.Projection(a, b, sim.FixedNumberPostConnector(3, rng=rng), label="post")
    net = translate()
    pre, post = core_projection(net, "pre"), core_projection(net, "post")
    assert np.all(np.bincount(pre.post_index, minlength=40) == 7)
    assert all(np.unique(pre.pre_index[pre.post_index == j]).size == 7 for j in range(40))   # no replacement
    assert np.all(np.bincount(post.pre_index, minlength=50) == 3)


def test_fixed_probability_and_total_number():
    a = sim.Population(200, sim.SpikeSourcePoisson(), label="a")
    b = sim.Population(100, sim.IF_curr_exp(), label="b")
    rng = sim.NumpyRNG(seed=2)
    prob = sim.Projection(a, b, sim.FixedProbabilityConnector(0.1, rng=rng), label="prob")
    sim.Projection(a, b, sim.FixedTotalNumberConnector(321, rng=rng), label="total")
    net = translate()
    p = core_projection(net, "prob")
    assert 1700 < p.size < 2300 and p.size == prob.size()
    assert core_projection(net, "total").size == 321


def test_from_list_and_array_connectors():
    a = sim.Population(3, sim.IF_curr_exp(), label="a")
    b = sim.Population(4, sim.IF_curr_exp(), label="b")
    conns = [(0, 1, 0.1, 0.2), (2, 3, 0.3, 1.5), (1, 0, 0.2, 0.1)]
    listed = sim.Projection(a, b, sim.FromListConnector(conns), label="list")
    mask = np.array([[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=bool)
    sim.Projection(a, b, sim.ArrayConnector(mask), sim.StaticSynapse(weight=0.05), label="array")
    net = translate()
    proj = core_projection(net, "list")
    got = sorted(zip(*(a.tolist() for a in (proj.pre_index, proj.post_index, proj.weight, proj.delay))))
    assert got == [(0, 1, 0.1, 2), (1, 0, 0.2, 1), (2, 3, 0.3, 15)]
    np.testing.assert_allclose(sorted(listed.get(["weight", "delay"], format="list")), sorted(conns))
    arr = core_projection(net, "array")
    assert {(i, j) for i, j in zip(arr.pre_index, arr.post_index)} == set(zip(*np.nonzero(mask)))
    assert np.all(arr.delay == 1)                                          # default: min_delay = dt


def test_views_and_assemblies_split_per_root_population():
    a = sim.Population(6, sim.IF_curr_exp(), label="a")
    b = sim.Population(3, sim.IF_curr_exp(), label="b")
    c = sim.Population(2, sim.IF_curr_alpha(), label="c")
    prj = sim.Projection(a[1::2], b + c[1:], sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1),
                         receptor_type="excitatory", label="mixed")
    net = translate()
    assert prj.size() == 3 * 4
    to_b, to_c = core_projection(net, "mixed (a->b)"), core_projection(net, "mixed (a->c)")
    assert (to_b.pre, to_b.post, to_c.pre, to_c.post) == (0, 1, 0, 2)
    assert set(to_b.pre_index.tolist()) == {1, 3, 5} and set(to_b.post_index.tolist()) == {0, 1, 2}
    assert set(to_c.pre_index.tolist()) == {1, 3, 5} and set(to_c.post_index.tolist()) == {1}


def test_get_array_formats_and_multiple_synapses():
    a = sim.Population(2, sim.IF_curr_exp(), label="a")
    prj = sim.Projection(a, a, sim.FromListConnector([(0, 1, 0.1, 1.0), (0, 1, 0.3, 2.0), (1, 0, 0.2, 1.0)]))
    assert len(prj) == 3
    np.testing.assert_allclose(prj.get("weight", format="array"), [[np.nan, 0.4], [0.2, np.nan]])
    np.testing.assert_allclose(prj.get("weight", format="array", multiple_synapses="max"),
                               [[np.nan, 0.3], [0.2, np.nan]])
    in_order = [c.delay for c in prj.connections if (c.presynaptic_index, c.postsynaptic_index) == (0, 1)]
    assert sorted(in_order) == [1.0, 2.0]
    assert prj.get("delay", format="array", multiple_synapses="first")[0, 1] == in_order[0]
    assert prj.get("delay", format="array", multiple_synapses="last")[0, 1] == in_order[-1]
    assert sorted(c.weight for c in prj.connections) == [0.1, 0.2, 0.3]
    prj[2].weight, prj[2].delay = 0.9, 0.5
    assert prj[2].weight == 0.9 and state.translate().projections[0].delay[2] == 5


def test_projection_set_and_save(tmp_path):
    a = sim.Population(3, sim.IF_curr_exp(), label="a")
    prj = sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0), label="p")
    prj.set(weight=0.7, delay=2.0)
    prj.set(weight=sim.RandomDistribution("uniform", (0.1, 0.2), rng=sim.NumpyRNG(seed=5)))
    w = prj.get("weight", format="list", with_address=False)
    assert len(w) == 9 and all(0.1 <= x < 0.2 for x in w)
    np.testing.assert_allclose(prj.get("delay", format="list", with_address=False), 2.0)
    prj.save("all", str(tmp_path / "p.txt"))
    saved = np.loadtxt(tmp_path / "p.txt")
    assert saved.shape == (9, 4)
    np.testing.assert_allclose(np.sort(saved[:, 2]), np.sort(w))


def test_projection_between_whole_populations_hands_its_arrays_over():
    """At 10^8 synapses a copy is gigabytes: the application graph takes the projection's own
    index, delay and (non-negative) weight arrays."""
    a, b = sim.Population(30, sim.IF_curr_exp()), sim.Population(20, sim.IF_curr_exp())
    rng = sim.NumpyRNG(3)
    exc = sim.Projection(a, b, sim.FixedProbabilityConnector(0.3, rng=sim.NumpyRNG(1)),
                         sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.1, 0.5), rng=rng),
                                           delay=sim.RandomDistribution("uniform", (1.0, 3.0), rng=rng)))
    inh = sim.Projection(a, b, sim.FixedProbabilityConnector(0.3, rng=sim.NumpyRNG(2)),
                         sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (-0.5, -0.1), rng=rng)),
                         receptor_type="inhibitory")
    sim.run(0.1)
    core_exc, core_inh = exc._to_core()[0], inh._to_core()[0]
    pre, post, weight, steps = exc._synapses()
    assert np.unique(weight).size > 1 and np.unique(steps).size > 1
    for kept, given in ((core_exc.pre_index, pre), (core_exc.post_index, post), (core_exc.weight, weight),
                        (core_exc.delay, steps)):
        assert np.shares_memory(kept, given)
    np.testing.assert_array_equal(core_inh.weight, -inh._synapses()[2])   # magnitudes, the receptor the sign
