"""The application graph: populations (vertices) and projections (edges) as plain arrays.

Front ends translate into this and nothing else; the compiler never sees PyNN or Nengo.
Synapse weights are magnitudes in the post model's units (nA for current-based, uS for
conductance-based synapses); the receptor type carries the sign, as on the hardware.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrays import finite_range, per_item
from .models import MODELS, RECEPTORS
from .models.plasticity import RULES

WEIGHT_BITS = (8, 16, 32)


@dataclass
class Population:
    """A layer of one neuron or source model; ``parameters``/``initial_state`` hold one value
    per neuron. ``spike_times`` (SpikeSourceArray only) holds one sorted array (ms) per neuron;
    ``sequences`` the per-neuron schedules of other spike sources (``ModelSpec.sequences``), one
    array per neuron for each name. ``max_neurons_per_pe`` caps the neurons of one slice
    (sPyNNaker's neurons per core); the machine's own limits apply as well."""

    label: str
    model: str
    size: int
    parameters: dict[str, np.ndarray] = field(default_factory=dict)
    initial_state: dict[str, np.ndarray] = field(default_factory=dict)
    spike_times: list[np.ndarray] | None = None
    sequences: dict[str, list[np.ndarray]] = field(default_factory=dict)
    record: dict[str, int] = field(default_factory=dict)  # variable -> sampling interval (steps)
    weight_bits: int = 16     # precision of the weights onto it (``mapping/quantise.py``)
    paradigm: str | None = None   # 'serial', 'parallel', 'auto' for its layer; None: the network's
    receptor_names: tuple[str, ...] | None = None   # a multi-receptor model's receptors in use, named
    state_names: dict[str, str] = field(default_factory=dict)   # more names of state variables ("AMPA.gsyn": "g1")
    max_neurons_per_pe: int | None = None
    encoders: np.ndarray | None = None   # (size, dims): how input values become input current
    encoder_learning: EncoderLearning | None = None   # the encoders change on the PEs

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
        if self.receptor_names is not None:
            self.receptor_names = tuple(self.receptor_names)
            if not 0 < len(self.receptor_names) <= len(spec.receptors):
                raise ValueError(f"population {self.label!r}: {spec.name} has {len(spec.receptors)} receptors, "
                                 f"not {len(self.receptor_names)}")
        for name, column in self.state_names.items():
            if column not in spec.state_columns:
                raise ValueError(f"population {self.label!r}: {name!r} names {column!r}, which is no state "
                                 f"variable of {spec.name}")
        self.parameters = _complete(self.label, "parameter", spec.parameters, self.parameters, self.size)
        given = {self.state_names.get(name, name): value for name, value in self.initial_state.items()}
        self.initial_state = _complete(self.label, "state variable", spec.state, given, self.size)
        spec.check(self.label, self.parameters)
        if spec.state_check is not None:
            spec.state_check(self.label, self.initial_state)
        if spec.name == "SpikeSourceArray":
            times = self.spike_times if self.spike_times is not None else [np.zeros(0)] * self.size
            if len(times) != self.size:
                raise ValueError(f"population {self.label!r}: {len(times)} spike trains for {self.size} neurons")
            self.spike_times = [np.sort(np.asarray(t, dtype=float).ravel()) for t in times]
        else:
            self.sequences = _complete_sequences(self.label, spec, self.sequences, self.size)
        if self.encoders is not None:
            self.encoders = np.asarray(self.encoders, dtype=float)
            if self.encoders.ndim != 2 or self.encoders.shape[0] != self.size:
                raise ValueError(f"population {self.label!r}: encoders must be (size, dimensions) = "
                                 f"({self.size}, d), not {self.encoders.shape}")
        if self.encoder_learning is not None:
            if self.encoders is None:
                raise ValueError(f"population {self.label!r}: encoder learning needs encoders")
            self.encoder_learning.check(self.label, self.size)
        for variable in self.record:
            if variable not in self.recordable:
                raise ValueError(f"population {self.label!r}: {spec.name} cannot record {variable!r}; "
                                 f"it records {', '.join(self.recordable)}")

    @property
    def spec(self):
        return MODELS[self.model]

    @property
    def receptors(self) -> tuple[str, ...]:
        """Its receptors: the model's, or the named ones of a multi-receptor model."""
        return self.receptor_names if self.receptor_names is not None else self.spec.receptors

    @property
    def recordable(self) -> tuple[str, ...]:
        return self.spec.recordable + tuple(n for n, c in self.state_names.items() if c in self.spec.recordable)

    def column(self, variable: str) -> int:
        """The state column of ``variable`` (a model's name or one of ``state_names``)."""
        name = self.state_names.get(variable, variable)
        if name not in self.spec.state_columns:
            raise ValueError(f"{self.spec.name} has no state variable {variable!r}; it has "
                             f"{', '.join(self.spec.state_columns)}")
        return self.spec.column(name)

    def schedules(self) -> dict[str, list[np.ndarray]]:
        """The per-neuron sequences the model's events are built from."""
        return {"spike_times": self.spike_times} if self.spike_times is not None else self.sequences


def _complete_sequences(label, spec, given, size):
    given = {name: [np.asarray(value)] * size for name, value in spec.sequence_defaults.items()} | dict(given)
    unknown = set(given) - set(spec.sequences)
    missing = set(spec.sequences) - set(given)
    if unknown or missing:
        raise ValueError(f"population {label!r}: {spec.name} takes the per-neuron sequences "
                         f"{', '.join(spec.sequences) or 'none'}; "
                         + (f"unknown: {', '.join(sorted(unknown))}" if unknown else f"missing: {', '.join(sorted(missing))}"))
    out = {}
    for name, values in given.items():
        if len(values) != size:
            raise ValueError(f"population {label!r}: {len(values)} {name} sequences for {size} neurons")
        out[name] = [np.asarray(v, dtype=float).ravel() for v in values]
    if out:
        spec.events(label, out, 1.0)          # checks the sequences now, where the mistake was made
    return out


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
        finite, lowest, _ = finite_range(self.weight)
        if n and not (finite and lowest >= 0):
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


CURRENT_KINDS = {"dc": ("amplitude", "start", "stop"),
                 "ac": ("amplitude", "offset", "frequency", "phase", "start", "stop"),
                 "step": ("times", "amplitudes"),
                 "noise": ("mean", "stdev", "dt", "start", "stop")}


@dataclass
class CurrentSource:
    """A current injected into neurons (nA), in PyNN's four kinds: ``dc`` (amplitude between
    start and stop), ``ac`` (offset + amplitude sin(2 pi frequency (t - start) + phase) between
    start and stop; Hz, degrees), ``step`` (amplitudes from the given times on) and ``noise``
    (a new normal draw of mean and stdev every dt ms between start and stop, independent for
    each target). Times in ms. ``targets`` holds (population index, neuron indices) pairs;
    ``record`` asks the machine to record the injected current."""

    label: str
    kind: str
    parameters: dict
    targets: list[tuple[int, np.ndarray]] = field(default_factory=list)
    record: bool = False

    def __post_init__(self):
        if self.kind not in CURRENT_KINDS:
            raise ValueError(f"current source {self.label!r}: kind must be one of {', '.join(CURRENT_KINDS)}, "
                             f"not {self.kind!r}")
        unknown = set(self.parameters) - set(CURRENT_KINDS[self.kind])
        if unknown:
            raise ValueError(f"current source {self.label!r}: unknown parameter(s) {', '.join(sorted(unknown))} "
                             f"for a {self.kind} source; it takes {', '.join(CURRENT_KINDS[self.kind])}")
        self.check(self.parameters)

    def check(self, parameters):
        """Raise, naming the source, for parameters no machine could follow."""
        p = parameters
        if self.kind == "step":
            times = np.asarray(p.get("times", []), dtype=float)
            amplitudes = np.asarray(p.get("amplitudes", []), dtype=float)
            if times.shape != amplitudes.shape:
                raise ValueError(f"current source {self.label!r}: {times.size} times but {amplitudes.size} amplitudes")
            if times.size and (times.min() < 0 or np.any(np.diff(times) <= 0)):
                raise ValueError(f"current source {self.label!r}: step times must be >= 0 and increasing")
        if "stop" in p and "start" in p and p["stop"] < p["start"]:
            raise ValueError(f"current source {self.label!r}: stop ({p['stop']} ms) is before start ({p['start']} ms)")
        if self.kind == "noise" and (p.get("stdev", 0.0) < 0 or p.get("dt", 1.0) <= 0):
            raise ValueError(f"current source {self.label!r}: stdev must be >= 0 and dt > 0")


@dataclass
class DiscreteFilter:
    """A linear time-invariant filter in discrete time, as state-space matrices: each step
    y[t] = C x[t] + D u[t], then x[t+1] = A x[t] + B u[t]. No state and D = 1 is no filtering."""

    A: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    B: np.ndarray = field(default_factory=lambda: np.zeros(0))
    C: np.ndarray = field(default_factory=lambda: np.zeros(0))
    D: float = 1.0

    def __post_init__(self):
        self.B, self.C = np.asarray(self.B, dtype=float).ravel(), np.asarray(self.C, dtype=float).ravel()
        self.D = float(np.asarray(self.D).item())
        k = self.B.size
        self.A = np.asarray(self.A, dtype=float)
        if self.A.size != k * k or self.C.size != k:
            raise ValueError(f"filter: A {self.A.shape}, B {self.B.shape}, C {self.C.shape} do not describe "
                             "one state-space system")
        self.A = self.A.reshape(k, k)

    @property
    def order(self) -> int:
        return self.B.size


MATRIX_RULES = ("PES", "BCM", "Oja")
LEARNING_RULES = MATRIX_RULES + ("Voja",)
LEARNING_SIGNALS = ("error", "post", "theta", "modulation")


@dataclass
class MatrixLearning:
    """A value projection's matrix learned on its sending PEs, from a = the PE's neurons' output
    filtered by ``pre_filter`` and signals arriving as ``learning`` inputs, each step:

    * ``PES`` (prescribed error sensitivity, MacNeil & Eliasmith 2011): dM = rate e x a, e the
      "error" signal; ``rate`` holds the sign and the step (e.g. -kappa dt / n);
    * ``BCM`` (Bienenstock, Cooper & Munro 1982): dM_j = rate s_j p_j (p_j - theta_j) a, p the
      "post" signal (the post neurons' filtered output), theta the "theta" signal;
    * ``Oja`` (Oja 1982): dM_j = rate s_j p_j a - rate beta p_j^2 M_j;

    with s = ``row_scale`` (the rows' gains when the matrix holds gain-scaled weights)."""

    kind: str
    rate: float
    pre_filter: DiscreteFilter = field(default_factory=DiscreteFilter)
    beta: float = 0.0
    row_scale: np.ndarray | None = None

    def __post_init__(self):
        if self.kind not in MATRIX_RULES:
            raise ValueError(f"learning rule {self.kind!r} is not one of {MATRIX_RULES}")

    @property
    def kind_id(self) -> int:
        return LEARNING_RULES.index(self.kind)


@dataclass
class EncoderLearning:
    """A population's encoders learned on its PEs by the vector Oja rule (Voja; Voelker,
    Crawford & Eliasmith 2014, nengo's ``SimVoja``): each step, after the neurons' update,

        e_i += rate m p_i (s_i x - e_i)

    with x the PE's summed encoder input of the step, p = the neurons' output filtered by
    ``post_filter`` (this step's output included), s = ``scale`` (per neuron: the factor folded
    into the encoders, nengo's gain / radius) and m = 1 + the sum of the population's
    ``modulation`` learning inputs (1 without any). ``rate`` holds the step (kappa dt)."""

    rate: float
    post_filter: DiscreteFilter = field(default_factory=DiscreteFilter)
    scale: np.ndarray | float = 1.0

    kind = "Voja"

    def check(self, label: str, size: int):
        self.scale = np.broadcast_to(np.asarray(self.scale, dtype=float), (size,)).copy()
        if not (np.isfinite(self.scale).all() and np.isfinite(self.rate)):
            raise ValueError(f"population {label!r}: encoder learning needs a finite rate and scale")

    @property
    def kind_id(self) -> int:
        return LEARNING_RULES.index(self.kind)


VALUE_TARGETS = ("encoders", "neurons", "learning")


@dataclass
class ValueProjection:
    """Decoded values from ``pre`` to ``post`` (population indices): every step the PEs of ``pre``
    send ``matrix @ output(pre)`` as value packets, one per row; the PEs of ``post`` filter each
    row with ``filter`` and add it to their neurons' input current through their encoders
    (``target='encoders'``: rows are the encoders' dimensions), one row per post neuron
    (``'neurons'``), or use it as the error or modulatory signal of the learning rule of
    value projection ``rule`` (``'learning'``, which must leave from ``post``), or with
    ``rule=-1`` as the ``modulation`` of ``post``'s encoder learning (one row)."""

    label: str
    pre: int
    post: int
    matrix: np.ndarray
    filter: DiscreteFilter = field(default_factory=DiscreteFilter)
    target: str = "encoders"
    rule: int = -1
    learning: MatrixLearning | None = None    # changes ``matrix`` on the PEs
    signal: str = "error"                     # which signal of rule ``rule`` a learning input is

    def __post_init__(self):
        self.matrix = np.atleast_2d(np.asarray(self.matrix, dtype=float))
        if self.target not in VALUE_TARGETS:
            raise ValueError(f"value projection {self.label!r}: target must be one of {VALUE_TARGETS}, "
                             f"not {self.target!r}")
        if self.signal not in LEARNING_SIGNALS:
            raise ValueError(f"value projection {self.label!r}: signal must be one of {LEARNING_SIGNALS}")
        if not np.isfinite(self.matrix).all():
            raise ValueError(f"value projection {self.label!r}: the matrix has non-finite entries")

    @property
    def rows(self) -> int:
        return self.matrix.shape[0]


@dataclass
class Network:
    """An application graph plus the time step (ms) it is to run at."""

    timestep: float = 0.1
    populations: list[Population] = field(default_factory=list)
    projections: list[Projection] = field(default_factory=list)
    value_projections: list[ValueProjection] = field(default_factory=list)
    current_sources: list[CurrentSource] = field(default_factory=list)

    def add_current_source(self, source: CurrentSource) -> int:
        for p, index in source.targets:
            if not 0 <= p < len(self.populations):
                raise ValueError(f"current source {source.label!r}: no population {p} in the network")
            pop = self.populations[p]
            if pop.spec.is_source:
                raise ValueError(f"current source {source.label!r}: {pop.label!r} is a spike source; "
                                 "current can only be injected into neurons")
            index = np.asarray(index)
            if index.size and (index.min() < 0 or index.max() >= pop.size):
                raise ValueError(f"current source {source.label!r}: neuron index out of range for "
                                 f"{pop.label!r} (size {pop.size})")
        self.current_sources.append(source)
        return len(self.current_sources) - 1

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
        if projection.receptor >= len(post.receptors):
            raise ValueError(f"projection {projection.label!r}: {post.label!r} ({post.model}) has receptors "
                             f"{post.receptors}, no receptor {projection.receptor}")
        if post.spec.recurrent_only and (projection.pre != projection.post or np.any(np.asarray(projection.delay) != 1)):
            raise ValueError(f"projection {projection.label!r}: {post.model} {post.label!r} takes input only from "
                             "its own neurons with a delay of one time step (its energy bookkeeping counts flips "
                             "of its own population in the next step)")
        for idx, pop, end in ((projection.pre_index, pre, "pre"), (projection.post_index, post, "post")):
            if idx.size and (idx.min() < 0 or idx.max() >= pop.size):
                raise ValueError(f"projection {projection.label!r}: {end} index out of range for "
                                 f"{pop.label!r} (size {pop.size})")
        if post.spec.projection_check is not None:
            post.spec.projection_check(projection.label, post.parameters, projection.pre_index, projection.post_index)
        self.projections.append(projection)
        return len(self.projections) - 1

    def add_value_projection(self, projection: ValueProjection) -> int:
        """Add ``projection`` after checking it fits its ends (``ValueProjection``)."""
        p = projection
        for end in (p.pre, p.post):
            if not 0 <= end < len(self.populations):
                raise ValueError(f"value projection {p.label!r}: no population {end} in the network")
        pre, post = self.populations[p.pre], self.populations[p.post]
        if pre.spec.state_columns[:1] != ("output",):
            raise ValueError(f"value projection {p.label!r}: {pre.label!r} ({pre.model}) has no output "
                             "value to send")
        if p.matrix.shape[1] != pre.size:
            raise ValueError(f"value projection {p.label!r}: the matrix has {p.matrix.shape[1]} columns for "
                             f"{pre.label!r} of size {pre.size}")
        if post.spec.is_source:
            raise ValueError(f"value projection {p.label!r}: {post.label!r} is a source and cannot receive")
        if p.target == "encoders":
            dims = post.size if post.model == "ValueRelay" else 0 if post.encoders is None else post.encoders.shape[1]
            if p.rows != dims:
                raise ValueError(f"value projection {p.label!r}: {p.rows} rows for {post.label!r}, whose "
                                 f"encoders take {dims} dimensions")
        elif p.target == "neurons" and p.rows != post.size:
            raise ValueError(f"value projection {p.label!r}: {p.rows} rows for the {post.size} neurons of "
                             f"{post.label!r}")
        elif p.target == "learning" and p.rule < 0:
            if post.encoder_learning is None or p.signal != "modulation" or p.rows != 1:
                raise ValueError(f"value projection {p.label!r}: a learning input without a rule modulates "
                                 f"its post's encoder learning: {post.label!r} must learn its encoders and "
                                 "the projection be one 'modulation' row")
        elif p.target == "learning":
            if not 0 <= p.rule < len(self.value_projections):
                raise ValueError(f"value projection {p.label!r}: no value projection {p.rule} to teach")
            taught = self.value_projections[p.rule]
            if taught.learning is None or taught.pre != p.post:
                raise ValueError(f"value projection {p.label!r}: value projection {taught.label!r} has no "
                                 f"learning rule on the PEs of {post.label!r}")
        self.value_projections.append(projection)
        return len(self.value_projections) - 1
