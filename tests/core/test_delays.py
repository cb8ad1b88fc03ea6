"""Delays beyond a synaptic row (63 steps) through delay PEs: exact timing at every step and
stage boundary, spike counts kept, stages routed only where their rows are, the cost reported,
and a clear error beyond what the stages reach."""
import numpy as np
import pytest

from core import Emulator, Network, Population, Projection, compile_network
from core.mapping import delays as ext
from core.mapping.images import DELAY

# a neuron that integrates its input current forever: V moves from the step after input arrives
SILENT = dict(tau_m=1e9, v_thresh=1e9, tau_syn_E=1e9, tau_syn_I=1e9)


def arrival_steps(delays, send_step=9, dt=0.1, extra=()):
    """One spike sent in ``send_step``, one synapse per target with the given delays (steps):
    the step each target's input arrives in, read off its membrane."""
    net = Network(dt)
    src = net.add_population(Population("src", "SpikeSourceArray", 1, spike_times=[[(send_step + 1) * dt]]))
    tgt = net.add_population(Population("tgt", "IF_curr_exp", len(delays), parameters=SILENT, record={"v": 1}))
    net.add_projection(Projection("long", src, tgt, np.zeros(len(delays)), np.arange(len(delays)), 1.0, delays))
    for proj in extra:
        net.add_projection(proj)
    program = compile_network(net)
    emu = Emulator(program, seed=0)
    emu.run(send_step + int(np.max(delays)) + 3)
    _, v = emu.signals(tgt, "v")
    moved = np.abs(np.diff(v, axis=0)) > 0
    return np.argmax(moved, axis=0) - 1, program, emu


def test_every_delay_up_to_four_stages_arrives_on_its_step():
    """Delays 1..300 steps (stage length 63 with a one-step window): each arrives exactly d steps
    after the spike; an off-by-one at a stage boundary or in a residual shows up here."""
    delays = np.arange(1, 301)
    arrived, program, emu = arrival_steps(delays)
    np.testing.assert_array_equal(arrived, 9 + delays)
    plan = program.graph.delays
    assert plan.stage == 63 and plan.stages == {0: 4}
    assert emu.statistics()["spikes re-sent by delay PEs"] == 4      # one spike, re-sent once per stage
    assert emu.statistics()["packets with no master population table entry"] == 0


def test_a_long_shortest_delay_shortens_the_stages():
    """With a shortest delay of 40 steps the machine exchanges packets every 32 steps, so stages are
    32 steps long and residuals at least 32: still exact."""
    delays = np.array([40, 63, 64, 95, 96, 97, 128, 200])
    arrived, program, _ = arrival_steps(delays)
    np.testing.assert_array_equal(arrived, 9 + delays)
    assert program.graph.delays.stage == 32
    assert Emulator(program, seed=0).window == 32


def test_counts_and_both_receptors_survive_the_stages():
    """A Poisson source emitting several spikes per step, onto both receptors through delays of
    5 and 5 + 200 steps: the delayed input is the direct input 200 steps later, count for count."""
    net = Network(0.1)
    src = net.add_population(Population("p", "SpikeSourcePoisson", 3, parameters={"rate": 30000.0, "duration": 30.0}))
    tgt = net.add_population(Population("t", "IF_curr_exp", 12, parameters=SILENT, record={"isyn_exc": 1,
                                                                                          "isyn_inh": 1}))
    pre = np.tile(np.arange(3), 2)
    for receptor in (0, 1):
        net.add_projection(Projection(f"near{receptor}", src, tgt, pre, np.arange(6) + 6 * receptor,
                                      [0.5, 1.0, 1.5] * 2, [5, 5, 5, 205, 205, 205], receptor))
    emu = Emulator(compile_network(net), seed=4)
    emu.run(600)
    for receptor, name in enumerate(("isyn_exc", "isyn_inh")):
        _, i = emu.signals(tgt, name)
        near, far = i[:, 6 * receptor:6 * receptor + 3], i[:, 6 * receptor + 3:6 * receptor + 6]
        assert near[-1].min() > 100.0                   # many spikes, several per step
        np.testing.assert_array_equal(far[200:], near[:-200])
        assert not far[:205].any()
    assert emu.statistics()["delay ring saturations (spikes lost)"] == 0


def test_stage_packets_reach_only_the_pes_with_their_rows():
    """Two targets: one takes stage 1 only, the other stage 3 only. Each stage's packets are
    routed to its target's PE alone: no packet finds no master population table entry."""
    net = Network(0.1)
    src = net.add_population(Population("s", "SpikeSourceArray", 1, spike_times=[np.arange(1, 11) * 1.0]))
    a = net.add_population(Population("a", "IF_curr_exp", 1))
    b = net.add_population(Population("b", "IF_curr_exp", 1))
    net.add_projection(Projection("to a", src, a, [0], [0], 1.0, [100]))
    net.add_projection(Projection("to b", src, b, [0], [0], 1.0, [230]))
    program = compile_network(net)
    emu = Emulator(program, seed=0)
    emu.run(400)
    stats = emu.statistics()
    assert stats["packets with no master population table entry"] == 0
    assert stats["spikes re-sent by delay PEs"] == 20            # 10 spikes, stages 1 and 3 only
    kinds = program.images.pes.kind
    assert (kinds == DELAY).sum() == 1


def test_report_names_the_projections_and_costs_the_delay_pes():
    net = Network(0.1)
    src = net.add_population(Population("source", "SpikeSourcePoisson", 300, parameters={"rate": 5.0}))
    tgt = net.add_population(Population("target", "IF_curr_exp", 50))
    net.add_projection(Projection("short", src, tgt, np.arange(50), np.arange(50), 0.1, 10))
    net.add_projection(Projection("slow", src, tgt, np.arange(50), np.arange(50), 0.1, 250))
    program = compile_network(net)
    (extension,) = program.report.delay_extensions
    assert extension.source == "source" and extension.projections == ["slow"]
    assert extension.stages == 4 and extension.stage_steps == 54      # window 10: stages of 64 - 10 steps
    n_slices = len(program.graph.pop_slices[src])
    assert len(extension.pes) == n_slices == 2                         # one delay PE per source slice
    sizes = [program.graph.slices[s].size for s in program.graph.pop_slices[src]]
    expected = sum(sum(ext.pe_bytes(n, 4, 54).values()) for n in sizes)
    assert extension.sram_bytes == expected
    assert ext.ring_slots(4, 54) == 256 and ext.pe_bytes(150, 4, 54)["delay ring"] == 150 * 256
    assert "delay extensions" in str(program.report) and "slow" in str(program.report)
    assert program.report.pes_used == len(program.placement)


def test_delays_beyond_the_stages_are_a_clear_error():
    net = Network(1.0)
    src = net.add_population(Population("s", "SpikeSourceArray", 1))
    tgt = net.add_population(Population("t", "IF_curr_exp", 1))
    net.add_projection(Projection("too slow", src, tgt, [0], [0], 1.0, [ext.LONGEST_DELAY + 1]))
    with pytest.raises(ValueError, match="'too slow'.*exceeds what delay extensions hold.*timestep of at least"):
        compile_network(net)


def test_stage_decomposition():
    stage, residual = ext.stages_for([1, 63, 64, 126, 127, 300], 63)
    np.testing.assert_array_equal(stage, [0, 0, 1, 1, 2, 4])
    np.testing.assert_array_equal(residual, [1, 63, 1, 63, 1, 48])
    stage, residual = ext.stages_for(np.arange(64, 2000), 32)
    assert residual.min() >= 32 and residual.max() <= 63           # never shorter than a window


def test_stages_no_synapse_uses_are_not_counted_as_drops():
    """Delays of 100 and 150 steps in stages of 32: only the third stage carries spikes; the
    stages without routing entries are never sent, so no packet counts as dropped."""
    net = Network(0.1)
    a = net.add_population(Population("a", "SpikeSourceArray", 3, spike_times=[[1.0, 2.0], [3.0], [4.0]]))
    b = net.add_population(Population("b", "IF_curr_exp", 2))
    net.add_projection(Projection("long", a, b, np.array([0, 1, 2]), np.array([0, 1, 1]), np.ones(3),
                                  np.array([100, 150, 100]), 0))
    emu = Emulator(compile_network(net, paradigm="serial"), seed=1)
    emu.run(400)
    stats = emu.statistics()
    assert stats["spikes re-sent by delay PEs"] == 4 and stats["synaptic events"] == 4
    assert stats["packets dropped (no routing entry)"] == 0
