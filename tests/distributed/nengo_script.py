"""Nengo models run by the distributed tests on ``nengo_spinnaker2.Simulator``, alone or under
``mpiexec -n K``: the four examples (communication channel, integrator, oscillator, circular
convolution, small), a model with a node in the loop (it reads an ensemble each step and drives
another), and PES and Voja learning with weight and encoder probes. Rank 0 writes every probe's
data, and what it emulated, to ``argv[1]`` (pickle); rank r > 0 to ``argv[1].rank<r>``.

    python tests/distributed/nengo_script.py out.pkl
"""
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import nengo  # noqa: E402
import numpy as np  # noqa: E402

import nengo_spinnaker2  # noqa: E402
from examples import (nengo_circular_convolution, nengo_communication_channel, nengo_integrator,  # noqa: E402
                      nengo_oscillator)


def host_in_the_loop(seed=3):
    """A node reads A's decoded value every step and drives B with its square: host and machine
    alternate within each step."""
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(lambda t: np.sin(8 * t))
        a = nengo.Ensemble(60, 1, label="A")
        b = nengo.Ensemble(60, 1, label="B")
        square = nengo.Node(lambda t, x: x ** 2, size_in=1, label="square")
        nengo.Connection(stim, a)
        nengo.Connection(a, square, synapse=0.01)
        nengo.Connection(square, b)
        probes = {"square": nengo.Probe(square), "B": nengo.Probe(b, synapse=0.01),
                  "A spikes": nengo.Probe(a.neurons), "B voltage": nengo.Probe(b.neurons, "voltage")}
    return net, probes


def learning(seed=4):
    """PES learns a communication channel; Voja moves an ensemble's encoders."""
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(lambda t: np.sin(6 * t))
        pre = nengo.Ensemble(60, 1, label="pre")
        post = nengo.Ensemble(60, 1, label="post")
        error = nengo.Ensemble(60, 1, label="error")
        nengo.Connection(stim, pre)
        conn = nengo.Connection(pre, post, function=lambda x: 0.0, learning_rule_type=nengo.PES(learning_rate=3e-4))
        nengo.Connection(post, error)
        nengo.Connection(stim, error, transform=-1)
        nengo.Connection(error, conn.learning_rule)
        memory = nengo.Ensemble(40, 1, label="memory")
        voja = nengo.Connection(stim, memory, learning_rule_type=nengo.Voja(learning_rate=5e-3))
        probes = {"post": nengo.Probe(post, synapse=0.01), "error": nengo.Probe(error, synapse=0.01),
                  "weights": nengo.Probe(conn, "weights", sample_every=0.01),
                  "encoders": nengo.Probe(voja.learning_rule, "scaled_encoders", sample_every=0.02),
                  "memory": nengo.Probe(memory, synapse=0.005)}
    return net, probes


MODELS = {
    "channel": (lambda: nengo_communication_channel.build(dimensions=2, neurons=40), 0.3),
    "integrator": (lambda: nengo_integrator.build(neurons=60), 0.3),
    "oscillator": (lambda: nengo_oscillator.build(neurons=80), 0.3),
    "convolution": (lambda: nengo_circular_convolution.build(dimensions=4, neurons_per_product=30)[:2], 0.15),
    "host in the loop": (host_in_the_loop, 0.2),
    "learning": (learning, 0.3),
}


def main(out):
    result = {}
    for name, (make, duration) in MODELS.items():
        net, probes = make()
        with nengo_spinnaker2.Simulator(net, progress_bar=False) as sim:
            sim.run(duration / 2)
            sim.run_steps(int(round(duration / 2 / sim.dt)))       # a second run goes on where the first ended
            data = {k: np.asarray(sim.data[p]) for k, p in probes.items()}
            data["t"] = sim.trange()
            emulator = sim.emulator
            data["statistics"] = emulator.statistics()
            data["computing PEs"] = int(emulator._computing.size)
            data["all computing PEs"] = int(((emulator.program.images.pes.model >= 0)
                                            | (emulator.program.images.delays.stages > 0)).sum())
            data["exchange"] = getattr(emulator, "exchange_summary", lambda: None)()
            sim.reset()
            sim.run(0.05)                 # after reset: the same trial again
            data["after reset"] = {k: np.asarray(sim.data[p]) for k, p in probes.items()}
        result[name] = data
    rank = getattr(sim.emulator, "rank", 0)
    with open(out if rank == 0 else f"{out}.rank{rank}", "wb") as f:     # every rank answers as one process
        pickle.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1])
