"""compile_network(): the mapping pipeline, application graph -> mapped program, each stage timed.

quantise -> paradigm per layer -> parallel layers compiled -> partition -> place -> keys ->
route (+ compress) -> memory images -> cycles per step -> report.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .hardware import Machine
from .mapping import paradigm as paradigms
from .mapping.cycles import CycleCosts, Timing, pe_cycles
from .mapping.images import MemoryImages, build_images
from .mapping.keys import Keys, assign_keys
from .mapping.layers import Layer, layer, max_count
from .mapping.parallel import compile_layer
from .mapping.partition import MachineGraph, partition
from .mapping.place import place
from .mapping.quantise import quantise
from .mapping.route import RoutingTable, route
from .mapping.serial import neuron_words
from .mapping.values import ValuePlan, plan_values
from .network import Network
from .progress import progress
from .report import MappingReport, mapping_report

PARADIGMS = paradigms.PARADIGMS
OBJECTIVES = paradigms.OBJECTIVES


@dataclass
class MappedProgram:
    network: Network
    machine: Machine
    graph: MachineGraph
    placement: np.ndarray
    keys: Keys
    routing_tables: list[RoutingTable]
    images: MemoryImages
    report: MappingReport
    paradigms: dict = field(default_factory=dict)     # receiving population -> (paradigm, why)
    values: ValuePlan | None = None
    timing: Timing | None = None                      # expected cycles per step of every PE


def parallel_layers(network: Network, chosen: dict, why: dict, layers: dict[int, Layer], qweights):
    """Every parallel layer compiled into its weight-delay map plan (``mapping/parallel``). A
    layer that ``"auto"`` chose but the MAC array turns out not to hold goes serial."""
    plans = {}
    for p, lay in layers.items():
        if chosen[p] != "parallel":
            continue
        pop = network.populations[p]
        n_vertices = sum(-(-network.populations[s].size // 255) for s in lay.sources)
        try:
            src, tgt, w, d, r = lay.synapses(network, qweights)
            plans[p] = compile_layer(src, tgt, w, d, r, n_source=lay.n_source, n_target=pop.size,
                                     weight_bits=pop.weight_bits, neuron_bytes=4 * neuron_words(pop.spec),
                                     delay_range=lay.delay_range, n_source_vertices=n_vertices,
                                     max_count=max_count(network, lay.sources), label=f"population {pop.label!r}")
        except ValueError as error:
            if not why[p].startswith("auto"):
                raise
            chosen[p], why[p] = "serial", f"auto: the parallel paradigm failed ({error})"
    return plans


def compile_network(network: Network, machine: Machine | None = None, paradigm: str = "auto",
                    local_sources: bool = True, objective: str = "pes",
                    cycle_costs: CycleCosts = CycleCosts(),
                    progress_bar: bool | None = None, share=None) -> MappedProgram:
    """Map ``network`` onto ``machine``. ``paradigm`` ('auto', 'serial' or 'parallel') applies to
    every layer whose population does not set its own; 'auto' chooses per layer, before
    compiling, the paradigm with fewer PEs (``objective="pes"``) or the faster busiest PE
    (``objective="time"``). ``local_sources=False`` gives every spike source PEs of its own even
    where it could run on its targets' PEs (the result is the same, bit for bit).
    ``cycle_costs`` prices each PE's work per step for the report (``mapping/cycles.py``).
    ``progress_bar``: a bar over the stages (None: on a terminal only). ``share``: one MPI
    rank's part of the machine (``mapping.ranks.Share``): the memory images of its PEs only."""
    machine = machine or Machine()
    if paradigm not in PARADIGMS:
        raise ValueError(f"paradigm must be one of {PARADIGMS}, not {paradigm!r}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
    if not network.populations:
        raise ValueError("the network has no populations")
    seconds = {}
    with progress(len(STAGES), "compiling", progress_bar, unit="stage") as bar:
        def timed(name, fn, *args, **kwargs):
            bar.set_description(f"compiling: {name}")
            t = time.perf_counter()
            out = fn(*args, **kwargs)
            seconds[name] = time.perf_counter() - t
            bar.update()
            return out

        return _compile(network, machine, paradigm, local_sources, objective, cycle_costs, timed, seconds, share)


STAGES = ("quantise", "paradigm", "parallel maps", "partition", "place", "keys", "value blocks", "route", "memory images",
          "cycles")


def _compile(network, machine, paradigm, local_sources, objective, cycle_costs, timed, seconds, share=None):
    quantised = timed("quantise", quantise, network, stacklevel=5)
    layers = {p: layer(network, p) for p in sorted({q.post for q in network.projections if q.size})}
    chosen, why = timed("paradigm", paradigms.choose, network, paradigm, layers, objective)
    plans = timed("parallel maps", parallel_layers, network, chosen, why, layers, quantised[1])
    graph = timed("partition", partition, network, local_sources, plans=plans)
    placement = timed("place", place, graph, network, machine)
    keys = timed("keys", assign_keys, graph)
    values = timed("value blocks", plan_values, network, graph, placement)
    tables = timed("route", route, graph, placement, keys, machine, values.routes)
    images = timed("memory images", share.images if share is not None else build_images, network, graph, placement, keys, quantised,
                   {p: layers[p] for p in plans}, values)
    timing = timed("cycles", pe_cycles, network, graph, cycle_costs)
    chosen_why = {p: (chosen[p], why[p]) for p in chosen}
    report = mapping_report(network, machine, graph, placement, tables, images, seconds, chosen_why, values, timing)
    return MappedProgram(network, machine, graph, placement, keys, tables, images, report, chosen_why, values, timing)
