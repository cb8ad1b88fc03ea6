import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.hardware import DATA_SRAM_BYTES
from core.mapping.parallel import (NO_OPTIMISATION, Optimisations, compile_layer, dense_product, product,
                                   stacked_counts)
from core.mapping.parallel import rows as rows_module

FLAGS = [f.name for f in dataclasses.fields(Optimisations)]


def random_layer(rng, n_source, n_target, density, delay_range, n_types=2, weight_bits=8, low=1):
    s, t = np.nonzero(rng.random((n_source, n_target)) < density)
    w = rng.integers(low, 1 << weight_bits, s.size)
    d = rng.integers(1, delay_range + 1, s.size)
    r = rng.integers(0, n_types, s.size)
    return s, t, w, d, r


def check_structure(plan):
    """Invariants of the compiled arrays that the emulator relies on."""
    ob = plan.weight_bits // 8
    for sl in plan.slices:
        assert np.all(sl.row_start % 4 == 0) and np.all(sl.seg_row % 4 == 0)
        assert np.all(sl.seg_first % 16 == 0) and np.all(sl.seg_width % 16 == 0) and np.all(sl.seg_width > 0)
        assert np.all((sl.col_target >= sl.lo) & (sl.col_target < sl.hi))
        assert sl.input_row.size == sl.input_start[-1] and np.all(sl.input_row < sl.n_rows)
        for q in range(sl.n_sub):
            segs = slice(sl.seg_start[q], sl.seg_start[q + 1])
            rows = sl.seg_row[segs]
            assert np.all((rows >= sl.row_start[q]) & (rows < sl.row_start[q + 1]))
            assert np.all(sl.seg_first[segs] + sl.seg_width[segs] <= -(-(sl.col_start[q + 1] - sl.col_start[q]) // 16) * 16)
            assert sl.tiles[q] == sl.seg_width[segs].sum() // 16
            assert sl.subordinate_bytes[q]["optimized weight-delay map"] == 64 * ob * sl.tiles[q]
        assert sl.weights.size == 4 * sl.seg_width.sum()
        assert sl.weights.itemsize == ob
    for items in plan.pe_bytes():
        assert sum(items.values()) <= DATA_SRAM_BYTES


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_source=st.integers(1, 500), n_target=st.integers(1, 600),
       density=st.floats(0.01, 1.0), delay_range=st.integers(1, 16), n_types=st.integers(1, 4),
       weight_bits=st.sampled_from([8, 16]), flags=st.lists(st.booleans(), min_size=len(FLAGS), max_size=len(FLAGS)),
       max_count=st.integers(1, 3))
def test_compiled_product_equals_the_dense_weight_delay_product(seed, n_source, n_target, density, delay_range,
                                                                n_types, weight_bits, flags, max_count):
    rng = np.random.default_rng(seed)
    if n_source * n_target * density > 60_000:           # keep each example quick
        density = 60_000 / (n_source * n_target)
    s, t, w, d, r = random_layer(rng, n_source, n_target, density, delay_range, n_types, weight_bits)
    if rng.random() < 0.3 and s.size:                   # repeated synapses add their weights
        k = np.unique(rng.integers(0, s.size, s.size // 3))
        s, t, d, r = (np.concatenate([a, a[k]]) for a in (s, t, d, r))
        w = np.concatenate([w, w[k]]) // 2
    if rng.random() < 0.3:                              # coarse weights: many identical rows to merge
        w = np.minimum(w, 1)
    opt = Optimisations(*flags)
    plan = compile_layer(s, t, w, d, r, n_source=n_source, n_target=n_target, weight_bits=weight_bits,
                         neuron_bytes=72, delay_range=delay_range, max_count=max_count, optimisations=opt)
    check_structure(plan)
    for _ in range(2):
        x = rng.integers(0, max_count + 1, n_source * delay_range)
        assert np.array_equal(product(plan, x), dense_product(s, t, w, d, r, x, n_source, n_target, delay_range))


def test_history_layout_and_one_hot_inputs():
    """Input k = s * D + d - 1 carries count_s(t - d): one spike of one source at one delay
    reaches exactly the synapses with that source and delay."""
    rng = np.random.default_rng(3)
    s, t, w, d, r = random_layer(rng, 40, 70, 0.3, 5)
    plan = compile_layer(s, t, w, d, r, n_source=40, n_target=70, neuron_bytes=72)
    history = np.zeros((5, 40), np.int64)
    history[2, 7] = 1                                     # source 7 spiked 3 steps ago
    y = product(plan, stacked_counts(history))
    hit = (s == 7) & (d == 3)
    expect = np.zeros((4, 70), np.int64)
    np.add.at(expect, (r[hit], t[hit]), w[hit])
    assert np.array_equal(y, expect) and y.sum() > 0


def test_unoptimised_map_is_the_padded_dense_map():
    rng = np.random.default_rng(1)
    s, t, w, d, r = random_layer(rng, 37, 45, 0.2, 3, n_types=2)
    plan = compile_layer(s, t, w, d, r, n_source=37, n_target=45, neuron_bytes=72, optimisations=NO_OPTIMISATION)
    rows, cols = 37 * 3, 2 * 45
    assert plan.map_bytes == -(-rows // 4) * 4 * -(-cols // 16) * 16
    for opt in (NO_OPTIMISATION, Optimisations()):
        plan16 = compile_layer(s, t, w, d, r, n_source=37, n_target=45, neuron_bytes=72, weight_bits=16,
                               optimisations=opt)
        plan8 = compile_layer(s, t, w, d, r, n_source=37, n_target=45, neuron_bytes=72, optimisations=opt)
        assert plan16.map_bytes == 2 * plan8.map_bytes


@pytest.mark.parametrize("flag", ["drop_zero_rows", "drop_zero_columns", "merge_inputs", "trim_windows",
                                  "skip_zero_tiles", "dominant_multiplies", "split_columns"])
def test_each_optimisation_pays_where_it_applies(flag):
    rng = np.random.default_rng(7)
    s, t, w, d, r = random_layer(rng, 300, 120, 0.05, 8, n_types=3)
    base = Optimisations()
    measure = lambda plan: plan.map_bytes
    if flag == "drop_zero_rows":          # empty inputs cost stacked input and table bytes
        base, measure = dataclasses.replace(base, merge_inputs=False), (lambda plan: plan.sram_bytes)
    elif flag == "drop_zero_columns":     # targets that receive nothing
        keep = t % 3 == 0
        s, t, w, d, r = (a[keep] for a in (s, t, w, d, r))
    elif flag == "merge_inputs":          # coarse weights: rows repeat
        w = rng.integers(1, 3, s.size)
    elif flag == "trim_windows":          # skipping zero tiles trims windows too
        base = dataclasses.replace(base, skip_zero_tiles=False)
    elif flag in ("dominant_multiplies", "split_columns"):
        measure = lambda plan: plan.n_pes
        if flag == "dominant_multiplies":
            s, t, w, d, r = random_layer(rng, 50, 40, 0.2, 2)
    kw = dict(n_source=300, n_target=120, neuron_bytes=72, delay_range=8)
    on = compile_layer(s, t, w, d, r, **kw, optimisations=base)
    off = compile_layer(s, t, w, d, r, **kw, optimisations=dataclasses.replace(base, **{flag: False}))
    if flag == "split_columns":           # bands are only taken when they pay
        assert measure(on) <= measure(off)
    else:
        assert measure(on) < measure(off)


def test_echelon_order_makes_tiles_dense():
    """Rows whose synapses fall in few column tiles, shuffled: echelon order brings rows with the
    same tiles into the same 4-row groups."""
    rng = np.random.default_rng(11)
    n_source, n_target = 400, 256
    s = np.repeat(np.arange(n_source), 3)
    block = rng.integers(0, n_target // 16, n_source)
    t = (np.repeat(block, 3) * 16 + rng.integers(0, 16, s.size))
    w = rng.integers(1, 80, s.size)
    kw = dict(n_source=n_source, n_target=n_target, neuron_bytes=72)
    on = compile_layer(s, t, w, 1, **kw)
    off = compile_layer(s, t, w, 1, **kw, optimisations=dataclasses.replace(Optimisations(), echelon=False))
    assert on.map_bytes < 0.5 * off.map_bytes


def test_identical_rows_merge_up_to_the_operand_limit():
    n_source, n_target = 600, 20
    s = np.repeat(np.arange(n_source), n_target)
    t = np.tile(np.arange(n_target), n_source)
    w = np.tile(np.arange(1, n_target + 1), n_source)       # every source: the same weight vector
    plan = compile_layer(s, t, w, 1, n_source=n_source, n_target=n_target, neuron_bytes=72)
    sl = plan.slices[0]
    assert sl.input_start[-1] == n_source and np.unique(sl.input_row).size == 3   # 600 = 255 + 255 + 90
    x = np.ones(n_source, np.int64)
    assert np.array_equal(product(plan, x), dense_product(s, t, w, 1, 0, x, n_source, n_target, 1))
    two = compile_layer(s, t, w, 1, n_source=n_source, n_target=n_target, neuron_bytes=72, max_count=2)
    assert np.unique(two.slices[0].input_row).size == 5     # 127 inputs per row when 2 spikes a step
    with pytest.raises(OverflowError, match="stacked input 510 exceeds the 8-bit operand"):
        product(plan, 2 * x)


def test_hash_collisions_never_merge_different_rows(monkeypatch):
    monkeypatch.setattr(rows_module, "_mix", lambda x, seed: np.zeros(x.shape, np.uint64))
    rng = np.random.default_rng(5)
    s, t, w, d, r = random_layer(rng, 200, 60, 0.05, 2)
    plan = compile_layer(s, t, w, d, r, n_source=200, n_target=60, neuron_bytes=72)
    x = rng.integers(0, 2, 400)
    assert np.array_equal(product(plan, x), dense_product(s, t, w, d, r, x, 200, 60, 2))


def test_two_stage_splitting_balances_subordinates():
    rng = np.random.default_rng(2)
    s, t, w, d, r = random_layer(rng, 500, 500, 1.0, 1, n_types=1)
    plan = compile_layer(s, t, w, d, r, n_source=500, n_target=500, neuron_bytes=72)
    assert len(plan.slices) == 1
    sl = plan.slices[0]
    assert sl.n_sub >= 3 and not sl.dominant_multiplies
    loads = np.array([sum(b.values()) for b in sl.subordinate_bytes])
    assert loads.max() <= DATA_SRAM_BYTES and loads.min() > 0.8 * loads.max()
    assert sl.tiles.min() > 0.8 * sl.tiles.max()
    # near-optimal packing: at most one subordinate more than the bytes strictly need
    assert sl.n_sub <= -(-loads.sum() // DATA_SRAM_BYTES) + 1


def test_small_layer_is_one_pe_and_dominant_tables_follow_table_one():
    rng = np.random.default_rng(4)
    s, t, w, d, r = random_layer(rng, 50, 30, 0.2, 4, n_types=2)
    plan = compile_layer(s, t, w, d, r, n_source=50, n_target=30, neuron_bytes=72, n_source_vertices=2)
    sl = plan.slices[0]
    assert plan.n_pes == 1 and sl.dominant_multiplies
    dom = sl.dominant_bytes
    assert dom["input spike buffer"] == 4 * -(-50 * 5 // 4)
    assert dom["stacked input"] == 4 * sl.n_rows
    assert dom["synaptic input"] == 4 * 30 * 2 and dom["neuron and synapse model"] == 72 * 30
    assert dom["stack & heap"] == 24 and dom["hw mgmt & OS"] == 6000
    assert dom["reversed order"] == 2 * 50 * 4 and dom["input merging table"] == 0   # one row per input
    (pe,) = plan.pe_bytes()
    assert pe["optimized weight-delay map"] == 64 * sl.tiles[0] and pe["hw mgmt & OS"] == 6000


def test_dominant_tables_too_large_for_one_pe_make_several_dominants():
    rng = np.random.default_rng(8)
    s, t, w, d, r = random_layer(rng, 100, 400, 0.1, 2)
    plan = compile_layer(s, t, w, d, r, n_source=100, n_target=400, neuron_bytes=400)
    assert len(plan.slices) >= 2
    assert [sl.lo for sl in plan.slices][0] == 0 and plan.slices[-1].hi == 400
    assert all(a.hi == b.lo for a, b in zip(plan.slices[:-1], plan.slices[1:]))
    x = rng.integers(0, 2, 200)
    assert np.array_equal(product(plan, x), dense_product(s, t, w, d, r, x, 100, 400, 2))


def test_rows_touching_several_bands_are_fed_by_one_input_each():
    """Column bands duplicate rows: the reversed order then lists several rows per input, and
    the merging table is counted."""
    rng = np.random.default_rng(9)
    s, t, w, d, r = random_layer(rng, 400, 600, 1.0, 1, n_types=1)
    plan = compile_layer(s, t, w, d, r, n_source=400, n_target=600, neuron_bytes=8)
    sl = plan.slices[0]
    per_input = np.diff(sl.input_start)
    if per_input.max() > 1:
        assert sl.dominant_bytes["input merging table"] == 2 * sl.input_start[-1]
    x = rng.integers(0, 2, 400)
    assert np.array_equal(product(plan, x), dense_product(s, t, w, d, r, x, 400, 600, 1))


@pytest.mark.parametrize("change, message", [
    (dict(d=70, delay_range=70), r"delay range 70 steps is outside 1..63"),
    (dict(w=256), r"weight 256 is outside 0..255"),
    (dict(t=30), r"target index 30 is outside 0..29"),
    (dict(r=4), r"receptor type 4 is outside 0..3"),
    (dict(weight_bits=12), r"weight_bits must be 8 or 16"),
])
def test_bad_input_is_a_clear_error(change, message):
    kw = dict(s=np.array([0, 1]), t=np.array([0, 1]), w=np.array([5, 6]), d=np.array([1, 2]), r=np.array([0, 1]),
              delay_range=None, weight_bits=8)
    for key, value in change.items():
        kw[key] = np.array([0, value]) if key in "stwdr" else value
    with pytest.raises(ValueError, match=message):
        compile_layer(kw["s"], kw["t"], kw["w"], kw["d"], kw["r"], n_source=2, n_target=30, neuron_bytes=72,
                      delay_range=kw["delay_range"], weight_bits=kw["weight_bits"], label="proj")


def test_summed_weights_beyond_the_operand_and_impossible_layers_are_errors():
    with pytest.raises(ValueError, match=r"add up to weight 300, beyond the 8-bit operand; use 16-bit"):
        compile_layer([3, 3], [1, 1], [150, 150], [2, 2], n_source=5, n_target=2, neuron_bytes=72)
    n = 5000
    with pytest.raises(ValueError, match=r"too many inputs for the parallel paradigm; use the serial"):
        compile_layer(np.arange(n), np.zeros(n, int), np.ones(n, int), np.full(n, 16), n_source=n, n_target=1,
                      neuron_bytes=72)
