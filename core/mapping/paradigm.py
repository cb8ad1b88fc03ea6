"""Paradigm choice per layer (paper IV): serial (ARM core, synaptic rows) or parallel (MAC array,
weight-delay map), by the user's setting or, for ``"auto"`` (the default), by the shipped
classifier or the cost models (``switching.py``) before either paradigm is compiled."""
from __future__ import annotations

import warnings

import numpy as np

from ..hardware import MAX_NEURONS_PER_PE
from ..network import Network
from .cycles import expected_rates
from .layers import Layer, serial_blocks
from .local_sources import local_sources
from .parallel import MAX_DELAY as PARALLEL_MAX_DELAY
from .switching import OBJECTIVES, choose_paradigm

PARADIGMS = ("serial", "parallel", "auto")


def plastic_obstacle(network: Network, layer: Layer) -> str | None:
    """Why plasticity keeps this layer off the MAC array, or None."""
    plastic = [network.projections[j].label for j in layer.projections if network.projections[j].synapse is not None]
    if plastic:
        return (f"its plastic projection(s) {', '.join(map(repr, plastic))} (plastic synaptic rows need the "
                "serial paradigm: the MAC array multiplies a fixed weight-delay map)")
    return None


def parallel_obstacle(network: Network, layer: Layer, plastic: bool = True) -> str | None:
    """Why the MAC array cannot take this layer, or None (``plastic=False``: leaving plasticity aside)."""
    pop = network.populations[layer.target]
    if plastic and plastic_obstacle(network, layer):
        return plastic_obstacle(network, layer)
    if pop.weight_bits not in (8, 16):
        return f"its {pop.weight_bits}-bit weights (the MAC array takes 8- or 16-bit operands)"
    signed = [network.populations[s].label for s in layer.sources if network.populations[s].spec.signed_events]
    if signed:
        return f"the signed events of {signed[0]!r} (the MAC array's input spike counts are unsigned)"
    if layer.delay_range > PARALLEL_MAX_DELAY:
        return f"its delays up to {layer.delay_range} steps (the stacked input holds {PARALLEL_MAX_DELAY})"
    return None


def auto_choice(network: Network, lay: Layer, objective: str = "pes", rates=None, local=None) -> tuple[str, str]:
    """What ``"auto"`` picks for one layer, and why. Spike sources that would run on the layer's
    serial PEs (``local_sources.py``) need PEs of their own under the parallel paradigm; they
    count against it."""
    pop = network.populations[lay.target]
    local = local_sources(network) if local is None else local
    extra = sum(-(-network.populations[s].size // MAX_NEURONS_PER_PE) for s, (t, _) in local.items() if t == lay.target)
    obstacle = parallel_obstacle(network, lay, plastic=False)
    if obstacle:
        return "serial", f"auto: the MAC array cannot take {obstacle}"
    if pop.max_neurons_per_pe is not None:
        return "serial", f"auto: its cap of {pop.max_neurons_per_pe} neurons per PE is the serial paradigm's"
    rate = None
    if objective == "time":
        rates = expected_rates(network)[0] if rates is None else rates
        source_rates = np.concatenate([rates[s] for s in lay.sources])
        rate = float(source_rates.mean()) if source_rates.size else 0.0
    choice = choose_paradigm(lay.n_source, pop.size, lay.density(pop.size), lay.delay_range, pop.weight_bits,
                             len(lay.receptors) or 1, pop.model, objective=objective,
                             rate_hz=rate, dt_ms=network.timestep, parallel_extra_pes=extra,
                             blocks=serial_blocks(network, lay))
    plastic = plastic_obstacle(network, lay)
    if plastic:
        if choice.paradigm == "parallel":
            warnings.warn(f"population {pop.label!r}: {choice.source} picks the parallel paradigm for its layer, "
                          f"but {plastic}; it stays serial", stacklevel=2)
        return "serial", f"auto: the MAC array cannot take {plastic}"
    return choice.paradigm, f"auto: {choice.source}"


def choose(network: Network, default: str, layers: dict[int, Layer], objective: str = "pes"
           ) -> tuple[dict[int, str], dict[int, str]]:
    """Paradigm of every receiving population, and why: the population's own setting, else
    ``default``. A layer the MAC array cannot take is an error when parallel is forced, serial
    when chosen automatically (the reason says why)."""
    if default not in PARADIGMS:
        raise ValueError(f"paradigm must be one of {PARADIGMS}, not {default!r}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
    chosen, reasons = {}, {}
    rates = expected_rates(network)[0] if objective == "time" else None
    local = local_sources(network)
    for p, lay in layers.items():
        pop = network.populations[p]
        wanted = pop.paradigm or default
        if wanted not in PARADIGMS:
            raise ValueError(f"population {pop.label!r}: paradigm must be one of {PARADIGMS}, not {wanted!r}")
        if wanted == "auto":
            chosen[p], reasons[p] = auto_choice(network, lay, objective, rates, local)
            continue
        obstacle = parallel_obstacle(network, lay)
        if wanted == "parallel" and obstacle:
            names = ", ".join(network.projections[j].label for j in lay.projections)
            raise ValueError(f"population {pop.label!r} (projections {names}) cannot use the parallel "
                             f"paradigm because of {obstacle}; use paradigm='serial' for it")
        chosen[p], reasons[p] = wanted, "set"
    return chosen, reasons
