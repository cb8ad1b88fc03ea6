from dataclasses import replace

import numpy as np
import pytest

from core import Machine, Network, Population, Projection, compile_network
from core.hardware import DATA_SRAM_BYTES
from core.mapping import serial
from core.mapping.partition import partition
from tests.conftest import random_network


def test_slices_are_equal_and_at_most_255():
    net = Network()
    net.add_population(Population("big", "IF_curr_exp", 1000))
    graph = partition(net)
    sizes = [s.size for s in graph.slices]
    assert sizes == [250, 250, 250, 250]


def _dense(n_post, n_pre, p, seed=0, delay=1, n_projections=4):
    rng = np.random.default_rng(seed)
    net = Network()
    src = net.add_population(Population("src", "SpikeSourcePoisson", n_pre))
    dst = net.add_population(Population("dst", "IF_curr_exp", n_post))
    for k in range(n_projections):
        i, j = np.nonzero(rng.random((n_pre, n_post)) < p)
        net.add_projection(Projection(f"p{k}", src, dst, i, j, 1.0, delay))
    return net


@pytest.mark.parametrize("p, n_projections, expected", [(0.01, 1, "sram1"), (0.02, 4, "split"), (0.9, 4, "dram")])
def test_matrix_goes_to_one_pe_split_pes_or_dram(p, n_projections, expected):
    graph = partition(_dense(200, 1000, p, n_projections=n_projections))
    target = [v for v in graph.vertices if graph.slices[v.slice].population == 1]
    if expected == "sram1":
        assert len(target) == 1 and not target[0].dram
    elif expected == "split":
        assert 2 <= len(target) <= 4 and not any(v.dram for v in target)
        held = sorted(s for v in target for s in v.sources)
        assert held == sorted(set(held))       # each source's rows on exactly one PE
    else:
        assert len(target) == 1 and target[0].dram
        assert target[0].bytes["synaptic matrix"] == 0 and target[0].bytes["DMA buffer"] > 0
    for v in graph.vertices:
        assert sum(v.bytes.values()) <= DATA_SRAM_BYTES


def test_cost_model_matches_the_built_images(rng):
    program = compile_network(random_network(rng))
    im, graph = program.images, program.graph
    pes, syn = im.pes, im.serial
    for v, mv in enumerate(graph.vertices):
        m0, mc = pes.mpt_start[v], pes.mpt_count[v]
        rows = [a for f, r in zip(syn.mpt_first[m0:m0 + mc], syn.mpt_rows[m0:m0 + mc]) for a in range(f, f + r)]
        n = graph.slices[mv.slice].size
        words = sum(syn.al_stride[a] * n_rows for a, n_rows in
                    zip(rows, [b.n_rows for s in sorted(mv.sources) for b in sorted(
                        (b for b in graph.blocks if b.target == mv.slice and b.source == s),
                        key=lambda b: b.projection)]))
        assert mv.bytes["master population table"] == 12 * mc
        assert mv.bytes["address list"] == 4 * len(rows)
        assert mv.bytes["synaptic matrix"] == (0 if mv.dram else 4 * words)
        if pes.slots[v]:
            assert mv.bytes["synaptic input buffer"] == 4 * n * pes.slots[v] * pes.n_types[v]


def test_long_delays_shrink_slices_and_too_long_ones_fail():
    net = _dense(255, 10, 0.5, delay=60)
    graph = partition(net)
    assert max(s.size for s in graph.slices if s.population == 1) < 255
    net.projections[0].delay = np.full(net.projections[0].size, 64)     # beyond a row: delay stages take it
    assert partition(net).delays.stages == {0: 1}
    longest = 63 + 63 * (64 - 32)
    net.projections[0].delay = np.full(net.projections[0].size, longest + 1)
    with pytest.raises(ValueError, match=f"'p0'.*{longest + 1} steps.*63 stages.*timestep of at least"):
        partition(net)


def test_network_larger_than_machine_is_a_clear_error():
    net = Network()
    net.add_population(Population("huge", "IF_curr_exp", 153 * 255))
    with pytest.raises(ValueError, match=r"needs 153 PEs.*'huge'.*152 \(1 chip\).*n_chips=48"):
        compile_network(net)
    assert compile_network(net, Machine(n_chips=2)).report.pes_used == 153


def test_slice_with_many_source_vertices_is_cut_finer():
    """1,200 source vertices and 30-step delays: tables and input buffers of a 255-neuron slice
    overflow the PE even with rows in DRAM, so the target population is cut finer."""
    net = Network()
    src = net.add_population(Population("src", "SpikeSourcePoisson", 255 * 1200))
    dst = net.add_population(Population("dst", "IF_curr_exp", 255))
    pre = np.arange(1200) * 255
    net.add_projection(Projection("wide", src, dst, pre, np.arange(1200) % 255, 1.0, 30))
    graph = partition(net)
    target = [graph.slices[v.slice] for v in graph.vertices if graph.slices[v.slice].population == dst]
    assert max(s.size for s in target) < 255 and sum(s.size for s in {id(s): s for s in target}.values()) == 255
    assert all(sum(v.bytes.values()) <= DATA_SRAM_BYTES for v in graph.vertices)


def test_blocks_counted_sparsely_for_huge_sources_match_brute_force(rng):
    """A 400,000-neuron source into 3 slices takes the sparse counting path."""
    net = Network()
    src = net.add_population(Population("src", "SpikeSourcePoisson", 400_000))
    dst = net.add_population(Population("dst", "IF_curr_exp", 600))
    pre, post = rng.integers(0, 2000, 5000) * 200, rng.integers(0, 600, 5000)
    net.add_projection(Projection("p", src, dst, pre, post, 1.0, 1))
    graph = partition(net)
    expected = {}
    for a, b in zip(pre.tolist(), post.tolist()):
        s = next(i for i in graph.pop_slices[src] if graph.slices[i].lo <= a < graph.slices[i].hi)
        t = next(i for i in graph.pop_slices[dst] if graph.slices[i].lo <= b < graph.slices[i].hi)
        expected.setdefault((s, t), []).append(a)
    got = {(b.source, b.target): (b.n_synapses, b.row_length) for b in graph.blocks}
    assert got == {k: (len(v), max(np.unique(v, return_counts=True)[1])) for k, v in expected.items()}


def test_populations_too_large_together_are_cut_finer_in_the_same_round(monkeypatch):
    """Two targets of the wide source both overflow: both are cut finer at once (cutting one
    only adds source vertices to the other), to the same slices as one at a time."""
    from core.mapping import partition as module

    net = Network()
    src = net.add_population(Population("src", "SpikeSourcePoisson", 255 * 1200))
    pre = np.arange(1200) * 255
    for name in ("dst1", "dst2"):
        dst = net.add_population(Population(name, "IF_curr_exp", 255))
        net.add_projection(Projection(name, src, dst, pre, np.arange(1200) % 255, 1.0, 30))
    calls = []
    real = module._partition
    monkeypatch.setattr(module, "_partition", lambda *a, **k: calls.append(list(a[2])) or real(*a, **k))
    graph = partition(net)
    sizes = {p: max(s.size for s in graph.slices if s.population == p) for p in (1, 2)}
    assert sizes[1] == sizes[2] < 255
    assert all(calls[k][1] == calls[k][2] for k in range(len(calls)))       # reduced together, round by round
    assert all(sum(v.bytes.values()) <= DATA_SRAM_BYTES for v in graph.vertices)


def brute_force_blocks(graph, net):
    """(source slice, target slice) -> (synapses, longest row) counted synapse by synapse."""
    expected = {}
    for proj in net.projections:
        for a, b in zip(proj.pre_index.tolist(), proj.post_index.tolist()):
            s = next(i for i in graph.pop_slices[proj.pre] if graph.slices[i].lo <= a < graph.slices[i].hi)
            t = next(i for i in graph.pop_slices[proj.post] if graph.slices[i].lo <= b < graph.slices[i].hi)
            expected.setdefault((s, t), []).append(a)
    return {k: (len(v), max(np.unique(v, return_counts=True)[1])) for k, v in expected.items()}


def test_blocks_counted_densely_match_brute_force(rng):
    """Multapses, several source and target slices, rows of different lengths."""
    net = Network()
    src = net.add_population(Population("src", "SpikeSourcePoisson", 700))
    dst = net.add_population(Population("dst", "IF_curr_exp", 600))
    pre, post = rng.integers(0, 700, 20000) ** 2 // 700, np.sort(rng.integers(0, 600, 20000))
    net.add_projection(Projection("p", src, dst, pre, post, 1.0, 1))
    graph = partition(net)
    assert len(graph.pop_slices[dst]) > 1 and len(graph.pop_slices[src]) > 1
    assert {(b.source, b.target): (b.n_synapses, b.row_length) for b in graph.blocks} == brute_force_blocks(graph, net)


def test_a_finer_cut_recounts_only_the_projections_it_touches(monkeypatch):
    """The wide source's target is cut finer round after round; the projection between two
    populations whose slices stay is counted once, and its blocks stay right."""
    from core.mapping import partition as module

    net = Network()
    src = net.add_population(Population("src", "SpikeSourcePoisson", 255 * 2500))
    dst = net.add_population(Population("dst", "IF_curr_exp", 255))
    net.add_projection(Projection("wide", src, dst, np.arange(2500) * 255, np.arange(2500) % 255, 1.0, 1))
    a = net.add_population(Population("a", "SpikeSourcePoisson", 300))
    b = net.add_population(Population("b", "IF_curr_exp", 300))
    rng = np.random.default_rng(3)
    net.add_projection(Projection("steady", a, b, rng.integers(0, 300, 3000), rng.integers(0, 300, 3000), 1.0, 2))
    counted, rounds = [], []
    real_counts, real_partition = module.block_counts, module._partition
    monkeypatch.setattr(module, "block_counts", lambda proj, *a: counted.append(proj.label) or real_counts(proj, *a))
    monkeypatch.setattr(module, "_partition", lambda *a, **k: rounds.append(1) or real_partition(*a, **k))
    graph = partition(net)
    assert len(rounds) > 1 and counted.count("wide") == len(rounds) and counted.count("steady") == 1
    steady = net.projections[1]
    got = {(blk.source, blk.target): (blk.n_synapses, blk.row_length) for blk in graph.blocks if blk.projection == 1}
    assert got == brute_force_blocks(graph, replace(net, projections=[steady]))
