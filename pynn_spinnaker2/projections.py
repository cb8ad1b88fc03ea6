"""Projections hold their synapses as numpy arrays (pre index, post index, weight, delay in
time steps). Common connectors are expanded in one vectorised pass (``connectors.expand``);
the others go through PyNN's generic path, one ``_convergent_connect`` block per post-synaptic
neuron, concatenated once. Either way every synapse is checked when the projection is made,
as PyNN checks: delays (``simulator.delay_steps``) and weight signs (negative for inhibitory
current-based synapses, positive otherwise); ``Projection.set`` checks again.
Weights keep PyNN's sign convention here; ``_to_core`` turns them into magnitudes with a
receptor index, and splits a projection between Assemblies into one core projection per pair
of root populations. A plastic synapse type's rule parameters are kept per synapse beside them
(``plasticity.py``); once the network runs, a plastic projection's weights are its rows'."""
import numpy as np

from pyNN import common, errors
from pyNN.random import RandomDistribution
from pyNN.space import Space

from core.arrays import elementwise, finite_range, per_item
from core.network import Projection as CoreProjection

from . import plasticity, simulator
from .connectors import expand
from .populations import Population
from .standardmodels import StaticSynapse


class Connection(common.Connection):
    """One synapse, read from the projection's arrays."""

    def __init__(self, projection, i):
        self.projection, self.i = projection, i

    def __getattr__(self, name):
        if name not in ("weight", "delay") and name not in self.projection._rule_names:
            raise AttributeError(name)
        return float(self.projection._attribute(name)[self.i])

    @property
    def presynaptic_index(self):
        return int(self.projection._synapses()[0][self.i])

    @property
    def postsynaptic_index(self):
        return int(self.projection._synapses()[1][self.i])

    def __setattr__(self, name, value):
        if name in ("weight", "delay"):
            self.projection._set_one(self.i, name, value)
        else:
            object.__setattr__(self, name, value)

    def as_tuple(self, *names):
        return tuple(getattr(self, name) for name in names)


def cells_of(neurons):
    """For a Population, PopulationView or Assembly: its root populations, and for each of its
    cells the root it belongs to (index into that list) and its index within that root."""
    parts = neurons.populations if isinstance(neurons, common.Assembly) else [neurons]
    roots, which, local = [], [], []
    for part in parts:
        root, index = part._root()
        if root not in roots:
            roots.append(root)
        which.append(np.full(part.size, roots.index(root)))
        local.append(index)
    return roots, np.concatenate(which), np.concatenate(local)


def _magnitudes(weight):
    """|weight|; the array itself when no weight is negative (at 10^8 synapses a copy is
    gigabytes)."""
    return weight if not weight.size or weight.min() >= 0 else elementwise(np.abs, weight)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=Space(), label=None):
        simulator.state.mark_changed()
        self._generation = simulator.state.generation
        plasticity.check_synapse_type(synapse_type)
        if source is not None:
            raise NotImplementedError("pynn_spinnaker2 has point neurons only; leave `source` unset")
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population, connector,
                                   synapse_type, source, receptor_type, space, label)
        self._blocks = []        # (pre, post, weight, delay ms) arrays from the generic path
        self._delay_warned = False
        self._min_steps = None   # shortest delay, for min_delay='auto'
        self._rule_names = plasticity.rule_parameter_names(self.synapse_type)
        self._rule_blocks = []   # the generic path's rule parameters, block by block
        self._core_parts = []    # (core projection, synapse indices, sign) of the last translation
        expanded = expand(connector, self)
        if expanded is None:
            connector.connect(self)
            pre, post, weight, delay = self._merge_blocks()
            rules = {name: np.concatenate([b[name] for b in self._rule_blocks]) if self._rule_blocks
                     else np.zeros(0) for name in self._rule_names}
            self._rule_blocks = []
        else:
            pre, post, parameters = expanded
            weight, delay = parameters.get("weight", 0.0), parameters.get("delay", simulator.state.min_delay)
            rules = {name: parameters[name] for name in self._rule_names}
        self._store(pre, post, weight, delay)
        self._rules = {name: per_item(value, len(self), np.float64) for name, value in rules.items()}
        simulator.state.projections.append(self)

    # -- collecting synapses -----------------------------------------------------------------
    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            location_selector=None, **connection_parameters):
        if location_selector is not None:
            raise NotImplementedError("pynn_spinnaker2 has point neurons only; "
                                      "connectors need no location_selector")
        pre = np.asarray(presynaptic_indices, dtype=np.int64).ravel()
        n = pre.size
        self._blocks.append((pre, np.full(n, postsynaptic_index, dtype=np.int64),
                             np.broadcast_to(np.asarray(connection_parameters["weight"], dtype=float), (n,)),
                             np.broadcast_to(np.asarray(connection_parameters["delay"], dtype=float), (n,))))
        self._rule_blocks.append({name: np.broadcast_to(np.asarray(connection_parameters[name], dtype=float), (n,))
                                  for name in self._rule_names})

    def _merge_blocks(self):
        """The generic path's blocks as (pre, post, weight, delay ms) arrays."""
        empty = ([np.zeros(0, np.int64)],) * 2 + ([np.zeros(0)],) * 2
        columns = zip(*self._blocks) if self._blocks else empty
        self._blocks = []
        return tuple(np.concatenate(list(c)) for c in columns)

    def _store(self, pre, post, weight, delay):
        """Check and keep the synapses: weights (PyNN's sign rule) and delays (time steps), in
        the core's own types (int32 indices and steps); a weight or delay shared by every synapse
        is kept once (``core.arrays.per_item``), so they are shared with the core, not copied."""
        pre, post = np.asarray(pre, dtype=np.int32).ravel(), np.asarray(post, dtype=np.int32).ravel()
        n = pre.size
        steps, self._delay_warned = simulator.delay_steps(self.label, delay, simulator.state,
                                                          self._delay_warned)
        weight = per_item(weight, n, np.float64)
        self._check_weights(weight, post)
        self._pre, self._post, self._weight = pre, post, weight
        self._steps = per_item(steps, n, np.int32)
        self._min_steps = int(self._steps.min()) if n else None

    def _check_weights(self, weight, post):
        """PyNN's rule, raised where PyNN raises it (at creation and ``set``): weights onto an
        inhibitory current-based receptor are <= 0, all others (excitatory, conductances) >= 0.
        The machine stores magnitudes and lets the receptor carry the sign, so a weight of the
        wrong sign cannot be represented, even with ``safe=False``."""
        finite, lowest, highest = finite_range(weight)
        if not finite:
            raise errors.ConnectionError(f"projection {self.label!r}: weights must be finite numbers")
        post_roots, post_which, _ = cells_of(self.post)
        for r, root in enumerate(post_roots):
            w = weight if len(post_roots) == 1 else weight[post_which[post] == r]
            if not w.size:
                continue
            low, high = (lowest, highest) if len(post_roots) == 1 else (w.min(), w.max())
            _, sign = root.celltype.core_receptor(self.receptor_type)
            current = not root.celltype.conductance_based
            if sign < 0 and high > 0:
                raise errors.ConnectionError(
                    f"projection {self.label!r}: weights onto the inhibitory receptor of the current-based "
                    f"population {root.label!r} must be <= 0 (PyNN's sign convention), got {high:g}; "
                    "negate them")
            if sign > 0 and low < 0:
                kind = "conductances (uS)" if not current else "excitatory weights"
                raise errors.ConnectionError(
                    f"projection {self.label!r}: {kind} onto {root.label!r} must be >= 0, got "
                    f"{low:g}; inhibition is receptor_type='inhibitory'"
                    + ("" if not current else " with negative weights"))
            if sign == 0 and low < 0 < high:
                raise errors.ConnectionError(
                    f"projection {self.label!r}: weights onto current receptor {self.receptor_type!r} of "
                    f"{root.label!r} have both signs; the machine stores one sign per receptor: give "
                    "excitatory and inhibitory input their own receptors")

    def _synapses(self):
        """(pre, post, weight, delay steps) over all synapses."""
        return self._pre, self._post, self._weight, self._steps

    def __len__(self):
        return self._pre.size

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [Connection(self, j) for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(f"projection {self.label!r} has {len(self)} connections; no connection {i}")
        return Connection(self, i % len(self))

    @property
    def connections(self):
        return (Connection(self, i) for i in range(len(self)))

    # -- reading and writing synapse attributes --------------------------------------------------
    def get(self, attribute_names, format="list", gather=True, with_address=True, multiple_synapses="sum"):
        """PyNN's ``get``. Every MPI rank holds the whole projection (and reads learnt weights from
        the ranks that hold their rows), so there is nothing to gather: each rank returns what
        one process would (pyNN's gathering would repeat every connection once per rank)."""
        return super().get(attribute_names, format=format, gather=False, with_address=with_address,
                           multiple_synapses=multiple_synapses)

    def _attribute(self, name):
        pre, post, weight, steps = self._synapses()
        if name in self._rules:
            return self._rules[name]
        if name == "weight" and self._core_parts and simulator.state.live_emulator() is not None:
            return plastic_weights(self, weight)
        return {"presynaptic_index": pre, "postsynaptic_index": post, "weight": weight,
                "delay": steps * simulator.state.dt}[name]

    def _get_attributes_as_list(self, names):
        columns = [self._attribute(name).tolist() for name in names]
        return list(zip(*columns))

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        pre, post = self._synapses()[:2]
        address = pre * self.shape[1] + post
        out = []
        for name in names:
            values = self._attribute({"weights": "weight", "delays": "delay"}.get(name, name))
            result = np.full(self.shape, np.nan)
            if multiple_synapses in ("first", "last"):
                order = np.arange(address.size)[::1 if multiple_synapses == "first" else -1]
                _, pick = np.unique(address[order], return_index=True)
                result.flat[address[order[pick]]] = values[order[pick]]
            else:
                ufunc, start = {"sum": (np.add, 0.0), "min": (np.minimum, np.inf),
                                "max": (np.maximum, -np.inf)}[multiple_synapses]
                result.flat[address] = start
                ufunc.at(result.ravel(), address, values)
            out.append(result)
        return out

    def _set_attributes(self, parameter_space):
        self._check_current()
        if self._core_parts and simulator.state.live_emulator() is not None and simulator.state.started \
                and set(parameter_space.keys()) == {"weight"}:
            pre, post = self._synapses()[:2]          # a plastic projection's rows, between runs
            set_plastic_weights(self, self._evaluate_per_synapse(parameter_space["weight"], pre, post))
            return
        simulator.state.mark_changed()
        pre, post, weight, steps = self._synapses()
        delay = steps * simulator.state.dt
        rules = dict(self._rules)
        for name, value in parameter_space.items():
            values = self._evaluate_per_synapse(value, pre, post)
            if name in rules:
                rules[name] = per_item(values, pre.size, np.float64)
            elif name == "weight":
                weight = values
            elif name == "delay":
                delay = values
            else:
                raise errors.NonExistentParameterError(name, type(self.synapse_type).__name__,
                                                       ["weight", "delay"] + self._rule_names)
        self._store(pre, post, weight, delay)
        self._rules = rules

    def _set_one(self, i, name, value):
        """``Connection.weight = ...`` / ``.delay = ...``"""
        self._check_current()
        simulator.state.mark_changed()
        pre, post, weight, steps = self._synapses()
        weight, delay = weight.copy(), steps * simulator.state.dt
        (weight if name == "weight" else delay)[i] = value
        self._store(pre, post, weight, delay)

    def _check_current(self):
        if self._generation != simulator.state.generation:
            raise RuntimeError(f"projection {self.label!r} belongs to a simulation that sim.setup() "
                               "has since replaced; its connections may be read, not changed")

    @staticmethod
    def _evaluate_per_synapse(value, pre, post):
        """A (pre x post) lazy array at each synapse's (pre, post) address, without building the
        full matrix for the common cases (a constant, or a plain random distribution)."""
        if value.is_homogeneous:
            return value.evaluate(simplify=True)
        if isinstance(value.base_value, RandomDistribution) and not value.operations:
            return value.base_value.next(pre.size)
        return value.evaluate()[pre, post]

    # -- translation to the application graph ------------------------------------------------------
    def _to_core(self):
        """One core projection per (pre root, post root) pair: magnitudes plus a receptor index.
        Between two whole populations, the arrays are handed over as they are. A plastic
        projection becomes one core projection per pair and distinct set of rule parameters."""
        pre, post, weight, steps = self._synapses()
        if plasticity.is_plastic(self.synapse_type):
            return self._plastic_to_core(pre, post, weight, steps)
        if isinstance(self.pre, Population) and isinstance(self.post, Population):
            receptor = self.post.celltype.core_receptor(self.receptor_type)[0]
            return [CoreProjection(label=self.label, pre=self.pre._core_index, post=self.post._core_index,
                                   pre_index=pre, post_index=post, weight=_magnitudes(weight),
                                   delay=steps, receptor=receptor)]
        pre_roots, pre_which, pre_local = cells_of(self.pre)
        post_roots, post_which, post_local = cells_of(self.post)
        pair = pre_which[pre] * len(post_roots) + post_which[post]
        result = []
        for key in np.unique(pair):
            mask = slice(None) if len(pre_roots) == len(post_roots) == 1 else pair == key
            pre_root, post_root = pre_roots[key // len(post_roots)], post_roots[key % len(post_roots)]
            w = weight[mask]
            receptor = post_root.celltype.core_receptor(self.receptor_type)[0]
            label = self.label if len(pre_roots) * len(post_roots) == 1 else \
                f"{self.label} ({pre_root.label}->{post_root.label})"
            result.append(CoreProjection(
                label=label, pre=pre_root._core_index, post=post_root._core_index,
                pre_index=pre_local[pre[mask]], post_index=post_local[post[mask]],
                weight=_magnitudes(w), delay=steps[mask], receptor=receptor))
        return result

    def _plastic_to_core(self, pre, post, weight, steps):
        pre_roots, pre_which, pre_local = cells_of(self.pre)
        post_roots, post_which, post_local = cells_of(self.post)
        pair = pre_which[pre] * len(post_roots) + post_which[post]
        result, self._core_parts = [], []
        for key in np.unique(pair):
            pre_root, post_root = pre_roots[key // len(post_roots)], post_roots[key % len(post_roots)]
            index = np.flatnonzero(pair == key)
            label = self.label if len(pre_roots) * len(post_roots) == 1 else \
                f"{self.label} ({pre_root.label}->{post_root.label})"
            receptor, sign = post_root.celltype.core_receptor(self.receptor_type)
            sign = -1.0 if sign < 0 or (sign == 0 and weight[index].min() < 0) else 1.0
            columns = {name: values[index] for name, values in self._rules.items()}
            parts = plasticity.split(label, self.synapse_type, columns, index.size)
            for k, (members, rule) in enumerate(parts):
                chosen = index[members]
                core = CoreProjection(
                    label=label if len(parts) == 1 else f"{label} [parameter set {k}]",
                    pre=pre_root._core_index, post=post_root._core_index, pre_index=pre_local[pre[chosen]],
                    post_index=post_local[post[chosen]], weight=np.abs(weight[chosen]), delay=steps[chosen],
                    receptor=receptor, synapse=rule)
                result.append(core)
                self._core_parts.append((core, chosen, sign))
        return result


def _core_index(core):
    network = simulator.state.network
    return next(k for k, p in enumerate(network.projections) if p is core)


def plastic_weights(projection, weight):
    """The weights the synaptic rows hold now, in the projection's order and PyNN's signs."""
    out = np.array(weight, dtype=float)
    emulator = simulator.state.emulator
    for core, members, sign in projection._core_parts:
        out[members] = sign * emulator.weights(_core_index(core))
    return out


def set_plastic_weights(projection, values):
    """Write weights into a running machine's plastic rows (PyNN's ``set`` between runs)."""
    emulator = simulator.state.live_emulator()
    values = np.broadcast_to(np.asarray(values, dtype=float), (len(projection),))
    for core, members, sign in projection._core_parts:
        if np.any(values[members] * sign < 0):
            raise errors.ConnectionError(f"projection {projection.label!r}: weights must keep the sign of "
                                         f"the {projection.receptor_type} receptor")
        emulator.set_weights(_core_index(core), np.abs(values[members]))
