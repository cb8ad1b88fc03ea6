"""The paradigms side by side on whole networks, in the emulator, and over the paper's grid.

1. ``networks``: PEs of whole networks mapped serial, parallel, and ``auto`` (objective PEs, and
   objective time): the paper's gesture network 2048-20-4 at 3.16 % density, the Brunel example
   (``examples/brunel.py``) and QUBO Max-Cut networks (``pynn_spinnaker2.qubo``); per network the
   compile time, ``auto``'s decision time (the pipeline's ``paradigm`` stage) against compiling
   both paradigms, the busiest PE's expected cycles per step, and PEs that would overrun a
   real-time step. ``auto``'s spikes are checked equal to the serial mapping's (emulated).
2. ``emulation``: wall time to emulate dense layers in each paradigm (Poisson sources into LIF
   neurons at 100 % density), both in one process, alternating, medians; spikes checked identical.
3. ``grid``: mean PEs and SRAM bytes per layer of both paradigms over the paper's grid (serial as
   the pipeline partitions it, and without DRAM as the paper counts), read from
   ``paradigm_dataset.npz`` (``python benchmarks/paradigm_dataset.py``).

    python benchmarks/paradigms.py [networks] [emulation] [grid] [--repeats 3]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import Emulator, Network, Population, Projection, compile_network  # noqa: E402

MODES = {"serial": dict(paradigm="serial"), "parallel": dict(paradigm="parallel"),
         "auto": dict(paradigm="auto"), "auto (time)": dict(paradigm="auto", objective="time")}


# -- the networks ----------------------------------------------------------------------------------

def gesture_network(density=0.0316, delay_range=1, rate_hz=20.0, weight_bits=8, n=(2048, 20, 4), seed=0) -> Network:
    """The paper's gesture-recognition network: 2048 inputs (Poisson here), 20 hidden and 4
    output LIF neurons, both layers at ``density``, random 8-bit weights, delays 1..D steps."""
    rng = np.random.default_rng(seed)
    net = Network(timestep=1.0)
    pops = [net.add_population(Population("input", "SpikeSourcePoisson", n[0], parameters={"rate": rate_hz}))]
    for label, size in (("hidden", n[1]), ("output", n[2])):
        pops.append(net.add_population(Population(label, "IF_curr_exp", size, weight_bits=weight_bits,
                                                  parameters={"tau_refrac": 1.0}, record={"spikes": 1})))
    for pre, post in zip(pops[:-1], pops[1:]):
        i, j = np.nonzero(rng.random((net.populations[pre].size, net.populations[post].size)) < density)
        net.add_projection(Projection(f"{net.populations[pre].label}-{net.populations[post].label}", pre, post, i, j,
                                      rng.uniform(0.5, 2.0, i.size), rng.integers(1, delay_range + 1, i.size)))
    return net


def pynn_network(build) -> Network:
    """The application graph a PyNN script builds (``build(sim)``), as the backend translates it."""
    import pynn_spinnaker2 as sim
    from pynn_spinnaker2 import simulator

    sim.setup(timestep=1.0)
    build(sim)
    for population in simulator.state.populations:
        population.record("spikes")
    return simulator.state.translate()


def brunel_network(scale=250) -> Network:
    from examples import brunel

    def build(sim):
        brunel.build(sim, scale=scale, timestep=0.1)
    return pynn_network(build)


def qubo_network(kind="3-regular", n=100, seed=1) -> Network:
    """A Max-Cut network as ``StandardNeurons`` builds it, with the noise at its first stage's
    rate (the rate the first run maps with)."""
    from examples.qubo_maxcut import random_graph
    from pynn_spinnaker2.qubo import StandardNeurons, maxcut

    def build(sim):
        sim.setup(timestep=1.0, min_delay=1.0, rng_seed=seed)
        _, noise, rates = StandardNeurons().build(sim, maxcut(*random_graph(kind, n, seed)))
        for source in noise:
            source.set(rate=float(rates[0]))
    return pynn_network(build)


NETWORKS = {
    "gesture 2048-20-4, 3.16 %, D = 1": lambda: gesture_network(),
    "gesture 2048-20-4, 3.16 %, D = 8": lambda: gesture_network(delay_range=8),
    "Brunel, NE = 1000, NI = 250": lambda: brunel_network(250),
    "QUBO Max-Cut, 3-regular n = 100": lambda: qubo_network("3-regular", 100),
    "QUBO Max-Cut, G1-shaped n = 800": lambda: qubo_network("g1", 800),
}


def map_all(network: Network) -> dict:
    """The network compiled in every mode (or why it cannot be)."""
    out = {}
    for mode, kw in MODES.items():
        t = time.perf_counter()
        try:
            program = compile_network(network, **kw)
        except ValueError as error:
            out[mode] = str(error)
            continue
        out[mode] = (program, time.perf_counter() - t)
    return out


def same_spikes(network: Network, a, b, steps: int, seed: int = 7) -> bool:
    runs = []
    for program in (a, b):
        emulator = Emulator(program, seed=seed)
        emulator.run(steps)
        runs.append([emulator.spikes(p) for p in range(len(network.populations))])
    return all(np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1]) for x, y in zip(*runs))


def networks_section(steps: int) -> str:
    rows = ["| network | serial PEs | parallel PEs | auto PEs | auto (time) PEs | auto's decision ms | "
            "compile serial + parallel ms | auto's spikes = serial's |", "| --- |" + " ---: |" * 7]
    notes, busiest = [], []
    for name, make in NETWORKS.items():
        network = make()
        mapped = map_all(network)
        pes = {m: (v[0].report.pes_used if isinstance(v, tuple) else "–") for m, v in mapped.items()}
        auto = mapped["auto"][0]
        decision = 1e3 * auto.report.compile_seconds["paradigm"]
        both = sum(1e3 * mapped[m][1] for m in ("serial", "parallel") if isinstance(mapped[m], tuple))
        same = same_spikes(network, mapped["serial"][0], auto, steps)
        rows.append(f"| {name} | {pes['serial']} | {pes['parallel']} | {pes['auto']} | {pes['auto (time)']} | "
                    f"{decision:.2f} | {both:.0f} | {'yes' if same else 'NO'} ({steps} steps) |")
        for mode, v in mapped.items():
            if not isinstance(v, tuple):
                notes.append(f"* {name}, {mode}: {v}")
                continue
            report = v[0].report
            busy = max((c for p in report.populations for c in p.pe_cycles), default=0)
            busiest.append(f"| {name} | {mode} | {busy:,} | {report.timing['step_ms']:g} | "
                           f"{report.timing['budget_cycles']:,.0f} | {len(report.overruns)} |")
        for p in auto.report.populations:
            if p.paradigm_reason:
                notes.append(f"* {name}, auto: {p.label} ({p.size}) {p.paradigm}, {len(p.pes)} PEs: {p.paradigm_reason}")
    table2 = ["| network | mapping | busiest PE cycles / step | step ms | cycles in a real-time step (150 MHz) | "
              "PEs overrunning |", "| --- | --- |" + " ---: |" * 4] + busiest
    return "\n".join(rows) + "\n\n" + "\n".join(notes) + "\n\n" + "\n".join(table2)


# -- emulation speed -------------------------------------------------------------------------------

def dense_layer(n_source, n_target, delay_range, rate_hz=20.0, weight_bits=8, seed=0) -> Network:
    rng = np.random.default_rng(seed)
    net = Network(timestep=1.0)
    src = net.add_population(Population("src", "SpikeSourcePoisson", n_source, parameters={"rate": rate_hz}))
    dst = net.add_population(Population("dst", "IF_curr_exp", n_target, weight_bits=weight_bits,
                                        record={"spikes": 1}))
    i, j = np.nonzero(np.ones((n_source, n_target), bool))
    net.add_projection(Projection("dense", src, dst, i, j, rng.uniform(0.01, 0.05, i.size),
                                  rng.integers(1, delay_range + 1, i.size)))
    return net


def emulation_section(repeats: int, steps: int) -> str:
    rows = ["| layer (100 %, 20 Hz Poisson) | PEs serial | PEs parallel | emulate serial s | emulate parallel s | "
            "parallel / serial | synaptic events / step (serial) | MAC tiles / step (parallel) | spikes identical |",
            "| --- |" + " ---: |" * 8]
    for n_source, n_target, delay_range in ((250, 250, 1), (500, 500, 1), (500, 500, 8), (1000, 500, 1)):
        net = dense_layer(n_source, n_target, delay_range)
        programs = {m: compile_network(net, paradigm=m) for m in ("serial", "parallel")}
        seconds = {m: [] for m in programs}
        spikes, stats = {}, {}
        for r in range(repeats):
            for m in (("serial", "parallel") if r % 2 == 0 else ("parallel", "serial")):
                emulator = Emulator(programs[m], seed=3, threads=1)
                emulator.run(10)                               # compiled kernels warm
                emulator.reset()
                t = time.perf_counter()
                emulator.run(steps)
                seconds[m].append(time.perf_counter() - t)
                spikes[m], stats[m] = emulator.spikes(1), emulator.statistics()
        s, p = (float(np.median(seconds[m])) for m in ("serial", "parallel"))
        same = all(np.array_equal(a, b) for a, b in zip(spikes["serial"], spikes["parallel"]))
        rows.append(f"| {n_source} x {n_target}, D = {delay_range} | {programs['serial'].report.pes_used} | "
                    f"{programs['parallel'].report.pes_used} | {s:.3f} | {p:.3f} | {p / s:.2f} | "
                    f"{stats['serial']['synaptic events'] / steps:,.0f} | "
                    f"{stats['parallel']['MAC tiles multiplied'] / steps:,.0f} | {'yes' if same else 'NO'} |")
    return "\n".join(rows)


# -- the paper's grid ------------------------------------------------------------------------------

def grid_section() -> str:
    from benchmarks.paradigm_dataset import DEFAULT_OUT, LABELLINGS, load, variant

    data = load(DEFAULT_OUT)
    lines = []
    for bits, types in ((8, 1), (16, 2)):
        v = variant(data, bits, types)
        if not v["label"].size:
            continue
        lines += [f"\n{bits}-bit weights, {types} receptor type(s), {v['label'].size} layers; serial as the "
                  "pipeline partitions it (rows in DRAM beyond four PEs) and, as the paper counts, without DRAM:\n",
                  "| delay range | serial PEs | parallel PEs | serial SRAM KB | parallel KB | parallel fewer PEs | "
                  "equal PEs | label parallel | serial PEs without DRAM | parallel fewer PEs | equal PEs | "
                  "label parallel |", "| --- |" + " ---: |" * 11]
        for lo, hi in ((1, 1), (2, 2), (3, 4), (5, 8), (9, 16), (1, 16)):
            k = (v["delay_range"] >= lo) & (v["delay_range"] <= hi)
            p = v["parallel_pes"][k]
            cells = []
            for name, (pes, _) in LABELLINGS.items():
                s = v[pes][k]
                cells.append((f"{s.mean():.2f} | " if name != "label" else "")
                             + f"{100 * np.mean(p < s):.1f} % | {100 * np.mean(p == s):.1f} % | "
                             f"{100 * v[name][k].mean():.1f} %")
            lines.append(f"| {lo if lo == hi else f'{lo}–{hi}'} | {v['serial_dram_pes'][k].mean():.2f} | {p.mean():.2f} | "
                         f"{v['serial_dram_bytes'][k].mean() / 1024:.0f} | {v['parallel_bytes'][k].mean() / 1024:.0f} | "
                         + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sections", nargs="*", default=["networks", "emulation", "grid"],
                    choices=["networks", "emulation", "grid"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=1000, help="emulated steps per run")
    args = ap.parse_args(argv)
    for section in args.sections:
        print(f"\n## {section}\n", flush=True)
        if section == "networks":
            print(networks_section(args.steps))
        elif section == "emulation":
            print(emulation_section(args.repeats, args.steps))
        else:
            print(grid_section())


if __name__ == "__main__":
    main()
