"""Max-Cut with a recurrent spiking network in plain PyNN, the SpiNNaker2 tutorial's QUBO
pipeline (NICE 2025): the same script runs on the emulated SpiNNaker2 chip and on NEST.

    python examples/qubo_maxcut.py spinnaker2                 # random G1-shaped graph (800 nodes, 6 %)
    python examples/qubo_maxcut.py nest G1.txt                # a graph in the rudy / Gset format
    python examples/qubo_maxcut.py spinnaker2 --random 3-regular --nodes 100 --steps 2000

Max-Cut as a QUBO: E(x) = -cut(x) = Σ_edges w_uv (2 x_u x_v - x_u - x_v). Each node is one
IF_curr_exp neuron; x_u = 1 in a time step in which neuron u spikes, so every 1 ms step's spikes
are one candidate cut. The network (``pynn_spinnaker2.qubo.StandardNeurons``, standard PyNN
calls only):

* *linear terms -> biases*: ``i_offset`` carries the node's weighted degree, so a neuron with no
  active neighbour fires; *quadratic terms -> inhibitory synapses*: each active neighbour takes
  2 w_uv off its input, so a neuron keeps firing exactly while fewer than half of its
  (weighted) neighbours fire, i.e. while it lowers the energy.
* *neuron model and time constants*: tau_m = 0.1 ms at dt = 1 ms makes the membrane nearly
  memoryless, so the decision is re-taken every step from the current input; no refractory
  period, so an "on" neuron spikes every step (a clean per-step state); synaptic currents of
  tau_syn = 1 ms and 1 ms delays carry a neighbour's state into the next decision.
* *lock-step*: all neurons decide in parallel, and on dense graphs the whole network falls into
  all-on / all-off oscillation (cut 0). An excitatory autapse of strength S (hysteresis) makes a
  neuron keep its state until its field leaves (-S/2, S/2); S grows with the degree (none on
  3-regular graphs, about 0.7 x degree on G1-shaped ones).
* *random excitation*: one excitatory and one inhibitory Poisson source per neuron, each spike a
  kick of fixed size; the temperature (the kicks' standard deviation, in units of the energy)
  falls geometrically over 20 runs from a quarter of the field scale (2 x mean degree, less the
  hysteresis) to 2 % of it, the sources' rate being lowered between runs, as simulated
  annealing lowers its temperature.

Prints the best cut, the step it appeared in and the final cut; writes the cut over time to a
PNG.
"""
import argparse
import importlib
import time

import numpy as np

from pynn_spinnaker2.qubo import StandardNeurons, cut_value, maxcut

BACKENDS = {"spinnaker2": "pynn_spinnaker2", "nest": "pyNN.nest"}
SETUP = {"spinnaker2": {}, "nest": {"spike_precision": "on_grid"}}   # NEST: spikes on the step grid


def read_gset(path):
    """A graph in the rudy / Gset edge-list format: 'n m' then m lines 'u v w', nodes from 1.
    Returns (edges as (m, 2) from 0, weights, n)."""
    with open(path) as f:
        header = f.readline().split()
        if len(header) < 2:
            raise ValueError(f"{path}: the first line must be 'nodes edges', got {' '.join(header)!r}")
        n, m = int(header[0]), int(header[1])
        rows = np.loadtxt(f, ndmin=2)
    if rows.shape != (m, 3):
        raise ValueError(f"{path}: expected {m} lines 'u v weight', got an array of shape {rows.shape}")
    edges = rows[:, :2].astype(np.int64) - 1
    if edges.min() < 0 or edges.max() >= n:
        raise ValueError(f"{path}: node numbers must be 1..{n}")
    return edges, rows[:, 2], n


def random_graph(kind, n, seed):
    """'3-regular' (every node has 3 neighbours) or 'g1' (G1's shape: n nodes, 6 % of all pairs
    joined, unit weights). Returns (edges, weights, n)."""
    import networkx as nx

    if kind == "3-regular":
        graph = nx.random_regular_graph(3, n, seed=seed)
    elif kind == "g1":
        graph = nx.gnm_random_graph(n, int(round(0.06 * n * (n - 1) / 2)), seed=seed)
    else:
        raise ValueError(f"unknown random graph {kind!r}; use '3-regular' or 'g1'")
    edges = np.array(graph.edges, dtype=np.int64).reshape(-1, 2)
    return edges, np.ones(len(edges)), n


def solve_maxcut(backend, edges, weights, n, steps=1000, seed=1):
    """Anneal on ``backend``; returns the cut of every time step and the wall times."""
    sim = importlib.import_module(BACKENDS[backend])
    model = StandardNeurons(steps=steps)
    start = time.perf_counter()
    states, info = model.sample(sim, maxcut(edges, weights, n), seed, SETUP[backend])
    info["total_s"] = time.perf_counter() - start
    return cut_value(edges, states, weights), info


def plot(cuts, filename, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(cuts, lw=0.6, color="0.5", label="cut of each step")
    ax.plot(np.maximum.accumulate(cuts), color="k", label="best so far")
    ax.set_xlabel("time step (1 ms)")
    ax.set_ylabel("cut  (= -energy)")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(filename, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backend", choices=sorted(BACKENDS))
    parser.add_argument("graph", nargs="?", help="rudy / Gset edge list (default: a random graph)")
    parser.add_argument("--random", choices=["g1", "3-regular"], default="g1", help="random graph kind")
    parser.add_argument("--nodes", type=int, default=800)
    parser.add_argument("--steps", type=int, default=1000, help="time steps (1 ms each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plot", help="PNG of the cut over time (default maxcut_<backend>.png)")
    args = parser.parse_args(argv)

    if args.graph:
        edges, weights, n = read_gset(args.graph)
        name = args.graph
    else:
        edges, weights, n = random_graph(args.random, args.nodes, args.seed)
        name = f"random {args.random} graph"
    cuts, info = solve_maxcut(args.backend, edges, weights, n, args.steps, args.seed)
    best = int(np.argmax(cuts))
    print(f"Max-Cut on {args.backend}: {name}, {n} nodes, {len(edges)} edges, {args.steps} steps of 1 ms")
    print(f"best cut {cuts[best]:g} (step {best}), final cut {cuts[-1]:g}")
    print(f"build {info['build_s']:.2f} s, run {info['run_s']:.2f} s, read back {info['readback_s']:.2f} s (wall)")
    filename = args.plot or f"maxcut_{args.backend}.png"
    plot(cuts, filename, f"Max-Cut, {args.backend}: best {cuts[best]:g}, final {cuts[-1]:g}")
    print(f"cut over time written to {filename}")


if __name__ == "__main__":
    main()
