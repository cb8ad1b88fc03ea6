"""Populations hold their parameters and initial values as evaluated numpy arrays (random
distributions are drawn once, when set, as on other backends); views and assemblies read and
write their root population's arrays. A root population becomes one ``core.Population``.

SpikeSourceArray times go to the machine on its time grid, as NEST's ``on_grid`` mode puts
them: a time between two steps is rounded up to the next step (with a warning). A spike at
t = 0 cannot be emitted before the first step; it is emitted in the first step, at t = dt (with
a warning): sPyNNaker scripts start activity with ``spike_times=[0]``, which sPyNNaker emits in
its first time step, where pyNN.nest would drop it without a word. Negative times are an error.
"""
import numpy as np

from pyNN import common, errors
from pyNN.parameters import LazyArray, ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from core.compile import PARADIGMS
from core.network import WEIGHT_BITS, Population as CorePopulation

from . import simulator
from .recording import Recorder
from .usercode import warn


def per_core_limit(value, what):
    """A neurons-per-core limit as sPyNNaker takes it: a positive int, a one-element tuple, or
    None (no limit beyond the machine's)."""
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise NotImplementedError(
                f"{what}: neurons per core as a {len(value)}-dimensional shape {tuple(value)} is not "
                "supported; populations are cut into slices along one dimension, so give one number")
        value = value[0]
    if isinstance(value, bool) or not float(value).is_integer() or int(value) < 1:
        raise ValueError(f"{what}: neurons per core must be a positive integer, not {value!r}")
    return int(value)


def on_grid(times, dt):
    """Spike times (ms) as the machine emits them: rounded up to the time grid, t = 0 in the
    first step (t = dt)."""
    steps = np.ceil(np.asarray(times, dtype=float) / dt - 1e-9)
    return np.maximum(steps, 1) * dt


def check_spike_times(parameters, label):
    """Spike times must be sorted and not negative, as on every PyNN backend (the core would
    sort them silently); times the machine moves (off the grid, or at 0) deserve a warning."""
    if "spike_times" not in parameters.keys():
        return
    dt, off_grid, at_zero = simulator.state.dt, False, False
    for times in np.atleast_1d(parameters["spike_times"]):
        t = np.asarray(times.value, dtype=float)
        if np.any(np.diff(t) < 0):
            raise errors.InvalidParameterValueError(
                f"spike times given to SpikeSourceArray must be in increasing order: {times}")
        if np.any(t < 0) or not np.isfinite(t).all():
            raise errors.InvalidParameterValueError(
                f"population {label!r}: spike times must be finite and >= 0 ms, got {t.min():g}")
        steps = t / dt
        off_grid = off_grid or bool(np.any(np.abs(steps - np.round(steps)) > 1e-9 * np.maximum(steps, 1)))
        at_zero = at_zero or bool(np.any(steps < 1e-9))
    if off_grid:
        warn(f"population {label!r}: SpikeSourceArray spike times that are not multiples of the time "
             f"step ({dt:g} ms) are rounded up to the next step, as NEST's on_grid mode does")
    if at_zero:
        warn(f"population {label!r}: a SpikeSourceArray spike at t = 0 is emitted in the first time "
             f"step, at t = {dt:g} ms (the machine's first step; sPyNNaker also emits it, "
             "pyNN.nest drops it)")


class Assembly(common.Assembly):
    _simulator = simulator


class PopulationMixin:

    def _root(self):
        """The root Population and the indices of this population's cells in it."""
        if isinstance(self, Population):
            return self, np.arange(self.size)
        return self.grandparent, self.index_in_grandparent(np.arange(self.size))

    def get(self, parameter_names, gather=False, simplify=True):
        """Every MPI rank holds every cell's parameters (and the state gathered after each run), so
        there is nothing to gather: each rank gets every cell's values."""
        return super().get(parameter_names, gather=False, simplify=simplify)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names):
        if self.celltype.computed_parameters_include(names):
            native_names = self.celltype.get_native_names()
        else:
            native_names = self.celltype.get_native_names(*names)
        return self.celltype.reverse_translate(self._get_native_parameters(*native_names))

    def _get_native_parameters(self, *names):
        root, index = self._root()
        return ParameterSpace({name: simplify(root._parameters[name][index]) for name in names},
                              shape=(self.size,))

    def _set_parameters(self, parameter_space):
        """``parameter_space`` holds native (= core) names; values reach a running emulator."""
        root, index = self._root()
        parameter_space.shape = (self.size,)
        parameter_space.evaluate(simplify=False)
        root._check_current()
        check_spike_times(parameter_space, root.label)
        for name, value in parameter_space.items():
            root._parameters[name][index] = value
        root._parameters_changed = True
        emulator = root._live_emulator()
        if emulator is not None:
            emulator.set_parameters(root._core_index, root._numeric_parameters())
            if "spike_times" in parameter_space.keys():
                emulator.set_spike_times(root._core_index, root._spike_times())
            sequences = root.celltype.core_sequences(root._parameters)
            if set(sequences) & set(parameter_space.keys()):
                emulator.set_sequences(root._core_index, sequences)

    def initialize(self, **initial_values):
        """Evaluate initial values once; a running emulator takes them as its current state too
        (as pyNN.nest does), and ``reset()`` restores them."""
        root, index = self._root()
        root._check_current()
        emulator = root._live_emulator()
        for variable, value in initial_values.items():
            if variable not in root._initial:
                known = ", ".join(root._initial) or "none"
                raise ValueError(f"{self.celltype.__class__.__name__} has no state variable "
                                 f"{variable!r}; its state variables are {known}")
            values = LazyArray(value, shape=(self.size,), dtype=float).evaluate(simplify=False)
            root._initial[variable][index] = values
            root.initial_values[variable] = LazyArray(simplify(root._initial[variable]), shape=(root.size,))
            if emulator is not None:
                current = np.array(emulator.get_state(root._core_index, variable), dtype=float)
                current[index] = values
                emulator.set_state(root._core_index, variable, current)
        if emulator is not None and emulator.step == 0:
            emulator.clear_recordings()  # re-take the t = 0 samples

    def _get_cell_initial_value(self, id, variable):
        root, index = self._root()
        return root._initial[variable][index[self.id_to_index(id)]]

    def _set_cell_initial_value(self, id, variable, value):
        i = self.id_to_index(id)
        self[i:i + 1].initialize(**{variable: value})


class PopulationView(PopulationMixin, common.PopulationView):
    __doc__ = common.PopulationView.__doc__
    _simulator = simulator
    _assembly_class = Assembly

    @property
    def initial_values(self):
        root, index = self._root()
        return {name: LazyArray(values[index], shape=(self.size,)) for name, values in root._initial.items()}


class Population(PopulationMixin, common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def __init__(self, size, cellclass, cellparams=None, structure=None, initial_values={}, label=None,
                 additional_parameters=None):
        simulator.state.mark_changed()
        self._generation = simulator.state.generation
        self._emulator = None          # the machine it last ran on: its data outlive end()
        self._max_neurons_per_pe = None
        self._paradigm = None              # None: setup()'s
        self._weight_bits = None
        super().__init__(size, cellclass, cellparams, structure, initial_values, label)
        for cell_type, n in simulator.state.per_core_limits.items():
            if isinstance(self.celltype, cell_type):
                self._max_neurons_per_pe = n
        if additional_parameters:
            self._additional_parameters(additional_parameters)
        simulator.state.populations.append(self)

    def _additional_parameters(self, extra):
        """sPyNNaker's ``additional_parameters``: ``max_atoms_per_core`` is honoured, and so are
        this backend's ``paradigm`` and ``weight_bits`` for the population's incoming layer;
        ``seed`` and the rest have no meaning here and are ignored with a warning."""
        extra = dict(extra)
        if "max_atoms_per_core" in extra:
            self.set_max_atoms_per_core(extra.pop("max_atoms_per_core"))
        if "paradigm" in extra:
            self.set_paradigm(extra.pop("paradigm"))
        if "weight_bits" in extra:
            self.set_weight_bits(extra.pop("weight_bits"))
        if extra:
            warn(f"population {self.label!r}: ignoring additional_parameters {', '.join(sorted(extra))}, "
                 "which have no meaning on SpiNNaker2")

    def set_max_atoms_per_core(self, max_atoms_per_core):
        """sPyNNaker's limit on the neurons of this population that one core (PE) holds; the
        machine's own limits (255 neurons per PE in the serial paradigm, SRAM) still apply."""
        self._check_current()
        simulator.state.mark_changed()
        self._max_neurons_per_pe = per_core_limit(max_atoms_per_core, f"population {self.label!r}")

    def set_paradigm(self, paradigm):
        """How the synapses onto this population are processed: 'serial' (ARM core, synaptic
        rows), 'parallel' (MAC array, weight-delay map) or 'auto' (the paradigm classifier);
        ``None`` follows ``setup(paradigm=...)``."""
        self._check_current()
        if paradigm not in PARADIGMS + (None,):
            raise ValueError(f"population {self.label!r}: paradigm must be one of {PARADIGMS} or None, "
                             f"not {paradigm!r}")
        simulator.state.mark_changed()
        self._paradigm = paradigm

    def set_weight_bits(self, weight_bits):
        """Precision of the weights onto this population: 8 or 16 bits (one synaptic word; the
        MAC array's operand widths) or 32 (a second word per synapse, serial paradigm only);
        ``None`` follows ``setup(weight_bits=...)``."""
        self._check_current()
        if weight_bits not in WEIGHT_BITS + (None,):
            raise ValueError(f"population {self.label!r}: weight_bits must be one of {WEIGHT_BITS} or None, "
                             f"not {weight_bits!r}")
        simulator.state.mark_changed()
        self._weight_bits = weight_bits

    def _check_current(self):
        if self._generation != simulator.state.generation:
            raise RuntimeError(f"population {self.label!r} belongs to a simulation that sim.setup() "
                               "has since replaced; its recorded data may be read, not changed")

    def _live_emulator(self):
        """The machine holding this population's state: the current one, or the running one
        while the network has changed since (its state carries over at the next run)."""
        state = simulator.state
        if self._generation != state.generation or self._core_index is None:
            return None
        emulator = state.emulator if state.started else state.live_emulator()
        if emulator is None or self._core_index >= len(emulator.program.network.populations):
            return None
        return emulator

    def _create_cells(self):
        if not (isinstance(self.celltype, StandardCellType) and hasattr(self.celltype, "core_model")):
            from .standardmodels import supported_cell_types
            raise NotImplementedError(
                f"cell type {type(self.celltype).__name__} is not supported by pynn_spinnaker2; "
                f"use one of {', '.join(supported_cell_types())}")
        first = simulator.state.id_counter
        self.all_cells = np.array([simulator.ID(i) for i in range(first, first + self.size)],
                                  dtype=simulator.ID)
        for id in self.all_cells:
            id.parent = self
        simulator.state.id_counter += self.size
        self._mask_local = np.ones(self.size, dtype=bool)
        parameter_space = self.celltype.native_parameters
        parameter_space.shape = (self.size,)
        parameter_space.evaluate(simplify=False)
        self._parameters = {name: np.broadcast_to(value, (self.size,)).copy()   # one cell: a scalar
                            for name, value in parameter_space.items()}
        check_spike_times(self._parameters, self.label)
        self._initial = {name: np.full(self.size, float(value))
                         for name, value in self.celltype.default_initial_values.items()}
        self._parameters_changed = False
        self._core_index = None

    def _numeric_parameters(self):
        return self.celltype.core_parameters(self._parameters, self)

    def _spike_times(self):
        """Spike times as the machine emits them (see the module's docstring)."""
        if "spike_times" in self._parameters:
            dt = simulator.state.dt
            return [on_grid(seq.value, dt) for seq in self._parameters["spike_times"]]
        return None

    def _to_core(self):
        """This population as a vertex of the application graph."""
        spike_times = self._spike_times()
        self._parameters_changed = False
        return CorePopulation(
            label=self.label, model=self.celltype.core_model, size=self.size,
            parameters=self._numeric_parameters(),
            initial_state={name: values.copy() for name, values in self._initial.items()},
            spike_times=spike_times, sequences=self.celltype.core_sequences(self._parameters),
            receptor_names=self.celltype.core_receptors(), state_names=self.celltype.core_state_names(),
            record=self.recorder._core_record(), max_neurons_per_pe=self._max_neurons_per_pe,
            paradigm=self._paradigm, weight_bits=self._weight_bits or simulator.state.weight_bits)

    def _push_to_emulator(self, emulator):
        """After ``emulator.reset()``: restore initial values and any parameters set since compiling."""
        for name, values in self._initial.items():
            emulator.set_state(self._core_index, name, values)
        if self._parameters_changed:
            emulator.set_parameters(self._core_index, self._numeric_parameters())
