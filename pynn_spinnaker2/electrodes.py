"""Current sources: DCSource, ACSource, StepCurrentSource, NoisyCurrentSource.

Each becomes a ``core.network.CurrentSource`` that the neuron PEs evaluate every step
(``core/mapping/currents.py`` has the timing, which is pyNN.nest's). Sources may be created,
injected, changed and recorded at any time, also between runs: the PEs' source tables are
rebuilt without recompiling the network. ``record()`` records the injected current (a noise
source's mean over its targets, as NEST records it); ``get_data()`` returns it as a neo signal.
"""
import numpy as np

from pyNN import common
from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import StandardCurrentSource, build_translations, electrodes

from core.network import CurrentSource as CoreCurrentSource

from . import simulator


def _targets(cells):
    """(root population, neuron indices) pairs for a Population, view, Assembly or list of IDs."""
    from .projections import cells_of
    if isinstance(cells, (common.Population, common.PopulationView, common.Assembly)):
        roots, which, local = cells_of(cells)
        return [(root, np.sort(local[which == k])) for k, root in enumerate(roots)]
    roots, index = [], []
    for cell in cells:
        root = cell.parent
        if not any(root is r for r in roots):
            roots.append(root)
            index.append([])
        index[next(k for k, r in enumerate(roots) if r is root)].append(int(root.id_to_index(cell)))
    return [(root, np.sort(np.array(i, dtype=np.int64))) for root, i in zip(roots, index)]


class CurrentSourceMixin(StandardCurrentSource):
    """The parts every source shares: its parameters (PyNN's names and units are the core's),
    its targets, and its life on the machine."""

    kind = ""

    def __init__(self, **parameters):
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_targets", [])
        object.__setattr__(self, "_recording", False)
        object.__setattr__(self, "_core", None)
        space = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        space.update(**parameters)
        self.set_native_parameters(self.translate(space))
        simulator.state.current_sources.append(self)

    # -- parameters ----------------------------------------------------------------------
    def set_native_parameters(self, parameters):
        parameters.evaluate(simplify=True)
        values = dict(self._values)
        for name, value in parameters.items():
            values[name] = np.asarray(value.value, dtype=float) if isinstance(value, Sequence) else float(value)
        if self.kind == "step":
            values["times"], values["amplitudes"] = self._on_grid(values.get("times", np.zeros(0)),
                                                                  values.get("amplitudes", np.zeros(0)))
        CoreCurrentSource(type(self).__name__, self.kind, values)    # checks, naming the source
        object.__setattr__(self, "_values", values)
        if self._core is not None:
            self._core.parameters = dict(values)
        self._refresh()

    def get_native_parameters(self):
        return ParameterSpace(dict(self._values))

    def _on_grid(self, times, amplitudes):
        """Step times as the machine takes them, as PyNN's backends store them: rounded to the
        nearest step, a time rounded onto another's keeping the later amplitude."""
        times, amplitudes = np.asarray(times, dtype=float), np.asarray(amplitudes, dtype=float)
        if times.size != amplitudes.size:
            raise ValueError(f"StepCurrentSource: {times.size} times but {amplitudes.size} amplitudes")
        if times.size and (times.min() < 0 or np.any(np.diff(times) <= 0)):
            raise ValueError("StepCurrentSource: step times must be >= 0 and increasing")
        dt = simulator.state.dt
        on_grid = self._round_timestamp(times, dt)
        last = np.flatnonzero(np.append(np.diff(np.rint(on_grid / dt)) != 0, True))
        return on_grid[last], amplitudes[last]

    # -- targets and recording -------------------------------------------------------------
    def inject_into(self, cells):
        """Inject this source's current into ``cells`` (a Population, view, Assembly or IDs)."""
        for root, index in _targets(cells):
            if not root.celltype.injectable:
                raise TypeError(f"cannot inject current into {root.label!r}: {type(root.celltype).__name__} "
                                "is a spike source")
            self._targets.append((root, index))
        if self._core is not None:
            self._core.targets = self._core_targets()
        self._refresh()

    def record(self):
        """Record the injected current from now on (``get_data()`` returns it)."""
        object.__setattr__(self, "_recording", True)
        if self._core is not None:
            self._core.record = True
        self._refresh()

    def _get_data(self):
        emulator = simulator.state.emulator
        if not self._recording or emulator is None or self._core is None or self._index is None:
            return np.zeros(0), np.zeros(0)
        times, values = emulator.current_signal(self._index)
        keep = times >= simulator.state.t_start - simulator.state.dt / 2
        return times[keep], np.asarray(values, dtype=float)[keep]

    # -- the machine -------------------------------------------------------------------------
    def _core_targets(self):
        return [(root._core_index, index) for root, index in self._targets]

    def _to_core(self):
        """This source for the application graph (called when the network is translated)."""
        core = CoreCurrentSource(type(self).__name__, self.kind, dict(self._values), self._core_targets(),
                                 self._recording)
        object.__setattr__(self, "_core", core)
        return core

    def _refresh(self):
        """A change since the network was compiled: the running machine rebuilds its source tables."""
        emulator = simulator.state.live_emulator()
        if emulator is None:
            return                   # the next run translates every source
        if self._core is None or self._index is None:
            self._index = emulator.program.network.add_current_source(self._to_core())
        emulator.update_current_sources()

    _index = None


def _source(base, kind, names):
    return type(base.__name__, (CurrentSourceMixin, base), {
        "__doc__": base.__doc__, "__module__": __name__, "kind": kind,
        "translations": build_translations(*((name, name) for name in names))})


DCSource = _source(electrodes.DCSource, "dc", ("amplitude", "start", "stop"))
ACSource = _source(electrodes.ACSource, "ac", ("amplitude", "start", "stop", "frequency", "offset", "phase"))
StepCurrentSource = _source(electrodes.StepCurrentSource, "step", ("amplitudes", "times"))
NoisyCurrentSource = _source(electrodes.NoisyCurrentSource, "noise", ("mean", "stdev", "start", "stop", "dt"))
