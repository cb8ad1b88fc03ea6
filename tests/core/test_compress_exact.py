"""Routing-table compression changes no packet's route: every key is looked up in the compressed
and the uncompressed table (first matching entry, as the router does) and must leave on the same
links to the same PEs, or be dropped by both. Tables are built to be compressible, with entries
that agree on their PEs but not their links and the other way round; and whole programs on several
chips are routed key by key through both sets of tables, and run on the emulator both ways."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import core.mapping.route as route_module
from core import Emulator, Machine, Network, Population, Projection, compile_network
from core.hardware import PES_PER_CHIP
from core.mapping.compress import compress
from core.mapping.route import RoutingTable, neuron_pes, targets
from tests.core.synaptic_input import assert_currents_match_synapses, record_everything

NEURON_BITS = 8      # keys are zoned population | slice | neuron; a slice's entry masks the neuron field
MASK = 0xFFFFFFFF & ~((1 << NEURON_BITS) - 1)


def lookup(table, keys):
    """Index of the first entry matching each key, -1 where none does."""
    keys = np.asarray(keys, dtype=np.uint32)
    hits = (keys[:, None] & table.mask[None, :]) == table.key[None, :]
    return np.where(hits.any(axis=1), hits.argmax(axis=1), -1)


def routes(table, keys):
    """(links, pe word 0, 1, 2) for each key; all -1 where the key matches nothing."""
    e = lookup(table, keys)
    out = np.column_stack([table.links.astype(np.int64), table.pes.astype(np.int64)])[e]
    out[e < 0] = -1
    return out


def table_of(key, links, pes):
    n = len(key)
    return RoutingTable(np.asarray(key, np.uint32), np.full(n, MASK, np.uint32), np.asarray(links, np.uint8),
                        np.asarray(pes, np.uint64).reshape(n, 3), uncompressed=n)


def probe_keys(table, rng):
    """Every slice key in the table's key space (with a random neuron field), and random keys."""
    space = 1 << int(np.max(table.key >> NEURON_BITS)).bit_length()
    slices = np.arange(space + 8, dtype=np.uint32) << NEURON_BITS
    return np.concatenate([slices | rng.integers(0, 256, slices.size).astype(np.uint32),
                           rng.integers(0, 2 ** 32, 500, dtype=np.uint64).astype(np.uint32)])


def assert_same_routes(table, small, rng):
    keys = probe_keys(table, rng)
    before, after = routes(table, keys), routes(small, keys)
    differ = np.flatnonzero((before != after).any(axis=1))
    assert differ.size == 0, (f"{differ.size} keys routed differently, first {keys[differ[0]]:#x}: "
                              f"{before[differ[0]].tolist()} before, {after[differ[0]].tolist()} after")


# a palette of routes: pairs that share their PEs but not their links, and the other way round
PALETTE = [(0, (1, 0, 0)), (1, (1, 0, 0)), (0b100000, (1, 0, 0)), (1, (0, 1 << 63, 0)),
           (1, (1, 0, 1 << 23)), (0, (0, 0, 1 << 23)), (0b010010, (0, 0, 0))]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_compression_keeps_every_route(data):
    n_slices = data.draw(st.integers(2, 300))
    key_bits = data.draw(st.integers(max(1, (n_slices - 1).bit_length()), 12))
    slice_keys = data.draw(st.lists(st.integers(0, (1 << key_bits) - 1), min_size=n_slices, max_size=n_slices,
                                    unique=True))
    # few distinct routes, grouped in runs of neighbouring keys, so that many siblings can merge
    n_routes = data.draw(st.integers(1, len(PALETTE)))
    palette = data.draw(st.permutations(PALETTE))[:n_routes]
    run = data.draw(st.integers(1, 16))
    choice = [palette[(k // run) % n_routes] if data.draw(st.booleans()) else palette[k % n_routes]
              for k in sorted(slice_keys)]
    keys = np.array(sorted(slice_keys), dtype=np.uint32) << NEURON_BITS
    order = data.draw(st.permutations(range(n_slices)))
    table = table_of(keys[order], [choice[i][0] for i in order], [choice[i][1] for i in order])
    small = compress(table)
    assert len(small) <= len(table)
    assert_same_routes(table, small, np.random.default_rng(n_slices))


def test_entries_differing_only_in_links_stay_apart():
    """Sibling keys going to the same PEs, one also forwarded on a link: merging them would drop
    the forwarded packets (or forward the other's)."""
    keys = np.arange(64, dtype=np.uint32) << NEURON_BITS
    links = np.where(np.arange(64) % 2, 0b000100, 0)
    pes = np.tile([1 << 5, 0, 0], (64, 1))
    table = table_of(keys, links, pes)
    small = compress(table)
    assert len(small) == 2                           # the 32 even keys and the 32 odd keys
    assert_same_routes(table, small, np.random.default_rng(0))
    same_links = compress(table_of(keys, np.zeros(64), pes + np.arange(64)[:, None] % 2 * [1, 0, 0]))
    assert len(same_links) == 2                      # ... and so do sibling keys differing in PEs only


def test_compressible_table_shrinks():
    """All slices of eight populations going one way merge into one entry per population."""
    keys = (np.arange(8)[:, None] * 64 + np.arange(64)[None, :]).ravel().astype(np.uint32) << NEURON_BITS
    route = np.arange(keys.size) // 64
    table = table_of(keys, route % 2, np.column_stack([1 << route, 0 * route, 0 * route]))
    small = compress(table)
    assert len(small) == 8
    assert_same_routes(table, small, np.random.default_rng(0))


# -- through the whole pipeline, on several chips ---------------------------------------------

def walk(tables, neighbours, key, chip):
    """Follow a packet through the routers: the (chip, PE) pairs it is delivered to, the (chip, link)
    pairs it travels, and the chips where it matched no entry."""
    delivered, travelled, dropped, todo, visits = set(), set(), [], [chip], 0
    while todo:
        c = todo.pop()
        visits += 1
        assert visits < 10_000, f"packet {key:#x} loops"
        e = lookup(tables[c], [key])[0]
        if e < 0:
            dropped.append(c)
            continue
        for word in range(3):
            bits = int(tables[c].pes[e, word])
            delivered |= {(c, 64 * word + b) for b in range(64) if bits >> b & 1}
        for link in range(6):
            if int(tables[c].links[e]) >> link & 1:
                travelled.add((c, link))
                todo.append(int(neighbours[c, link]))
    return delivered, travelled, dropped


def assert_pipeline_routes_survive_compression(program):
    """Every source slice's packets (its first and last neuron) reach the same PEs over the same
    links through the compressed tables as through the uncompressed ones."""
    neighbours, keys = program.machine.neighbours, program.keys
    compressed = [compress(t) for t in program.routing_tables]
    source_pe = neuron_pes(program.graph, program.placement)
    sending = sorted(targets(program.graph, program.placement))
    assert sending
    for src in sending:
        chip = int(source_pe[src]) // PES_PER_CHIP
        for neuron in (0, program.graph.slices[src].size - 1):
            key = int(keys.key[src]) | neuron
            before = walk(program.routing_tables, neighbours, key, chip)
            assert before[0] and not before[2]
            assert walk(compressed, neighbours, key, chip) == before, f"packet {key:#x} from chip {chip}"
    return compressed


def fanned_out(n_chips_between=1):
    """A four-slice source on chip 0 whose slices all reach population A on chip 1 while only the
    odd slices also reach B, further along: on chip 1 the even and odd slices' entries deliver to
    the same PE but only the odd ones forward on a link. Fillers (no synapses) push A and B onto
    later chips."""
    net = Network(0.1)
    rng = np.random.default_rng(5)
    n = 4 * 255
    times = [np.sort(rng.choice(np.arange(1, 150), 3, replace=False)) * 0.1 for _ in range(n)]
    src = net.add_population(Population("src", "SpikeSourceArray", n, spike_times=times))
    net.add_population(Population("fill0", "SpikeSourcePoisson", 148 * 255, parameters={"rate": 0.0}))
    a = net.add_population(Population("A", "IF_curr_exp", 20, parameters={"v_thresh": 1000.0}))
    for k in range(n_chips_between):
        net.add_population(Population(f"fill{k + 1}", "SpikeSourcePoisson", 151 * 255, parameters={"rate": 0.0}))
    b = net.add_population(Population("B", "IF_curr_exp", 20, parameters={"v_thresh": 1000.0}))
    pre = np.arange(n)
    odd = pre[(pre // 255) % 2 == 1]
    net.add_projection(Projection("toA", src, a, pre, pre % 20, rng.uniform(0.5, 1.0, n), 1 + pre % 5))
    net.add_projection(Projection("toB", src, b, odd, odd % 20, rng.uniform(0.5, 1.0, odd.size), 1 + odd % 7, 1))
    record_everything(net)
    return net


def test_fanned_out_program_has_entries_that_differ_only_in_links():
    """The premise of the next tests: without it they could not see a compressor that ignores links."""
    program = compile_network(fanned_out(), Machine(n_chips=3))
    chips = {label: {pe[0] for pe in program.report.population(label).pes} for label in ("src", "A", "B")}
    assert chips == {"src": {0}, "A": {1}, "B": {2}}
    table = program.routing_tables[1]
    pairs = [(i, j) for i in range(len(table)) for j in range(i)
             if bin(int(table.key[i]) ^ int(table.key[j])).count("1") == 1
             and table.mask[i] == table.mask[j] and (table.pes[i] == table.pes[j]).all()
             and table.links[i] != table.links[j]]
    assert pairs


@pytest.mark.parametrize("n_chips, between", [(3, 1), (8, 3)])
def test_pipeline_routes_survive_compression(n_chips, between):
    program = compile_network(fanned_out(between), Machine(n_chips=n_chips))
    assert_pipeline_routes_survive_compression(program)


def test_emulated_program_with_compressed_tables_delivers_every_synapse(monkeypatch):
    """A router too small for the tables forces compression inside the pipeline; the run must be the
    run with uncompressed tables, packet for packet, and every synapse must deliver."""
    net = fanned_out()
    plain = compile_network(net, Machine(n_chips=3))
    assert [len(t) for t in plain.routing_tables] == [4, 4, 2]
    monkeypatch.setattr(route_module, "ROUTER_ENTRIES", 2)
    squeezed = compile_network(net, Machine(n_chips=3))
    assert [len(t) for t in squeezed.routing_tables] == [1, 2, 2]
    runs = []
    for program in (plain, squeezed):
        emulator = Emulator(program, seed=0)
        emulator.run(300)
        assert_currents_match_synapses(net, emulator, 300)
        runs.append(emulator)
    assert runs[0].statistics() == runs[1].statistics()
    assert runs[1].statistics()["packets dropped (no routing entry)"] == 0


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([2, 3, 8, 48]))
def test_random_programs_route_the_same_compressed(seed, n_chips):
    """Many small populations spread over several chips, randomly connected."""
    rng = np.random.default_rng(seed)
    net = Network(0.1)
    n_pops = int(rng.integers(153, 400)) if n_chips < 48 else int(rng.integers(300, 700))
    n_pops = min(n_pops, n_chips * PES_PER_CHIP)
    for i in range(n_pops):
        net.add_population(Population(f"p{i}", "IF_curr_exp", int(rng.integers(1, 4))))
    for k in range(2 * n_pops):
        a, b = (int(x) for x in rng.integers(0, n_pops, 2))
        n_a, n_b = net.populations[a].size, net.populations[b].size
        net.add_projection(Projection(f"e{k}", a, b, rng.integers(0, n_a, 3), rng.integers(0, n_b, 3), 1.0, 1))
    program = compile_network(net, Machine(n_chips=n_chips))
    assert program.report.chips_used > 1
    assert_pipeline_routes_survive_compression(program)
