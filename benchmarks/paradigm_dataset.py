"""The paradigm-switching dataset (paper IV-A): every layer of the grid compiled with both
paradigms to its exact PE count.

Grid: sources and targets 50..500 step 50, weight density 10..100 % step 10, delay range 1..16:
16,000 layers. Each layer is drawn from its own seed (the grid index): every (source, target)
pair is a synapse with probability ``density``, weights uniform 1..255 (8-bit), delays uniform
1..D steps, excitatory. Serial: ``partition(dram=False)`` on a spike source array ->
IF_curr_exp network, counting the target's PEs; parallel: ``compile_layer``, dominants plus
subordinates. Label: the paradigm with fewer PEs; on a tie, the one with fewer SRAM bytes in all
(never equal in practice), so a label is always a strict preference.

    python benchmarks/paradigm_dataset.py                 # all 16,000 layers, both cores
    python benchmarks/paradigm_dataset.py --sample 500    # a seeded sample of the grid
"""
from __future__ import annotations

import argparse
import itertools
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.mapping.parallel import compile_layer  # noqa: E402
from core.mapping.switching import neuron_bytes, serial_graph_bytes  # noqa: E402

SIZES = np.arange(50, 501, 50)
DENSITIES = np.round(np.arange(0.1, 1.01, 0.1), 1)
DELAYS = np.arange(1, 17)
DEFAULT_OUT = Path(__file__).with_name("paradigm_dataset.npz")
COLUMNS = ("n_source", "n_target", "density", "delay_range", "n_synapses", "serial_pes", "parallel_pes",
           "serial_bytes", "parallel_bytes", "serial_seconds", "parallel_seconds")


def grid() -> np.ndarray:
    """(16000, 4): n_source, n_target, density, delay range; row i is drawn from seed i."""
    return np.array(list(itertools.product(SIZES, SIZES, DENSITIES, DELAYS)), dtype=float)


def grid_layer(index: int, n_source: int, n_target: int, density: float, delay_range: int):
    rng = np.random.default_rng(index)
    src, tgt = np.nonzero(rng.random((n_source, n_target)) < density)
    w = rng.integers(1, 256, src.size)
    d = rng.integers(1, delay_range + 1, src.size)
    return src, tgt, w, d


def measure(args) -> tuple:
    index, (n_source, n_target, density, delay_range) = args
    n_source, n_target, delay_range = int(n_source), int(n_target), int(delay_range)
    src, tgt, w, d = grid_layer(index, n_source, n_target, density, delay_range)
    t0 = time.perf_counter()
    s_pes, s_bytes = serial_graph_bytes(src, tgt, d, n_source, n_target)
    t1 = time.perf_counter()
    plan = compile_layer(src, tgt, w, d, n_source=n_source, n_target=n_target, weight_bits=8,
                         neuron_bytes=neuron_bytes(), delay_range=delay_range)
    t2 = time.perf_counter()
    return (index, n_source, n_target, density, delay_range, src.size, s_pes, plan.n_pes, s_bytes,
            plan.sram_bytes, t1 - t0, t2 - t1)


def label(serial_pes, parallel_pes, serial_bytes, parallel_bytes) -> np.ndarray:
    """1 = parallel. Fewer PEs wins; a tie goes to fewer SRAM bytes, then to serial."""
    return ((parallel_pes < serial_pes) | ((parallel_pes == serial_pes) & (parallel_bytes < serial_bytes))
            ).astype(np.int64)


def build(indices, processes=2, progress=True) -> dict:
    points = grid()
    work = [(int(i), tuple(points[i])) for i in indices]
    rows = []
    start = time.perf_counter()
    with multiprocessing.Pool(processes) as pool:
        it = pool.imap_unordered(measure, work, chunksize=8)
        if progress:
            from tqdm import tqdm
            it = tqdm(it, total=len(work), desc="layers", unit="layer")
        rows = list(it)
    seconds = time.perf_counter() - start
    rows.sort()
    data = np.array(rows, dtype=float)
    out = {"index": data[:, 0].astype(np.int64)}
    out.update({name: data[:, 1 + i] for i, name in enumerate(COLUMNS)})
    for name in ("n_source", "n_target", "delay_range", "n_synapses", "serial_pes", "parallel_pes",
                 "serial_bytes", "parallel_bytes"):
        out[name] = out[name].astype(np.int64)
    out["label"] = label(out["serial_pes"], out["parallel_pes"], out["serial_bytes"], out["parallel_bytes"])
    out["wall_seconds"] = np.array(seconds)
    out["processes"] = np.array(processes)
    return out


def load(path=DEFAULT_OUT) -> dict:
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=int, default=0, help="a seeded sample of this many grid layers (0: all)")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    n = len(grid())
    indices = (np.sort(np.random.default_rng(0).choice(n, args.sample, replace=False)) if args.sample
               else np.arange(n))
    data = build(indices, args.processes)
    np.savez_compressed(args.out, **data)
    ties = np.mean(data["serial_pes"] == data["parallel_pes"])
    print(f"{indices.size} layers in {float(data['wall_seconds']):.1f} s on {args.processes} processes "
          f"(compile: serial {data['serial_seconds'].sum():.1f} s, parallel {data['parallel_seconds'].sum():.1f} s "
          f"CPU); parallel wins {100 * data['label'].mean():.1f} %, equal PEs {100 * ties:.1f} % "
          f"(broken by SRAM bytes); written to {args.out}")


if __name__ == "__main__":
    main()
