import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core import Network, Population, Projection
from core.hardware import DATA_SRAM_BYTES
from core.mapping import switching
from benchmarks.paradigm_dataset import layer_blocks
from core.mapping.layers import layer, serial_blocks
from core.mapping.partition import partition


def grid_like(seed, n_source, n_target, density, delay_range):
    rng = np.random.default_rng(seed)
    src, tgt = np.nonzero(rng.random((n_source, n_target)) < density)
    return src, tgt, rng.integers(1, 256, src.size), rng.integers(1, delay_range + 1, src.size)


def test_partition_without_dram_cuts_slices_finer():
    rng = np.random.default_rng(0)
    net = Network()
    a = net.add_population(Population("src", "SpikeSourcePoisson", 1000))
    b = net.add_population(Population("dst", "IF_curr_exp", 200))
    for k in range(4):
        i, j = np.nonzero(rng.random((1000, 200)) < 0.9)
        net.add_projection(Projection(f"p{k}", a, b, i, j, 1.0, 1))
    with_dram, without = partition(net), partition(net, dram=False)
    assert any(v.dram for v in with_dram.vertices)
    assert not any(v.dram for v in without.vertices)
    assert len(without.pop_slices[b]) > len(with_dram.pop_slices[b])
    assert all(sum(v.bytes.values()) <= DATA_SRAM_BYTES for v in without.vertices)
    held = sorted(s for v in without.vertices if without.slices[v.slice].population == b for s in v.sources)
    assert len(held) == len(without.pop_slices[a]) * len(without.pop_slices[b])   # every block held once


LAYERS = [(50, 50, 0.1, 1), (500, 500, 1.0, 16), (300, 150, 0.4, 4), (450, 100, 0.7, 9), (100, 500, 0.2, 2),
          (250, 350, 0.9, 12), (500, 50, 0.5, 1), (200, 450, 0.3, 16), (350, 250, 0.6, 3), (150, 300, 0.8, 7)]


def inhibitory_tail(src, n_source):
    """Receptor types as the dataset's two-type layers have them: the last fifth inhibitory."""
    return (src >= n_source - round(0.2 * n_source)).astype(np.int64)


@pytest.mark.parametrize("n_types", [1, 2])
@pytest.mark.parametrize("dram", [False, True], ids=["without DRAM", "with DRAM"])
def test_serial_estimate_replays_the_partition(dram, n_types):
    """Exact on most layers, given the layer's blocks; a layer near a PE's capacity may flip by
    a slice."""
    exact, estimate = [], []
    for seed, (ns, nt, p, D) in enumerate(LAYERS):
        src, tgt, w, d = grid_like(seed, ns, nt, p, D)
        r = inhibitory_tail(src, ns) if n_types == 2 else None
        exact.append(switching.serial_pes(src, tgt, d, ns, nt, r=r, dram=dram))
        estimate.append(switching.serial_estimate(ns, nt, p, D, blocks=layer_blocks(ns, n_types, p),
                                                  dram=dram))
    exact, estimate = np.array(exact), np.array(estimate)
    assert np.sum(exact == estimate) >= 8 and np.all(estimate <= 2 * exact) and np.all(exact <= 2 * estimate)


@pytest.mark.parametrize("n_source", [50, 255, 256, 300, 500])
def test_serial_blocks_counted_from_the_projections(n_source):
    """The blocks the compiler counts from a layer's projections, against the partition's own
    blocks per target slice, and against what the dataset's features assume."""
    src, tgt, w, d = grid_like(0, n_source, 40, 0.3, 1)
    for n_types, r in ((1, None), (2, inhibitory_tail(src, n_source))):
        net = switching.layer_network(src, tgt, d, n_source, 40, r=r)
        blocks = serial_blocks(net, layer(net, 1))
        graph = partition(net)
        stored = [b for b in graph.blocks if graph.slices[b.target].population == 1]
        assert blocks.n_blocks == len(stored) and blocks.n_rows == sum(b.n_rows for b in stored)
        assert blocks.vertices == len({b.source for b in stored})
        assumed = layer_blocks(n_source, n_types, 0.3)
        assert blocks.vertices == assumed.vertices
        for name in ("blocks", "rows", "source"):
            np.testing.assert_array_equal(getattr(blocks, name), getattr(assumed, name))
        np.testing.assert_allclose(blocks.density, 0.3, atol=0.05)


def test_serial_counts_agree_with_partitioning_both_ways():
    """The dataset's shortcut (partition without DRAM only where the pipeline's partition put
    rows in DRAM) gives what partitioning both ways gives, for one or two receptor types."""
    in_dram = []
    for seed, (ns, nt, p, D) in enumerate(LAYERS):
        src, tgt, w, d = grid_like(seed, ns, nt, p, D)
        r = (src >= ns * 4 // 5).astype(np.int64) if seed % 2 else None
        counts = switching.serial_counts(src, tgt, d, ns, nt, r=r)
        without = switching.serial_graph_bytes(src, tgt, d, ns, nt, r=r, dram=False)
        graph = partition(switching.layer_network(src, tgt, d, ns, nt, r=r))
        mine = [v for v in graph.vertices if graph.slices[v.slice].population == 1]
        assert (counts.pes, counts.bytes) == without
        assert (counts.dram_pes, counts.dram_bytes) == (len(mine), sum(sum(v.bytes.values()) for v in mine))
        assert counts.in_dram == any(v.dram for v in mine)
        assert counts.dram_pes <= counts.pes
        in_dram.append(counts.in_dram)
    assert 0 < sum(in_dram) < len(in_dram)


def test_parallel_estimate_tracks_compiled_layers():
    layers = [(50, 50, 0.1, 1), (500, 500, 1.0, 1), (300, 300, 0.5, 8), (100, 400, 0.9, 2)]
    for seed, (ns, nt, p, D) in enumerate(layers):
        src, tgt, w, d = grid_like(seed, ns, nt, p, D)
        exact = switching.parallel_pes(src, tgt, w, d, ns, nt, D)
        estimate = switching.parallel_estimate(ns, nt, p, D)
        assert exact <= estimate <= 1.5 * exact + 1


def test_model_evaluator_adds_up_each_kind():
    stump = [[1, -1, -1], [2, -1, -1], [0, -2, -2], [10.0, -2.0, -2.0], [0.0, -1.0, 2.0]]   # x0 <= 10: -1 else 2
    x_small, x_large = [5.0], [20.0]
    gb = dict(kind="gradient_boosting", init=0.5, learning_rate=0.25, trees=[stump, stump])
    assert switching.model_score(gb, x_small) == pytest.approx(0.5 - 0.5)
    assert switching.model_score(gb, x_large) == pytest.approx(0.5 + 1.0)
    ada = dict(kind="adaboost", weights=[1.0, 0.4], trees=[stump, [[-1], [-1], [-2], [-2.0], [-3.0]]])
    assert switching.model_score(ada, x_small) == pytest.approx(-1.4)
    assert switching.model_score(ada, x_large) == pytest.approx(0.6)
    leaf = lambda p: [[-1], [-1], [-2], [-2.0], [p]]                                        # noqa: E731
    forest = dict(kind="forest", trees=[leaf(1.0), leaf(0.0), leaf(1.0)])
    assert switching.model_score(forest, x_small) == pytest.approx(2 / 3 - 0.5)
    with pytest.raises(ValueError, match="unknown model kind 'svm'.*classifiers.py"):
        switching.model_score(dict(kind="svm"), x_small)


def test_shipped_model_is_complete():
    model = switching.load_model()
    assert model["features"] == list(switching.FEATURES)
    assert model["grid"]["n_source"] == [50, 500] and model["grid"]["delay_range"] == [1, 16]
    assert model["grid"]["weight_bits"] == [8, 16] and model["grid"]["n_types"] == [1, 2]
    for left, right, feature, threshold, value in model["trees"]:
        n = len(left)
        assert len(right) == len(feature) == len(threshold) == len(value) == n
        inner = np.array(left) >= 0
        assert np.all(np.array(feature)[inner] < len(switching.FEATURES))
        assert np.all((np.array(left)[inner] < n) & (np.array(right)[inner] < n))


@pytest.mark.parametrize("seed, n_source, n_target, density, delay_range", [
    (11, 500, 500, 1.0, 1), (12, 400, 300, 0.9, 1), (13, 500, 450, 0.8, 16), (14, 350, 400, 0.6, 12),
    (15, 450, 250, 1.0, 2), (16, 300, 500, 0.5, 10), (17, 150, 50, 0.1, 1), (18, 250, 200, 0.3, 6)])
def test_shipped_model_picks_the_paradigm_with_fewer_pes(seed, n_source, n_target, density, delay_range):
    src, tgt, w, d = grid_like(seed, n_source, n_target, density, delay_range)
    s, p = switching.exact_pes(src, tgt, w, d, n_source, n_target, delay_range)
    choice = switching.choose_paradigm(n_source, n_target, density, delay_range)
    assert choice.source in ("classifier", "one serial PE holds it (exact)")
    if s != p:
        assert choice.paradigm == ("parallel" if p < s else "serial")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(n_source=st.integers(1, 400), n_target=st.integers(1, 200), density=st.floats(0.01, 1.0),
       delay_range=st.integers(1, 63), weight_bits=st.sampled_from([8, 16, 32]), n_projections=st.integers(1, 3),
       seed=st.integers(0, 2 ** 16))
def test_one_serial_pe_rule_holds_for_any_connectivity(n_source, n_target, density, delay_range, weight_bits,
                                                       n_projections, seed):
    """Where the rule says one serial PE holds a layer, the partition uses exactly one, even with
    every row of every projection full (the worst case the rule assumes) or at the given density."""
    slices = -(-n_source // 255)
    blocks = switching.SerialBlocks.of(slices, [slices] * n_projections, [n_source] * n_projections,
                                       [1.0] * n_projections, [0] * n_projections)
    assume(switching.serial_fits_one_pe(n_source, n_target, delay_range, weight_bits=weight_bits, blocks=blocks))
    rng = np.random.default_rng(seed)
    for p in (density, 1.0):
        net = Network(timestep=1.0)
        a = net.add_population(Population("a", "SpikeSourceArray", n_source))
        b = net.add_population(Population("b", "IF_curr_exp", n_target, weight_bits=weight_bits))
        for k in range(n_projections):
            src, tgt = np.nonzero(rng.random((n_source, n_target)) < p)
            d = rng.integers(1, delay_range + 1, src.size)
            d[:1] = delay_range
            net.add_projection(Projection(f"p{k}", a, b, src, tgt, 1.0, d, receptor=k % 2))
        graph = partition(net, dram=False)
        assert sum(graph.slices[v.slice].population == b for v in graph.vertices) == 1


def test_one_serial_pe_rule_stops_where_one_pe_may_not_do():
    assert switching.serial_fits_one_pe(50, 100, 1)
    assert not switching.serial_fits_one_pe(50, 256, 1)                 # more neurons than a serial PE holds
    assert not switching.serial_fits_one_pe(500, 100, 1)                # full rows would not fit
    assert switching.serial_fits_one_pe(200, 100, 1)
    two = switching.SerialBlocks.of(1, [1, 1], [200, 200], [1.0, 1.0], [0, 0])
    assert not switching.serial_fits_one_pe(200, 100, 1, blocks=two)      # nor two projections' full rows
    assert switching.choose_paradigm(50, 100, 0.1, 1).source == "one serial PE holds it (exact)"


def test_outside_the_grid_falls_back_to_the_cost_models():
    choice = switching.choose_paradigm(2048, 20, 0.0316, 1)
    assert choice.source.startswith("cost model: ")
    assert choice.source.endswith("(n_source, n_target, density outside the training grid)")
    assert choice.paradigm in ("serial", "parallel")
    assert switching.choose_paradigm(200, 200, 0.5, 40).paradigm == "serial"      # long delays: many map rows
    dense = switching.choose_paradigm(600, 600, 1.0, 1)                            # serial rows in DRAM
    assert dense.paradigm == "serial" and dense.source.startswith("cost model: 3 serial vs 6 parallel PEs")
    assert switching.choose_paradigm(600, 100, 0.3, 1).paradigm == "parallel"     # serial shares over 2 PEs
    assert "model outside" in switching.choose_paradigm(300, 300, 0.5, 2, model="IF_curr_alpha").source
    assert "n_types outside" in switching.choose_paradigm(300, 300, 0.5, 2, n_types=3).source
    for bits, types in ((8, 1), (16, 2), (16, 1), (8, 2)):                     # the variants it was trained on
        assert switching.choose_paradigm(300, 300, 0.5, 2, bits, types).source == "classifier"


def test_spike_sources_the_serial_pes_would_run_count_against_parallel():
    layer = dict(n_source=450, n_target=150, density=0.4, delay_range=1)           # 2 serial PEs, 1 parallel
    assert switching.choose_paradigm(**layer).paradigm == "parallel"
    choice = switching.choose_paradigm(**layer, parallel_extra_pes=100)
    assert choice.paradigm == "serial"
    assert "parallel adds 100 PE(s) for spike sources the serial PEs run" in choice.source


def test_time_objective_weighs_synaptic_work_against_neuron_updates():
    """Sparse input leaves the neuron updates, which a dominant PE does for all its neurons:
    serial. Dense, fast input makes the ARM's synaptic events the cost: the MAC array wins."""
    quiet = switching.choose_paradigm(100, 100, 0.5, 4, 16, 2, objective="time", rate_hz=1.0)
    busy = switching.choose_paradigm(100, 100, 0.5, 4, 16, 2, objective="time", rate_hz=200.0)
    assert (quiet.paradigm, busy.paradigm) == ("serial", "parallel")
    assert quiet.source.startswith("time: busiest PE ~")
    with pytest.raises(ValueError, match="objective must be one of"):
        switching.choose_paradigm(100, 100, 0.5, 4, objective="energy")
