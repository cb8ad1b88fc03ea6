"""The host's share of a run: nodes and Direct-mode ensembles, evaluated step by step.

Host objects take their input from relay populations on the machine (values filtered on the
PEs) plus, for connections between host objects without a synapse, straight from each other's
outputs; their outputs enter the machine through playback populations. At machine step s
(nengo time (s + 1) dt) a host object reads what its relay settled at the end of step s - 1,
which is what nengo's synapse (an update) gives it in that step.

When no host object reads from the machine, the host's values for a whole run are computed
before the machine starts (``closed_loop`` is False) and the machine runs unbroken; otherwise
host and machine alternate every step.
"""
from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import nengo
import numpy as np
from nengo.exceptions import SimulationError
from nengo.processes import Process
from nengo.utils.numpy import maxint


class Host:
    def __init__(self, translation, dt: float):
        self.tr, self.dt = translation, dt
        self.objects = list(translation.host_objects)
        links: dict = {o: [] for o in self.objects}
        for e in translation.host_links:
            links[e.dest[1]].append(e)
        self.links = links
        graph = {o: {e.source.obj for e in links[o]} for o in self.objects}
        try:
            self.order = list(TopologicalSorter(graph).static_order())
        except CycleError as error:
            # an algebraic loop, which nengo's reference simulator refuses too (ValueError)
            raise ValueError(f"host objects {error.args[1]} feed each other without a synapse: "
                             "add a synapse to one of those connections") from error
        self.relays = {o: translation.host_relay[o] for o in self.objects if o in translation.host_relay}
        self.closed_loop = bool(self.relays)
        self.playback = sorted(translation.playback_source.items())
        self.needed = bool(self.objects)
        self.out: dict = {}
        self.inputs: dict = {}
        self.constants: dict = {}

    def reset(self, seed: int):
        rng = np.random.RandomState(seed)
        self.step_fns = {}
        for o in self.objects:
            output = getattr(o, "output", None) if not isinstance(o, nengo.Ensemble) else None
            if isinstance(output, Process):
                shape_in = (o.size_in,) if o.size_in else (0,)
                state = output.make_state(shape_in, (o.size_out,), self.dt)
                self.step_fns[o] = output.make_step(shape_in, (o.size_out,), self.dt,
                                                    output.get_rng(np.random.RandomState(rng.randint(maxint))),
                                                    state)
        self.out = {o: np.zeros(_size_out(o)) for o in self.objects}
        self.inputs = {o: np.zeros(_size_in(o)) for o in self.objects}

    def value(self, source) -> np.ndarray:
        x = self.out[source.obj]
        if source.pre_slice is not None:
            x = x[source.pre_slice]
        if source.function is not None:
            x = _finite(source.function(x.copy()), source.function)
        return x

    def _evaluate(self, o, t, x):
        if isinstance(o, nengo.Ensemble):
            return x.copy()
        output = o.output
        if not isinstance(o, nengo.Node):          # an ensemble's noise
            return np.asarray(self.step_fns[o](t), dtype=float).ravel()
        if output is None:
            return x.copy()
        if isinstance(output, Process):   # written into the output as nengo's SimProcess does (None -> NaN)
            y = np.empty(o.size_out)
            y[...] = self.step_fns[o](t, x.copy()) if o.size_in else self.step_fns[o](t)
            return y
        if not callable(output):              # a constant: checked once
            if o not in self.constants:
                self.constants[o] = _finite(output, output) if o.size_out else np.zeros(0)
            return self.constants[o]
        y = output(t, x.copy()) if o.size_in else output(t)
        if o.size_out == 0:
            return np.zeros(0)
        y = _finite(y, output)
        if y.size != o.size_out:
            raise SimulationError(f"{o}: output has size {y.size}, expected {o.size_out}")
        return y

    def step(self, s: int, relay_values: dict) -> np.ndarray:
        """Evaluate every host object at machine step ``s``; returns the playback row."""
        t = (s + 1) * self.dt
        for o in self.order:
            x = np.zeros(_size_in(o))
            if o in relay_values:
                x += relay_values[o]
            for e in self.links[o]:
                x += e.matrix @ self.value(e.source)
            self.inputs[o] = x
            self.out[o] = self._evaluate(o, t, x)
        if not self.playback:
            return np.zeros(0)
        return np.concatenate([self.value(src) for _, src in self.playback])


def _finite(y, fn) -> np.ndarray:
    """``y`` as a flat float array; a node function's None, non-finite or non-numeric result is a
    SimulationError, as in nengo."""
    try:
        if y is None or not np.all(np.isfinite(y)):
            raise SimulationError(f"Function '{_name(fn)}' returned non-finite value")
        return np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError) as error:
        raise SimulationError(f"Function '{_name(fn)}' returned a value {y!r} of invalid type {type(y)!r}") from error


def _name(fn) -> str:
    """A node output's name for an error (built only then: a constant output's repr is costly)."""
    return getattr(fn, "__name__", None) or repr(fn)


def _size_out(o):
    return o.size_out


def _size_in(o):
    return o.size_in
