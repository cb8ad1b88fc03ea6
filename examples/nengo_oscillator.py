"""Oscillator: a two-dimensional ensemble whose recurrent connection rotates its state, started
by a short kick (nengo's documentation example): x' = omega [[0, -1], [1, 0]] x. Runs on
nengo_spinnaker2 and the reference simulator::

    python examples/nengo_oscillator.py [--neurons 200] [--duration 2]
"""
import argparse

import nengo
import numpy as np

TAU = 0.1
FREQUENCY = 1.0       # Hz


def build(neurons=200, seed=0):
    omega = 2 * np.pi * FREQUENCY
    with nengo.Network(label="oscillator", seed=seed) as net:
        kick = nengo.Node(lambda t: [1.0, 0.0] if t < 0.1 else [0.0, 0.0])
        osc = nengo.Ensemble(neurons, 2, label="oscillator")
        nengo.Connection(kick, osc)
        nengo.Connection(osc, osc, transform=[[1, -omega * TAU], [omega * TAU, 1]], synapse=TAU)
        probes = {"x": nengo.Probe(osc, synapse=0.02)}
    return net, probes


def run(Simulator, duration=2.0, **kwargs):
    net, probes = build(**kwargs)
    with Simulator(net) as sim:
        sim.run(duration)
    return sim, {k: sim.data[p] for k, p in probes.items()}


def frequency(t, x):
    """Rotation frequency (Hz) of the state after 0.5 s, from its unwrapped angle."""
    late = t > 0.5
    phase = np.unwrap(np.arctan2(x[late, 1], x[late, 0]))
    return float((phase[-1] - phase[0]) / (2 * np.pi * (t[late][-1] - t[late][0])))


def main():
    import nengo_spinnaker2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=200)
    parser.add_argument("--duration", type=float, default=2.0)
    args = parser.parse_args()
    for name, Simulator in (("nengo", nengo.Simulator), ("spinnaker2", nengo_spinnaker2.Simulator)):
        sim, data = run(Simulator, args.duration, neurons=args.neurons)
        t, x = sim.trange(), data["x"]
        amp = float(np.mean(np.linalg.norm(x[t > 0.5], axis=1)))
        print(f"{name:>10}: frequency {frequency(t, x):.2f} Hz (set {FREQUENCY} Hz), mean radius {amp:.2f}")


if __name__ == "__main__":
    main()
