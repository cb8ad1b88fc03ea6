"""Populations hold their parameters and initial values as evaluated numpy arrays (random
distributions are drawn once, when set, as on other backends); views and assemblies read and
write their root population's arrays. A root population becomes one ``core.Population``."""
import warnings

import numpy as np

from pyNN import common, errors
from pyNN.parameters import LazyArray, ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from core.network import Population as CorePopulation

from . import simulator
from .recording import Recorder


def check_spike_times(parameters):
    """Spike times must be sorted, as on every PyNN backend (the core would sort them silently);
    times off the time-step grid are rounded to it, which deserves a warning."""
    if "spike_times" not in parameters.keys():
        return
    dt, off_grid = simulator.state.dt, False
    for times in np.atleast_1d(parameters["spike_times"]):
        if np.any(np.diff(times.value) < 0):
            raise errors.InvalidParameterValueError(
                f"spike times given to SpikeSourceArray must be in increasing order: {times}")
        steps = np.asarray(times.value) / dt
        off_grid = off_grid or bool(np.any(np.abs(steps - np.round(steps)) > 1e-9 * np.maximum(steps, 1)))
    if off_grid:
        warnings.warn(f"SpikeSourceArray spike times that are not multiples of the time step ({dt:g} ms) "
                      "are rounded to the nearest step", stacklevel=4)


class Assembly(common.Assembly):
    _simulator = simulator


class PopulationMixin:

    def _root(self):
        """The root Population and the indices of this population's cells in it."""
        if isinstance(self, Population):
            return self, np.arange(self.size)
        return self.grandparent, self.index_in_grandparent(np.arange(self.size))

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
        check_spike_times(parameter_space)
        for name, value in parameter_space.items():
            root._parameters[name][index] = value
        root._parameters_changed = True
        emulator = simulator.state.live_emulator()
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
        emulator = simulator.state.live_emulator()
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

    def __init__(self, size, cellclass, cellparams=None, structure=None, initial_values={}, label=None):
        simulator.state.check_mutable(f"creating population {label!r}" if label else "creating a population")
        super().__init__(size, cellclass, cellparams, structure, initial_values, label)
        simulator.state.populations.append(self)

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
        check_spike_times(self._parameters)
        self._initial = {name: np.full(self.size, float(value))
                         for name, value in self.celltype.default_initial_values.items()}
        self._parameters_changed = False
        self._core_index = None

    def _numeric_parameters(self):
        return self.celltype.core_parameters(self._parameters, self)

    def _spike_times(self):
        if "spike_times" in self._parameters:
            return [np.asarray(seq.value, dtype=float) for seq in self._parameters["spike_times"]]
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
            record=self.recorder._core_record())

    def _push_to_emulator(self, emulator):
        """After ``emulator.reset()``: restore initial values and any parameters set since compiling."""
        for name, values in self._initial.items():
            emulator.set_state(self._core_index, name, values)
        if self._parameters_changed:
            emulator.set_parameters(self._core_index, self._numeric_parameters())
