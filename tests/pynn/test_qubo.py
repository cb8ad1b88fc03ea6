"""pynn_spinnaker2.qubo: reading Q, the problem builders against brute force, solve() end to end
on small instances, and bad input."""
import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from pynn_spinnaker2 import qubo

dimod = pytest.importorskip("dimod", reason="solve() returns dimod SampleSets: pip install '.[qubo]'")


def all_states(n):
    return np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.int8)


def brute_force(q):
    x = all_states(q.n)
    e = q.energies(x)
    return x, e


CYCLE5 = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)]
PETERSEN = [(i, (i + 1) % 5) for i in range(5)] + [(i, i + 5) for i in range(5)] + \
           [(5 + i, 5 + (i + 2) % 5) for i in range(5)]


# -- reading Q ----------------------------------------------------------------------------------
def test_energies_match_x_q_x_for_every_input_form(rng):
    """Dense, upper-triangular, sparse and dimod forms of one Q give xᵀQx for every state:
    catches a coupling counted once instead of twice, or a lost diagonal."""
    a = rng.normal(size=(6, 6))
    sym = (a + a.T) / 2
    x = all_states(6)
    expected = np.einsum("ki,ij,kj->k", x, sym, x)
    upper = np.triu(sym) + np.triu(sym, 1)           # same energy, one triangle
    forms = [sym, upper, sp.csr_matrix(sym), dimod.BinaryQuadraticModel.from_qubo(
        {(i, j): upper[i, j] for i in range(6) for j in range(i, 6)})]
    for form in forms:
        np.testing.assert_allclose(qubo.as_qubo(form).energies(x), expected, atol=1e-9)
    np.testing.assert_allclose(qubo.as_qubo(sym).matrix(), sym, atol=1e-12)


def test_spin_bqm_is_converted_with_its_offset():
    bqm = dimod.BinaryQuadraticModel({"a": 0.5, "b": -1.0}, {("a", "b"): 2.0}, 0.25, "SPIN")
    q = qubo.as_qubo(bqm)
    for values in itertools.product((0, 1), repeat=2):
        sample = dict(zip(q.variables, values))
        spins = {k: 2 * v - 1 for k, v in sample.items()}
        assert q.energies(np.array(values))[0] == pytest.approx(bqm.energy(spins))


def test_general_asymmetric_q_warns_and_keeps_the_energy():
    q = np.array([[1.0, 2.0], [-1.0, 0.0]])
    with pytest.warns(UserWarning, match=r"\(Q \+ Qᵀ\)/2"):
        read = qubo.as_qubo(q)
    x = all_states(2)
    np.testing.assert_allclose(read.energies(x), np.einsum("ki,ij,kj->k", x, q, x))


def test_triangular_q_is_read_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        qubo.as_qubo(np.triu(np.ones((4, 4))))


@pytest.mark.parametrize("bad, error, match", [
    (np.ones((2, 3)), ValueError, "square"),
    (np.ones(3), ValueError, "square"),
    (np.zeros((0, 0)), ValueError, "no variables"),
    (np.array([[1.0, np.nan], [0, 1]]), ValueError, r"Q\[0, 1\] is nan"),
    (sp.csr_matrix(np.array([[np.inf, 0], [0, 1]])), ValueError, r"Q\[0, 0\] is inf"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "numeric"),
])
def test_bad_q_is_a_clear_error(bad, error, match):
    with pytest.raises(error, match=match):
        qubo.solve(bad)


def test_bqm_with_nan_names_the_variables():
    bqm = dimod.BinaryQuadraticModel({"a": 1.0}, {("a", "b"): float("nan")}, 0.0, "BINARY")
    with pytest.raises(ValueError, match="quadratic bias of"):
        qubo.solve(bqm)


# -- problems as QUBOs, against brute force ------------------------------------------------------------
def test_maxcut_energy_is_minus_the_cut():
    w = np.arange(1.0, 6.0)
    q = qubo.maxcut(CYCLE5, w)
    x = all_states(5)
    np.testing.assert_allclose(-q.energies(x), qubo.cut_value(CYCLE5, x, w))
    assert -q.energies(x).max() == 0 and -q.energies(x).min() == 14.0   # odd cycle: all but the lightest edge


def test_number_partitioning_energy_is_the_squared_difference():
    a = np.array([4, 5, 6, 7, 8, 3])
    x, e = brute_force(qubo.number_partitioning(a))
    np.testing.assert_allclose(e, ((x * 2 - 1) @ a) ** 2)
    assert e.min() == 1.0                                 # odd total 33: best split 16 / 17


def test_max_independent_set_minimum_is_a_largest_independent_set():
    q = qubo.max_independent_set(PETERSEN, penalty=2.0)
    x, e = brute_force(q)
    e_ = np.array(PETERSEN)
    independent = ~(x[:, e_[:, 0]] & x[:, e_[:, 1]]).any(1)
    assert -e.min() == x[independent].sum(1).max() == 4   # Petersen graph: independence number 4
    best = x[e == e.min()]
    assert not (best[:, e_[:, 0]] & best[:, e_[:, 1]]).any()


def test_graph_colouring_zero_energy_exactly_for_proper_colourings():
    q = qubo.graph_colouring(CYCLE5, 3)
    x, e = brute_force(q)
    grid = x.reshape(-1, 5, 3)
    one_hot = (grid.sum(2) == 1).all(1)
    colour = grid.argmax(2)
    proper = one_hot & np.all([colour[:, u] != colour[:, v] for u, v in CYCLE5], axis=0)
    np.testing.assert_array_equal(np.isclose(e, 0), proper)
    assert proper.sum() == 30 and e.min() == 0.0          # chromatic polynomial of C5 at 3
    assert qubo.graph_colouring(CYCLE5, 2).energies(all_states(10)).min() > 0   # odd cycle: not 2-colourable


@pytest.mark.parametrize("call, match", [
    (lambda: qubo.maxcut([(0, 0)]), "self-loop"),
    (lambda: qubo.max_independent_set(CYCLE5, penalty=1.0), "penalty must be > 1"),
    (lambda: qubo.graph_colouring(CYCLE5, 0), "at least one colour"),
])
def test_builders_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- solve() end to end -------------------------------------------------------------------------------
FAST = qubo.StandardNeurons(steps=300, stages=10)


def check_optimal(q, sampleset):
    _, e = brute_force(q)
    assert sampleset.first.energy == pytest.approx(e.min())
    x = sampleset.record.sample[:, [sampleset.variables.index(v) for v in q.variables]]
    np.testing.assert_allclose(sampleset.record.energy, q.energies(x))   # host energies are exact


def test_solve_maxcut_petersen():
    q = qubo.maxcut(PETERSEN)
    result = qubo.solve(q, num_reads=2, seed=1, model=FAST)
    check_optimal(q, result)
    assert -result.first.energy == 12                      # Petersen graph: max cut 12
    assert result.info["time_steps"] == [300, 300] and len(result.info["energy_trace"]) == 2
    assert result.info["quantisation"][0]["zeroed"] == 0
    assert 0 <= result.record.step.min() and result.record.step.max() < 300


def test_solve_number_partitioning():
    q = qubo.number_partitioning([4, 5, 6, 7, 8, 3, 9, 2])
    check_optimal(q, qubo.solve(q, num_reads=4, seed=1, model=FAST))


def test_solve_max_independent_set():
    q = qubo.max_independent_set(PETERSEN)
    check_optimal(q, qubo.solve(q, num_reads=2, seed=1, model=FAST))


def test_solve_graph_colouring():
    q = qubo.graph_colouring(CYCLE5, 3)
    result = qubo.solve(q, num_reads=2, seed=1, model=FAST)
    check_optimal(q, result)
    assert result.first.energy == 0.0


def test_solve_returns_labels_of_a_bqm():
    bqm = dimod.BinaryQuadraticModel.from_qubo({("a", "a"): -1, ("b", "b"): -1, ("a", "b"): 2, ("c", "c"): 1})
    result = qubo.solve(bqm, seed=3, model=FAST)
    assert set(result.variables) == {"a", "b", "c"}
    assert result.first.energy == -1.0 and result.first.sample["c"] == 0


def test_a_seed_repeats_a_run():
    q = qubo.maxcut(PETERSEN)
    a, b = (qubo.solve(q, seed=5, model=FAST).info["energy_trace"][0] for _ in range(2))
    np.testing.assert_array_equal(a, b)


def test_couplings_that_quantise_to_zero_warn():
    q = qubo.Qubo(np.zeros(3), [0, 1], [1, 2], [1.0, 1e-7])
    with pytest.warns(UserWarning, match=r"'inhibitory couplings': 2 of 4 non-zero weights quantise to zero"):
        result = qubo.solve(q, model=FAST)
    assert [e["zeroed"] for e in result.info["quantisation"] if e["projection"] == "inhibitory couplings"] == [2]


def test_problem_larger_than_the_machine_is_a_clear_error():
    n = 255 * 153          # 153 slices of variables (the noise sources run on their PEs) > 152 PEs
    q = qubo.Qubo(-np.ones(n), [0], [1], [1.0])
    with pytest.raises(ValueError, match=f"QUBO of {n} variables .* n_chips=48"):
        qubo.solve(q, model=qubo.StandardNeurons(steps=1, stages=1))
