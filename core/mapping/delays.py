"""Delay extensions: delays longer than a synaptic row and input buffer hold (``serial.MAX_DELAY``
steps), as sPyNNaker's delay-extension vertices provide them.

A source slice with such synapses gets a *delay PE*. It receives the slice's spikes, keeps each
step's spike counts in a ring of ``slots`` steps, and re-sends them in *stages*: stage s re-sends
a spike s x ``stage`` steps after it was sent, with the key of stage s, a source slice of its own
(so routing and master population tables treat a stage like any other source). A synapse of
delay d > MAX_DELAY takes its spikes from stage s = ceil((d - MAX_DELAY) / stage), and its row
(in the block of that stage's slice) holds the residual delay d - s x stage.

Timing: the machine exchanges packets once per window (the shortest delay, ``runtime/kernel.py``).
A stage must re-send a spike no earlier than the window after it arrived, and a residual delay
must reach past the window it was re-sent in; both hold when the window is at most ``WINDOW``
steps and the stage is 64 - window steps long (residuals then lie in [window, MAX_DELAY]).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..network import Network
from . import serial

WINDOW = 32                 # longest window when a network has delay extensions
MAX_STAGES = 63             # stages of one delay PE: a bit each in a routing mask
RING_ENTRY_BYTES = 1        # a spike count per neuron and step (saturating at 255)
COUNT_LIMIT = 255


def stage_steps(window: int) -> int:
    """Stage length for a network whose shortest delay is ``window`` steps."""
    return (serial.MAX_DELAY + 1) - min(int(window), WINDOW)


LONGEST_DELAY = serial.MAX_DELAY + MAX_STAGES * stage_steps(WINDOW)    # steps, whatever the shortest delay


def stages_for(delay, stage: int):
    """Per synapse: its stage (0: no extension) and the delay its row holds."""
    delay = np.asarray(delay, dtype=np.int64)
    s = np.maximum(0, -(-(delay - serial.MAX_DELAY) // stage))
    return s, delay - s * stage


def ring_slots(n_stages: int, stage: int) -> int:
    """Ring length: a power of two reaching back n_stages x stage steps."""
    return 1 << int(n_stages * stage).bit_length()


def pe_bytes(n_neurons: int, n_stages: int, stage: int) -> dict:
    """A delay PE's SRAM: the ring of spike counts, a stage mask per neuron, keys, and the OS."""
    return {"delay ring": RING_ENTRY_BYTES * n_neurons * ring_slots(n_stages, stage),
            "stage masks": 8 * n_neurons, "keys and stage table": 8 * n_stages + 16,
            "hw mgmt & OS": serial.OS_BYTES}


@dataclass
class DelayPlan:
    """Which source populations get delay PEs, with how many stages, and which projections use them."""
    stage: int
    stages: dict[int, int] = field(default_factory=dict)          # source population -> stages
    projections: list[int] = field(default_factory=list)
    population: dict[int, int] = field(default_factory=dict)      # source population -> its stages' pseudo-population
    slices: dict[int, np.ndarray] = field(default_factory=dict)   # source population -> (its slices x stages) slice ids

    def __bool__(self):
        return bool(self.stages)


def shortest_delay(network: Network) -> int:
    delays = [int(p.delay.min()) for p in network.projections if p.size]
    return min(delays) if delays else 1


def plan(network: Network) -> DelayPlan:
    """The delay extensions a network needs; raises for delays beyond MAX_STAGES stages."""
    stage = stage_steps(shortest_delay(network))
    out = DelayPlan(stage)
    dt = network.timestep
    longest = serial.MAX_DELAY + MAX_STAGES * stage
    for j, proj in enumerate(network.projections):
        if not proj.size or proj.delay.max() <= serial.MAX_DELAY:
            continue
        if proj.delay.max() > longest:
            raise ValueError(
                f"projection {proj.label!r}: delay {proj.delay.max() * dt:g} ms ({proj.delay.max()} steps) exceeds "
                f"what delay extensions hold: {MAX_STAGES} stages of {stage} steps beyond a row's "
                f"{serial.MAX_DELAY}, {longest} steps ({longest * dt:g} ms at timestep {dt:g} ms); use a timestep "
                f"of at least {proj.delay.max() * dt / longest:.3g} ms, or relay the spikes through an "
                "intermediate population")
        s, _ = stages_for(proj.delay, stage)
        out.stages[proj.pre] = max(out.stages.get(proj.pre, 0), int(s.max()))
        out.projections.append(j)
    return out


def add_stage_slices(delays: DelayPlan, slices: list, pop_slices: list, slice_class) -> None:
    """Append each extended population's stage slices (one per source slice and stage, the
    source slice's neurons) as a pseudo-population after the network's populations."""
    for p, n_stages in sorted(delays.stages.items()):
        pseudo = len(pop_slices)
        ids = np.zeros((len(pop_slices[p]), n_stages), dtype=np.int64)
        mine = []
        for k, src in enumerate(pop_slices[p]):
            sl = slices[src]
            for s in range(n_stages):
                ids[k, s] = len(slices)
                mine.append(len(slices))
                slices.append(slice_class(pseudo, k * n_stages + s, sl.lo, sl.hi))
        pop_slices.append(mine)
        delays.population[p] = pseudo
        delays.slices[p] = ids


def synapse_sources(network: Network, slices, pop_slices, j: int, delays: DelayPlan | None):
    """Per synapse of projection j: the source slice whose key its spikes arrive with (its pre
    slice, or that slice's delay stage), its row in that slice's block, and its row's delay."""
    proj = network.projections[j]
    pre = pop_slices[proj.pre]
    lo = np.array([slices[s].lo for s in pre])
    local = np.searchsorted(lo, proj.pre_index, side="right") - 1
    source = np.asarray(pre, dtype=np.int64)[local]
    delay = proj.delay
    if delays and proj.pre in delays.stages and proj.delay.max() > serial.MAX_DELAY:
        stage, delay = stages_for(proj.delay, delays.stage)
        long = stage > 0
        source[long] = delays.slices[proj.pre][local[long], stage[long] - 1]
    return source, proj.pre_index - lo[local], delay


def stage_masks(network: Network, graph) -> dict[int, np.ndarray]:
    """Per extended source slice: one int64 per neuron, bit s - 1 set when the neuron has a
    synapse on stage s (a delay PE re-sends only those stages)."""
    delays = graph.delays
    masks = {int(src): np.zeros(graph.slices[src].size, dtype=np.int64)
             for p in delays.stages for src in graph.pop_slices[p]}
    for j in delays.projections:
        proj = network.projections[j]
        stage, _ = stages_for(proj.delay, delays.stage)
        long = stage > 0
        pre = graph.pop_slices[proj.pre]
        lo = np.array([graph.slices[s].lo for s in pre])
        local = np.searchsorted(lo, proj.pre_index[long], side="right") - 1
        bits = np.left_shift(np.int64(1), stage[long] - 1)
        for k in np.unique(local):
            mine = local == k
            np.bitwise_or.at(masks[int(pre[k])], proj.pre_index[long][mine] - lo[k], bits[mine])
    return masks
