"""Every synapse delivers to its own target neuron: a full 255-neuron slice (the serial paradigm's
8-bit target index), every source neuron of a 255-neuron slice (the key's neuron field), and every
storage of the synaptic rows (one PE, split over PEs, DRAM)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from core import Emulator, Machine, Network, Population, Projection, compile_network
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


def random_spread_network(rng, n_chips):
    """A few randomly connected IF_curr_exp populations (some firing, some quiet) and spike sources,
    with fillers (silent Poisson sources) between them that push them onto later chips."""
    net = Network(0.1)
    room = max(0, (n_chips - 2) * 152 - 80)             # fillers beyond the first, leaving room for the rest
    kinds = ["IF_curr_exp"] * int(rng.integers(2, 5)) + ["SpikeSourcePoisson", "SpikeSourceArray"]
    pops = []
    for k, model in enumerate(rng.permutation(kinds)):
        if k == 1 and n_chips > 1:
            fill = 152          # a whole chip: it starts on the next chip, and what follows on the one after
        else:
            fill = int(rng.integers(0, min(room, 152) + 1)) if room and rng.random() < 0.6 else 0
            room -= fill
        if fill:
            net.add_population(Population(f"fill{k}", "SpikeSourcePoisson", 255 * fill, parameters={"rate": 0.0}))
        size = int(rng.integers(1, 600))
        if model == "IF_curr_exp":
            params = {"i_offset": rng.uniform(0.0, 2.0, size) * (rng.random() < 0.7), "tau_refrac": 2.0,
                      "tau_syn_E": rng.uniform(1.0, 10.0), "tau_syn_I": rng.uniform(1.0, 10.0)}
            pop = Population(f"n{k}", model, size, parameters=params)
        elif model == "SpikeSourcePoisson":
            pop = Population(f"n{k}", model, size, parameters={"rate": rng.uniform(50.0, 500.0)})
        else:
            pop = Population(f"n{k}", model, size, spike_times=[
                np.unique(rng.integers(1, 300, rng.integers(0, 4))) * 0.1 for _ in range(size)])
        pops.append(net.add_population(pop))
    neurons = [p for p in pops if net.populations[p].model == "IF_curr_exp"]
    poisson = next(p for p in pops if net.populations[p].model == "SpikeSourcePoisson")
    for k in range(int(rng.integers(2, 8))):
        pre, post = poisson if k == 0 else int(rng.choice(pops)), int(rng.choice(neurons))
        n_pre, n_post = net.populations[pre].size, net.populations[post].size
        n = int(rng.integers(1, max(2, n_pre * n_post // 20)))
        net.add_projection(Projection(f"e{k}", pre, post, rng.integers(0, n_pre, n), rng.integers(0, n_post, n),
                                      rng.uniform(0.01, 0.3, n), rng.integers(1, 25, n), int(rng.integers(0, 2))))
    return net


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([1, 3, 8]))
def test_every_packet_reaches_exactly_its_synapses(seed, n_chips):
    """Random networks on one and several chips: every recorded spike, through every synapse of its
    neuron, adds exactly that synapse's weight, on the right receptor, at spike time + delay; no
    packet is dropped and the synaptic events counted equal the synapses of the neurons that spiked."""
    net = random_spread_network(np.random.default_rng(seed), n_chips)
    record_everything(net)
    program = compile_network(net, Machine(n_chips=n_chips), paradigm="serial")   # events: rows' synapses
    emulator = Emulator(program, seed=seed)
    n_steps = 300
    emulator.run(n_steps)
    assert_currents_match_synapses(net, emulator, n_steps)
    stats = emulator.statistics()
    assert stats["synaptic events"] == synaptic_events(net, emulator, n_steps) > 0
    assert program.report.chips_used > 1 or n_chips == 1
    assert stats["packets dropped (no routing entry)"] == stats["packets with no master population table entry"] == 0
