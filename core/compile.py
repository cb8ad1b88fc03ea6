"""compile(): the mapping pipeline, application graph -> mapped program, each stage timed."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .hardware import Machine
from .mapping.images import MemoryImages, build_images
from .mapping.keys import Keys, assign_keys
from .mapping.partition import MachineGraph, partition
from .mapping.place import place
from .mapping.route import RoutingTable, route
from .mapping.values import ValuePlan, plan_values
from .network import Network
from .report import MappingReport, mapping_report

PARADIGMS = ("serial", "parallel", "auto")


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
    values: ValuePlan | None = None


def compile_network(network: Network, machine: Machine | None = None, paradigm: str = "serial") -> MappedProgram:
    machine = machine or Machine()
    if paradigm not in PARADIGMS:
        raise ValueError(f"paradigm must be one of {PARADIGMS}, not {paradigm!r}")
    if paradigm != "serial":
        raise NotImplementedError(f"the {paradigm!r} paradigm (MAC-array weight-delay maps and the "
                                  "paradigm classifier) is not available yet; use paradigm='serial'")
    if not network.populations:
        raise ValueError("the network has no populations")
    seconds = {}

    def timed(name, fn, *args):
        t = time.perf_counter()
        out = fn(*args)
        seconds[name] = time.perf_counter() - t
        return out

    graph = timed("partition", partition, network)
    placement = timed("place", place, graph, network, machine)
    keys = timed("keys", assign_keys, graph)
    values = timed("value blocks", plan_values, network, graph, placement)
    tables = timed("route", route, graph, placement, keys, machine, values.routes)
    images = timed("memory images", build_images, network, graph, placement, keys, values)
    report = mapping_report(network, machine, graph, placement, tables, images, seconds, values)
    return MappedProgram(network, machine, graph, placement, keys, tables, images, report, values)
