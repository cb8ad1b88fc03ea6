"""The serial and parallel paradigms give bit-identical spikes and membrane traces: both sum the
same quantised integer weights into the synaptic input, only the data structures differ."""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core import Emulator, Machine, Network, Population, Projection, compile_network


def layer_network(seed, n_target, density, max_delay, n_projections, fillers, weight_bits, model):
    """Random sources (Poisson and IF populations) projecting onto one target population;
    ``fillers`` unconnected populations push the target onto another chip."""
    rng = np.random.default_rng(seed)
    net = Network(0.1)
    for k in range(fillers):
        net.add_population(Population(f"filler{k}", "IF_curr_exp", 2))
    target = net.add_population(Population("target", model, n_target, weight_bits=weight_bits,
                                           parameters={"i_offset": rng.uniform(0.0, 1.2, n_target)},
                                           record={"spikes": 1, "v": 1}))
    for k in range(n_projections):
        n_source = int(rng.integers(1, 300))
        if k % 2:
            src = net.add_population(Population(f"drive{k}", "IF_curr_exp", n_source,
                                                parameters={"i_offset": rng.uniform(1.0, 3.0, n_source)}))
        else:
            src = net.add_population(Population(f"noise{k}", "SpikeSourcePoisson", n_source,
                                                parameters={"rate": rng.uniform(5.0, 200.0, n_source)}))
        pre, post = np.nonzero(rng.random((n_source, n_target)) < density)
        net.add_projection(Projection(f"p{k}", src, target, pre, post, rng.uniform(0.01, 1.0, pre.size),
                                      rng.integers(1, max_delay + 1, pre.size), int(rng.integers(0, 2))))
    return net, target


def run(net, target, paradigm, machine):
    net.populations[target].paradigm = paradigm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")             # quantisation remarks are the same for both
        program = compile_network(net, machine)
    emu = Emulator(program, seed=11)
    emu.run(100)
    return program, emu


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), n_target=st.integers(1, 600), density=st.floats(0.01, 1.0),
       max_delay=st.integers(1, 16), n_projections=st.integers(1, 3), many_chips=st.booleans(),
       weight_bits=st.sampled_from([8, 16]), model=st.sampled_from(["IF_curr_exp", "IF_cond_exp", "IF_curr_alpha"]))
def test_serial_and_parallel_paradigms_are_bit_identical(seed, n_target, density, max_delay, n_projections,
                                                         many_chips, weight_bits, model):
    if n_target * density * 300 * n_projections > 40_000:   # keep each example to a few seconds
        density = 40_000 / (n_target * 300 * n_projections)
    fillers = 160 if many_chips else 0
    machine = Machine(n_chips=3 if many_chips else 1)
    net, target = layer_network(seed, n_target, density, max_delay, n_projections, fillers, weight_bits, model)
    (sp, serial), (pp, parallel) = (run(net, target, p, machine) for p in ("serial", "parallel"))
    assert pp.report.population("target").paradigm == "parallel"
    assert sp.report.population("target").paradigm == "serial"
    if many_chips:
        assert len({pe[0] for pe in pp.report.population("target").pes}) >= 1
        assert pp.report.chips_used >= 2
    for a, b in zip(serial.spikes(target), parallel.spikes(target)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(serial.signals(target, "v")[1], parallel.signals(target, "v")[1])
    s, p = serial.statistics(), parallel.statistics()
    assert p["packets dropped (no routing entry)"] == 0 == p["packets with no master population table entry"]
    if s["synaptic events"]:
        assert p["stacked input rows with spikes"] > 0 and p["MAC tiles multiplied"] > 0


def test_the_network_drives_the_targets():
    """The property test above compares something: its networks make the targets spike."""
    net, target = layer_network(3, 200, 0.3, 8, 2, 0, 16, "IF_curr_exp")
    _, emu = run(net, target, "parallel", Machine())
    assert emu.spikes(target)[0].size > 20


def test_parallel_refuses_what_the_mac_array_cannot_take():
    net, target = layer_network(3, 50, 0.3, 8, 1, 0, 32, "IF_curr_exp")
    net.populations[target].paradigm = "parallel"
    with pytest.raises(ValueError, match=r"'target' \(projections p0\) cannot use the parallel paradigm because "
                                         r"of its 32-bit weights.*paradigm='serial'"):
        compile_network(net)
    net.populations[target].paradigm = "auto"
    assert compile_network(net).report.population("target").paradigm == "serial"
