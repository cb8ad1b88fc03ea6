"""From a nengo model, built by nengo's own builder, to the core's application graph.

nengo's builder (``nengo.builder.Model``) supplies what is *built*: gains, biases, encoders,
decoders from the solvers, sampled transforms, initial neuron states, seeds. Nothing nengo
builds is executed: this module reads those artefacts and lays the model out as

* one core population per ensemble, running its neuron type (``neurons.py``) with the scaled
  encoders and biases on its PEs;
* one *edge* per path a value takes: a connection, a probe, or a chain of connections through
  passthrough nodes, which are folded away (``_fold_passthrough``): the chain's matrices
  multiply and its synapses compose (``synapses.chain``);
* every edge that leaves from or arrives at the machine becomes a value projection (decoded
  values in payload packets, filtered on the receiving PEs), with the matrix sending PE x
  transform x decoders, targeted at the post's encoders, at single neurons, or at a learning
  rule's error input;
* nodes and Direct-mode ensembles stay on the host (``host.py``): their outputs enter the
  machine through playback populations, their inputs leave it through relay populations;
  edges between host objects without a synapse are plain function composition on the host;
* learning rules run on the PEs: PES, BCM and Oja change a value projection's matrix on its
  sending PEs; Voja changes the post ensemble's encoders on the PEs that hold its neurons
  (``core.network.EncoderLearning``), and a connection into the rule modulates it;
* probes record relays (decoded values, filtered on a PE), neuron state columns, host values,
  learned matrices or learned encoders.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import nengo
import numpy as np
from nengo.connection import LearningRule
from nengo.ensemble import Neurons

from core import Network, Population
from core.network import DiscreteFilter, EncoderLearning, MatrixLearning, ValueProjection

from .neurons import STATE_SCALE, core_model, initial_state
from .synapses import chain, discrete_filter
from .transforms import is_decoded, scatter, selection, transform_matrix

MS = 1000.0


@dataclass(eq=False)
class Source:
    """Where an edge's values come from: a chip ensemble's neuron outputs, or a host object's
    output (through ``function`` and ``pre_slice``)."""
    kind: str                 # "chip" | "host" | "node" (a passthrough node, folded away)
    obj: object
    function: object = None
    pre_slice: object = None
    size: int = 0             # host values: how many

    @property
    def key(self):
        return (self.kind, self.obj, self.function, _slice_key(self.pre_slice))


@dataclass(eq=False)
class Edge:
    """``matrix @ source`` arriving, filtered by ``synapses`` in series, at ``dest``."""
    label: str
    source: Source
    matrix: np.ndarray
    synapses: list
    dest: tuple               # ("encoders"|"neurons", ens) | ("node", node) | ("rule", learned conn) | ("probe", probe)
    learning: object = None   # nengo learning rule type on this edge's matrix
    conn: object = None
    steps: int | None = None  # the filter's delay steps, when not the rule in ``value_projections``


@dataclass
class ProbePlan:
    """How a probe's data is obtained: ``relay`` (a recorded relay population), ``state`` (a
    recorded state column of an ensemble's population), ``host`` (a host object's output),
    ``weights`` (a learned value projection's matrix), ``encoders`` (an ensemble's learned
    encoders, or with ``variable='delta'`` their change in the step), ``static`` (a built array)."""
    probe: object
    kind: str
    pop: int = -1
    variable: str = "output"
    rows: object = None       # columns of the recorded signal to keep
    scale: float = 1.0
    host: object = None
    projection: int = -1
    unmap: object = None      # learned matrix -> nengo's weights
    array: object = None


@dataclass
class Translation:
    network: Network
    dt: float
    ensemble_pop: dict = field(default_factory=dict)       # ensemble -> population
    playback_pop: dict = field(default_factory=dict)       # Source.key -> population
    playback_source: dict = field(default_factory=dict)    # population -> Source
    host_relay: dict = field(default_factory=dict)         # host object -> relay population
    host_objects: list = field(default_factory=list)
    host_links: list = field(default_factory=list)         # edges evaluated on the host
    probes: dict = field(default_factory=dict)             # probe -> ProbePlan
    conn_projection: dict = field(default_factory=dict)    # learned connection -> value projection
    edges: list = field(default_factory=list)


def _slice_key(s):
    if s is None or isinstance(s, slice):
        return None if s is None else (s.start, s.stop, s.step)
    return tuple(np.asarray(s).ravel().tolist())


def is_host(obj) -> bool:
    if isinstance(obj, nengo.Ensemble):
        return isinstance(obj.neuron_type, nengo.Direct)
    return isinstance(obj, nengo.Node)


def _label(obj):
    return getattr(obj, "label", None) or str(obj)


def rule_types(conn) -> list:
    """The learning rule types on ``conn`` (nengo takes one, a list or a dict of them)."""
    rule = conn.learning_rule_type
    if not rule:
        return []
    if isinstance(rule, dict):
        return list(rule.values())
    return list(rule) if isinstance(rule, (list, tuple)) else [rule]


class Builder:
    """One translation of a built nengo model (see module docstring)."""

    def __init__(self, model, network, dt):
        self.model, self.network, self.dt = model, network, dt
        self.out = Translation(Network(timestep=dt * MS), dt)
        self.kept, self.kept_relays = set(), {}
        nodes = network.all_nodes
        fn_out = {c.pre_obj for c in network.all_connections if c.function is not None}
        self.passthrough = {n for n in nodes if n.output is None and n not in fn_out}
        self.host = [n for n in nodes if n not in self.passthrough] + \
            [e for e in network.all_ensembles if is_host(e)]

    # -- objects -----------------------------------------------------------------------
    def ensembles(self):
        for ens in self.network.all_ensembles:
            if is_host(ens):
                continue
            built = self.model.params[ens]
            what = f"{ens}"
            name, params = core_model(ens.neuron_type, what)
            pop = Population(_label(ens), name, ens.n_neurons,
                             parameters=dict(params, bias=built.bias),
                             encoders=np.asarray(built.scaled_encoders, dtype=float),
                             encoder_learning=self.encoder_learning(ens))
            spec = pop.spec
            pop.initial_state = {**pop.initial_state, **{
                k: np.broadcast_to(v, (ens.n_neurons,)).astype(float)
                for k, v in initial_state(self.model, ens, spec.state_columns).items()}}
            self.out.ensemble_pop[ens] = self.out.network.add_population(pop)

    def encoder_learning(self, ens) -> EncoderLearning | None:
        """Voja on connections into ``ens``, as nengo's ``build_voja``: the scaled encoders move
        towards the ensemble's whole decoded input times gain / radius (the factor the build
        folded into them), at kappa dt, weighted by the post-filtered activity."""
        rules = [(c, r) for c in self.network.all_connections if c.post_obj is ens
                 for r in rule_types(c) if isinstance(r, nengo.Voja)]
        if not rules:
            return None
        if len(rules) > 1:
            raise NotImplementedError(f"{ens}: {len(rules)} Voja rules learn its encoders; one Voja rule per "
                                      "ensemble runs on the PEs (merge them into one connection's rule)")
        conn, rule = rules[0]
        built = self.model.params[ens]
        return EncoderLearning(rule.learning_rate * self.dt,
                               discrete_filter(rule.post_synapse, self.dt, f"{conn}"),
                               np.asarray(built.gain, dtype=float) / ens.radius)

    def learns_encoders(self, ens) -> bool:
        pop = self.out.ensemble_pop.get(ens)
        return pop is not None and self.out.network.populations[pop].encoder_learning is not None

    # -- edges -------------------------------------------------------------------------
    def noise_edges(self):
        """An ensemble's noise process runs on the host and enters the neurons' current as values."""
        edges = []
        for ens in self.network.all_ensembles:
            if ens.noise is not None and not is_host(ens):
                source = NoiseSource(ens)
                self.host.append(source)
                edges.append(Edge(f"noise of {ens}", Source("host", source, None, None, ens.n_neurons),
                                  np.eye(ens.n_neurons), [None], ("neurons", ens)))
        return edges

    def connection_edges(self):
        edges = []
        for conn in self.network.all_connections:
            edges.append(self.connection_edge(conn))
        return edges

    def connection_edge(self, conn) -> Edge:
        built = self.model.params[conn]
        pre, post = conn.pre_obj, conn.post_obj
        weights = built.weights
        if is_decoded(conn):
            source = Source("chip", pre)
            core = np.asarray(weights, dtype=float)
            if core.ndim != 2:
                raise NotImplementedError(f"{conn}: decoded weights of shape {core.shape} are not supported")
        elif isinstance(pre, Neurons):
            if is_host(pre.ensemble):
                raise NotImplementedError(f"{conn}: Direct-mode ensembles have no neurons to connect from")
            source = Source("chip", pre.ensemble)
            core = transform_matrix(conn, weights, self.dt) @ selection(conn.pre_slice, pre.size_out)
        elif pre in self.passthrough:
            source = Source("node", pre)
            core = transform_matrix(conn, weights, self.dt) @ selection(conn.pre_slice, pre.size_out)
        elif is_host(pre):
            source = Source("host", pre, conn.function, conn.pre_slice, conn.size_mid)
            core = transform_matrix(conn, weights, self.dt)
        else:
            raise NotImplementedError(f"{conn}: connections from {type(pre).__name__} are not supported")
        syn = None if conn.synapse is None else discrete_filter(conn.synapse, self.dt, f"{conn}")
        learning = conn.learning_rule_type if conn.learning_rule_type else None
        if any(isinstance(r, nengo.Voja) for r in rule_types(conn)):
            if len(rule_types(conn)) > 1:
                raise NotImplementedError(f"{conn}: several learning rules on one connection are not supported "
                                          "on the PEs; use one rule per connection")
            if is_host(post):
                raise NotImplementedError(f"{conn}: Voja learns encoders, which a Direct-mode ensemble does not "
                                          "have; give it a neuron type")
            learning = None           # its matrix stays: the post's encoders learn (``encoder_learning``)
        if isinstance(post, nengo.Ensemble) and is_decoded(conn) and conn.solver.weights:
            return Edge(str(conn), source, core, [syn], ("neurons", post), learning=learning, conn=conn)
        if isinstance(post, Neurons):
            gain = self.model.params[post.ensemble].gain
            m = scatter(core, conn.post_slice, post.size_in) * np.asarray(gain, dtype=float)[:, None]
            return Edge(str(conn), source, m, [syn], ("neurons", post.ensemble), learning=learning, conn=conn)
        if isinstance(post, LearningRule):
            return Edge(str(conn), source, scatter(core, conn.post_slice, post.size_in), [syn], ("rule", post),
                        conn=conn)
        if isinstance(post, (nengo.Ensemble, nengo.Node)):
            kind = "encoders" if isinstance(post, nengo.Ensemble) and not is_host(post) else "node"
            return Edge(str(conn), source, scatter(core, conn.post_slice, post.size_in), [syn], (kind, post),
                        learning=learning, conn=conn)
        raise NotImplementedError(f"{conn}: connections to {type(post).__name__} are not supported")

    def probe_edges(self):
        edges = []
        for probe in self.network.all_probes:
            edge = self.probe_edge(probe)
            if edge is not None:
                edges.append(edge)
        return edges

    def probe_edge(self, probe):
        obj, attr = probe.obj, probe.attr
        target = probe.target
        P = discrete_filter(probe.synapse, self.dt, f"{probe}") if probe.synapse is not None else None
        plans = self.out.probes
        if isinstance(obj, nengo.Ensemble) and attr == "decoded_output":
            if is_host(obj):
                return self._host_probe(probe, obj, P)
            conn = next(c for c in self.model.params if isinstance(c, nengo.Connection) and c.post_obj is probe)
            core = np.asarray(self.model.params[conn].weights, dtype=float)
            return Edge(str(probe), Source("chip", obj), core, [P], ("probe", probe))
        if isinstance(obj, Neurons) and attr in ("output", "spikes", "rates"):
            if P is None:
                plans[probe] = ProbePlan(probe, "state", self.out.ensemble_pop[obj.ensemble], "output",
                                         rows=probe.slice)
                return None
            return Edge(str(probe), Source("chip", obj.ensemble), selection(probe.slice, obj.size_out), [P],
                        ("probe", probe))
        if isinstance(obj, Neurons):
            pop = self.out.ensemble_pop.get(obj.ensemble)
            spec = self.out.network.populations[pop].spec if pop is not None else None
            if spec is None or attr not in spec.state_columns:
                raise NotImplementedError(f"{probe}: {obj.ensemble.neuron_type} on the PEs has no probeable "
                                          f"{attr!r}")
            if P is not None:
                raise NotImplementedError(f"{probe}: a synapse on neuron state {attr!r} is not supported; probe "
                                          "it without a synapse and filter the data")
            plans[probe] = ProbePlan(probe, "state", pop, attr, rows=probe.slice, scale=STATE_SCALE.get(attr, 1.0))
            return None
        if isinstance(obj, nengo.Node) and attr == "output":
            if obj in self.passthrough:
                sel = selection(probe.slice, obj.size_out)
                return Edge(str(probe), Source("node", obj), sel, [P], ("probe", probe))
            return self._host_probe(probe, obj, P)
        if isinstance(obj, nengo.Ensemble) and attr == "input":
            if is_host(obj):
                return self._host_probe(probe, obj, P, attr="input")
            # the ensemble's input: every edge into it, again, into a relay
            return Edge(str(probe), Source("node", ("input", obj)), selection(probe.slice, obj.size_in), [P],
                        ("probe", probe))
        if isinstance(obj, nengo.Ensemble) and attr == "scaled_encoders" and self.learns_encoders(obj):
            plans[probe] = ProbePlan(probe, "encoders", self.out.ensemble_pop[obj], attr, rows=probe.slice)
            return None
        if isinstance(obj, nengo.Ensemble) and attr == "scaled_encoders":
            plans[probe] = ProbePlan(probe, "static", array=np.asarray(self.model.params[obj].scaled_encoders))
            return None
        if isinstance(obj, LearningRule) and isinstance(obj.learning_rule_type, nengo.Voja):
            return self._voja_probe(probe, obj, attr, P)
        if isinstance(obj, LearningRule) and attr == "activities" and isinstance(obj.learning_rule_type, nengo.PES):
            conn = obj.connection
            pre = conn.pre_obj.ensemble if isinstance(conn.pre_obj, Neurons) else conn.pre_obj
            F = obj.learning_rule_type.pre_synapse
            F = None if F is None else discrete_filter(F, self.dt, f"{probe}")
            sel = selection(conn.pre_slice, pre.n_neurons) if isinstance(conn.pre_obj, Neurons) else np.eye(pre.n_neurons)
            return Edge(str(probe), Source("chip", pre), selection(probe.slice, sel.shape[0]) @ sel, [F, P],
                        ("probe", probe), steps=0 if P is None else 1)
        if isinstance(obj, LearningRule) and attr == "error":
            return Edge(str(probe), Source("node", ("rule", obj)), selection(probe.slice, obj.size_in), [P],
                        ("probe", probe))
        if isinstance(obj, nengo.Connection) and attr == "weights":
            plans[probe] = ProbePlan(probe, "weights")
            return None
        if isinstance(obj, nengo.Connection) and attr in ("output", "input"):
            edge = self.connection_edge(obj)
            if attr == "output":
                core = self._conn_output_core(obj)
                return Edge(str(probe), edge.source, selection(probe.slice, core.shape[0]) @ core,
                            [edge.synapses[0], P], ("probe", probe))
            raise NotImplementedError(f"{probe}: probing a connection's input is not supported; probe its "
                                      "pre object instead")
        raise NotImplementedError(f"{probe}: probing {attr!r} of {type(obj).__name__} is not supported")

    def _voja_probe(self, probe, rule, attr, P):
        """Voja's probeables: the learned encoders and their change in the step (read from the PEs),
        and the post-filtered activity (the neurons' output through ``post_synapse``)."""
        ens = rule.connection.post_obj
        if attr in ("scaled_encoders", "delta"):
            if P is not None:
                raise NotImplementedError(f"{probe}: a synapse on Voja's {attr!r} is not supported; probe it "
                                          "without a synapse and filter the data")
            self.out.probes[probe] = ProbePlan(probe, "encoders", self.out.ensemble_pop[ens], attr,
                                               rows=probe.slice)
            return None
        if attr == "post_filtered":
            F = rule.learning_rule_type.post_synapse
            F = None if F is None else discrete_filter(F, self.dt, f"{probe}")
            return Edge(str(probe), Source("chip", ens), selection(probe.slice, ens.n_neurons), [F, P],
                        ("probe", probe), steps=0 if P is None else 1)
        raise NotImplementedError(f"{probe}: probing {attr!r} of a Voja rule is not supported")

    def _conn_output_core(self, conn):
        built = self.model.params[conn]
        if is_decoded(conn):
            return np.asarray(built.weights, dtype=float)
        pre = conn.pre_obj
        sel = selection(conn.pre_slice, pre.size_out) if not is_host(pre) else np.eye(conn.size_mid)
        return transform_matrix(conn, built.weights, self.dt) @ sel

    def _host_probe(self, probe, obj, P, attr="output"):
        if P is None:
            self.out.probes[probe] = ProbePlan(probe, "host", host=obj, rows=probe.slice, variable=attr)
            return None
        size = obj.size_out if attr == "output" else obj.size_in
        if attr != "output":
            raise NotImplementedError(f"{probe}: probing the input of a Direct-mode ensemble with a synapse is "
                                      "not supported")
        return Edge(str(probe), Source("host", obj, None, None, size), selection(probe.slice, size), [P],
                    ("probe", probe))

    # -- passthrough nodes ---------------------------------------------------------------
    def fold(self, edges):
        """Replace every path through a passthrough node by one edge per (in, out) pair."""
        self.kept = set()
        for node in [n for n in self.network.all_nodes if n in self.passthrough]:   # in model order, not a set's
            ins = [e for e in edges if e.dest[0] == "node" and e.dest[1] is node]
            outs = [e for e in edges if e.source.kind == "node" and e.source.obj is node]
            if any(e.learning for e in ins + outs):
                self.kept.add(node)        # a learned matrix must stay as it is: the node is a relay PE
                continue
            edges = [e for e in edges if e not in ins and e not in outs]
            for o in outs:
                for i in ins:
                    edges.append(Edge(f"{i.label} -> {o.label}", i.source, o.matrix @ i.matrix,
                                      i.synapses + o.synapses, o.dest, conn=o.conn))
        # an ensemble's input, probed: copies of its incoming edges
        for e in [e for e in edges if e.source.kind == "node" and isinstance(e.source.obj, tuple)]:
            what, ens = e.source.obj
            edges.remove(e)
            kind = "encoders" if what == "input" else "rule"
            for i in [i for i in edges if i.dest[0] == kind and i.dest[1] is ens]:
                edges.append(Edge(f"{i.label} -> {e.label}", i.source, e.matrix @ i.matrix,
                                  i.synapses + e.synapses, e.dest))
        return edges

    # -- the application graph ------------------------------------------------------------
    def playback(self, source: Source) -> int:
        if source.key not in self.out.playback_pop:
            pop = self.out.network.add_population(Population(f"{_label(source.obj)} (host values)",
                                                             "ValuePlayback", source.size))
            self.out.playback_pop[source.key] = pop
            self.out.playback_source[pop] = source
        return self.out.playback_pop[source.key]

    def kept_relay(self, node) -> int:
        if node not in self.kept_relays:
            self.kept_relays[node] = self.relay(_label(node), node.size_in)
        return self.kept_relays[node]

    def relay(self, label, size) -> int:
        return self.out.network.add_population(Population(label, "ValueRelay", size))

    def value_projections(self, edges):
        net, out = self.out.network, self.out
        learned = [e for e in edges if e.learning is not None]
        ordered = learned + [e for e in edges if e.learning is None and e.dest[0] != "rule"] + \
            [e for e in edges if e.dest[0] == "rule"]
        for e in ordered:
            dest_kind, dest = e.dest
            if e.source.kind == "host" and dest_kind == "node" and all(s is None for s in e.synapses):
                out.host_links.append(e)
                continue
            if e.source.kind == "chip":
                pre = out.ensemble_pop[e.source.obj]
            elif e.source.kind == "node":
                pre = self.kept_relay(e.source.obj)
            else:
                pre = self.playback(e.source)
            # a host reads its relay in the middle of the step that settled it (``Emulator.run(between)``):
            # values from the machine wait nengo's synapse step inside the filter
            # every reader sees a synapse's value a step later (``synapses.py``); the machine supplies
            # that step where the value drives neurons; relays for probes, relays the host reads within
            # the step, and host values sent a step ahead (open loop) carry it in their filter
            in_step = dest_kind == "probe" or (dest_kind == "node" and e.source.kind == "chip")
            steps = sum(s is not None for s in e.synapses) - (0 if in_step else 1) + \
                int(e.source.kind == "host" and self.lead)
            filt = chain(e.synapses, steps if e.steps is None else e.steps)
            learning = None
            if dest_kind == "encoders":
                post, target = out.ensemble_pop[dest], "encoders"
            elif dest_kind == "neurons":
                post, target = out.ensemble_pop[dest], "neurons"
            elif dest_kind == "node" and dest in self.kept:
                post, target = self.kept_relay(dest), "encoders"
            elif dest_kind == "node":
                if dest not in out.host_relay:
                    out.host_relay[dest] = self.relay(f"{_label(dest)} (host input)", dest.size_in)
                post, target = out.host_relay[dest], "encoders"
            elif dest_kind == "probe":
                probe = dest
                if probe not in out.probes:
                    size = e.matrix.shape[0]
                    out.probes[probe] = ProbePlan(probe, "relay", self.relay(f"{probe}", size))
                post, target = out.probes[probe].pop, "encoders"
            elif dest_kind == "rule" and isinstance(dest.learning_rule_type, nengo.Voja):
                post = out.ensemble_pop[dest.connection.post_obj]
                net.add_value_projection(ValueProjection(e.label, pre, post, e.matrix, filt, "learning",
                                                         signal="modulation"))
                continue
            elif dest_kind == "rule":
                j, matrix = self.error_projection(dest, e.matrix)
                net.add_value_projection(ValueProjection(e.label, pre, net.value_projections[j].pre, matrix,
                                                         filt, "learning", rule=j))
                continue
            else:
                raise AssertionError(dest_kind)
            if e.learning is not None:
                learning = self.learning(e)
            j = net.add_value_projection(ValueProjection(e.label, pre, post, e.matrix, filt, target,
                                                         learning=learning))
            if e.conn is not None and e.learning is not None:
                out.conn_projection[e.conn] = j
                self.post_signals(e, j)

    def learning(self, e) -> MatrixLearning:
        rule = e.learning
        if isinstance(rule, dict):
            rule = list(rule.values())
        if isinstance(rule, (list, tuple)):
            if len(rule) != 1:
                raise NotImplementedError(f"{e.conn}: several learning rules on one connection are not supported "
                                          "on the PEs; use one rule per connection")
            rule = rule[0]
        if isinstance(rule, nengo.PES):
            if e.source.kind != "chip":
                raise NotImplementedError(f"{e.conn}: PES needs an ensemble or its neurons as pre")
            n = e.source.obj.n_neurons
            pre_filter = discrete_filter(rule.pre_synapse, self.dt, f"{e.conn}")
            return MatrixLearning("PES", -rule.learning_rate * self.dt / n, pre_filter)
        if isinstance(rule, (nengo.BCM, nengo.Oja)) and e.source.kind == "chip" and e.dest[0] == "neurons":
            pre_filter = discrete_filter(rule.pre_synapse, self.dt, f"{e.conn}")
            post = e.conn.post_obj
            scale = (np.asarray(self.model.params[post.ensemble].gain, dtype=float) if isinstance(post, Neurons)
                     else None)
            kind = "BCM" if isinstance(rule, nengo.BCM) else "Oja"
            return MatrixLearning(kind, rule.learning_rate * self.dt, pre_filter,
                                  beta=getattr(rule, "beta", 0.0), row_scale=scale)
        raise NotImplementedError(f"{e.conn}: learning rule {type(rule).__name__} is not supported on the PEs "
                                  "here; PES on decoded or neuron connections, BCM and Oja on neuron-to-neuron "
                                  "weights, Voja on connections into ensembles are")

    def post_signals(self, e, j):
        """BCM and Oja read the post neurons' filtered output (and BCM its slower average theta): the
        post population sends it back to the pre PEs as learning inputs."""
        rule = e.learning
        if isinstance(rule, dict):
            rule = list(rule.values())[0]
        if isinstance(rule, (list, tuple)):
            rule = rule[0]
        if not isinstance(rule, (nengo.BCM, nengo.Oja)):
            return
        net = self.out.network
        ens = e.dest[1]
        post, pre = self.out.ensemble_pop[ens], net.value_projections[j].pre
        f_post = None if rule.post_synapse is None else discrete_filter(rule.post_synapse, self.dt, f"{e.conn}")
        eye = np.eye(ens.n_neurons)
        net.add_value_projection(ValueProjection(f"{e.label} (post)", post, pre, eye, chain([f_post], 0),
                                                 "learning", rule=j, signal="post"))
        if isinstance(rule, nengo.BCM):
            f_theta = None if rule.theta_synapse is None else discrete_filter(rule.theta_synapse, self.dt, f"{e.conn}")
            filters = [f_post, f_theta]
            net.add_value_projection(ValueProjection(f"{e.label} (theta)", post, pre, eye,
                                                     chain(filters, sum(f is not None for f in filters) - 1),
                                                     "learning", rule=j, signal="theta"))

    def error_projection(self, rule, matrix):
        """The learned projection a learning rule's error goes to, and the error's matrix in that
        projection's rows (the post's space, or the post neurons' through their encoders)."""
        conn = rule.connection
        if conn not in self.out.conn_projection:
            raise NotImplementedError(f"{rule}: its connection's matrix does not live on the PEs")
        j = self.out.conn_projection[conn]
        post = conn.post_obj
        if isinstance(post, Neurons) or (isinstance(post, nengo.Ensemble) and conn.solver.weights):
            ens = post.ensemble if isinstance(post, Neurons) else post
            enc = np.asarray(self.model.params[ens].scaled_encoders, dtype=float)
            if isinstance(post, Neurons):
                local = scatter(enc[conn.post_slice], conn.post_slice, ens.n_neurons)
                local = local * np.asarray(self.model.params[ens].gain, dtype=float)[:, None]
            else:
                local = enc[:, conn.post_slice] if conn.post_slice != slice(None) else enc
            return j, local @ matrix
        return j, scatter(matrix, conn.post_slice, post.size_in)

    def build(self) -> Translation:
        self.ensembles()
        edges = self.fold(self.connection_edges() + self.probe_edges()) + self.noise_edges()
        self.out.edges = edges
        # the host reads the machine (closed loop) when a value reaches a host object through it
        self.lead = not any(e.dest[0] == "node" and e.dest[1] not in self.kept
                            and not (e.source.kind == "host" and all(s is None for s in e.synapses))
                            for e in edges)
        self.value_projections(edges)
        self.out.host_objects = self.host
        for probe, plan in self.out.probes.items():
            if plan.kind == "weights":
                conn = probe.obj
                if conn not in self.out.conn_projection:
                    built = self.model.params[conn]
                    plan.kind, plan.array = "static", np.asarray(built.weights)
                else:
                    plan.projection = self.out.conn_projection[conn]
                    plan.unmap = self._unmap(conn)
        for probe in self.network.all_probes:
            if probe not in self.out.probes:      # nothing reaches it: it records zeros
                self.out.probes[probe] = ProbePlan(probe, "static", array=np.zeros(probe.size_in))
        for probe, plan in self.out.probes.items():
            if plan.kind == "relay":
                self.out.network.populations[plan.pop].record["output"] = 1
        return self.out

    def _unmap(self, conn):
        """Learned projection matrix -> nengo's ``weights`` of ``conn``."""
        post = conn.post_obj
        if isinstance(post, Neurons):
            gain = np.asarray(self.model.params[post.ensemble].gain, dtype=float)
            return lambda m: (m / gain[:, None])[conn.post_slice]
        if isinstance(post, nengo.Ensemble) and conn.solver.weights:
            return lambda m: m
        return lambda m: m[conn.post_slice]


class NoiseSource:
    """An ensemble's ``noise`` process, evaluated on the host like a node without input."""

    def __init__(self, ens):
        self.ensemble, self.output = ens, ens.noise
        self.size_in, self.size_out, self.label = 0, ens.n_neurons, f"noise of {ens}"

    def __repr__(self):
        return f"<noise of {self.ensemble}>"



def translate(model, network, dt) -> Translation:
    return Builder(model, network, dt).build()
