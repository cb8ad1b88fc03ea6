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

from core.network import Projection as CoreProjection

from . import simulator
from .standardmodels import StaticSynapse


class Connection(common.Connection):
    """One synapse, read from the projection's arrays."""

    def __init__(self, projection, i):
        self.projection, self.i = projection, i

    def __getattr__(self, name):
        if name not in ("weight", "delay"):
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
        if synapse_type is not None and not isinstance(synapse_type, synapses.StaticSynapse):
            raise NotImplementedError(
                f"synapse type {type(synapse_type).__name__} is not supported: pynn_spinnaker2 has "
                "static synapses only; use StaticSynapse(weight=..., delay=...)")
        if source is not None:
            raise NotImplementedError("pynn_spinnaker2 has point neurons only; leave `source` unset")
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population, connector,
                                   synapse_type, source, receptor_type, space, label)
        self._blocks = []        # (pre, post, weight, delay steps) arrays, concatenated lazily
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
                        connection_parameters["weight"], connection_parameters["delay"])

    def _add_block(self, pre, post, weight, delay):
        steps, self._delay_warned = simulator.delay_steps(self.label, delay, simulator.state.dt,
                                                          self._delay_warned)
        n = pre.size
        self._blocks.append((pre, post, np.broadcast_to(np.asarray(weight, dtype=float), (n,)),
                             np.broadcast_to(steps, (n,))))
        self._merged = False
        if n:
            self._min_steps = min(self._min_steps or steps.max(), int(steps.min()))

    def _synapses(self):
        """(pre, post, weight, delay steps) over all synapses, concatenated once."""
        if not self._merged:
            empty = ([np.zeros(0, np.int64)],) * 2 + ([np.zeros(0)], [np.zeros(0, np.int64)])
            columns = zip(*self._blocks) if self._blocks else empty
            self._blocks = [tuple(np.concatenate(c) for c in columns)]
            self._merged = True
        return self._blocks[0]

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
        simulator.state.check_mutable(f"changing synapses of projection {self.label!r}")
        pre, post, weight, steps = self._synapses()
        weight, steps = weight.copy(), steps.copy()
        for name, value in parameter_space.items():
            values = self._evaluate_per_synapse(value, pre, post)
            if name == "weight":
                weight = np.broadcast_to(values, weight.shape).astype(float)
            elif name == "delay":
                steps, self._delay_warned = simulator.delay_steps(self.label, values, simulator.state.dt,
                                                                  self._delay_warned)
                steps = np.broadcast_to(steps, pre.shape)
            else:
                raise errors.NonExistentParameterError(name, "StaticSynapse", ["weight", "delay"])
        self._blocks = [(pre, post, np.ascontiguousarray(weight), np.ascontiguousarray(steps))]
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
        pair = pre_which[pre] * len(post_roots) + post_which[post]
        result = []
        for key in np.unique(pair):
            mask = slice(None) if len(pre_roots) == len(post_roots) == 1 else pair == key
            pre_root, post_root = pre_roots[key // len(post_roots)], post_roots[key % len(post_roots)]
            w = weight[mask]
            receptor, sign = post_root.celltype.core_receptor(self.receptor_type)
            if w.size and (w.max() > 0 if sign < 0 else w.min() < 0 if sign > 0 else w.min() < 0 < w.max()):
                raise errors.ConnectionError(
                    f"projection {self.label!r}: weights onto {self.receptor_type} synapses of "
                    f"{post_root.label!r} must be {'<= 0' if sign < 0 else '>= 0' if sign > 0 else 'of one sign'}")
            label = self.label if len(pre_roots) * len(post_roots) == 1 else \
                f"{self.label} ({pre_root.label}->{post_root.label})"
            result.append(CoreProjection(
                label=label, pre=pre_root._core_index, post=post_root._core_index,
                pre_index=pre_local[pre[mask]], post_index=post_local[post[mask]],
                weight=np.abs(w), delay=steps[mask], receptor=receptor))
        return result
