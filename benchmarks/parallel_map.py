"""Bytes saved by each weight-delay map optimisation, and PEs serial vs parallel.

1. Over the paper's grid of layers (``paradigm_dataset.grid``: sources and targets 50..500,
   density 10..100 %, delay range 1..16, random 8-bit weights, seeded), each layer compiled
   unoptimised, fully optimised, and with each optimisation switched off alone: the bytes that
   optimisation saves is what switching it off costs; "only" rows switch it on alone from the
   unoptimised map. A seeded sample by default, ``--full`` for all 16,000 layers.
2. The gesture network 2048-20-4 at 3.16 % density (the paper: 9 PEs serial, 5 parallel): each
   layer's target PEs serial (partition without DRAM) and parallel.

    python benchmarks/parallel_map.py [--sample 300 | --full] [--gesture-delay 1]
"""
from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.paradigm_dataset import grid, grid_layer  # noqa: E402
from core import Network, Population  # noqa: E402
from core.hardware import MAX_NEURONS_PER_PE  # noqa: E402
from core.mapping.parallel import NO_OPTIMISATION, Optimisations, compile_layer  # noqa: E402
from core.mapping.partition import partition  # noqa: E402
from core.mapping.switching import neuron_bytes, serial_graph_bytes  # noqa: E402

FLAGS = [f.name for f in dataclasses.fields(Optimisations)]
VARIANTS = {"unoptimised": NO_OPTIMISATION, "optimised": Optimisations(),
            **{f"without {f}": dataclasses.replace(Optimisations(), **{f: False}) for f in FLAGS},
            **{f"only {f}": dataclasses.replace(NO_OPTIMISATION, **{f: True}) for f in FLAGS}}


def measure(args):
    index, (n_source, n_target, density, delay_range) = args
    n_source, n_target, delay_range = int(n_source), int(n_target), int(delay_range)
    src, tgt, w, d = grid_layer(index, n_source, n_target, density, delay_range)
    out = {}
    for name, opt in VARIANTS.items():
        t = time.perf_counter()
        plan = compile_layer(src, tgt, w, d, n_source=n_source, n_target=n_target, neuron_bytes=neuron_bytes(),
                             delay_range=delay_range, optimisations=opt)
        out[name] = (plan.map_bytes, plan.sram_bytes, plan.n_pes, time.perf_counter() - t)
    return out


def ablation(indices, processes):
    points = grid()
    with multiprocessing.Pool(processes) as pool:
        results = pool.map(measure, [(int(i), tuple(points[i])) for i in indices], chunksize=4)
    table = {name: np.array([r[name] for r in results]) for name in VARIANTS}
    base, best = table["unoptimised"], table["optimised"]
    lines = ["| variant | map bytes (% of unoptimised) | saved by this optimisation (% of unoptimised map) "
             "| SRAM bytes (% of unoptimised) | mean PEs | compile ms (median) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, v in table.items():
        saved = ((v[:, 0].sum() - best[:, 0].sum()) if name.startswith("without") else
                 (base[:, 0].sum() - v[:, 0].sum()) if name.startswith("only") else None)
        lines.append(f"| {name} | {100 * v[:, 0].sum() / base[:, 0].sum():.2f} | "
                     f"{'' if saved is None else f'{100 * saved / base[:, 0].sum():.2f}'} | "
                     f"{100 * v[:, 1].sum() / base[:, 1].sum():.2f} | {v[:, 2].mean():.2f} | "
                     f"{1e3 * np.median(v[:, 3]):.1f} |")
    per_layer = best[:, 0] / base[:, 0]
    lines.append("")
    lines.append(f"optimised map per layer: median {100 * np.median(per_layer):.1f} % of the unoptimised map "
                 f"(5th-95th percentile {100 * np.percentile(per_layer, 5):.1f}-{100 * np.percentile(per_layer, 95):.1f} %)")
    return "\n".join(lines)


def gesture(delay_range: int, seed: int = 0, density: float = 0.0316):
    """The paper's gesture network: 2048 inputs, 20 hidden, 4 outputs; both layers at ``density``."""
    rng = np.random.default_rng(seed)
    rows = ["| layer | synapses | serial PEs | parallel PEs | parallel: dominants + subordinates | "
            "parallel map bytes (% of unoptimised) |", "| --- | ---: | ---: | ---: | --- | ---: |"]
    totals = np.zeros(2, int)
    for n_source, n_target in ((2048, 20), (20, 4)):
        src, tgt = np.nonzero(rng.random((n_source, n_target)) < density)
        w = rng.integers(1, 256, src.size)
        d = rng.integers(1, delay_range + 1, src.size)
        s_pes, _ = serial_graph_bytes(src, tgt, d, n_source, n_target, dram=False)      # as the paper counts
        kw = dict(n_source=n_source, n_target=n_target, neuron_bytes=neuron_bytes(), delay_range=delay_range)
        plan = compile_layer(src, tgt, w, d, **kw)
        raw_bytes = -(-n_source * delay_range // 4) * 4 * -(-n_target // 16) * 16     # the padded dense map
        shape = ", ".join(f"{'1 (multiplies)' if s.dominant_multiplies else f'1 + {s.n_sub}'}" for s in plan.slices)
        rows.append(f"| {n_source}-{n_target} | {src.size} | {s_pes} | {plan.n_pes} | {shape} | "
                    f"{100 * plan.map_bytes / raw_bytes:.1f} |")
        totals += (s_pes, plan.n_pes)
    rows.append(f"| total | | {totals[0]} | {totals[1]} | | |")
    net = Network(timestep=1.0)
    net.add_population(Population("input", "SpikeSourceArray", 2048))
    inputs = partition(net)
    rows.append(f"\nThe 2048 inputs themselves, as spike source vertices of at most {MAX_NEURONS_PER_PE} neurons, "
                f"take {len(inputs.vertices)} PEs under either paradigm.")
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=int, default=300, help="grid layers to sample (0: gesture network only)")
    ap.add_argument("--full", action="store_true", help="all 16,000 grid layers")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--gesture-delay", type=int, default=1, help="delay range of the gesture network's synapses")
    args = ap.parse_args(argv)
    n = len(grid())
    indices = np.arange(n) if args.full else np.sort(np.random.default_rng(1).choice(n, args.sample, replace=False))
    t = time.perf_counter()
    if indices.size:
        print(f"## Weight-delay map optimisations over {indices.size} grid layers\n")
        print(ablation(indices, args.processes))
        print(f"\n({time.perf_counter() - t:.0f} s)\n")
    print(f"## Gesture network 2048-20-4, 3.16 % density, delay range {args.gesture_delay}\n")
    print(gesture(args.gesture_delay))


if __name__ == "__main__":
    main()
