"""The application graph: populations (vertices) and projections (edges) as plain arrays.

Front ends translate into this and nothing else; the compiler never sees PyNN or Nengo.
Synapse weights are magnitudes in the post model's units (nA for current-based, uS for
conductance-based synapses); the receptor type carries the sign, as on the hardware.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrays import per_item, uniform
from .models import MODELS, RECEPTORS
from .models.plasticity import RULES

WEIGHT_BITS = (8, 16, 32)


@dataclass
class Population:
    """A layer of one neuron or source model; ``parameters``/``initial_state`` hold one value
    per neuron. ``spike_times`` (SpikeSourceArray only) holds one sorted array (ms) per neuron.
    ``max_neurons_per_pe`` caps the neurons of one slice (sPyNNaker's neurons per core); the
    machine's own limits apply as well."""

    label: str
    model: str
    size: int
    parameters: dict[str, np.ndarray] = field(default_factory=dict)
    initial_state: dict[str, np.ndarray] = field(default_factory=dict)
    spike_times: list[np.ndarray] | None = None
    record: dict[str, int] = field(default_factory=dict)  # variable -> sampling interval (steps)
    weight_bits: int = 16     # precision of the weights onto it (``mapping/quantise.py``)
    paradigm: str | None = None   # 'serial', 'parallel', 'auto' for its layer; None: the network's
    max_neurons_per_pe: int | None = None

    def __post_init__(self):
        if self.model not in MODELS:
            raise ValueError(f"population {self.label!r}: unknown model {self.model!r}; "
                             f"known models: {', '.join(MODELS)}")
        if self.size < 1:
            raise ValueError(f"population {self.label!r}: size must be >= 1, not {self.size}")
        if self.weight_bits not in WEIGHT_BITS:
            raise ValueError(f"population {self.label!r}: weight_bits must be one of {WEIGHT_BITS}, "
                             f"not {self.weight_bits}")
        if self.max_neurons_per_pe is not None and self.max_neurons_per_pe < 1:
            raise ValueError(f"population {self.label!r}: max_neurons_per_pe must be >= 1, "
                             f"not {self.max_neurons_per_pe}")
        spec = MODELS[self.model]
        self.parameters = _complete(self.label, "parameter", spec.parameters, self.parameters, self.size)
        self.initial_state = _complete(self.label, "state variable", spec.state, self.initial_state, self.size)
        spec.check(self.label, self.parameters)
        if spec.name == "SpikeSourceArray":
            times = self.spike_times if self.spike_times is not None else [np.zeros(0)] * self.size
            if len(times) != self.size:
                raise ValueError(f"population {self.label!r}: {len(times)} spike trains for {self.size} neurons")
            self.spike_times = [np.sort(np.asarray(t, dtype=float).ravel()) for t in times]
        for variable in self.record:
            if variable not in spec.recordable:
                raise ValueError(f"population {self.label!r}: {spec.name} cannot record {variable!r}; "
                                 f"it records {', '.join(spec.recordable)}")

    @property
    def spec(self):
        return MODELS[self.model]


def _complete(label, what, defaults, given, size):
    unknown = set(given) - set(defaults)
    if unknown:
        raise ValueError(f"population {label!r}: unknown {what}(s) {', '.join(sorted(unknown))}; "
                         f"expected {', '.join(defaults)}")
    out = {}
    for name, default in defaults.items():
        value = np.asarray(given.get(name, default), dtype=float)
        out[name] = np.broadcast_to(value, (size,)).copy() if value.ndim == 0 else value.ravel().copy()
        if out[name].shape != (size,):
            raise ValueError(f"population {label!r}: {what} {name!r} has {out[name].size} values "
                             f"for {size} neurons")
    return out


@dataclass
class Projection:
    """Synapses from ``pre`` to ``post`` (population indices in the network), one entry each:
    pre index, post index, weight magnitude, delay in time steps, receptor index. ``synapse``
    (a rule of ``core.models.plasticity``) makes it plastic; None: static synapses."""

    label: str
    pre: int
    post: int
    pre_index: np.ndarray
    post_index: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    receptor: int = 0
    synapse: object = None

    def __post_init__(self):
        """Arrays are taken as given, not copied (the front end's stay shared); a weight or delay
        that is the same for every synapse is kept as one value (``arrays.per_item``)."""
        self.pre_index = np.asarray(self.pre_index, dtype=np.int32).ravel()
        self.post_index = np.asarray(self.post_index, dtype=np.int32).ravel()
        n = self.pre_index.size
        self.weight = per_item(self.weight, n, np.float64)
        self.delay = per_item(self.delay, n, np.int32)
        if self.post_index.size != n:
            raise ValueError(f"projection {self.label!r}: {n} pre indices but {self.post_index.size} post indices")
        if n and self.delay.min() < 1:
            raise ValueError(f"projection {self.label!r}: delays must be at least one time step, "
                             f"got {self.delay.min()} steps")
        if n and not (np.isfinite(self.weight[:1] if uniform(self.weight) else self.weight).all()
                      and self.weight.min() >= 0):
            raise ValueError(f"projection {self.label!r}: weights must be finite magnitudes >= 0; "
                             "the receptor type carries the sign")
        if self.receptor < 0:
            raise ValueError(f"projection {self.label!r}: receptor index {self.receptor} is negative")
        if self.synapse is not None:
            if not isinstance(self.synapse, RULES):
                raise TypeError(f"projection {self.label!r}: synapse must be one of "
                                f"{', '.join(r.__name__ for r in RULES)}, not {type(self.synapse).__name__}")
            self.synapse.check(self.label, self.weight)

    @property
    def size(self):
        return self.pre_index.size


@dataclass
class Network:
    """An application graph plus the time step (ms) it is to run at."""

    timestep: float = 0.1
    populations: list[Population] = field(default_factory=list)
    projections: list[Projection] = field(default_factory=list)

    def add_population(self, population: Population) -> int:
        self.populations.append(population)
        return len(self.populations) - 1

    def add_projection(self, projection: Projection) -> int:
        for end in (projection.pre, projection.post):
            if not 0 <= end < len(self.populations):
                raise ValueError(f"projection {projection.label!r}: no population {end} in the network")
        pre, post = self.populations[projection.pre], self.populations[projection.post]
        if post.spec.is_source:
            raise ValueError(f"projection {projection.label!r}: {post.label!r} is a spike source "
                             "and cannot receive synapses")
        if projection.receptor >= len(post.spec.receptors):
            raise ValueError(f"projection {projection.label!r}: {post.label!r} ({post.model}) has receptors "
                             f"{post.spec.receptors}, no receptor {projection.receptor}")
        for idx, pop, end in ((projection.pre_index, pre, "pre"), (projection.post_index, post, "post")):
            if idx.size and (idx.min() < 0 or idx.max() >= pop.size):
                raise ValueError(f"projection {projection.label!r}: {end} index out of range for "
                                 f"{pop.label!r} (size {pop.size})")
        self.projections.append(projection)
        return len(self.projections) - 1
