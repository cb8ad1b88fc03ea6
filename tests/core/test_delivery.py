"""Every synapse delivers to its own target neuron: a full 255-neuron slice (the serial paradigm's
8-bit target index), every source neuron of a 255-neuron slice (the key's neuron field), and every
storage of the synaptic rows (one PE, split over PEs, DRAM)."""
import numpy as np
import pytest

from core import Emulator, Network, Population, Projection, compile_network
from tests.core.synaptic_input import assert_currents_match_synapses, record_everything, synaptic_events

FULL = 255          # neurons in a full serial-paradigm slice (paper III-A)
HALF_STEP = 0.5 / (2 ** 16 - 1)   # 16-bit weights: rounding is at most half a step of the largest weight


def deliver(pre_size, pre_index, post_index, weight, receptor, spike_time=1.0):
    """Every source neuron spikes once at ``spike_time``; returns the target's synaptic current of
    ``receptor`` on arrival (one step of delay) and the emulator."""
    net = Network(0.1)
    src = net.add_population(Population("src", "SpikeSourceArray", pre_size,
                                        spike_times=[[spike_time]] * pre_size))
    dst = net.add_population(Population("dst", "IF_curr_exp", FULL, record={"isyn_exc": 1, "isyn_inh": 1}))
    net.add_projection(Projection("p", src, dst, pre_index, post_index, weight, 1, receptor))
    program = compile_network(net)
    assert len(program.report.population("dst").pes) == 1, "the target must be one full slice on one PE"
    assert len(program.report.population("src").pes) == 1, "the source must be one slice"
    emulator = Emulator(program, seed=0)
    emulator.run(20)
    arrival = round(spike_time / 0.1) + 1            # sample index: spike time + one step of delay
    _, current = emulator.signals(dst, ("isyn_exc", "isyn_inh")[receptor])
    assert np.all(current[arrival - 1] == 0)
    return current[arrival].astype(float), emulator


@pytest.mark.parametrize("receptor", [0, 1])
def test_one_source_reaches_every_target_index_with_its_own_weight(receptor):
    """Distinct weights 1/256 apart: a target index with a bit dropped or flipped would receive
    another neuron's weight, or two, or none."""
    weight = 1.0 + np.arange(FULL) / 256
    got, _ = deliver(1, np.zeros(FULL, int), np.arange(FULL), weight, receptor)
    np.testing.assert_allclose(got, weight, rtol=0, atol=HALF_STEP * weight.max() + 1e-6)


@pytest.mark.parametrize("receptor", [0, 1])
def test_every_source_neuron_of_a_full_slice_reaches_its_own_target(receptor):
    """255 sources one-to-one onto a shuffled order of the 255 targets, distinct weights: a source
    neuron decoded wrongly from the packet key would land on another target."""
    rng = np.random.default_rng(1)
    post = rng.permutation(FULL)
    weight = 1.0 + np.arange(FULL) / 256
    got, emulator = deliver(FULL, np.arange(FULL), post, weight, receptor)
    expected = np.zeros(FULL)
    expected[post] = weight
    np.testing.assert_allclose(got, expected, rtol=0, atol=HALF_STEP * weight.max() + 1e-6)
    assert emulator.statistics()["synaptic events"] == FULL


def _layered(n_pre, p, n_projections, seed=0):
    """Sources spiking at random times into 200 IF_curr_exp neurons through ``n_projections``
    random projections with random delays and receptors."""
    rng = np.random.default_rng(seed)
    net = Network(0.1)
    times = [np.unique(np.round(rng.uniform(0.1, 25.0, rng.integers(0, 3)), 1)) for _ in range(n_pre)]
    src = net.add_population(Population("src", "SpikeSourceArray", n_pre, spike_times=times))
    dst = net.add_population(Population("dst", "IF_curr_exp", 200, parameters={"v_thresh": 1000.0}))
    for k in range(n_projections):
        i, j = np.nonzero(rng.random((n_pre, 200)) < p)
        net.add_projection(Projection(f"p{k}", src, dst, i, j, rng.uniform(0.1, 1.0, i.size),
                                      rng.integers(1, 16, i.size), k % 2))
    return net


@pytest.mark.parametrize("n_pre, p, n_projections, storage", [
    (300, 0.05, 2, "SRAM"),
    (1000, 0.01, 4, "SRAM, split over"),
    (1000, 0.9, 4, "DRAM"),
])
def test_every_storage_of_the_rows_delivers_every_synapse(n_pre, p, n_projections, storage):
    net = _layered(n_pre, p, n_projections)
    record_everything(net)
    program = compile_network(net)
    assert program.report.population("dst").storage.startswith(storage)
    emulator = Emulator(program, seed=0)
    n_steps = 300
    emulator.run(n_steps)
    assert_currents_match_synapses(net, emulator, n_steps)
    stats = emulator.statistics()
    assert stats["synaptic events"] == synaptic_events(net, emulator, n_steps) > 0
    assert stats["packets dropped (no routing entry)"] == stats["packets with no master population table entry"] == 0
