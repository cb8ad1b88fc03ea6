"""Bytes per Table I item of the parallel paradigm's PEs (paper III-B, Table I), counted exactly
from a compiled layer rather than estimated.

The MAC array multiplies C(4 x 16) += A(4 x K) . B(K x 16) (paper II; operands 8 or 16 bit,
32-bit accumulators). The weight-delay map is the B operand, stored in tiles of 4 map rows x 16
columns; the stacked input is the A operand, whose 4 rows are the array's 4 lanes: one stacked
spike vector uses one lane and the other three are zero, so it takes 4 x ceil4(R) operands; the
array writes whole 4 x 16 tiles of 32-bit accumulators, so a column's output takes 4 x 4 bytes.
Items and formulas (``ob`` = operand bytes, 1 for 8-bit, 2 for 16-bit):

dominant PE (receives the layer's spikes, builds the stacked input, holds the target neurons):
  input spike buffer    ceil4(n_source * (D + 1))  8-bit spike counts per source, a ring of the
                        step being received and the D steps the stacked input reads (Table I
                        keeps 4 B per source; the ring also holds the spike history)
  reversed order        2 * n_source * D when every input feeds at most one map row (16-bit row,
                        0xFFFF for none); else 2 * (n_source * D + 1), 16-bit CSR starts
  input merging table   0 in the first case (merged inputs name the same row); else 2 per
                        (input, row) entry, 16-bit rows
  stacked input         4 * ob * R, R the map rows of all subordinates, each block padded to 4
  column targets        ceil4(2 * sum of subordinate columns): 16-bit type(2) | target(14) that
                        each subordinate column's partial sum is added into
  synaptic input        4 * n * n_types: 32-bit integer sums of the partial sums of this step
  neuron and synapse model  neuron_bytes * n (supplied by the core: constants and state)
  output recording      4 * (ceil(n / 32) + 1) + 4 * n * 3, as the serial paradigm's recorder
  stack & heap          12 * n_source_vertices (Table I)
  hw mgmt & OS          6000 (Table I)

subordinate PE (multiplies its share of the map on its MAC array):
  optimized weight-delay map  4 * 16 * ob per tile stored (zero padding counted)
  map index             8 per segment: 16-bit first row, first column, width in tiles, spare
  output buffer         16 * ceil16(C_sub): the 4 x 16 tiles of 32-bit accumulators
  stack & heap          12 * n_source_vertices
  hw mgmt & OS          6000

A dominant that multiplies its own map (the layer needs one subordinate and both fit one PE)
holds the union of both lists.
"""
from __future__ import annotations

from ...hardware import DATA_SRAM_BYTES
from ..serial import OS_BYTES

TILE_ROWS, TILE_COLS = 4, 16
LANES = 4                        # rows of the A operand and of the output tile
SEGMENT_BYTES = 8
TARGET_BITS = 14                 # column target field; 2 bits of receptor type above it
MAX_ROWS = (1 << 16) - 1         # 16-bit map row indices; 0xFFFF marks "no row"


def ceil_to(x, m):
    return -(-int(x) // m) * m


def operand_bytes(weight_bits: int) -> int:
    return weight_bits // 8


def subordinate_bytes(*, n_tiles, n_segments, n_columns, weight_bits, n_source_vertices) -> dict:
    return {
        "optimized weight-delay map": TILE_ROWS * TILE_COLS * operand_bytes(weight_bits) * int(n_tiles),
        "map index": SEGMENT_BYTES * int(n_segments),
        "output buffer": LANES * 4 * ceil_to(n_columns, TILE_COLS),
        "stack & heap": 12 * n_source_vertices,
        "hw mgmt & OS": OS_BYTES,
    }


def dominant_bytes(*, n_source, delay_range, n_entries, max_rows_per_input, n_rows, n_columns,
                   n_neurons, n_types, neuron_bytes, weight_bits, n_source_vertices) -> dict:
    n_inputs = n_source * delay_range
    compact = max_rows_per_input <= 1
    n = n_neurons
    return {
        "input spike buffer": ceil_to(n_source * (delay_range + 1), 4),
        "reversed order": 2 * n_inputs if compact else 2 * (n_inputs + 1),
        "input merging table": 0 if compact else ceil_to(2 * n_entries, 4),
        "stacked input": LANES * operand_bytes(weight_bits) * int(n_rows),
        "column targets": ceil_to(2 * n_columns, 4),
        "synaptic input": 4 * n * n_types,
        "neuron and synapse model": neuron_bytes * n,
        "output recording": 4 * (-(-n // 32) + 1) + 4 * n * 3,
        "stack & heap": 12 * n_source_vertices,
        "hw mgmt & OS": OS_BYTES,
    }


def merged(*items: dict) -> dict:
    """One PE holding several lists (a dominant that multiplies its own map)."""
    out: dict = {}
    for d in items:
        for k, v in d.items():
            out[k] = v if k in ("stack & heap", "hw mgmt & OS") else out.get(k, 0) + v
    return out


def fits(items: dict) -> bool:
    return sum(items.values()) <= DATA_SRAM_BYTES


def subordinate_capacity(n_source_vertices: int) -> int:
    """Bytes a subordinate has for its map, index and outputs."""
    return DATA_SRAM_BYTES - OS_BYTES - 12 * n_source_vertices


def tiles_bytes(weight_bits: int) -> int:
    return TILE_ROWS * TILE_COLS * operand_bytes(weight_bits)


__all__ = ["dominant_bytes", "subordinate_bytes", "merged", "fits", "subordinate_capacity",
           "ceil_to", "operand_bytes", "tiles_bytes", "TILE_ROWS", "TILE_COLS", "LANES",
           "SEGMENT_BYTES", "TARGET_BITS", "MAX_ROWS"]
