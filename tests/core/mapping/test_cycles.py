"""Cycles per step per PE (``core/mapping/cycles.py``): the work counted matches what the
emulator does, the rates assumed are the ones known, and overruns of a real-time step are reported."""
import numpy as np
import pytest

from core import Emulator, Network, Population, Projection, compile_network
from core.mapping.cycles import DEFAULT_RATE_HZ, CycleCosts, expected_rates
from core.runtime.stats import MAC_TILES, SYNAPTIC_EVENTS


def layer_network(paradigm_rate=50.0, n_source=200, n_target=300, density=0.3, timestep=1.0, seed=0):
    rng = np.random.default_rng(seed)
    net = Network(timestep=timestep)
    src = net.add_population(Population("src", "SpikeSourcePoisson", n_source, parameters={"rate": paradigm_rate}))
    dst = net.add_population(Population("dst", "IF_curr_exp", n_target))
    i, j = np.nonzero(rng.random((n_source, n_target)) < density)
    net.add_projection(Projection("p", src, dst, i, j, 0.1, rng.integers(1, 4, i.size)))
    return net


def test_expected_synaptic_events_per_pe_match_the_emulators_count():
    """The rows each serial PE holds, times its sources' rates: what it processes per step."""
    program = compile_network(layer_network(), paradigm="serial")
    timing = program.timing
    emulator = Emulator(program, seed=1)
    steps = 2000
    emulator.run(steps)
    costs = CycleCosts()
    checked = 0
    for v, work in enumerate(timing.parts):
        if "synapses" in work:
            expected = work["synapses"] / costs.synapse * steps
            assert emulator.stats[v, SYNAPTIC_EVENTS] == pytest.approx(expected, rel=0.05)
            checked += 1
    assert checked >= 2                       # 300 targets: two neuron PEs with rows


def test_mac_work_is_every_stored_tile_every_step():
    program = compile_network(layer_network(density=0.9), paradigm="parallel")
    plan = program.graph.plans[1]
    emulator = Emulator(program, seed=1)
    emulator.run(50)
    costs = CycleCosts()
    mac = [(v, w["MAC"]) for v, w in enumerate(program.timing.parts) if "MAC" in w]
    assert len(mac) == sum(s.n_sub for s in plan.slices)
    for v, cycles in mac:
        tiles = emulator.stats[v, MAC_TILES] / 50
        jobs = (cycles - tiles * costs.tile(plan.weight_bits)) / costs.mac_job
        assert tiles > 0 and jobs == pytest.approx(round(jobs)) and jobs >= 1


def test_rates_known_at_compile_time_are_used_and_the_rest_defaulted():
    net = Network(timestep=1.0)
    net.add_population(Population("poisson", "SpikeSourcePoisson", 3, parameters={"rate": [5.0, 10.0, 30.0]}))
    net.add_population(Population("array", "SpikeSourceArray", 2, spike_times=[[10.0, 20.0, 100.0], [50.0]]))
    net.add_population(Population("cells", "IF_curr_exp", 4))
    rates, basis = expected_rates(net)
    np.testing.assert_allclose(rates[0], [5.0, 10.0, 30.0])
    np.testing.assert_allclose(rates[1], [30.0, 10.0])           # spikes over the 100 ms span
    np.testing.assert_allclose(rates[2], DEFAULT_RATE_HZ)
    assert basis == ["its rate", "its spike times", f"default {DEFAULT_RATE_HZ:g} Hz (not known before running)"]


def test_pes_too_slow_for_a_real_time_step_are_reported():
    """255 LIF neurons take ~65,000 cycles a step: too many for 0.1 ms at 150 MHz (15,000),
    within 1 ms (150,000); the PE of 100 Poisson sources (~8,000) is within both."""
    fast, slow = (compile_network(layer_network(n_source=100, n_target=255, timestep=dt), paradigm="serial").report
                  for dt in (1.0, 0.1))
    assert fast.timing["budget_cycles"] == pytest.approx(150_000)
    assert slow.timing["budget_cycles"] == pytest.approx(15_000)
    assert fast.overruns == []
    assert [label for label, _, _ in slow.overruns] == ["dst"]
    assert "1 PE(s) would overrun it" in str(slow) and "no PE overruns it" in str(fast)
    assert "src 50 Hz (its rate)" in str(slow)
    per_pe = slow.population("dst").pe_cycles
    assert len(per_pe) == len(slow.population("dst").pes) and per_pe[0] > 15_000


def test_a_faster_clock_moves_the_budget():
    program = compile_network(layer_network(n_target=255, timestep=0.1), paradigm="serial",
                              cycle_costs=CycleCosts(clock_hz=600e6))
    assert program.report.timing["budget_cycles"] == pytest.approx(60_000)
