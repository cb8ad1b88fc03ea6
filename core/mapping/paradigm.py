"""Paradigm choice per layer (paper IV): serial (ARM core, synaptic rows) or parallel (MAC array,
weight-delay map), by the user's setting or, for ``"auto"``, by the trained classifier
(``switching.py``) before either is compiled."""
from __future__ import annotations

import warnings

from ..network import Network
from .layers import Layer
from .parallel import MAX_DELAY as PARALLEL_MAX_DELAY
from .switching import choose_paradigm

PARADIGMS = ("serial", "parallel", "auto")


def parallel_obstacle(network: Network, layer: Layer) -> str | None:
    """Why the MAC array cannot take this layer, or None."""
    pop = network.populations[layer.target]
    plastic = [network.projections[j].label for j in layer.projections if network.projections[j].synapse is not None]
    if plastic:
        return (f"its plastic projection(s) {', '.join(map(repr, plastic))} (plastic synaptic rows need the "
                "serial paradigm: the MAC array multiplies a fixed weight-delay map)")
    if pop.weight_bits not in (8, 16):
        return f"its {pop.weight_bits}-bit weights (the MAC array takes 8- or 16-bit operands)"
    if layer.delay_range > PARALLEL_MAX_DELAY:
        return f"its delays up to {layer.delay_range} steps (the stacked input holds {PARALLEL_MAX_DELAY})"
    return None


def choose(network: Network, default: str, layers: dict[int, Layer]) -> tuple[dict[int, str], dict[int, str]]:
    """Paradigm of every receiving population, and why: the population's own setting, else
    ``default``. A layer the MAC array cannot take is an error when parallel is forced, serial
    (with a warning) when chosen automatically."""
    if default not in PARADIGMS:
        raise ValueError(f"paradigm must be one of {PARADIGMS}, not {default!r}")
    chosen, reasons = {}, {}
    for p, lay in layers.items():
        pop = network.populations[p]
        wanted = pop.paradigm or default
        if wanted not in PARADIGMS:
            raise ValueError(f"population {pop.label!r}: paradigm must be one of {PARADIGMS}, not {wanted!r}")
        obstacle = parallel_obstacle(network, lay)
        if wanted == "auto":
            choice = choose_paradigm(lay.n_source, pop.size, lay.density(pop.size), lay.delay_range,
                                     pop.weight_bits, len(lay.receptors) or 1, pop.model)
            if obstacle and choice.paradigm == "parallel":
                warnings.warn(f"population {pop.label!r}: the parallel paradigm would need fewer PEs, but it "
                              f"cannot take the layer because of {obstacle}; it uses the serial paradigm",
                              stacklevel=4)
                chosen[p], reasons[p] = "serial", f"auto: parallel impossible ({obstacle})"
            else:
                chosen[p], reasons[p] = choice.paradigm, f"auto: {choice.source}"
        elif wanted == "parallel" and obstacle:
            names = ", ".join(network.projections[j].label for j in lay.projections)
            raise ValueError(f"population {pop.label!r} (projections {names}) cannot use the parallel "
                             f"paradigm because of {obstacle}; use paradigm='serial' for it")
        else:
            chosen[p], reasons[p] = wanted, "set"
    return chosen, reasons


