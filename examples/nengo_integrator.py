"""Integrator: a recurrently connected ensemble holds the integral of its input (nengo's
documentation example, after Eliasmith & Anderson 2003, ch. 8): input 1 for 0.2-0.4 s, 0 after,
-2 for 0.6-0.8 s. Runs on nengo_spinnaker2 and the reference simulator::

    python examples/nengo_integrator.py [--neurons 100] [--duration 1.2]
"""
import argparse

import nengo
import numpy as np

TAU = 0.1


def stimulus(t):
    return 1.0 if 0.2 < t <= 0.4 else -2.0 if 0.6 < t <= 0.8 else 0.0


def build(neurons=100, seed=0):
    with nengo.Network(label="integrator", seed=seed) as net:
        stim = nengo.Node(stimulus)
        a = nengo.Ensemble(neurons, 1, label="A")
        nengo.Connection(stim, a, transform=[[TAU]], synapse=TAU)
        nengo.Connection(a, a, synapse=TAU)
        probes = {"A": nengo.Probe(a, synapse=0.01)}
    return net, probes


def ideal(t):
    dt = t[1] - t[0]
    return np.cumsum([stimulus(x) for x in t]) * dt


def run(Simulator, duration=1.2, **kwargs):
    net, probes = build(**kwargs)
    with Simulator(net) as sim:
        sim.run(duration)
    return sim, {k: sim.data[p] for k, p in probes.items()}


def main():
    import nengo_spinnaker2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--duration", type=float, default=1.2)
    args = parser.parse_args()
    for name, Simulator in (("nengo", nengo.Simulator), ("spinnaker2", nengo_spinnaker2.Simulator)):
        sim, data = run(Simulator, args.duration, neurons=args.neurons)
        err = float(np.sqrt(np.mean((data["A"][:, 0] - ideal(sim.trange())) ** 2)))
        print(f"{name:>10}: RMSE against the ideal integral {err:.3f}; final value {data['A'][-1, 0]:.3f} "
              "(ideal -0.2)")


if __name__ == "__main__":
    main()
