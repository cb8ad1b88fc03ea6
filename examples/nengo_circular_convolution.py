"""Circular convolution of two D-dimensional vectors (the binding operation of semantic pointer
architectures; nengo.networks.CircularConvolution, Plate 1995): D = 32 takes 13,600 LIF neurons
in nengo's default configuration. Runs on nengo_spinnaker2 and the reference simulator::

    python examples/nengo_circular_convolution.py [--dimensions 32] [--duration 0.5]
"""
import argparse

import nengo
import numpy as np
from nengo.networks.circularconvolution import circconv


def build(dimensions=32, neurons_per_product=200, seed=0):
    rng = np.random.RandomState(seed)
    a = rng.normal(scale=np.sqrt(1.0 / dimensions), size=dimensions)
    b = rng.normal(scale=np.sqrt(1.0 / dimensions), size=dimensions)
    with nengo.Network(label="circular convolution", seed=seed) as net:
        in_a, in_b = nengo.Node(a), nengo.Node(b)
        cconv = nengo.networks.CircularConvolution(neurons_per_product, dimensions=dimensions)
        nengo.Connection(in_a, cconv.input_a)
        nengo.Connection(in_b, cconv.input_b)
        probes = {"result": nengo.Probe(cconv.output, synapse=0.03)}
    return net, probes, circconv(a, b)


def run(Simulator, duration=0.5, **kwargs):
    net, probes, target = build(**kwargs)
    with Simulator(net) as sim:
        sim.run(duration)
    return sim, {k: sim.data[p] for k, p in probes.items()}, target


def error(data, target, t, settle=0.2):
    """RMS error of the result after it settles, relative to the target's RMS."""
    late = data["result"][t > settle]
    return float(np.sqrt(np.mean((late - target) ** 2)) / np.sqrt(np.mean(target ** 2)))


def main():
    import nengo_spinnaker2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dimensions", type=int, default=32)
    parser.add_argument("--duration", type=float, default=0.5)
    args = parser.parse_args()
    for name, Simulator in (("nengo", nengo.Simulator), ("spinnaker2", nengo_spinnaker2.Simulator)):
        sim, data, target = run(Simulator, args.duration, dimensions=args.dimensions)
        n = sum(e.n_neurons for e in sim.model.toplevel.all_ensembles)
        print(f"{name:>10}: {n} neurons, relative RMS error {error(data, target, sim.trange()):.3f}")


if __name__ == "__main__":
    main()
