"""A spike sent in step t through a synapse of d steps acts in step t + d exactly: never a step
early, never a step late, for every delay the synaptic word holds, across wrap-arounds of the
synaptic input buffer, from spike sources and from neurons.

Timing convention (NEST's): a spike stamped t ms was sent in step t/dt - 1; its synaptic current
shows in the sample at t + d*dt (the state after step t/dt - 1 + d), and the membrane moves one
sample later."""
import numpy as np
import pytest

from core import Emulator, Network, Population, Projection, compile_network
from tests.core.synaptic_input import assert_currents_match_synapses, record_everything, synaptic_events

MAX_DELAY = 63            # steps: the serial paradigm's 6-bit delay field (README, limits)


@pytest.mark.parametrize("dt", [0.1, 1.0])
@pytest.mark.parametrize("receptor", [0, 1])
def test_every_delay_acts_at_exactly_its_step(dt, receptor):
    """Target neuron d - 1 receives the one input spike through a delay of d steps."""
    spike = 5                                           # the spike's time stamp, in steps
    delays = np.arange(1, MAX_DELAY + 1)
    net = Network(dt)
    src = net.add_population(Population("src", "SpikeSourceArray", 1, spike_times=[[spike * dt]]))
    dst = net.add_population(Population("dst", "IF_curr_exp", delays.size,
                                        record={"v": 1, "isyn_exc": 1, "isyn_inh": 1}))
    net.add_projection(Projection("d", src, dst, np.zeros(delays.size, int), delays - 1, 2.0, delays, receptor))
    emulator = Emulator(compile_network(net), seed=0)
    emulator.run(spike + MAX_DELAY + 5)
    _, current = emulator.signals(dst, ("isyn_exc", "isyn_inh")[receptor])
    _, v = emulator.signals(dst, "v")
    arrival = spike + delays                            # sample index of each neuron's arrival
    neuron = delays - 1
    assert np.all(current[arrival - 1, neuron] == 0.0), "input acted a step early"
    np.testing.assert_allclose(current[arrival, neuron], 2.0, rtol=1e-6, err_msg="input not there on time")
    assert np.all(v[arrival, neuron] == -65.0)
    assert np.all(np.sign(v[arrival + 1, neuron] + 65.0) == (1, -1)[receptor])
    quiet = np.ones(current.shape, dtype=bool)          # nothing anywhere before its arrival
    quiet[arrival[None, :] <= np.arange(len(current))[:, None]] = False
    assert np.all(current[quiet] == 0.0)


def test_delays_hold_as_the_input_buffer_wraps_around():
    """Spikes every few steps for 40 buffer lengths, through every delay 1..63 on both receptors:
    each input must land in its own step of the ring, never in one being read or one already read."""
    rng = np.random.default_rng(3)
    net = Network(0.1)
    times = [np.arange(k + 1, 2500, 7 + k) * 0.1 for k in range(4)]
    src = net.add_population(Population("src", "SpikeSourceArray", 4, spike_times=times))
    dst = net.add_population(Population("dst", "IF_curr_exp", 126, parameters={"v_thresh": 1000.0}))
    for receptor in (0, 1):
        post = np.arange(63) + 63 * receptor
        net.add_projection(Projection(f"r{receptor}", src, dst, rng.integers(0, 4, 63), post,
                                      rng.uniform(0.5, 1.0, 63), np.arange(1, 64), receptor))
    record_everything(net)
    emulator = Emulator(compile_network(net), seed=0)
    emulator.run(2600)
    assert_currents_match_synapses(net, emulator, 2600)


def test_neuron_spikes_act_after_their_delay():
    """Spikes emitted by neurons (not sources), through every delay to a second population."""
    net = Network(0.1)
    pre = net.add_population(Population("pre", "IF_curr_exp", 8,
                                        parameters={"i_offset": np.linspace(1.0, 3.0, 8), "tau_refrac": 1.0}))
    post = net.add_population(Population("post", "IF_curr_exp", 63, parameters={"v_thresh": 1000.0}))
    net.add_projection(Projection("d", pre, post, np.arange(63) % 8, np.arange(63), 1.0, np.arange(1, 64)))
    record_everything(net)
    emulator = Emulator(compile_network(net), seed=0)
    emulator.run(1000)
    assert emulator.spikes(pre)[0].size > 50
    assert_currents_match_synapses(net, emulator, 1000)
    assert emulator.statistics()["synaptic events"] == synaptic_events(net, emulator, 1000)
