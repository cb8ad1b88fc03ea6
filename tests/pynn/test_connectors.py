"""Every connector of pyNN.connectors, checked two ways without NEST:

* where a connector has a vectorised expansion, it must give exactly what PyNN's generic path
  gives with the same seeds (same synapses, same order, same random weights and delays), and
  the expansion must really have been used;
* every connector's connectivity against PyNN's documented semantics.

pyNN.nest runs PyNN's generic path for these connectors, so equality with the generic path is
equality with pyNN.nest; ``test_reference.py`` checks that directly when NEST is installed."""
import importlib.util

import numpy as np
import pytest
from pyNN.core import IndexBasedExpression

import pynn_spinnaker2 as sim
from pynn_spinnaker2 import connectors, projections
from pynn_spinnaker2.simulator import state


def synapses(prj):
    pre, post, weight, steps = prj._synapses()
    return pre, post, weight, steps


def build(make, pre_size, post_size, same=False, structure=None, seed=7):
    """``make(rng_a, rng_b) -> (connector, synapse)`` on fresh populations and seeds."""
    sim.setup(timestep=0.1)
    kwargs = {} if structure is None else {"structure": structure}
    pre = sim.Population(pre_size, sim.IF_curr_exp(), label="pre", **kwargs)
    post = pre if same else sim.Population(post_size, sim.IF_curr_exp(), label="post", **kwargs)
    connector, synapse = make(sim.NumpyRNG(seed=seed), sim.NumpyRNG(seed=seed + 1), sim.NumpyRNG(seed + 2))
    return sim.Projection(pre, post, connector, synapse, receptor_type="excitatory", label="prj")


def fast_and_generic(monkeypatch, make, pre_size, post_size, **kwargs):
    used = []

    def recording_expand(connector, projection):
        out = connectors.expand(connector, projection)
        used.append(out is not None)
        return out

    monkeypatch.setattr(projections, "expand", recording_expand)
    fast = synapses(build(make, pre_size, post_size, **kwargs))
    monkeypatch.setattr(projections, "expand", lambda connector, projection: None)
    generic = synapses(build(make, pre_size, post_size, **kwargs))
    return fast, generic, used[0]


def assert_same(fast, generic):
    for a, b in zip(fast, generic):
        np.testing.assert_array_equal(a, b)


def uniform(low, high, rng):
    return sim.RandomDistribution("uniform", (low, high), rng=rng)


class IndexWeight(IndexBasedExpression):
    def __call__(self, i, j):
        return 0.1 + 0.01 * i + 0.001 * j


CASES = {
    "all_to_all_no_self": (lambda a, b, c: (sim.AllToAllConnector(allow_self_connections=False),
                                            sim.StaticSynapse(weight=uniform(0.1, 0.2, b),
                                                              delay=uniform(0.1, 3.0, c))),
                           40, 40, {"same": True}),
    "one_to_one_array_weights": (lambda a, b, c: (sim.OneToOneConnector(),
                                                  sim.StaticSynapse(weight=np.diag(np.arange(1.0, 31.0)),
                                                                    delay=1.0)), 30, 30, {}),
    "fixed_probability": (lambda a, b, c: (sim.FixedProbabilityConnector(0.2, rng=a),
                                           sim.StaticSynapse(weight=sim.RandomDistribution(
                                               "normal", (1.0, 0.1), rng=b), delay=0.5)), 70, 50, {}),
    "fixed_probability_no_self": (lambda a, b, c: (sim.FixedProbabilityConnector(
        0.3, allow_self_connections=False, rng=a), sim.StaticSynapse(weight=0.1)), 60, 60, {"same": True}),
    "fixed_number_pre": (lambda a, b, c: (sim.FixedNumberPreConnector(9, with_replacement=True, rng=a),
                                          sim.StaticSynapse(weight=uniform(0.1, 0.5, b),
                                                            delay=uniform(0.2, 2.0, c))), 50, 80, {}),
    "fixed_number_pre_random_n": (lambda a, b, c: (sim.FixedNumberPreConnector(
        sim.RandomDistribution("binomial", (20, 0.3), rng=a), with_replacement=True, rng=a),
        sim.StaticSynapse(weight=uniform(0.1, 0.5, b))), 50, 60, {}),
    "fixed_total_number_clipped": (lambda a, b, c: (sim.FixedTotalNumberConnector(900, rng=a), sim.StaticSynapse(
        weight=sim.RandomDistribution("normal_clipped", mu=0.2, sigma=0.1, low=0.15, high=np.inf, rng=b),
        delay=sim.RandomDistribution("normal_clipped", mu=1.5, sigma=0.75, low=0.1, high=2.5, rng=c))),
                                   70, 50, {}),
    "fixed_total_number_one_source": (lambda a, b, c: (sim.FixedTotalNumberConnector(40, rng=a),
                                                       sim.StaticSynapse(weight=uniform(0.1, 0.5, b))), 1, 33, {}),
    "fixed_total_number_same_population": (lambda a, b, c: (sim.FixedTotalNumberConnector(300, rng=a),
                                                            sim.StaticSynapse(weight=0.2)), 25, 25, {"same": True}),
    "fixed_number_pre_clipped_often": (lambda a, b, c: (sim.FixedNumberPreConnector(7, with_replacement=True, rng=a),
                                                        sim.StaticSynapse(weight=sim.RandomDistribution(
                                                            "normal_clipped", mu=0.2, sigma=0.3, low=0.1, high=0.5,
                                                            rng=b), delay=sim.RandomDistribution(
                                                            "normal_clipped_to_boundary", mu=1.0, sigma=1.0,
                                                            low=0.1, high=2.0, rng=c))), 40, 60, {}),
    "fixed_number_post": (lambda a, b, c: (sim.FixedNumberPostConnector(6, with_replacement=True, rng=a),
                                           sim.StaticSynapse(weight=uniform(0.1, 0.5, b))), 60, 40, {}),
    "array": (lambda a, b, c: (sim.ArrayConnector(np.random.default_rng(3).random((20, 30)) < 0.3),
                               sim.StaticSynapse(weight=uniform(0.1, 0.5, b))), 20, 30, {}),
    "from_list": (lambda a, b, c: (sim.FromListConnector(
        [(3, 1, 0.1, 1.0), (0, 1, 0.2, 2.0), (2, 0, 0.3, 0.5), (3, 1, 0.4, 1.5), (1, 2, 0.5, 0.1)]),
        sim.StaticSynapse()), 4, 3, {}),
    "from_list_indices_only": (lambda a, b, c: (sim.FromListConnector([(0, 1), (2, 0), (1, 1)]),
                                                sim.StaticSynapse(weight=0.25, delay=0.7)), 3, 2, {}),
    "index_expression_weights": (lambda a, b, c: (sim.FixedProbabilityConnector(0.5, rng=a),
                                                  sim.StaticSynapse(weight=IndexWeight())), 9, 7, {}),
    "constant_function_weights": (lambda a, b, c: (sim.AllToAllConnector(),
                                                   sim.StaticSynapse(weight=lambda d: 1.0)), 4, 6, {}),
    "distance_weights": (lambda a, b, c: (sim.AllToAllConnector(),
                                          sim.StaticSynapse(weight=lambda d: 0.1 + 0.01 * d, delay=1.0)),
                         12, 10, {"structure": sim.space.Line(dx=2.0)}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_vectorised_expansion_equals_pynn_generic_path(monkeypatch, case):
    make, n_pre, n_post, kwargs = CASES[case]
    fast, generic, used = fast_and_generic(monkeypatch, make, n_pre, n_post, **kwargs)
    assert used, "the vectorised expansion was not used"
    assert fast[0].size > 0
    assert_same(fast, generic)


def test_fixed_probability_in_chunks_equals_one_pass(monkeypatch):
    make, n_pre, n_post, kwargs = CASES["fixed_probability"]
    monkeypatch.setattr(connectors, "MAX_DRAWS_PER_CHUNK", 3 * n_pre + 5)   # 3 columns a chunk
    fast, generic, used = fast_and_generic(monkeypatch, make, n_pre, n_post, **kwargs)
    assert used
    assert_same(fast, generic)


SHARED_RNG = {
    "fixed_probability": lambda a: sim.FixedProbabilityConnector(0.3, rng=a),
    "fixed_number_pre": lambda a: sim.FixedNumberPreConnector(4, with_replacement=True, rng=a),
    "fixed_number_post": lambda a: sim.FixedNumberPostConnector(3, with_replacement=True, rng=a),
    "fixed_total_number": lambda a: sim.FixedTotalNumberConnector(150, rng=a),
}


@pytest.mark.parametrize("case", sorted(SHARED_RNG))
def test_connector_and_weights_sharing_one_rng(monkeypatch, case):
    """PyNN's translation gives the weights a copy of the RNG, taken before the connector draws
    or, for connectors that draw every connection first, after: the expansion must do the same."""
    make = lambda a, b, c: (SHARED_RNG[case](a), sim.StaticSynapse(   # noqa: E731
        weight=sim.RandomDistribution("normal_clipped", mu=0.15, sigma=0.05, low=0.1, high=np.inf, rng=a),
        delay=uniform(0.1, 2.0, a)))
    fast, generic, used = fast_and_generic(monkeypatch, make, 30, 20)
    assert used
    assert_same(fast, generic)


@pytest.mark.parametrize("case", ["total_number_no_autapses", "without_replacement", "non_numpy_rng"])
def test_generic_path_takes_over_with_untouched_rngs(monkeypatch, case):
    """PyNN's FixedTotalNumberConnector ignores allow_self_connections, permutations are per
    neuron, other RNGs draw as they will: the expansion must decline before drawing anything,
    so the result is PyNN's."""
    class CountingRNG(sim.random.WrappedRNG):
        def __init__(self, seed):
            super().__init__(seed)
            self.rng = np.random.RandomState(seed)

        def _next(self, distribution, n, parameters):
            low, high = parameters.get("low", 0), parameters.get("high", 1)
            draw = self.rng.randint if distribution == "uniform_int" else self.rng.uniform
            return draw(low, high, size=n)

    def make(a, b, c):
        if case == "non_numpy_rng":
            return sim.FixedProbabilityConnector(0.3, rng=CountingRNG(3)), sim.StaticSynapse(weight=0.1)
        if case == "total_number_no_autapses":
            return (sim.FixedTotalNumberConnector(100, allow_self_connections=False, rng=a),
                    sim.StaticSynapse(weight=sim.RandomDistribution("normal_clipped", (0.5, 0.5, 0.0, 1.0),
                                                                    rng=b)))
        return sim.FixedNumberPreConnector(5, rng=a), sim.StaticSynapse(weight=uniform(0.1, 0.2, b))
    fast, generic, used = fast_and_generic(monkeypatch, make, 30, 20)
    assert not used
    assert_same(fast, generic)


# -- semantics ----------------------------------------------------------------------------------
def pairs(prj):
    pre, post = synapses(prj)[:2]
    return set(zip(pre.tolist(), post.tolist()))


def test_all_to_all_and_one_to_one():
    prj = build(lambda a, b, c: (sim.AllToAllConnector(allow_self_connections=False), None), 6, 6, same=True)
    assert pairs(prj) == {(i, j) for i in range(6) for j in range(6) if i != j} and len(prj) == 30
    prj = build(lambda a, b, c: (sim.OneToOneConnector(), None), 5, 5)
    assert pairs(prj) == {(i, i) for i in range(5)}


def test_fixed_probability_density_and_no_autapses():
    prj = build(lambda a, b, c: (sim.FixedProbabilityConnector(0.1, allow_self_connections=False, rng=a),
                                 None), 400, 400, same=True)
    n = len(prj)
    expected = 0.1 * 400 * 399
    assert abs(n - expected) < 5 * np.sqrt(expected * 0.9)
    pre, post = synapses(prj)[:2]
    assert not np.any(pre == post)


def test_fixed_number_pre_and_post_counts():
    prj = build(lambda a, b, c: (sim.FixedNumberPreConnector(7, with_replacement=True, rng=a), None), 50, 40)
    assert np.all(np.bincount(synapses(prj)[1], minlength=40) == 7)
    prj = build(lambda a, b, c: (sim.FixedNumberPreConnector(7, allow_self_connections=False, rng=a), None),
                30, 30, same=True)
    pre, post = synapses(prj)[:2]
    assert np.all(np.bincount(post, minlength=30) == 7) and not np.any(pre == post)
    assert all(np.unique(pre[post == j]).size == 7 for j in range(30))       # without replacement
    prj = build(lambda a, b, c: (sim.FixedNumberPostConnector(4, with_replacement=True, rng=a), None), 50, 40)
    assert np.all(np.bincount(synapses(prj)[0], minlength=50) == 4)


def test_fixed_total_number():
    prj = build(lambda a, b, c: (sim.FixedTotalNumberConnector(321, rng=a), None), 60, 50)
    assert len(prj) == 321


def test_distance_dependent_probability_on_a_line():
    """p = 1 for neighbours within 1.5 units, 0 beyond: exactly the neighbours."""
    prj = build(lambda a, b, c: (sim.DistanceDependentProbabilityConnector("d < 1.5", rng=a), None),
                8, 8, same=True, structure=sim.space.Line(dx=1.0))
    assert pairs(prj) == {(i, j) for i in range(8) for j in range(8) if abs(i - j) <= 1}


def test_displacement_dependent_probability():
    """Connect only to the cell one unit to the right (dx = +1)."""
    prj = build(lambda a, b, c: (sim.DisplacementDependentProbabilityConnector(
        lambda d: (np.abs(d[0] - 1.0) < 1e-9).astype(float), rng=a), None),
        6, 6, same=True, structure=sim.space.Line(dx=1.0))
    assert pairs(prj) == {(i, i + 1) for i in range(5)}


class EveryThird(IndexBasedExpression):
    def __call__(self, i, j):
        return ((i + j) % 3 == 0).astype(float)


def test_index_based_probability():
    prj = build(lambda a, b, c: (sim.IndexBasedProbabilityConnector(EveryThird(), rng=a), None), 9, 7)
    assert pairs(prj) == {(i, j) for i in range(9) for j in range(7) if (i + j) % 3 == 0}


def test_from_file(tmp_path):
    rows = [(0, 1, 0.1, 1.0), (2, 0, 0.2, 2.0), (1, 1, 0.3, 0.5)]
    path = tmp_path / "conns.txt"
    np.savetxt(path, rows)
    prj = build(lambda a, b, c: (sim.FromFileConnector(str(path)), None), 3, 2)
    got = sorted(prj.get(["weight", "delay"], format="list"))
    np.testing.assert_allclose(got, sorted(rows))


def test_from_list_index_out_of_range_is_an_error_not_a_dropped_synapse():
    with pytest.raises(sim.errors.ConnectionError, match="'prj'.*out of range"):
        build(lambda a, b, c: (sim.FromListConnector([(0, 5, 0.1, 1.0)]), None), 3, 2)


def test_clone_copies_connectivity_with_new_weights():
    sim.setup(timestep=0.1)
    a = sim.Population(20, sim.IF_curr_exp(), label="a")
    b = sim.Population(15, sim.IF_curr_exp(), label="b")
    first = sim.Projection(a, b, sim.FixedProbabilityConnector(0.3, rng=sim.NumpyRNG(4)),
                           sim.StaticSynapse(weight=0.1))
    second = sim.Projection(a, b, sim.CloneConnector(first), sim.StaticSynapse(weight=0.7))
    assert pairs(second) == pairs(first)
    np.testing.assert_array_equal(synapses(second)[2], 0.7)


def test_small_world_local_then_rewired():
    """Watts-Strogatz as PyNN documents it: all pairs closer than `degree`, each target rewired
    with probability `rewiring`; out-degrees survive rewiring."""
    line = sim.space.Line(dx=1.0)
    local = build(lambda a, b, c: (sim.SmallWorldConnector(degree=2.5, rewiring=0.0,
                                                           allow_self_connections=False, rng=a), None),
                  50, 50, same=True, structure=line)
    neighbours = {(i, j) for i in range(50) for j in range(50) if 0 < abs(i - j) < 2.5}
    assert pairs(local) == neighbours
    rewired = build(lambda a, b, c: (sim.SmallWorldConnector(degree=2.5, rewiring=0.3,
                                                             allow_self_connections=False, rng=a), None),
                    50, 50, same=True, structure=line)
    pre, post = synapses(rewired)[:2]
    assert len(rewired) == len(local) and not np.any(pre == post)
    np.testing.assert_array_equal(np.bincount(pre, minlength=50), np.bincount(synapses(local)[0], minlength=50))
    kept = sum((i, j) in neighbours for i, j in zip(pre.tolist(), post.tolist())) / len(rewired)
    assert 0.6 < kept < 0.8          # 0.7 kept, plus the few rewired onto a neighbour again
    fixed = build(lambda a, b, c: (sim.SmallWorldConnector(degree=2.5, rewiring=0.0, n_connections=2,
                                                           allow_self_connections=False, rng=a), None),
                  50, 50, same=True, structure=line)
    pre, post = synapses(fixed)[:2]
    assert np.all(np.bincount(pre, minlength=50) == 2) and pairs(fixed) <= neighbours


@pytest.mark.skipif(importlib.util.find_spec("csa") is None, reason="csa is not installed (pip install csa)")
def test_csa_connector_masks_and_value_sets():
    import csa
    prj = build(lambda a, b, c: (sim.CSAConnector(csa.oneToOne), sim.StaticSynapse(weight=0.2)), 5, 4)
    assert pairs(prj) == {(i, i) for i in range(4)}
    prj = build(lambda a, b, c: (sim.CSAConnector(csa.cset(csa.full, 0.3, 2.0)), None), 3, 2)
    assert pairs(prj) == {(i, j) for i in range(3) for j in range(2)}
    np.testing.assert_array_equal(synapses(prj)[2], 0.3)
    np.testing.assert_array_equal(synapses(prj)[3], 20)


def test_random_delays_and_weights_reach_the_core():
    rng = sim.NumpyRNG(seed=11)
    prj = build(lambda a, b, c: (sim.FixedProbabilityConnector(0.5, rng=a),
                                 sim.StaticSynapse(weight=uniform(0.1, 0.2, rng), delay=uniform(0.1, 6.3, b))),
                30, 30)
    core = state.translate().projections[0]
    np.testing.assert_array_equal(core.weight, prj.get("weight", format="list", with_address=False))
    assert core.delay.min() >= 1 and core.delay.max() <= 63 and np.unique(core.delay).size > 20
