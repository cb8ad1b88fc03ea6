"""Projections collect synapses as numpy arrays, one block per ``_convergent_connect`` call (i.e.
per post-synaptic neuron), concatenated once. PyNN's generic connectors are fast enough this way
(full-scale Brunel, 15.6 M synapses: under 2 s), so no connector needs a special path.
Weights keep PyNN's sign convention here; ``_to_core`` turns them into magnitudes with a receptor
index, and splits a projection between Assemblies into one core projection per pair of root
populations."""
import numpy as np

from pyNN import common, errors
from pyNN.random import RandomDistribution
from pyNN.space import Space
from pyNN.standardmodels import synapses

from core.network import RECEPTORS, Projection as CoreProjection

from . import plasticity, simulator
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


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=Space(), label=None):
        simulator.state.check_mutable(f"creating projection {label!r}" if label else "creating a projection")
        plasticity.check_synapse_type(synapse_type)
        if source is not None:
            raise NotImplementedError("pynn_spinnaker2 has point neurons only; leave `source` unset")
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population, connector,
                                   synapse_type, source, receptor_type, space, label)
        self._blocks = []        # (pre, post, weight, delay steps) arrays, concatenated lazily
        self._rule_names = plasticity.rule_parameter_names(self.synapse_type)
        self._rule_blocks = []   # per block: plastic rule parameter -> values
        self._core_parts = []    # (core projection, synapse indices, sign) of the last translation
        self._merged = False
        self._delay_warned = False
        self._min_steps = None   # shortest delay, for min_delay='auto'
        connector.connect(self)
        simulator.state.projections.append(self)

    # -- collecting synapses -----------------------------------------------------------------
    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            location_selector=None, **connection_parameters):
        if location_selector is not None:
            raise NotImplementedError("pynn_spinnaker2 has point neurons only; "
                                      "connectors need no location_selector")
        pre = np.asarray(presynaptic_indices, dtype=np.int64).ravel()
        self._add_block(pre, np.broadcast_to(np.int64(postsynaptic_index), pre.shape),
                        connection_parameters["weight"], connection_parameters["delay"],
                        {name: connection_parameters[name] for name in self._rule_names})

    def _add_block(self, pre, post, weight, delay, rule_parameters=None):
        steps, self._delay_warned = simulator.delay_steps(self.label, delay, simulator.state.dt,
                                                          self._delay_warned)
        n = pre.size
        self._blocks.append((pre, post, np.broadcast_to(np.asarray(weight, dtype=float), (n,)),
                             np.broadcast_to(steps, (n,))))
        self._rule_blocks.append({name: np.broadcast_to(np.asarray(value, dtype=float), (n,))
                                  for name, value in (rule_parameters or {}).items()})
        self._merged = False
        if n:
            self._min_steps = min(self._min_steps or steps.max(), int(steps.min()))

    def _synapses(self):
        """(pre, post, weight, delay steps) over all synapses, concatenated once."""
        if not self._merged:
            empty = ([np.zeros(0, np.int64)],) * 2 + ([np.zeros(0)], [np.zeros(0, np.int64)])
            columns = zip(*self._blocks) if self._blocks else empty
            self._blocks = [tuple(np.concatenate(c) for c in columns)]
            self._rule_blocks = [{name: np.concatenate([b[name] for b in self._rule_blocks]) if self._rule_blocks
                                  else np.zeros(0) for name in self._rule_names}]
            self._merged = True
        return self._blocks[0]

    def _rule_columns(self):
        """Plastic rule parameter -> per-synapse values."""
        self._synapses()
        return self._rule_blocks[0]

    def __len__(self):
        return sum(block[0].size for block in self._blocks)

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
    def _attribute(self, name):
        pre, post, weight, steps = self._synapses()
        if name in self._rule_names:
            return self._rule_columns()[name]
        if name == "weight" and self._core_parts and simulator.state.live_emulator() is not None:
            return plasticity_weights(self, weight)
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
        if self._core_parts and simulator.state.started and set(parameter_space.keys()) == {"weight"}:
            pre, post = self._synapses()[:2]
            set_plastic_weights(self, self._evaluate_per_synapse(parameter_space["weight"], pre, post))
            return
        simulator.state.check_mutable(f"changing synapses of projection {self.label!r}")
        pre, post, weight, steps = self._synapses()
        weight, steps = weight.copy(), steps.copy()
        rule_columns = {name: values.copy() for name, values in self._rule_columns().items()}
        for name, value in parameter_space.items():
            values = self._evaluate_per_synapse(value, pre, post)
            if name in rule_columns:
                rule_columns[name] = np.broadcast_to(values, pre.shape).astype(float)
            elif name == "weight":
                weight = np.broadcast_to(values, weight.shape).astype(float)
            elif name == "delay":
                steps, self._delay_warned = simulator.delay_steps(self.label, values, simulator.state.dt,
                                                                  self._delay_warned)
                steps = np.broadcast_to(steps, pre.shape)
            else:
                raise errors.NonExistentParameterError(name, type(self.synapse_type).__name__,
                                                       ["weight", "delay"] + self._rule_names)
        self._blocks = [(pre, post, np.ascontiguousarray(weight), np.ascontiguousarray(steps))]
        self._rule_blocks = [rule_columns]
        self._merged = True
        self._min_steps = int(steps.min()) if steps.size else None

    def _set_one(self, i, name, value):
        """``Connection.weight = ...`` / ``.delay = ...``"""
        simulator.state.check_mutable(f"changing synapses of projection {self.label!r}")
        pre, post, weight, steps = self._synapses()
        if name == "weight":
            weight[i] = value
        else:
            steps[i], self._delay_warned = simulator.delay_steps(self.label, value, simulator.state.dt,
                                                                 self._delay_warned)
            self._min_steps = int(steps.min())

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
        """One core projection per (pre root, post root) pair: magnitudes plus a receptor index."""
        pre, post, weight, steps = self._synapses()
        pre_roots, pre_which, pre_local = cells_of(self.pre)
        post_roots, post_which, post_local = cells_of(self.post)
        receptor = RECEPTORS.index(self.receptor_type)
        pair = pre_which[pre] * len(post_roots) + post_which[post]
        result = []
        self._core_parts = []
        for key in np.unique(pair):
            mask = slice(None) if len(pre_roots) == len(post_roots) == 1 else pair == key
            pre_root, post_root = pre_roots[key // len(post_roots)], post_roots[key % len(post_roots)]
            w = weight[mask]
            negative = receptor == 1 and not post_root.celltype.conductance_based
            if w.size and (w.max() > 0 if negative else w.min() < 0):
                raise errors.ConnectionError(
                    f"projection {self.label!r}: weights onto {self.receptor_type} synapses of "
                    f"{post_root.label!r} must be {'<= 0' if negative else '>= 0'}")
            label = self.label if len(pre_roots) * len(post_roots) == 1 else \
                f"{self.label} ({pre_root.label}->{post_root.label})"
            index = np.arange(pre.size)[mask]
            columns = {name: values[mask] for name, values in self._rule_columns().items()}
            parts = plasticity.split(label, self.synapse_type, columns, index.size)
            for part, (members, rule) in enumerate(parts):
                core = CoreProjection(
                    label=label if len(parts) == 1 else f"{label} [parameter set {part}]",
                    pre=pre_root._core_index, post=post_root._core_index,
                    pre_index=pre_local[pre[index[members]]], post_index=post_local[post[index[members]]],
                    weight=np.abs(weight[index[members]]), delay=steps[index[members]], receptor=receptor,
                    synapse=rule)
                result.append(core)
                if rule is not None:
                    self._core_parts.append((core, index[members], -1.0 if negative else 1.0))
        return result


def _core_index(core):
    network = simulator.state.network
    return next(k for k, p in enumerate(network.projections) if p is core)


def plasticity_weights(projection, weight):
    """The weights the synaptic rows hold now, in the projection's order and PyNN's signs."""
    out = weight.copy()
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
