"""extra_models.QUBONeuron: the energy and best state the machine keeps, against energies computed
on the host from the recorded states; determinism; what it refuses; solve() through it."""
import itertools

import numpy as np
import pytest

import pynn_spinnaker2 as sim
from pynn_spinnaker2 import qubo
from pynn_spinnaker2.extra_models import QUBONeuron, best_state


def random_integer_qubo(n, density, seed):
    rng = np.random.default_rng(seed)
    i, j = np.triu_indices(n, 1)
    keep = rng.random(i.size) < density
    couplings = rng.integers(-5, 6, keep.sum()).astype(float)
    couplings[couplings == 0] = 3.0
    return qubo.Qubo(rng.integers(-6, 7, n).astype(float), i[keep], j[keep], couplings)


def anneal(q, model, seed=3, threads=None, per_pe=None):
    """Run ``model`` on ``q`` recording every neuron's x and energy at every step."""
    options = {} if threads is None else {"threads": threads}
    sim.setup(timestep=1.0, min_delay=1.0, rng_seed=seed, **options)
    x, ints, steps, _, _ = model.build(sim, q)
    if per_pe:
        x.set_max_atoms_per_core(per_pe)
    x.record(["x", "energy"])
    steps += 1                                   # step 0 loads the initial state
    sim.run((steps + 2) * 1.0)
    best = best_state(x)
    block = x.get_data().segments[-1]
    signals = {s.name: np.asarray(s.magnitude) for s in block.analogsignals}
    sim.end()
    return best, ints, signals, steps


def test_running_energy_and_best_state_match_the_host_with_simultaneous_coupled_flips():
    """Every neuron may flip in every step (no colouring) on a dense QUBO cut over three PEs, so
    coupled neurons often flip together: the energy the PEs keep must still equal, step for
    step, the host's xᵀQx of the recorded states two steps back, and the best state must be the
    host's best of those states. Catches a missing or doubled pair correction, a wrong parity
    column, a PE left out of the sum, and a snapshot taken from the wrong step."""
    q = random_integer_qubo(40, 0.3, 1)
    model = qubo.AnnealingNeurons(sweeps=60, replicas=1, colouring=False, p_update=0.5, t_hot=8.0, t_cold=0.3)
    best, ints, signals, steps = anneal(q, model, per_pe=15)
    assert ints.quantum == 1.0
    states = signals["x"]                        # row k: after k steps (row 0: the initial state)
    energies = q.energies(states)
    running = signals["energy"]
    assert np.all(running == running[:, :1])    # every neuron (and PE) holds the same energy
    # the energy kept after k steps is that of the state after k - 2 steps
    np.testing.assert_array_equal(running[2:, 0], energies[:-2])
    assert best.energy == energies[:steps + 1].min() < 0
    assert q.energies(best.state)[0] == best.energy
    np.testing.assert_array_equal(best.state, states[best.step])
    assert energies[best.step] == best.energy and best.step == np.argmin(energies[:steps + 1])
    flips = np.abs(np.diff(states, axis=0)).sum(1)
    assert flips.max() > 5                        # the test did exercise simultaneous flips


def test_same_best_state_and_energy_with_one_or_two_threads():
    """Integer energies summed over PEs in a fixed order: the result does not depend on how many
    PEs run at once."""
    q = random_integer_qubo(30, 0.3, 2)
    model = qubo.AnnealingNeurons(sweeps=40, replicas=1, colouring=False, p_update=0.3)
    one = anneal(q, model, threads=1, per_pe=8)[0]
    two = anneal(q, model, threads=2, per_pe=8)[0]
    assert one.energy == two.energy and one.step == two.step
    np.testing.assert_array_equal(one.state, two.state)
    np.testing.assert_array_equal(one.current, two.current)


def test_coloured_updates_never_flip_coupled_neurons_together():
    """With the greedy colouring only one colour class updates per step, so no two coupled
    neurons change in one step (the annealing is sequential), and the best energy is exact."""
    q = random_integer_qubo(25, 0.4, 4)
    colour = qubo.greedy_colouring(q)
    assert np.all(colour[q.rows] != colour[q.cols])
    best, _, signals, steps = anneal(q, qubo.AnnealingNeurons(sweeps=30, replicas=1), per_pe=10)
    changed = np.abs(np.diff(signals["x"], axis=0)) > 0
    both = changed[:, q.rows] & changed[:, q.cols]
    assert not both.any()
    assert changed[:-2].any(axis=1).sum() > 10
    assert q.energies(best.state)[0] == best.energy


def test_solve_uses_the_machine_best_and_finds_the_brute_force_optimum():
    """solve() by default runs QUBONeurons and returns the machine's best state, whose host
    energy is the machine's energy and, on a small Max-Cut, the optimum."""
    rng = np.random.default_rng(5)
    edges = np.array([(u, v) for u, v in itertools.combinations(range(14), 2) if rng.random() < 0.3])
    q = qubo.maxcut(edges, n=14)
    x = np.array(list(itertools.product((0, 1), repeat=14)), dtype=np.int8)
    optimum = q.energies(x).min()
    result = qubo.solve(q, num_reads=2, seed=1)
    assert result.first.energy == optimum
    np.testing.assert_array_equal(result.record.energy, result.info["machine_energy"])
    assert "quantisation" in result.info and result.info["quantum"] == 1.0


def test_fractional_problem_is_scaled_to_quanta_and_reported():
    """Non-integer coefficients become whole quanta of largest|J| / (2**bits - 1); the relative
    error is reported, and the machine's energy is the quantised problem's."""
    q = qubo.Qubo([0.31, -0.7, 0.2], [0, 1], [1, 2], [-0.45, 0.9])
    ints = qubo.integer_problem(q, 8)
    assert ints.quantum == pytest.approx(0.9 / 255)
    np.testing.assert_array_equal(ints.couplings, [-128, 255])
    assert 0 < ints.relative_error < 0.5 / 80
    result = qubo.solve(q, model=qubo.AnnealingNeurons(sweeps=50, weight_bits=8))
    x = np.array(list(itertools.product((0, 1), repeat=3)))
    assert result.first.energy == q.energies(x).min()
    assert result.info["machine_energy"][0] == pytest.approx(result.first.energy, abs=3 * ints.quantum)


@pytest.mark.parametrize("cell, weight, message", [
    (dict(bias=0.5), 1.0, "bias must be whole"),
    (dict(colour=2.0, n_colours=2.0), 1.0, "colour must be below n_colours"),
    (dict(p_update=1.5), 1.0, "p_update is a probability"),
    (dict(t_cold=0.0), 1.0, "t_cold must be > 0"),
    (dict(), 1.5, "whole-number weights"),
])
def test_bad_parameters_and_weights_are_clear_errors(cell, weight, message):
    sim.setup(timestep=1.0)
    p = sim.Population(3, QUBONeuron(**cell))
    sim.Projection(p, p, sim.FromListConnector([(0, 1, weight, 1.0)]), receptor_type="excitatory")
    with pytest.raises(ValueError, match=message):
        sim.run(5.0)


def test_input_from_elsewhere_or_with_longer_delays_is_refused():
    """Flips from another population, or arriving later than the next step, would corrupt the
    energy the PEs keep: refused when the network is built."""
    sim.setup(timestep=1.0)
    p = sim.Population(3, QUBONeuron())
    q = sim.Population(3, QUBONeuron())
    sim.Projection(q, p, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=1.0))
    with pytest.raises(ValueError, match="only from its own neurons"):
        sim.run(3.0)
    sim.end()
    sim.setup(timestep=1.0)
    p = sim.Population(3, QUBONeuron())
    sim.Projection(p, p, sim.FromListConnector([(0, 1, 1.0, 2.0)]), receptor_type="excitatory")
    with pytest.raises(ValueError, match="delay of one time step"):
        sim.run(3.0)


def test_best_state_needs_a_qubo_population_that_ran():
    sim.setup(timestep=1.0)
    p = sim.Population(3, QUBONeuron())
    with pytest.raises(TypeError, match="QUBONeuron"):
        best_state(sim.Population(2, sim.IF_curr_exp()))
    with pytest.raises(RuntimeError, match="run the simulation"):
        best_state(p)
