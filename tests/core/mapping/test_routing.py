"""Routing delivers every packet to exactly the PEs holding its synaptic rows."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from core import Emulator, Machine, Network, Population, Projection, compile_network
from core.hardware import PES_PER_CHIP
from core.mapping.compress import compress
from core.mapping.route import RoutingTable


def lookup(table, key):
    hit = np.flatnonzero((key & table.mask) == table.key)
    return None if hit.size == 0 else hit[0]


def reached(program, key, chip):
    """Walk the routing tables as the routers do; the PEs a packet arrives at."""
    pes, todo, seen = [], [chip], 0
    while todo:
        c = todo.pop()
        seen += 1
        assert seen < 10_000, "routing loop"
        table = program.routing_tables[c]
        e = lookup(table, key)
        assert e is not None, f"packet {key:#x} dropped at chip {c}"
        for w in range(3):
            pes += [c * PES_PER_CHIP + w * 64 + b for b in range(64) if int(table.pes[e, w]) >> b & 1]
        todo += [int(program.machine.neighbours[c, l]) for l in range(6) if table.links[e] >> l & 1]
    return sorted(pes)


def many_small_populations(rng, n_pops, n_chips):
    net = Network()
    for i in range(n_pops):
        net.add_population(Population(f"p{i}", "IF_curr_exp", 3))
    for k in range(3 * n_pops):
        a, b = rng.integers(0, n_pops, 2)
        net.add_projection(Projection(f"e{k}", int(a), int(b), [0, 1, 2], [2, 1, 0], 1.0, 1))
    return compile_network(net, Machine(n_chips=n_chips))


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1, 3, 48]))
def test_every_packet_reaches_exactly_its_targets(seed, n_chips):
    rng = np.random.default_rng(seed)
    n_pops = 150 if n_chips == 1 else int(rng.integers(160, 400))
    program = many_small_populations(rng, n_pops, n_chips)
    im = program.images.pes
    holders = {}
    for v, mv in enumerate(program.graph.vertices):
        for src in mv.sources:
            holders.setdefault(src, []).append(int(program.placement[v]))
    for v, mv in enumerate(program.graph.vertices):
        if not mv.holds_neurons:
            continue
        key = int(im.key[v]) | 1
        expected = sorted(holders.get(mv.slice, []))
        assert bool(im.sends[v]) == bool(expected)
        if expected:
            assert reached(program, key, int(program.placement[v]) // PES_PER_CHIP) == expected


def test_emulated_packets_arrive_once_per_target_pe(rng):
    program = many_small_populations(rng, 300, 3)
    net = program.network
    for pop in net.populations:
        pop.parameters["i_offset"][:] = 2.0
    for proj in net.projections:      # zero weights: every neuron fires alike, so counts are exact
        proj.weight = np.zeros(proj.size)
    program = compile_network(net, Machine(n_chips=3))
    emu = Emulator(program, seed=1)
    emu.run(300)
    stats = emu.statistics()
    assert stats["packets sent"] > 0
    assert stats["packets dropped (no routing entry)"] == 0
    assert stats["packets with no master population table entry"] == 0
    targets_per_key = {}
    for v, mv in enumerate(program.graph.vertices):
        for src in mv.sources:
            targets_per_key[src] = targets_per_key.get(src, 0) + 1
    # every neuron of every population fires identically (same drive), so count per slice
    sent_by_slice = stats["packets sent"] / sum(1 for s in targets_per_key)
    assert stats["packets delivered to PEs"] == pytest.approx(sent_by_slice * sum(targets_per_key.values()))


def test_compression_is_exact_and_merges_zoned_slices():
    rng = np.random.default_rng(0)
    n = 4096
    key = (np.arange(n, dtype=np.uint32) << 8)
    mask = np.full(n, 0xFFFFFF00, dtype=np.uint32)
    route = rng.integers(0, 3, n)               # three distinct routes
    pes = np.zeros((n, 3), dtype=np.uint64)
    pes[:, 0] = (1 << route).astype(np.uint64)
    table = RoutingTable(key, mask, np.zeros(n, np.uint8), pes, uncompressed=n)
    small = compress(table)
    assert len(small) < len(table)
    probe = np.concatenate([key | rng.integers(0, 256, n).astype(np.uint32),
                            rng.integers(0, 2**32, 2000, dtype=np.uint64).astype(np.uint32)])
    for k in probe:
        a, b = lookup(table, k), lookup(small, k)
        assert (a is None) == (b is None)
        if a is not None:
            assert small.pes[b, 0] == table.pes[a, 0]
    uniform = compress(RoutingTable(key, mask, np.zeros(n, np.uint8), np.ones((n, 3), np.uint64), n))
    assert len(uniform) == 1 and uniform.mask[0] == 0xFFF00000


def test_tables_over_the_router_limit_are_compressed_or_rejected(monkeypatch):
    import core.mapping.route as route_module
    net = Network()
    target = net.add_population(Population("target", "IF_curr_exp", 3))
    for i in range(16):                      # sixteen one-slice sources, all routed the same way
        src = net.add_population(Population(f"s{i}", "SpikeSourcePoisson", 3))
        net.add_projection(Projection(f"e{i}", src, target, [0, 1, 2], [0, 1, 2], 1.0, 1))
    monkeypatch.setattr(route_module, "ROUTER_ENTRIES", 8)
    table = compile_network(net, local_sources=False).routing_tables[0]    # sources on PEs of their own
    assert table.uncompressed == 16 and len(table) <= 8
    monkeypatch.setattr(route_module, "ROUTER_ENTRIES", 0)
    with pytest.raises(ValueError, match="chip 0: the routing table needs .* more than the router's 0"):
        compile_network(net, local_sources=False)


@pytest.mark.parametrize("n_chips", [1, 3])
def test_routes_resolved_at_load_equal_a_table_scan_for_every_key(rng, n_chips):
    """Every neuron key of every sending PE, scanned through the tables one packet at a time,
    reaches exactly the PEs the loader resolved for that PE (and is dropped as often)."""
    from core.runtime.routes import flat_tables, resolve, route_packet
    program = many_small_populations(rng, 300 if n_chips > 1 else 120, n_chips)
    routes = resolve(program)
    pes = program.images.pes
    tables = flat_tables(program.routing_tables)
    pe_vertex = np.full(program.machine.n_pes, -1, dtype=np.int64)
    pe_vertex[program.placement] = np.arange(len(program.placement))
    out = np.empty(program.machine.n_pes, dtype=np.int64)
    visited, hops = (np.empty(program.machine.n_chips * 6, dtype=np.int64) for _ in range(2))
    checked = 0
    for v in np.flatnonzero(pes.sends):
        want = sorted(routes.dest[routes.dest_start[v]:routes.dest_start[v + 1]].tolist())
        for i in range(pes.n[v]):
            n, drops, n_visited, n_hops = route_packet(pes.key[v] | np.uint32(i), pes.chip[v], *tables,
                                                       program.machine.neighbours.astype(np.int64), pe_vertex, out,
                                                       visited, hops)
            assert sorted(out[:n].tolist()) == want and drops == routes.drops[v]
            assert sorted(visited[:n_visited].tolist()) == sorted(
                routes.visit[routes.visit_start[v]:routes.visit_start[v + 1]].tolist())
            assert n_hops == n_visited - 1 == routes.hop_start[v + 1] - routes.hop_start[v]   # a tree
            checked += 1
    assert checked > 100 and routes.dest.size > 0
