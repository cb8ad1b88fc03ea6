"""The serial paradigm's byte costs, item by item as Table I of the paradigm-switching paper gives
them (with this implementation's three documented differences: a header word per row, 32-bit
integer input buffers, per-neuron constants, state and random stream), and the limits derived
from them."""
import numpy as np
import pytest

from core import Network, Population, Projection
from core.hardware import DATA_SRAM_BYTES
from core.mapping import serial
from core.mapping.partition import partition
from core.models import MODELS

OS = 6000                      # Table I: host OS and hardware management, per PE


def table_one(n, sources=0, rows=0, words=0, slots=0, words_per_neuron=0, neurons=True, dram=False, row_words=0,
              types=2):
    return {
        "input spike buffer": 4 * n,
        "DMA buffer": 2 * 4 * row_words if dram else 0,          # double buffer of the longest row
        "master population table": 12 * sources,                 # key, mask, address: 3 words each
        "address list": 4 * rows,
        "synaptic matrix": 0 if dram else 4 * words,
        "synaptic input buffer": 4 * n * slots * types,          # one 32-bit sum per receptor type
        "neuron and synapse model": 4 * n * words_per_neuron + 4 * types if neurons else 0,   # + weight steps
        "output recording": 4 * (int(np.ceil(n / 32)) + 1) + 12 * n if neurons else 0,
        "stack & heap": 12 * sources,
        "hw mgmt & OS": OS,
    }


@pytest.mark.parametrize("neurons, dram", [(True, False), (True, True), (False, False)])
def test_pe_bytes_item_by_item(neurons, dram):
    args = dict(sources=7, rows=9, words=1234, slots=16, words_per_neuron=17, neurons=neurons, dram=dram,
                row_words=40)
    got = serial.pe_bytes(n_neurons=100, n_source_vertices=7, n_address_rows=9, matrix_words=1234, slots=16,
                          neuron_words=17, holds_neurons=neurons, dram=dram, max_row_words=40)
    assert got == table_one(100, **args)


def test_pe_bytes_defaults_are_a_neuron_pe_with_no_synapses():
    assert serial.pe_bytes(n_neurons=33) == table_one(33)


@pytest.mark.parametrize("model, words", [("IF_curr_exp", 11 + 3 + 1 + 2), ("IF_curr_alpha", 17 + 5 + 1 + 2),
                                          ("SpikeSourceArray", 0 + 0 + 2 + 2)])
def test_neuron_words_are_constants_state_and_a_random_stream(model, words):
    assert serial.neuron_words(MODELS[model]) == words


def test_fits_is_the_data_sram_inclusive():
    assert serial.fits({"a": DATA_SRAM_BYTES - 10, "b": 10})
    assert not serial.fits({"a": DATA_SRAM_BYTES - 10, "b": 11})


@pytest.mark.parametrize("max_delay, slots", [(0, 0), (1, 2), (2, 4), (3, 4), (4, 8), (7, 8), (8, 16), (63, 64)])
def test_ring_slots_are_the_next_power_of_two_above_the_longest_delay(max_delay, slots):
    assert serial.ring_slots(max_delay) == slots


@pytest.mark.parametrize("slots, model", [(0, "IF_curr_exp"), (8, "IF_curr_exp"), (16, "IF_curr_alpha"),
                                          (64, "IF_curr_exp"), (64, "IF_curr_alpha")])
def test_neurons_per_pe_fill_the_room_left_by_tables(slots, model):
    """What one neuron costs (Table I items for n = 1 less the OS), into the data SRAM less the OS
    and 2 KB kept for tables and a DMA buffer, at most 255."""
    spec = MODELS[model]
    per_neuron = sum(table_one(1, slots=slots, words_per_neuron=serial.neuron_words(spec)).values()) - OS
    expected = min(255, (DATA_SRAM_BYTES - OS - 2048) // per_neuron)
    assert serial.max_neurons_per_pe(slots, spec) == expected
    assert (expected < 255) == (slots == 64)


def test_synaptic_word_fields_round_trip():
    rng = np.random.default_rng(0)
    n = 1000
    fields = (rng.integers(0, 2 ** 16, n), rng.integers(0, 64, n), rng.integers(0, 2, n), rng.integers(0, 256, n))
    words = serial.pack_words(*fields)
    assert words.dtype == np.uint32
    for got, want in zip(serial.unpack_words(words), fields):
        np.testing.assert_array_equal(got, want)
    assert serial.pack_words(*(np.array([x]) for x in (1, 0, 0, 0)))[0] == 1 << 16
    assert serial.pack_words(*(np.array([x]) for x in (0, 1, 0, 0)))[0] == 1 << 10
    assert serial.pack_words(*(np.array([x]) for x in (0, 0, 1, 0)))[0] == 1 << 8


@pytest.mark.parametrize("n_pre, p, n_projections, delay, layout", [
    (300, 0.05, 2, 5, (1, False)), (1000, 0.01, 4, 3, (3, False)), (1000, 0.9, 4, 1, (1, True))])
def test_every_pe_costs_what_table_one_says_for_what_it_holds(n_pre, p, n_projections, delay, layout):
    """One PE, a slice split over several PEs, rows in DRAM: each PE's bytes are Table I's items for
    the blocks of synaptic rows it holds, and only the first PE of a slice holds its neurons."""
    rng = np.random.default_rng(2)
    net = Network(0.1)
    src = net.add_population(Population("src", "SpikeSourcePoisson", n_pre))
    dst = net.add_population(Population("dst", "IF_curr_alpha", 200))
    for k in range(n_projections):
        i, j = np.nonzero(rng.random((n_pre, 200)) < p)
        net.add_projection(Projection(f"p{k}", src, dst, i, j, 1.0, rng.integers(1, delay + 1, i.size)))
    graph = partition(net)
    layouts = set()
    for v in graph.vertices:
        sl = graph.slices[v.slice]
        spec = net.populations[sl.population].spec
        blocks = [b for b in graph.blocks if b.target == v.slice and b.source in v.sources]
        receives = any(b.target == v.slice for b in graph.blocks)
        expected = table_one(
            sl.size, sources=len(v.sources), rows=len(blocks), words=sum(b.n_rows * (1 + b.row_length) for b in blocks),
            slots=serial.ring_slots(max(p.delay.max() for p in net.projections)) if receives else 0,
            words_per_neuron=serial.neuron_words(spec), neurons=v.share == 0, dram=v.dram,
            row_words=max((1 + b.row_length for b in blocks), default=0))
        assert v.bytes == expected, f"PE {v.share} of slice {v.slice}"
        assert sum(v.bytes.values()) <= DATA_SRAM_BYTES
        if sl.population == dst:
            layouts.add((len([w for w in graph.vertices if w.slice == v.slice]), v.dram))
    assert layouts == {layout}            # (PEs per slice of dst, rows in DRAM)


def test_too_long_delay_names_the_timestep_that_would_hold_it():
    """Delay PEs hold 63 + 63 x 32 = 2079 steps here (the shortest delay is long, so stages are
    32 steps): 3000 steps at 0.1 ms need 300 ms in 2079 steps, a timestep of at least 0.144 ms."""
    net = Network(0.1)
    a = net.add_population(Population("a", "SpikeSourcePoisson", 2))
    b = net.add_population(Population("b", "IF_curr_exp", 2))
    net.add_projection(Projection("long", a, b, [0], [1], 1.0, 3000))
    with pytest.raises(ValueError, match=r"'long': delay 300 ms \(3000 steps\).*2079 steps.*timestep of at least "
                                         r"0.144 ms"):
        partition(net)
