"""The cortical microcircuit of Potjans & Diesmann (2014), plain PyNN: the same code on every
backend.

Eight populations (excitatory and inhibitory, layers 2/3, 4, 5 and 6) of 77,169 current-based
LIF neurons with exponential synapses (NEST ``iaf_psc_exp``, PyNN ``IF_curr_exp``), connected
with the published connection probabilities: each projection draws a fixed total number of
synapses, sources and targets uniform with multapses (the paper's section "Model";
``FixedTotalNumberConnector``), about 0.3 G synapses in all. Weights and delays are normal,
redrawn outside their sign or below one time step (``normal_clipped``). External input is
either one Poisson source per neuron at ``K_ext x 8 Hz`` (the paper's default) or the
equivalent DC current.

``--scale`` shrinks neurons (N) and in-degrees (K) together, as the reference implementations
do: a projection keeps ``K_full x scale x scale`` synapses, so each neuron gets ``scale`` of its
inputs; weights grow by ``1 / sqrt(scale)`` to keep the input's variance and a DC current makes
up the mean that is lost, computed from the full-scale rates (van Albada et al. 2015, the
``K_scaling`` of NEST's ``Potjans_2014`` example)::

    python examples/microcircuit.py spinnaker2 --scale 0.1
    python examples/microcircuit.py nest --scale 0.1
    python examples/microcircuit.py spinnaker2 --scale 1 --n-chips 48     # 77,169 neurons
"""
import argparse
import importlib
import resource
import time
import warnings

import numpy as np

BACKENDS = {"spinnaker2": "pynn_spinnaker2", "nest": "pyNN.nest"}

POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
N_FULL = np.array([20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948])
# connection probability, target (row) from source (column); Potjans & Diesmann 2014, Table 5
CONNECTION_PROBABILITY = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0,    0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0,    0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0,    0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443]])
K_EXT = np.array([1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100])    # external inputs per neuron
BACKGROUND_RATE = 8.0       # Hz, per external input
# mean rates (Hz) of the full-scale model, for the DC that makes up for scaled in-degrees
# (the reference rates of NEST's Potjans_2014 example)
FULL_RATES = np.array([0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829])

NEURON = dict(cm=0.25, tau_m=10.0, tau_syn_E=0.5, tau_syn_I=0.5, tau_refrac=2.0,
              v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.0)     # nF, ms, mV, nA
# initial membrane potential per population, mean and standard deviation (mV): the reference's
# "optimized" start, close to the stationary distribution, which avoids a burst at onset
V0 = (np.array([-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43]),
      np.array([5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48]))
PSP_E = 0.15                # mV, mean peak PSP of an excitatory synapse
PSP_REL_SD = 0.1            # relative standard deviation of the weights
G = -4.0                    # inhibitory / excitatory weight
DELAY = (1.5, 0.75)         # ms, mean delay of excitatory, inhibitory synapses
DELAY_REL_SD = 0.5
DELAY_BACKGROUND = 1.5      # ms
MAX_DELAY = 6.0             # ms: delays are redrawn above 6 sd of the excitatory ones (none in 10^9)


def psp_peak_per_nA(tau_m, cm, tau_syn):
    """Peak PSP (mV) of an exponential current of 1 nA amplitude into a LIF membrane: at
    t* = ln(tau_m / tau_syn) tau_m tau_syn / (tau_m - tau_syn), V = tau_syn tau_m / (cm (tau_m -
    tau_syn)) (exp(-t*/tau_m) - exp(-t*/tau_syn)) (the PSC-to-PSP conversion of the reference
    implementations, in PyNN units)."""
    t_peak = np.log(tau_m / tau_syn) * tau_m * tau_syn / (tau_m - tau_syn)
    return tau_syn * tau_m / (cm * (tau_m - tau_syn)) * (np.exp(-t_peak / tau_m) - np.exp(-t_peak / tau_syn))


def full_scale_synapses():
    """Synapses per projection (target, source) at full scale: the number of independent draws
    that connects a pair with the published probability, ln(1 - p) / ln(1 - 1 / (N_pre N_post))."""
    pairs = np.outer(N_FULL, N_FULL).astype(float)
    return np.log(1.0 - CONNECTION_PROBABILITY) / np.log((pairs - 1.0) / pairs)


def mean_weights():
    """Mean weight (nA, PyNN's signs) per projection (target, source): 0.15 mV PSPs, inhibition
    G times stronger, L4E -> L2/3E doubled (the paper's Table 5)."""
    w = PSP_E / psp_peak_per_nA(NEURON["tau_m"], NEURON["cm"], NEURON["tau_syn_E"])
    weights = np.tile(np.where(np.arange(8) % 2 == 0, w, G * w), (8, 1))
    weights[0, 2] = 2 * w
    return weights, w


def scaled(scale, background="poisson"):
    """Neurons, synapses per projection, mean weights, external weight and rate and the DC
    current (nA) per population at ``scale`` of N and K."""
    n = np.round(N_FULL * scale).astype(int)
    k_full = full_scale_synapses()
    synapses = np.round(k_full * scale * scale).astype(int)
    weights, w_ext = mean_weights()
    in_degree_full = k_full / N_FULL[:, None]
    recurrent = (weights * in_degree_full * FULL_RATES).sum(axis=1)       # nA x Hz, full scale
    external = w_ext * K_EXT * BACKGROUND_RATE
    tau = NEURON["tau_syn_E"] / 1000.0                                      # s
    dc = (1.0 - np.sqrt(scale)) * tau * recurrent
    if background == "poisson":
        dc += (1.0 - np.sqrt(scale)) * tau * external
    else:
        dc += tau * external
    return dict(n=n, synapses=synapses, weights=weights / np.sqrt(scale), w_ext=w_ext / np.sqrt(scale),
                rate_ext=K_EXT * scale * BACKGROUND_RATE, dc=dc)


def build(sim, scale=0.1, background="poisson", timestep=0.1, seed=12345, record=("spikes",), **setup):
    """Set up ``sim`` and build the microcircuit; returns its populations by name and its
    projections by (target, source) name. ``seed`` draws the network (the same on every
    backend); the simulator's own random numbers (Poisson sources) take ``rng_seed`` from
    ``setup``, ``seed`` if not given."""
    setup.setdefault("rng_seed", seed)
    sim.setup(timestep=timestep, **setup)
    p = scaled(scale, background)
    rng = sim.NumpyRNG(seed=seed)
    cells = {}
    for i, name in enumerate(POPULATIONS):
        v0 = sim.RandomDistribution("normal", mu=V0[0][i], sigma=V0[1][i], rng=rng)
        cells[name] = sim.Population(int(p["n"][i]), sim.IF_curr_exp(**dict(NEURON, i_offset=p["dc"][i])),
                                     initial_values={"v": v0}, label=name)
        if record:
            cells[name].record(list(record))
    projections = {}
    for t, target in enumerate(POPULATIONS):
        for s, source in enumerate(POPULATIONS):
            if p["synapses"][t, s] == 0:
                continue
            mean, sd = p["weights"][t, s], abs(p["weights"][t, s]) * PSP_REL_SD
            excitatory = mean > 0
            weight = sim.RandomDistribution("normal_clipped", mu=mean, sigma=sd, low=0.0 if excitatory else -np.inf,
                                            high=np.inf if excitatory else 0.0, rng=rng)
            d = DELAY[s % 2]
            delay = sim.RandomDistribution("normal_clipped", mu=d, sigma=d * DELAY_REL_SD, low=timestep,
                                           high=MAX_DELAY, rng=rng)
            projections[(target, source)] = sim.Projection(
                cells[source], cells[target], sim.FixedTotalNumberConnector(int(p["synapses"][t, s]), rng=rng),
                sim.StaticSynapse(weight=weight, delay=delay),
                receptor_type="excitatory" if excitatory else "inhibitory", label=f"{source}->{target}")
    if background == "poisson":
        for i, name in enumerate(POPULATIONS):
            source = sim.Population(int(p["n"][i]), sim.SpikeSourcePoisson(rate=p["rate_ext"][i]),
                                    label=f"{name} background")
            projections[(name, "background")] = sim.Projection(
                source, cells[name], sim.OneToOneConnector(),
                sim.StaticSynapse(weight=p["w_ext"], delay=DELAY_BACKGROUND), receptor_type="excitatory",
                label=f"background->{name}")
    return {"populations": cells, "projections": projections}


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


def population_rates(trains, start, stop):
    """Mean rate (Hz) per population over [start, stop) ms."""
    return {name: sum(int(np.count_nonzero((t >= start) & (t < stop))) for t in ts) / (len(ts) * (stop - start) / 1000.0)
            for name, ts in trains.items()}


def simulate(backend, scale=0.1, duration=1000.0, background="poisson", timestep=0.1, seed=12345, **setup):
    """Build and run on ``backend``; return spike trains, rates and wall times (the simulator
    stays set up: call ``sim.end()``)."""
    sim = importlib.import_module(BACKENDS[backend])
    if backend == "nest":
        setup.setdefault("spike_precision", "on_grid")
    t0 = time.perf_counter()
    net = build(sim, scale, background, timestep, seed, **setup)
    t1 = time.perf_counter()
    sim.run(duration)
    t2 = time.perf_counter()
    trains = {name: spike_trains(pop) for name, pop in net["populations"].items()}
    t3 = time.perf_counter()
    return {"sim": sim, "net": net, "trains": trains, "build_s": t1 - t0, "run_s": t2 - t1, "data_s": t3 - t2,
            "synapses": sum(len(prj) for prj in net["projections"].values()),
            "neurons": sum(pop.size for pop in net["populations"].values()),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def plot(trains, rates, start, stop, filename, title, n_shown=1000):
    """Raster of a sample of each population (shares as in the network), layer 2/3 on top,
    beside the population rates."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (raster, bars) = plt.subplots(1, 2, figsize=(11, 6), width_ratios=(3, 1))
    total = sum(len(t) for t in trains.values())
    row, ticks = 0, []
    for i, name in enumerate(POPULATIONS):
        shown = trains[name][:max(1, round(n_shown * len(trains[name]) / total))]
        colour = "#1f4e9c" if i % 2 == 0 else "#c0392b"
        for k, t in enumerate(shown):
            t = t[(t >= start) & (t < stop)]
            raster.plot(t, np.full(t.size, -(row + k)), ".", color=colour, markersize=1)
        ticks.append((-(row + len(shown) / 2), name))
        row += len(shown)
    raster.set_yticks([y for y, _ in ticks], [n for _, n in ticks])
    raster.set_xlim(start, stop)
    raster.set_xlabel("time (ms)")
    raster.set_title(title)
    bars.barh(range(8), [rates[n] for n in POPULATIONS], color=["#1f4e9c", "#c0392b"] * 4)
    bars.set_yticks(range(8), POPULATIONS)
    bars.invert_yaxis()
    bars.set_xlabel("rate (Hz)")
    fig.tight_layout()
    fig.savefig(filename, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backend", choices=sorted(BACKENDS))
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of neurons and of in-degrees (default 0.1)")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated time, ms")
    parser.add_argument("--transient", type=float, default=100.0, help="ms left out of the rates")
    parser.add_argument("--background", choices=("poisson", "dc"), default="poisson")
    parser.add_argument("--timestep", type=float, default=0.1, help="ms")
    parser.add_argument("--seed", type=int, default=12345, help="seed of the network's random draws")
    parser.add_argument("--rng-seed", type=int, help="seed of the simulator's Poisson sources (default: --seed)")
    parser.add_argument("--n-chips", type=int, help="spinnaker2: chips in the machine (default 48, one board)")
    parser.add_argument("--threads", type=int, help="host threads")
    parser.add_argument("--plot", help="raster PNG (default microcircuit_<backend>.png)")
    args = parser.parse_args(argv)
    # delays drawn from a continuous distribution: every backend rounds them to the time step
    warnings.filterwarnings("ignore", message=".*delays that are not multiples of the time step")

    setup = {} if args.rng_seed is None else {"rng_seed": args.rng_seed}
    if args.threads:
        setup["threads"] = args.threads
    if args.backend == "spinnaker2":
        setup["n_chips"] = args.n_chips or 48
    r = simulate(args.backend, args.scale, args.duration, args.background, args.timestep, args.seed, **setup)
    rates = population_rates(r["trains"], args.transient, args.duration)
    print(f"Potjans-Diesmann microcircuit on {args.backend}: scale {args.scale:g}, {r['neurons']} neurons, "
          f"{r['synapses']} synapses, {args.background} background, {args.duration:g} ms at dt {args.timestep:g} ms")
    print("rates (Hz, after {:g} ms): ".format(args.transient)
          + ", ".join(f"{name} {rate:.2f}" for name, rate in rates.items()))
    print(f"build {r['build_s']:.1f} s, run {r['run_s']:.1f} s, data {r['data_s']:.1f} s (wall); "
          f"peak memory {r['peak_mb']:.0f} MB")
    if args.backend == "spinnaker2":
        print(r["sim"].mapping())
    filename = args.plot or f"microcircuit_{args.backend}.png"
    plot(r["trains"], rates, args.transient, args.duration, filename,
         f"microcircuit, {args.backend}, scale {args.scale:g}")
    print(f"raster written to {filename}")
    r["sim"].end()


if __name__ == "__main__":
    main()
