"""sPyNNaker's habits and the rest of the PyNN API a script leans on: neurons per core,
``name()``, ``NativeRNG``, ``state``, ``__version__``, spike time 0, data after ``end()``,
warnings at the user's line, the procedural API."""
import warnings

import numpy as np
import pytest

import pynn_spinnaker2 as sim
from pynn_spinnaker2 import simulator


def pes_of(label):
    return len(sim.mapping().population(label).pes)


def test_set_number_of_neurons_per_core_applies_to_later_populations_of_that_type():
    early = sim.Population(200, sim.IF_curr_exp(), label="early")
    with pytest.warns(UserWarning, match="only affects populations made after it") as caught:
        sim.set_number_of_neurons_per_core(sim.IF_curr_exp, 50)
    assert caught[0].filename == __file__
    late = sim.Population(200, sim.IF_curr_exp, {"tau_m": 10.0}, label="late")   # sPyNNaker's form
    other = sim.Population(200, sim.IF_cond_exp(), label="other")
    sim.run(1.0)
    assert (pes_of("early"), pes_of("late"), pes_of("other")) == (1, 4, 1)
    assert late.get("tau_m") == 10.0 and early.size == other.size == 200


def test_neurons_per_core_arguments_as_spynnaker_takes_them():
    with pytest.raises(TypeError, match="cell type class, e.g. sim.IF_curr_exp"):
        sim.set_number_of_neurons_per_core("IF_curr_exp", 10)
    with pytest.raises(NotImplementedError, match="2-dimensional shape \\(16, 16\\).*give one number"):
        sim.set_number_of_neurons_per_core(sim.IF_curr_exp, (16, 16))
    with pytest.raises(ValueError, match="positive integer"):
        sim.set_number_of_neurons_per_core(sim.IF_curr_exp, 0)
    sim.set_number_of_neurons_per_core(sim.IF_curr_exp, (30,))
    sim.set_number_of_neurons_per_core(sim.IF_curr_exp(), 20)            # an instance stands for its type
    pop = sim.Population(100, sim.IF_curr_exp(), label="p")
    assert pop._max_neurons_per_pe == 20
    sim.set_number_of_neurons_per_core(sim.IF_curr_exp, None)
    assert sim.Population(100, sim.IF_curr_exp(), label="q")._max_neurons_per_pe is None


def test_set_max_atoms_per_core_and_additional_parameters():
    a = sim.Population(100, sim.IF_curr_exp(), label="a")
    a.set_max_atoms_per_core(30)
    with pytest.warns(UserWarning, match="ignoring additional_parameters seed"):
        sim.Population(100, sim.IF_curr_exp(), label="b",
                       additional_parameters={"max_atoms_per_core": 10, "seed": 3})
    source = sim.Population(300, sim.SpikeSourcePoisson(rate=10.0), label="source")
    source.set_max_atoms_per_core(100)
    sim.run(1.0)
    assert (pes_of("a"), pes_of("b"), pes_of("source")) == (4, 10, 3)
    a.set_max_atoms_per_core(50)          # mid-run: the next run maps the network again and goes on
    sim.run(1.0)
    assert pes_of("a") == 2 and sim.get_current_time() == pytest.approx(2.0)


def test_name_state_version():
    assert sim.name() == "SpiNNaker2" == sim.simulator.name
    assert sim.state is simulator.state and sim.state.dt == sim.get_time_step()
    assert sim.__version__ == "0.1.0"


def test_native_rng_seeds_numpy_as_spynnaker_and_draws_as_pyNN():
    sim.NativeRNG(1234)
    a = np.random.random(3)
    np.random.seed(1234)
    np.testing.assert_array_equal(a, np.random.random(3))
    sim.setup(timestep=0.1, seed=7)
    first = sim.NativeRNG().next(5)
    second = sim.NativeRNG().next(5)
    np.testing.assert_array_equal(first, second)                # seeded from setup(seed=7)
    assert isinstance(sim.NativeRNG(), sim.random.NativeRNG)
    pop = sim.Population(3, sim.IF_curr_exp(), label="p")
    prj = sim.Projection(pop, pop, sim.FixedProbabilityConnector(0.5, rng=sim.NativeRNG(seed=3)),
                         sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.1, 0.2),
                                                                         rng=sim.NativeRNG(seed=4))))
    assert all(0.1 <= w < 0.2 for w in prj.get("weight", format="list", with_address=False))


def test_spike_at_time_zero_is_emitted_in_the_first_step():
    """sPyNNaker emits spike_times=[0] in its first time step; pyNN.nest drops it. Here it is
    emitted in the first step, at t = dt, with a warning, and drives its targets as a spike at
    dt does."""
    with pytest.warns(UserWarning, match="'zero'.*spike at t = 0 is emitted in the first time step, at t = 0.1 ms") as w:
        zero = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.0, 2.0]), label="zero")
    assert w[0].filename == __file__
    step = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.1, 2.0]), label="step")
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    for i, source in enumerate((zero, step)):
        sim.Projection(source, cells[i:i + 1], sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0, delay=1.0))
    zero.record("spikes")
    cells.record("v")
    sim.run(5.0)
    np.testing.assert_allclose(zero.get_data().segments[0].spiketrains[0].magnitude, [0.1, 2.0])
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    np.testing.assert_array_equal(v[:, 0], v[:, 1])
    assert v[:, 0].max() > -65.0
    assert zero.get("spike_times").value.tolist() == [0.0, 2.0]    # the user's view is unchanged


def test_off_grid_spike_times_round_up_as_nest_on_grid():
    """NEST's on_grid mode: 0.21 -> 0.3, 0.29 -> 0.3, 0.35 -> 0.4, 0.45 -> 0.5 (measured)."""
    with pytest.warns(UserWarning, match="rounded up to the next step"):
        source = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.21, 0.35, 0.45, 1.0]), label="s")
    source.record("spikes")
    sim.run(2.0)
    np.testing.assert_allclose(source.get_data().segments[0].spiketrains[0].magnitude, [0.3, 0.4, 0.5, 1.0])


def test_data_survive_end_and_the_next_setup():
    pop = sim.Population(1, sim.IF_curr_exp(i_offset=1.0), label="p")
    pop.record(["spikes", "v"])
    sim.run(50.0)
    sim.end()
    block = pop.get_data()
    assert len(block.segments[0].spiketrains[0]) == 1 and block.segments[0].analogsignals[0].shape == (501, 1)
    sim.setup(timestep=1.0)
    other = sim.Population(2, sim.IF_curr_exp(), label="other")
    other.record("v")
    sim.run(10.0)
    assert pop.get_data().segments[0].analogsignals[0].shape == (501, 1)    # still its own data
    with pytest.raises(RuntimeError, match="'p' belongs to a simulation that sim.setup\\(\\) has since replaced"):
        pop.set(i_offset=0.5)
    assert other.get_data().segments[0].analogsignals[0].shape == (11, 2)


def test_core_warnings_point_at_the_users_line():
    """A weight that quantises to zero is found by the core's compiler, deep inside run();
    the warning names the projection and the line of the script that ran it."""
    pre = sim.Population(2, sim.SpikeSourcePoisson(rate=10.0), label="pre")
    post = sim.Population(1, sim.IF_curr_exp(), label="post")
    sim.Projection(pre, post, sim.FromListConnector([(0, 0, 1.0, 1.0), (1, 0, 1e-9, 1.0)]), label="tiny")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sim.run(1.0)
    ours = [w for w in caught if "tiny" in str(w.message)]
    assert ours and all(w.filename == __file__ for w in ours), [(w.filename, str(w.message)) for w in caught]


def test_procedural_api(tmp_path):
    cells = sim.create(sim.IF_curr_exp(i_offset=1.0), n=3)
    source = sim.create(sim.SpikeSourceArray(spike_times=[1.0]))
    prj = sim.connect(source, cells, weight=0.5, delay=1.0, p=1.0)
    assert prj.size() == 3
    sim.set(cells, tau_m=15.0)
    sim.initialize(cells, v=-60.0)
    path = tmp_path / "spikes.pkl"
    sim.record("spikes", cells, str(path))
    sim.run(40.0)
    sim.end()
    assert path.stat().st_size > 0
    np.testing.assert_array_equal(cells.get("tau_m"), 15.0)
