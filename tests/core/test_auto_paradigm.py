"""paradigm='auto', the default: each layer gets the paradigm chosen for it before compiling, only
that paradigm is compiled, and the spikes are the serial mapping's, bit for bit."""
import numpy as np
import pytest

from benchmarks.paradigms import brunel_network, gesture_network, qubo_network
from core import Emulator, Network, Population, Projection, compile_network
from core.mapping import paradigm as paradigms
from core.mapping.switching import Choice


def mixed_network(seed=0, sizes=(300, 300, 120), input_weights=(0.05, 0.2)) -> Network:
    """Poisson input densely into A (one delay), A sparsely into B over long delays (a serial
    layer), B inhibiting A. At the default sizes A's serial partition keeps its rows in DRAM and
    needs fewer PEs than the MAC array; with few sources (``FEW_SOURCES``) the MAC array holds A
    on one PE where the serial paradigm needs two."""
    rng = np.random.default_rng(seed)
    net = Network(timestep=1.0)
    src = net.add_population(Population("input", "SpikeSourcePoisson", sizes[0], parameters={"rate": 30.0}))
    a = net.add_population(Population("A", "IF_curr_exp", sizes[1], weight_bits=8, record={"spikes": 1}))
    b = net.add_population(Population("B", "IF_curr_exp", sizes[2], record={"spikes": 1}))
    for label, pre, post, p, w, dmax, receptor in (("input-A", src, a, 0.9, input_weights, 1, 0),
                                                   ("A-B", a, b, 0.1, (0.5, 2.0), 12, 0),
                                                   ("B-A", b, a, 0.2, (0.5, 1.0), 2, 1)):
        i, j = np.nonzero(rng.random((net.populations[pre].size, net.populations[post].size)) < p)
        net.add_projection(Projection(label, pre, post, i, j, rng.uniform(*w, i.size),
                                      rng.integers(1, dmax + 1, i.size), receptor=receptor))
    return net


FEW_SOURCES = dict(sizes=(40, 300, 20), input_weights=(0.5, 1.5))


def spikes(program, steps, seed=5):
    emulator = Emulator(program, seed=seed)
    emulator.run(steps)
    return [emulator.spikes(p) for p in range(len(program.network.populations))]


def assert_same_spikes(a, b):
    for (index_a, times_a), (index_b, times_b) in zip(a, b):
        np.testing.assert_array_equal(index_a, index_b)
        np.testing.assert_array_equal(times_a, times_b)


def test_auto_maps_each_layer_by_its_choice_and_gives_the_serial_spikes():
    net = mixed_network(**FEW_SOURCES)
    auto, serial = compile_network(net), compile_network(net, paradigm="serial")
    assert {net.populations[p].label: c for p, (c, _) in auto.paradigms.items()} == {"A": "parallel", "B": "serial"}
    assert all(why.startswith("auto: ") for _, why in auto.paradigms.values())
    assert set(auto.graph.plans) == {1}                            # only the parallel layer was compiled for it
    assert auto.report.population("A").paradigm_reason == auto.paradigms[1][1]
    run_auto, run_serial = spikes(auto, 300), spikes(serial, 300)
    assert run_serial[1][0].size > 100 and run_serial[2][0].size > 10
    assert_same_spikes(run_auto, run_serial)


@pytest.mark.parametrize("kw", [{}, FEW_SOURCES], ids=["serial rows in DRAM", "few sources"])
def test_auto_needs_no_more_pes_than_either_paradigm(kw):
    """With its rows in DRAM A needs 2 serial PEs against 3 parallel: auto, choosing by the
    partition the pipeline runs, must not pick the MAC array for it; with few sources A needs one
    parallel PE against 2 serial, and auto must take it."""
    net = mixed_network(**kw)
    auto = compile_network(net).report.pes_used
    serial, parallel = (compile_network(net, paradigm=m).report.pes_used for m in ("serial", "parallel"))
    assert auto <= min(serial, parallel) and auto < max(serial, parallel)


@pytest.mark.parametrize("make", [
    lambda: gesture_network(density=0.3, n=(512, 20, 4)),
    lambda: brunel_network(20),
    lambda: qubo_network("3-regular", 30)], ids=["gesture", "brunel", "qubo"])
def test_whole_networks_auto_mapped_spike_as_serial(make):
    net = make()
    auto, serial = compile_network(net), compile_network(net, paradigm="serial")
    assert auto.paradigms and all(why.startswith("auto: ") for _, why in auto.paradigms.values())
    run_auto, run_serial = spikes(auto, 200), spikes(serial, 200)
    assert sum(index.size for index, _ in run_serial if index.size) > 0
    assert_same_spikes(run_auto, run_serial)


def test_a_layer_the_mac_array_turns_out_not_to_hold_goes_serial(monkeypatch):
    """3000 sources over 63 delays are more inputs than a dominant PE's tables hold; if 'auto'
    picked parallel anyway, the compiler maps the layer serially and says why."""
    rng = np.random.default_rng(0)
    net = Network(timestep=1.0)
    src = net.add_population(Population("src", "SpikeSourcePoisson", 3000, parameters={"rate": 5.0}))
    dst = net.add_population(Population("dst", "IF_curr_exp", 100))
    i, j = np.nonzero(rng.random((3000, 100)) < 0.05)
    net.add_projection(Projection("p", src, dst, i, j, 0.1, rng.integers(1, 64, i.size)))
    monkeypatch.setattr(paradigms, "choose_paradigm", lambda *a, **k: Choice("parallel", "classifier"))
    program = compile_network(net)
    choice, why = program.paradigms[1]
    assert choice == "serial" and why.startswith("auto: the parallel paradigm failed (population 'dst': ")
    assert not program.graph.plans
    with pytest.raises(ValueError, match="too many inputs for the parallel paradigm"):
        compile_network(net, paradigm="parallel")


def test_auto_keeps_layers_serial_that_only_the_serial_paradigm_supports():
    net = mixed_network()
    net.populations[2].weight_bits = 32
    net.populations[1].max_neurons_per_pe = 100
    program = compile_network(net)
    assert program.paradigms[1] == ("serial", "auto: its cap of 100 neurons per PE is the serial paradigm's")
    assert program.paradigms[2] == ("serial", "auto: the MAC array cannot take its 32-bit weights (the MAC array "
                                               "takes 8- or 16-bit operands)")


def test_spike_sources_running_on_serial_pes_count_against_parallel():
    """A one-to-one Poisson source per neuron runs on the serial PEs; under the parallel
    paradigm it would need PEs of its own, and the decision says it counted them."""
    rng = np.random.default_rng(1)
    net = Network(timestep=1.0)
    cells = net.add_population(Population("cells", "IF_curr_exp", 500, weight_bits=8))
    noise = net.add_population(Population("noise", "SpikeSourcePoisson", 500, parameters={"rate": 10.0}))
    i, j = np.nonzero(rng.random((500, 500)) < 1.0)
    net.add_projection(Projection("recurrent", cells, cells, i, j, 0.01, 1))
    net.add_projection(Projection("noise", noise, cells, np.arange(500), np.arange(500), 1.0, 1))
    choice, why = compile_network(net).paradigms[0]
    assert "parallel adds 2 PE(s) for spike sources the serial PEs run" in why


def test_objective_must_be_known():
    with pytest.raises(ValueError, match=r"objective must be one of \('pes', 'time'\), not 'energy'"):
        compile_network(mixed_network(), objective="energy")
