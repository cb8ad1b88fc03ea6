"""The paradigm-switching dataset (paper IV-A): every layer of the grid compiled with both
paradigms to its exact PE count.

Grid: sources and targets 50..500 step 50, weight density 10..100 % step 10, delay range 1..16:
16,000 layers. Each layer is drawn from its own seed (the grid index): every (source, target)
pair is a synapse with probability ``density``, delays uniform 1..D steps. A *variant* fixes the
weight precision and the receptor types: ``8x1`` (the paper's: 8-bit weights uniform 1..255, all
excitatory), ``16x2`` (what a PyNN script maps by default: 16-bit weights uniform 1..65535, the
last fifth of the sources inhibitory, as in an E/I network), ``16x1``, ``8x2``; by default the
first two over the whole grid and seeded samples of 2,000 layers of the other two, so that the
shipped model has seen each weight precision with each receptor count. The same grid layer has
the same synapses and delays in every variant.

Serial: the target's PEs under the partition of a spike source array -> IF_curr_exp network,
one projection per receptor type, counted twice: ``serial_dram_pes`` as the pipeline partitions
it (a matrix beyond four PEs' SRAM stays in DRAM, one PE per slice) and ``serial_pes`` without
DRAM, as the paper counts (such slices are cut finer). Neither depends on the weight precision
(synaptic words and input buffers are the same for 8- and 16-bit weights), so each is counted
once per receptor layout. Parallel: ``compile_layer`` as the pipeline calls it, dominants plus
subordinates.

Labels, 1 = parallel: ``label`` (what the compiler faces: serial as the pipeline partitions it
against parallel; the shipped model learns it) and ``paper_label`` (serial without DRAM against
parallel, the paper's rule). Tie rule, both: fewer PEs wins; equal PEs go to fewer SRAM bytes in
all (serial rows in DRAM not counted), equal bytes to serial.

    python benchmarks/paradigm_dataset.py                      # 8x1, 16x2 whole; 2,000 layers of 16x1, 8x2
    python benchmarks/paradigm_dataset.py --variants 8x1:500   # a seeded sample of 500 layers
    python benchmarks/paradigm_dataset.py --variants 8x1 16x2 16x1:2000 8x2:2000
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

from core.hardware import MAX_NEURONS_PER_PE  # noqa: E402
from core.mapping.estimates import SerialBlocks, default_blocks  # noqa: E402
from core.mapping.switching import parallel_plan, serial_counts  # noqa: E402

SIZES = np.arange(50, 501, 50)
DENSITIES = np.round(np.arange(0.1, 1.01, 0.1), 1)
DELAYS = np.arange(1, 17)
DEFAULT_OUT = Path(__file__).with_name("paradigm_dataset.npz")
DEFAULT_VARIANTS = ("8x1", "16x2", "16x1:2000", "8x2:2000")
INHIBITORY_FRACTION = 0.2
COLUMNS = ("n_source", "n_target", "density", "delay_range", "weight_bits", "n_types", "n_synapses",
           "serial_pes", "serial_dram_pes", "parallel_pes", "serial_bytes", "serial_dram_bytes", "parallel_bytes",
           "serial_in_dram", "serial_seconds", "parallel_seconds")
LABELLINGS = {"label": ("serial_dram_pes", "serial_dram_bytes"),      # serial as the pipeline partitions it
              "paper_label": ("serial_pes", "serial_bytes")}          # serial without DRAM (paper IV-A)


def grid() -> np.ndarray:
    """(16000, 4): n_source, n_target, density, delay range; row i is drawn from seed i."""
    return np.array(list(itertools.product(SIZES, SIZES, DENSITIES, DELAYS)), dtype=float)


def layer_synapses(index: int, n_source: int, n_target: int, density: float, delay_range: int):
    """Grid layer ``index``'s synapses, as every variant shares them: source, target, 8-bit
    weight, delay."""
    rng = np.random.default_rng(index)
    src, tgt = np.nonzero(rng.random((n_source, n_target)) < density)
    return src, tgt, rng.integers(1, 256, src.size), rng.integers(1, delay_range + 1, src.size)


def variant_of(index: int, n_source: int, synapses, weight_bits: int = 8, n_types: int = 1):
    """The layer in one variant: source, target, weight, delay, receptor type."""
    src, tgt, w, d = synapses
    if weight_bits == 16:
        w = np.random.default_rng([index, 16]).integers(1, 1 << 16, src.size)
    r = (src >= n_source - round(INHIBITORY_FRACTION * n_source)).astype(np.int64) if n_types == 2 else \
        np.zeros(src.size, np.int64)
    return src, tgt, w, d, r


def grid_layer(index: int, n_source: int, n_target: int, density: float, delay_range: int,
               weight_bits: int = 8, n_types: int = 1):
    """Synapses of grid layer ``index`` in one variant: source, target, weight, delay, receptor type."""
    return variant_of(index, n_source, layer_synapses(index, n_source, n_target, density, delay_range),
                      weight_bits, n_types)


def layer_blocks(n_source: int, n_types: int, density: float) -> SerialBlocks:
    """The serial blocks of a grid layer (``core.mapping.layers.serial_blocks`` of its network):
    one per source slice, the inhibitory projection's over the slices holding its sources."""
    if n_types == 1:
        return default_blocks(n_source, 1, density)
    slices = -(-n_source // MAX_NEURONS_PER_PE)
    bounds = np.linspace(0, n_source, slices + 1).round()
    first_inhibitory = n_source - round(INHIBITORY_FRACTION * n_source)
    reached = [bounds[:-1] < first_inhibitory, bounds[1:] > first_inhibitory]     # excitatory, inhibitory
    return SerialBlocks.of(slices, [k.sum() for k in reached], [np.diff(bounds)[k].sum() for k in reached],
                           [density, density], [0, 0])


def parse_variant(spec: str) -> tuple[int, int, int]:
    """'16x2' or '16x2:4000' -> (weight bits, receptor types, sample size; 0 = the whole grid)."""
    head, _, sample = spec.partition(":")
    bits, _, types = head.partition("x")
    bits, types, sample = int(bits), int(types), int(sample or 0)
    if bits not in (8, 16) or types not in (1, 2):
        raise ValueError(f"variant {spec!r}: weight bits must be 8 or 16 and types 1 or 2 (e.g. 16x2:4000)")
    return bits, types, sample


def measure(args) -> list[tuple]:
    """One grid layer: its synapses drawn once, the serial counts once per receptor layout, the
    parallel count per variant; CPU seconds of each."""
    index, (n_source, n_target, density, delay_range), variants = args
    n_source, n_target, delay_range = int(n_source), int(n_target), int(delay_range)
    synapses = layer_synapses(index, n_source, n_target, density, delay_range)
    rows, serial = [], {}
    for bits, types in variants:
        src, tgt, w, d, r = variant_of(index, n_source, synapses, bits, types)
        t0 = time.process_time()
        if types not in serial:
            serial[types] = serial_counts(src, tgt, d, n_source, n_target, r=r)
        s = serial[types]
        t1 = time.process_time()
        plan = parallel_plan(src, tgt, w, d, n_source, n_target, delay_range, bits, r=r)
        t2 = time.process_time()
        rows.append((index, n_source, n_target, density, delay_range, bits, types, src.size, s.pes, s.dram_pes,
                     plan.n_pes, s.bytes, s.dram_bytes, plan.sram_bytes, s.in_dram, t1 - t0, t2 - t1))
    return rows


def label(serial_pes, parallel_pes, serial_bytes, parallel_bytes) -> np.ndarray:
    """1 = parallel. Fewer PEs wins; a tie goes to fewer SRAM bytes, then to serial."""
    return ((parallel_pes < serial_pes) | ((parallel_pes == serial_pes) & (parallel_bytes < serial_bytes))
            ).astype(np.int64)


def work_items(variants) -> list:
    """Each grid layer once, with the variants it is measured in."""
    n = len(grid())
    wanted: dict[int, list] = {}
    for bits, types, sample in variants:
        chosen = (np.sort(np.random.default_rng([bits, types]).choice(n, sample, replace=False)) if sample
                  else np.arange(n))
        for i in chosen.tolist():
            wanted.setdefault(i, []).append((bits, types))
    points = grid()
    return [(i, tuple(points[i]), tuple(v)) for i, v in sorted(wanted.items())]


def build(variants, processes=2, progress=True) -> dict:
    work = work_items(variants)
    start = time.perf_counter()
    with multiprocessing.Pool(processes) as pool:
        it = pool.imap_unordered(measure, work, chunksize=4)
        if progress:
            from tqdm import tqdm
            it = tqdm(it, total=len(work), desc="layers", unit="layer", mininterval=5)
        rows = [row for rows in it for row in rows]
    seconds = time.perf_counter() - start
    rows.sort()
    data = np.array(rows, dtype=float)
    out = {"index": data[:, 0].astype(np.int64)}
    out.update({name: data[:, 1 + i] for i, name in enumerate(COLUMNS)})
    for name in COLUMNS[:-2]:
        if name != "density":
            out[name] = out[name].astype(np.int64)
    for name, (pes, n_bytes) in LABELLINGS.items():
        out[name] = label(out[pes], out["parallel_pes"], out[n_bytes], out["parallel_bytes"])
    out["wall_seconds"] = np.array(seconds)
    out["processes"] = np.array(processes)
    return out


def variant(data: dict, weight_bits: int, n_types: int) -> dict:
    """The rows of one variant."""
    keep = (data["weight_bits"] == weight_bits) & (data["n_types"] == n_types)
    return {k: (v[keep] if np.ndim(v) and v.shape[0] == keep.size else v) for k, v in data.items()}


def load(path=DEFAULT_OUT) -> dict:
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", nargs="+", default=list(DEFAULT_VARIANTS),
                    help="BITSxTYPES[:SAMPLE] each, e.g. 8x1 16x2:4000 (default: %(default)s)")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    variants = [parse_variant(v) for v in args.variants]
    data = build(variants, args.processes)
    data["variants"] = np.array(args.variants)
    np.savez_compressed(args.out, **data)
    print(f"{data['index'].size} layer compilations in {float(data['wall_seconds']):.1f} s on {args.processes} "
          f"processes (CPU: serial {data['serial_seconds'].sum():.1f} s, parallel "
          f"{data['parallel_seconds'].sum():.1f} s); written to {args.out}")
    for bits, types, _ in variants:
        v = variant(data, bits, types)
        serial_ms, parallel_ms = (1e3 * np.median(v[f"{k}_seconds"]) for k in ("serial", "parallel"))
        print(f"  {bits}x{types}: {v['label'].size} layers; serial rows in DRAM on "
              f"{100 * v['serial_in_dram'].mean():.1f} %, saving serial PEs on "
              f"{100 * np.mean(v['serial_dram_pes'] < v['serial_pes']):.1f} %; median CPU ms serial (both counts) "
              f"{serial_ms:.1f}, parallel {parallel_ms:.1f}")
        for name, (pes, _) in LABELLINGS.items():
            print(f"    {name}: parallel wins {100 * v[name].mean():.1f} %, equal PEs "
                  f"{100 * np.mean(v[pes] == v['parallel_pes']):.1f} % (broken by SRAM bytes)")


if __name__ == "__main__":
    main()
