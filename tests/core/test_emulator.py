import numpy as np
import pytest

from core import Emulator, compile_network
from tests.conftest import random_network


@pytest.fixture
def program():
    net = random_network(np.random.default_rng(7), n_pops=3, max_size=300, p=0.1)
    for pop in net.populations[:3]:
        pop.parameters["i_offset"][:] = np.linspace(0.5, 1.5, pop.size)
        pop.parameters["tau_syn_E"][:] = 2.0
        pop.record = {"spikes": 1, "v": 5}
    for proj in net.projections:
        proj.weight = proj.weight * 0.2
    return compile_network(net)


def run(program, seed, chunks):
    emu = Emulator(program, seed=seed)
    for n in chunks:
        emu.run(n)
    return emu


def test_seeded_runs_repeat_and_continuing_runs_equal_one_run(program):
    a, b, c = run(program, 5, [1000]), run(program, 5, [1000]), run(program, 5, [300, 1, 699])
    assert a.statistics()["packets sent"] > 100
    for p in range(3):
        for other in (b, c):
            np.testing.assert_array_equal(a.spikes(p)[0], other.spikes(p)[0])
            np.testing.assert_array_equal(a.spikes(p)[1], other.spikes(p)[1])
            np.testing.assert_array_equal(a.signals(p, "v")[1], other.signals(p, "v")[1])
    t, v = a.signals(0, "v")
    assert t[0] == 0 and t[1] == pytest.approx(0.5) and len(t) == 201
    assert run(program, 6, [1000]).statistics() != a.statistics()


def test_reset_restores_initial_state(program):
    emu = run(program, 5, [500])
    first = emu.spikes(1)
    emu.reset()
    assert emu.step == 0 and emu.spikes(1)[0].size == 0
    emu.run(500)
    np.testing.assert_array_equal(first[1], emu.spikes(1)[1])


def test_spike_buffer_grows_for_heavy_recording(program):
    emu = Emulator(program, seed=1)
    emu.run(3000)
    ids, times = emu.spikes(0)
    assert times.size > 1024 and np.all(np.diff(times) >= 0)


def test_state_get_set_and_parameter_change(program):
    emu = Emulator(program, seed=1)
    emu.set_state(0, "v", -55.0)
    assert emu.get_state(0, "v") == pytest.approx(-55.0)
    emu.set_parameters(0, {"i_offset": 0.0, "v_thresh": 100.0})
    emu.run(200)
    assert emu.spikes(0)[0].size == 0
    with pytest.raises(ValueError, match="unknown parameter"):
        emu.set_parameters(0, {"tau_mem": 1.0})


def test_spike_times_changed_mid_run_and_kept_over_reset():
    from core import Network, Population
    net = Network(0.1)
    src = net.add_population(Population("a", "SpikeSourceArray", 2, spike_times=[[1.0, 3.0], [2.0]],
                                        record={"spikes": 1}))
    emu = Emulator(compile_network(net), seed=0)
    emu.run(25)
    with pytest.warns(UserWarning, match="1 new spike times are not after"):
        emu.set_spike_times(src, [[2.0, 4.0, 6.0], [5.0]])
    emu.run(75)
    pairs = sorted(zip(emu.spikes(src)[0].tolist(), np.round(emu.spikes(src)[1], 6).tolist()))
    assert pairs == [(0, 1.0), (0, 4.0), (0, 6.0), (1, 2.0), (1, 5.0)]
    emu.reset()
    emu.run(100)
    pairs = sorted(zip(emu.spikes(src)[0].tolist(), np.round(emu.spikes(src)[1], 6).tolist()))
    assert pairs == [(0, 2.0), (0, 4.0), (0, 6.0), (1, 5.0)]


def test_recording_started_mid_run_begins_now(program):
    emu = Emulator(program, seed=1)
    emu.run(100)
    emu.record(1, "isyn_exc", 1)
    emu.run(10)
    times, values = emu.signals(1, "isyn_exc")
    assert times[0] == pytest.approx(10.0) and len(times) == 11


def test_parameters_survive_reset(program):
    emu = Emulator(program, seed=1)
    emu.set_parameters(0, {"i_offset": 0.0, "v_thresh": 100.0})
    emu.reset()
    emu.run(200)
    assert emu.spikes(0)[0].size == 0


def test_one_and_two_threads_give_identical_spikes_and_counters(program):
    one, two = Emulator(program, seed=5, threads=1), Emulator(program, seed=5, threads=2)
    for emu in (one, two):
        emu.run(400)
    assert one.statistics()["packets sent"] > 100
    assert one.statistics() == two.statistics()
    for p in range(3):
        np.testing.assert_array_equal(one.spikes(p)[1], two.spikes(p)[1])
        np.testing.assert_array_equal(one.spikes(p)[0], two.spikes(p)[0])
        np.testing.assert_array_equal(one.signals(p, "v")[1], two.signals(p, "v")[1])


def test_reset_starts_a_fresh_reproducible_trial(program):
    """Poisson input differs between trials (seed plus trial number) and repeats across emulators."""
    a, b = Emulator(program, seed=5), Emulator(program, seed=5)
    first = []
    for emu in (a, b):
        emu.record(3, "spikes")
        emu.run(300)
        first.append(emu.spikes(3)[1])
        emu.reset()
        emu.run(300)
    np.testing.assert_array_equal(first[0], first[1])
    np.testing.assert_array_equal(a.spikes(3)[1], b.spikes(3)[1])
    assert not np.array_equal(first[0], a.spikes(3)[1])


@pytest.mark.parametrize("rate", [9000.0, 60000.0, 400000.0])
def test_local_spike_sources_give_the_same_spikes_as_sources_on_their_own_pes(rate):
    """One Poisson source per neuron, connected one to one (NEST's Brunel style) and with an
    offset, runs on its targets' PEs (a window of steps at a time); spikes, counts and recorded
    source spikes are identical to giving the sources PEs of their own, and no packet is sent
    for them. Rates: counts from the table, beyond it (mean 6) and by PTRS (mean 40)."""
    from core import Network, Population, Projection
    rng = np.random.default_rng(1)
    net = Network(0.1)
    e = net.add_population(Population("e", "IF_curr_exp", 300, record={"spikes": 1, "v": 7}))
    p = net.add_population(Population("p", "SpikeSourcePoisson", 310, parameters={"rate": rate},
                                      record={"spikes": 1}))
    i, j = np.nonzero(rng.random((300, 300)) < 0.05)
    net.add_projection(Projection("ee", e, e, i, j, 0.1, 15))
    net.add_projection(Projection("pe", p, e, np.arange(10, 310), np.arange(300), 0.3, 3))
    net.add_projection(Projection("pi", p, e, np.arange(10, 310), np.arange(300), 0.1, 2, receptor=1))
    local, alone = (Emulator(compile_network(net, local_sources=flag), seed=2) for flag in (True, False))
    assert local.program.report.population("p").pes == [] and "runs on e" in str(local.program.report)
    for emu in (local, alone):
        emu.run(600)
    for pop in (e, p):
        np.testing.assert_array_equal(local.spikes(pop)[0], alone.spikes(pop)[0])
        np.testing.assert_array_equal(local.spikes(pop)[1], alone.spikes(pop)[1])
    np.testing.assert_array_equal(local.signals(e, "v")[1], alone.signals(e, "v")[1])
    s_local, s_alone = local.statistics(), alone.statistics()
    assert s_local["spikes of local sources"] == alone.spikes(p)[0].size > 1000
    if rate == 60000.0:                     # counts beyond the table's eight are drawn too
        assert np.bincount(np.unique(np.stack(local.spikes(p)), axis=1, return_counts=True)[1]).size > 9
    assert s_local["packets sent"] == local.spikes(e)[0].size < s_alone["packets sent"]
    assert s_local["synaptic events"] == s_alone["synaptic events"]


def test_loading_is_not_counted_as_emulation(program):
    """Loading runs the kernel once (zero steps) to compile it; that time is the load's."""
    from core.runtime import kernel
    emu = Emulator(program, seed=1)
    assert emu.emulation_seconds == 0.0 and emu.load_seconds > 0
    assert (kernel.run_steps_parallel if emu.threads > 1 else kernel.run_steps).signatures   # compiled
    emu.run(10)
    assert emu.report().run_seconds["emulation"] == emu.emulation_seconds > 0


def test_the_step_loops_are_cached_on_disk(program):
    """A step loop numba cannot cache (one that reaches a function through a pointer, say) is
    compiled again in every process, a minute each time: each leaves its cache index."""
    from pathlib import Path
    from core.runtime import kernel
    for threads in (1, 2):
        emu = Emulator(program, seed=1, threads=threads)
        emu.run(5)
        emu.run(2, between=lambda t: None)
        for loop in ((kernel.run_steps, kernel.run_stage) if threads == 1 else
                     (kernel.run_steps_parallel, kernel.run_stage_parallel)):
            assert loop.signatures and Path(loop._cache._cache_file._index_path).exists(), loop.__name__


def test_a_run_in_progress_bar_chunks_equals_one_run(program, capsys):
    one, chunked = Emulator(program, seed=4), Emulator(program, seed=4)
    one.run(700, progress_bar=False)
    chunked.run(700, progress_bar=True)            # 100 chunks of 7 steps, and a bar on stderr
    assert "emulating" in capsys.readouterr().err
    for p in range(3):
        np.testing.assert_array_equal(one.spikes(p)[1], chunked.spikes(p)[1])
        np.testing.assert_array_equal(one.signals(p, "v")[1], chunked.signals(p, "v")[1])


@pytest.mark.parametrize("threads", [1, 2])
def test_a_current_decaying_without_input_reaches_zero_not_subnormal_numbers(threads):
    """The PEs flush results below float32's smallest normal number to zero (``fpu.py``), as the
    chip does: a synaptic current decaying after its last input ends at exactly 0 rather than
    in the subnormal range, where it would stay (x * a rounds back to x) and cost the emulating
    CPU ~100 cycles per operation for good. Python's own arithmetic keeps IEEE semantics."""
    from core import Network, Population, Projection
    net = Network(0.1)
    src = net.add_population(Population("s", "SpikeSourceArray", 1, spike_times=[[1.0]]))
    cells = net.add_population(Population("c", "IF_curr_alpha", 4, parameters={"tau_syn_E": 0.5},
                                          record={"isyn_exc": 1}))
    net.add_projection(Projection("p", src, cells, np.zeros(4, int), np.arange(4), 1.0, 1))
    emu = Emulator(compile_network(net), seed=0, threads=threads)
    emu.run(1500)                       # steps: 150 ms, three times what a normal number lasts
    current = emu.signals(cells, "isyn_exc")[1]
    assert current.max() > 0.5
    tiny = np.finfo(np.float32).tiny
    assert not ((current != 0) & (np.abs(current) < tiny)).any()
    assert (current[-200:] == 0).all()
    assert np.float32(1e-39) * np.float32(1.0) != 0
