"""Communication channel: a sine wave sent through two chained ensembles, the first example of
nengo's documentation. Runs on nengo_spinnaker2 and nengo's reference simulator and prints the
error of each against the ideal signal::

    python examples/nengo_communication_channel.py [--dimensions 1] [--neurons 100] [--duration 2]
"""
import argparse

import nengo
import numpy as np


def build(dimensions=1, neurons=100, seed=0):
    """(network, probes) of an input -> A -> B channel; probes 'input', 'A', 'B' filtered 10 ms."""
    with nengo.Network(label="communication channel", seed=seed) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * t + np.arange(dimensions) * np.pi / max(dimensions, 1)))
        a = nengo.Ensemble(neurons * dimensions, dimensions, label="A")
        b = nengo.Ensemble(neurons * dimensions, dimensions, label="B")
        nengo.Connection(stim, a)
        nengo.Connection(a, b)
        probes = {"input": nengo.Probe(stim), "A": nengo.Probe(a, synapse=0.01),
                  "B": nengo.Probe(b, synapse=0.01)}
    return net, probes


def ideal(t, dimensions=1, delay=0.0):
    return np.sin(2 * np.pi * (t[:, None] - delay) + np.arange(dimensions) * np.pi / max(dimensions, 1))


def run(Simulator, duration=2.0, **kwargs):
    net, probes = build(**kwargs)
    with Simulator(net) as sim:
        sim.run(duration)
    return sim, {k: sim.data[p] for k, p in probes.items()}


def main():
    import nengo_spinnaker2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dimensions", type=int, default=1)
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--duration", type=float, default=2.0)
    args = parser.parse_args()
    for name, Simulator in (("nengo", nengo.Simulator), ("spinnaker2", nengo_spinnaker2.Simulator)):
        sim, data = run(Simulator, args.duration, dimensions=args.dimensions, neurons=args.neurons)
        t = sim.trange()
        rmse = {k: float(np.sqrt(np.mean((data[k] - ideal(t, args.dimensions)) ** 2))) for k in ("A", "B")}
        print(f"{name:>10}: RMSE A {rmse['A']:.3f}, B {rmse['B']:.3f} (against the unfiltered input)")
        if name == "spinnaker2":
            print(sim.mapping())


if __name__ == "__main__":
    main()
