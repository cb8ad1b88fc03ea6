"""Drive neurons with chosen input spikes: one SpikeSourceArray neuron per input event, so every
event has its own weight, receptor, delay and target."""
import numpy as np

from core import Emulator, Network, Population, Projection, compile_network


def driven(model, size, parameters, events, dt=0.1, record=("v",), initial_state=None, seed=0):
    """A population of ``model`` receiving ``events``: (spike time ms, delay steps, weight magnitude,
    receptor 0/1, target neuron). Returns the compiled program and the population's index."""
    net = Network(dt)
    source = net.add_population(Population("input", "SpikeSourceArray", len(events),
                                           spike_times=[[e[0]] for e in events]))
    target = net.add_population(Population("target", model, size, parameters=dict(parameters),
                                           initial_state=dict(initial_state or {}),
                                           record={name: 1 for name in record}))
    for receptor in (0, 1):
        mine = [k for k, e in enumerate(events) if e[3] == receptor]
        if mine:
            e = np.array([events[k] for k in mine], dtype=float)
            net.add_projection(Projection(f"input{receptor}", source, target, mine, e[:, 4].astype(int),
                                          e[:, 2], e[:, 1].astype(int), receptor))
    return compile_network(net), target


def run(program, n_steps, seed=0):
    emulator = Emulator(program, seed=seed)
    emulator.run(n_steps)
    return emulator
