"""Brunel's sparsely connected network of excitatory and inhibitory LIF neurons: NE + NI =
scale * (4 + 1) neurons, alpha-shaped synaptic currents, random connectivity with autapses (each
neuron draws CE = epsilon*NE excitatory and CI = epsilon*NI inhibitory inputs) and Poisson input
in one of two styles:

* ``shared`` (default), as the SpiNNaker2 tutorial (NICE 2025) runs it: ONE Poisson source that
  drives all NE + NI neurons (every neuron gets the same train);
* ``per-neuron``, as NEST's ``brunel_alpha_nest.py`` runs it: every neuron has a Poisson source
  of its own (a ``SpikeSourcePoisson`` of NE and one of NI neurons, connected one to one), the
  way a ``poisson_generator`` device gives each target an independent train.

Neuron parameters and the PSP-to-current conversion follow NEST's ``brunel_alpha_nest.py``.

Plain PyNN, the same code on every backend::

    python examples/brunel.py spinnaker2 [--scale 250] [--duration 1000] [--timestep 0.1]
    python examples/brunel.py nest [--style per-neuron]
"""
import argparse
import importlib
import time

import numpy as np
from scipy.special import lambertw

BACKENDS = {"spinnaker2": "pynn_spinnaker2", "nest": "pyNN.nest"}

NEURON = dict(tau_m=20.0, cm=0.25, tau_syn_E=0.5, tau_syn_I=0.5, tau_refrac=2.0,
              v_rest=0.0, v_reset=10.0, v_thresh=20.0, i_offset=0.0)   # ms, nF, mV, nA
DELAY = 1.5      # ms
J = 0.1          # mV, peak PSP of an excitatory synapse
G = 5.0          # relative strength of inhibition
ETA = 2.0        # external rate relative to the threshold rate
EPSILON = 0.1    # connection probability


def psp_peak_per_nA(tau_m, cm, tau_syn):
    """Peak PSP (mV) of an alpha current peaking at 1 nA, so a PSP amplitude J (mV) needs a
    weight J / psp_peak_per_nA (nA): NEST's ``ComputePSPnorm``, in PyNN units."""
    a = tau_m / tau_syn
    b = 1.0 / tau_syn - 1.0 / tau_m
    t_max = 1.0 / b * (-lambertw(-np.exp(-1.0 / a) / a, k=-1).real - 1.0 / a)
    return (np.e / (tau_syn * cm * b)
            * ((np.exp(-t_max / tau_m) - np.exp(-t_max / tau_syn)) / b - t_max * np.exp(-t_max / tau_syn)))


STYLES = ("shared", "per-neuron")


def build(sim, scale=250, timestep=0.1, seed=12345, style="shared", **setup):
    """Set up ``sim`` (``setup`` holds backend options) and build the network; return its
    populations and projections by name. Connectivity as NEST's ``fixed_indegree``: autapses
    and multapses allowed. ``style``: the Poisson input, one source for all or one per neuron."""
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, not {style!r}")
    sim.setup(timestep=timestep, rng_seed=seed, **setup)
    n_e, n_i = 4 * scale, scale
    c_e, c_i = int(EPSILON * n_e), int(EPSILON * n_i)
    j_ex = J / psp_peak_per_nA(NEURON["tau_m"], NEURON["cm"], NEURON["tau_syn_E"])
    j_in = -G * j_ex
    nu_th = NEURON["v_thresh"] / (J * c_e * NEURON["tau_m"])        # spikes per ms
    p_rate = 1000.0 * nu_th * ETA * c_e                               # Hz, per source

    rng = sim.NumpyRNG(seed=seed)
    cell = sim.IF_curr_alpha(**NEURON)
    v_init = sim.RandomDistribution("uniform", low=NEURON["v_reset"], high=NEURON["v_thresh"], rng=rng)
    exc = sim.Population(n_e, cell, initial_values={"v": v_init}, label="E")
    inh = sim.Population(n_i, cell, initial_values={"v": v_init}, label="I")
    if style == "shared":
        shared = sim.Population(1, sim.SpikeSourcePoisson(rate=p_rate), label="noise")
        noise = {"E": shared, "I": shared}
    else:
        noise = {p.label: sim.Population(p.size, sim.SpikeSourcePoisson(rate=p_rate), label=f"noise{p.label}")
                 for p in (exc, inh)}

    excitatory = sim.StaticSynapse(weight=j_ex, delay=DELAY)
    inhibitory = sim.StaticSynapse(weight=j_in, delay=DELAY)
    projections = {}
    for post in (exc, inh):
        for pre, n, synapse, receptor in ((exc, c_e, excitatory, "excitatory"),
                                          (inh, c_i, inhibitory, "inhibitory")):
            connector = sim.FixedNumberPreConnector(n, allow_self_connections=True,
                                                    with_replacement=True, rng=rng)
            projections[f"{pre.label}{post.label}"] = sim.Projection(
                pre, post, connector, synapse, receptor_type=receptor)
        projections[f"noise{post.label}"] = sim.Projection(
            noise[post.label], post, sim.AllToAllConnector() if style == "shared" else sim.OneToOneConnector(),
            excitatory, receptor_type="excitatory")
    for population in (exc, inh):
        population.record("spikes")
    return {"E": exc, "I": inh, "noise": noise["E"] if style == "shared" else noise,
            "projections": projections}


def spike_trains(population):
    """Spike times (ms) per neuron of the last segment, as plain arrays, taken from neo's
    multiplexed form (one array of ids, one of times) rather than one neo SpikeTrain object per
    neuron, which at full scale costs more memory than the spikes."""
    ids, times = population.get_data("spikes").segments[-1].spiketrains.multiplexed
    if len(ids) == 0:
        return [np.zeros(0) for _ in range(population.size)]
    index = np.asarray(population.id_to_index(ids), dtype=int)
    times = np.asarray(times.rescale("ms").magnitude, dtype=float)
    order = np.lexsort((times, index))
    return np.split(times[order], np.cumsum(np.bincount(index, minlength=population.size))[:-1])


def rates(trains, duration):
    """Mean firing rate (Hz) over neurons; ``duration`` in ms."""
    return sum(len(t) for t in trains) / (len(trains) * duration / 1000.0)


def cv_isi(trains):
    """Mean coefficient of variation of the inter-spike intervals, over neurons with >= 2 ISIs."""
    cvs = [np.std(isi) / np.mean(isi) for isi in (np.diff(t) for t in trains) if len(isi) >= 2]
    return float(np.mean(cvs)) if cvs else float("nan")


def simulate(backend, scale=250, duration=1000.0, timestep=0.1, seed=12345, style="shared", **setup):
    """Build and run on ``backend`` ('spinnaker2' or 'nest'); return the spike trains, the
    statistics and the wall times. Leaves the simulator set up (call ``sim.end()``)."""
    sim = importlib.import_module(BACKENDS[backend])
    t0 = time.perf_counter()
    net = build(sim, scale, timestep, seed, style, **setup)
    t1 = time.perf_counter()
    sim.run(duration)
    t2 = time.perf_counter()
    trains = {name: spike_trains(net[name]) for name in ("E", "I")}
    return {"sim": sim, "net": net, "trains": trains, "build_s": t1 - t0, "run_s": t2 - t1,
            "rate_E": rates(trains["E"], duration), "rate_I": rates(trains["I"], duration),
            "cv_E": cv_isi(trains["E"])}


def plot(trains, duration, filename, title, n_max=200):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (raster, hist) = plt.subplots(2, 1, sharex=True, figsize=(8, 6), height_ratios=(3, 1))
    shown = trains["E"][:n_max]
    for i, t in enumerate(shown):
        raster.plot(t, np.full(len(t), i), "k.", markersize=1)
    raster.set_ylabel(f"E neuron (first {len(shown)})")
    raster.set_title(title)
    all_e = np.concatenate(trains["E"]) if trains["E"] else np.zeros(0)
    hist.hist(all_e, bins=np.arange(0, duration + 5, 5), color="k")
    hist.set_xlabel("time (ms)")
    hist.set_ylabel("E spikes / 5 ms")
    fig.tight_layout()
    fig.savefig(filename, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backend", choices=sorted(BACKENDS))
    parser.add_argument("--scale", type=int, default=250, help="NE = 4*scale, NI = scale (default 250)")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated time, ms")
    parser.add_argument("--timestep", type=float, default=0.1, help="ms")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--style", choices=STYLES, default="shared",
                        help="Poisson input: one source for all neurons, or one per neuron (NEST's brunel_alpha)")
    parser.add_argument("--plot", help="raster PNG (default brunel_<backend>.png)")
    args = parser.parse_args(argv)

    result = simulate(args.backend, args.scale, args.duration, args.timestep, args.seed, args.style)
    sim = result["sim"]
    print(f"Brunel network ({args.style} Poisson input) on {args.backend}: NE={4 * args.scale}, NI={args.scale}, "
          f"{sum(p.size() for p in result['net']['projections'].values())} synapses, "
          f"{args.duration:g} ms at dt={args.timestep:g} ms")
    print(f"mean rate E {result['rate_E']:.2f} Hz, I {result['rate_I']:.2f} Hz; "
          f"mean CV(ISI) E {result['cv_E']:.3f}")
    print(f"build {result['build_s']:.2f} s, run {result['run_s']:.2f} s (wall)")
    if args.backend == "spinnaker2":
        print(sim.mapping())
    filename = args.plot or f"brunel_{args.backend}.png"
    plot(result["trains"], args.duration, filename,
         f"Brunel, {args.backend}: E {result['rate_E']:.1f} Hz, CV {result['cv_E']:.2f}")
    print(f"raster written to {filename}")
    sim.end()


if __name__ == "__main__":
    main()
