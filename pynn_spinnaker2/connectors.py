"""Connectors: PyNN's own, expanded to synapse arrays in one vectorised pass where that gives
exactly what PyNN's generic path gives, plus the one PyNN leaves unimplemented (SmallWorld).

PyNN's generic path (``MapConnector._standard_connect``) visits the post-synaptic neurons one
by one from Python, drawing each column's random numbers in turn. The expansions here make the
same draws in the same order, in one call per random source: each column's connectivity draws
come from the connector's RNG, each parameter's from its own copy of its RNG (PyNN's
translation copies it, so parameters share no RNG with each other or the connector), and one
long draw equals the concatenation of the per-column draws (numpy's ``RandomState`` streams are
stable by policy, NEP 19). Draws PyNN makes one synapse or one column at a time with
redraws (``FixedTotalNumberConnector``, ``normal_clipped``) are replayed from the stream
(``draws.py``). Anything else (other redrawing distributions, non-numpy RNGs, per-neuron
permutations, subclasses of the connectors) takes PyNN's generic path, which
is correct, only slower; so a script gives the same network here as on pyNN.nest with the same
seeds. An expansion declines before drawing anything, so the generic path starts afresh.

``expand(connector, projection)`` returns ``(pre, post, parameters)`` in the generic path's
synapse order (post-major), or ``None`` to use the generic path.
"""
from copy import deepcopy

import numpy as np

from pyNN import connectors as pc, errors
from pyNN.parameters import LazyArray
from pyNN.random import NumpyRNG, RandomDistribution

from .draws import CLIPPED, column_sizes, normal_clipped_by_column, sort_by_target, source_target_pairs

MAX_DRAWS_PER_CHUNK = 1 << 23      # uniform draws held at once by FixedProbability (64 MB)

_EXPANSIONS = {}


def expansion(connector_class):
    """Register the vectorised expansion of exactly ``connector_class`` (not its subclasses,
    whose ``connect`` may differ)."""
    def register(function):
        _EXPANSIONS[connector_class] = function
        return function
    return register


def expand(connector, projection):
    function = _EXPANSIONS.get(type(connector))
    if function is None or connector.location_selector is not None:
        return None
    return function(connector, projection)


# -- parameters -------------------------------------------------------------------------------
MAX_VALUES_PER_BLOCK = 1 << 22     # matrix entries evaluated at once for array/function parameters


def _vectorisable_rng(rng):
    return isinstance(rng, NumpyRNG)


def _vectorisable(parameter_space):
    """True if each random parameter can be drawn in one pass for all synapses: a numpy RNG, a
    distribution whose per-column draws one pass can reproduce (all of numpy's, and the
    clipped normals, ``clipped.py``), and no lazily evaluated operands. (PyNN's translation
    gives each parameter its own copy of its RNG, so parameters never share one, nor with the
    connector.)"""
    for _, value in parameter_space.items():
        base = value.base_value
        if isinstance(base, RandomDistribution):
            if not _vectorisable_rng(base.rng) or ("clipped" in base.name and base.name not in CLIPPED):
                return False
            if any(isinstance(arg, LazyArray) for _, arg in value.operations):
                return False
    return True


def _evaluate(parameter_space, pre, post):
    """Each parameter at the synapses (pre[k], post[k]), which come post-major: constants stay
    scalars, random distributions draw ``len(pre)`` values in one call (the concatenation of
    PyNN's per-column draws), arrays and functions of distance are evaluated a block of columns
    at a time."""
    out, sizes = {}, None
    for name, value in parameter_space.items():
        if value.is_homogeneous:
            out[name] = value.evaluate(simplify=True)
        elif pre.size == 0:
            out[name] = np.zeros(0)
        elif isinstance(value.base_value, RandomDistribution) and value.base_value.name == "normal_clipped":
            sizes = column_sizes(post) if sizes is None else sizes          # once for all parameters
            drawn = normal_clipped_by_column(value.base_value, sizes)
            out[name] = np.asarray(value._apply_operations(drawn, (pre, post)), dtype=float).reshape(pre.size)
        elif isinstance(value.base_value, RandomDistribution):
            out[name] = np.asarray(value._partially_evaluate((pre, post)), dtype=float).reshape(pre.size)
        else:
            out[name] = _by_column_blocks(value, pre, post)
    return out


def _by_column_blocks(value, pre, post):
    n_pre, n_post = value.shape
    width = max(1, MAX_VALUES_PER_BLOCK // max(n_pre, 1))
    out = np.empty(pre.size)
    for first in range(0, n_post, width):
        last = min(first + width, n_post)
        lo, hi = np.searchsorted(post, [first, last])
        if hi > lo:
            block = np.asarray(value._partially_evaluate((slice(None), slice(first, last))), dtype=float)
            block = np.broadcast_to(block.reshape(n_pre, last - first) if block.size > 1 else block,
                                    (n_pre, last - first))      # a function may return one number
            out[lo:hi] = block[pre[lo:hi], post[lo:hi] - first]
    return out


def _parameters(connector, projection, connector_rngs=()):
    """The synapse parameters as PyNN's generic path sees them, or None if their draws cannot
    be made in one pass. Asked before any draw, so that the generic path, if it takes over,
    starts from untouched RNGs."""
    if not all(_vectorisable_rng(r) for r in connector_rngs):
        return None
    parameter_space = connector._parameters_from_synapse_type(projection)
    return parameter_space if _vectorisable(parameter_space) else None


def _parameters_after_draws(connector, projection):
    """The parameters as PyNN takes them when its connector has drawn every connection before
    ``_standard_connect`` (FixedNumberPost, FixedTotalNumber): the parameters' copies of an RNG
    they share with the connector start where the connector's draws left it."""
    return connector._parameters_from_synapse_type(projection)


def _synapses(connector, parameter_space, pre, post):
    if connector.callback:
        connector.callback(1.0)
    return pre, post, _evaluate(parameter_space, pre, post)


def _self_connection_mask(projection, pre, post):
    """False where pre and post are the same cell (PyNN compares cell IDs)."""
    return projection.pre.all_cells[pre] != projection.post.all_cells[post]


# -- map connectors -----------------------------------------------------------------------------
@expansion(pc.AllToAllConnector)
def all_to_all(connector, projection):
    parameters = _parameters(connector, projection)
    if parameters is None:
        return None
    n_pre, n_post = projection.pre.size, projection.post.size
    post, pre = np.divmod(np.arange(n_pre * n_post, dtype=np.int64), n_pre)
    if not connector.allow_self_connections:
        keep = _self_connection_mask(projection, pre, post)
        pre, post = pre[keep], post[keep]
    return _synapses(connector, parameters, pre, post)


@expansion(pc.OneToOneConnector)
def one_to_one(connector, projection):
    parameters = _parameters(connector, projection)
    if parameters is None:
        return None
    index = np.arange(min(projection.pre.size, projection.post.size), dtype=np.int64)
    return _synapses(connector, parameters, index, index)


@expansion(pc.FixedProbabilityConnector)
def fixed_probability(connector, projection):
    """Bernoulli trials column by column (n_pre uniform draws per post neuron), drawn in
    chunks of whole columns."""
    if connector.allow_self_connections == "NoMutual" or not _vectorisable_rng(connector.rng):
        return None
    parameters = _parameters(connector, projection, [connector.rng])
    if parameters is None:
        return None
    n_pre, n_post = projection.pre.size, projection.post.size
    per_chunk = max(1, MAX_DRAWS_PER_CHUNK // max(n_pre, 1))
    pre, post = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for first in range(0, n_post, per_chunk):
        n_cols = min(per_chunk, n_post - first)
        draws = connector.rng.next(n_pre * n_cols, "uniform", {"low": 0.0, "high": 1.0})
        col, row = np.divmod(np.flatnonzero(np.asarray(draws) < connector.p_connect), n_pre)
        pre.append(row)
        post.append(col + first)
    pre, post = np.concatenate(pre).astype(np.int64), np.concatenate(post).astype(np.int64)
    if not connector.allow_self_connections:
        keep = _self_connection_mask(projection, pre, post)
        pre, post = pre[keep], post[keep]
    return _synapses(connector, parameters, pre, post)


def _with_replacement_ok(connector, projection):
    return (connector.with_replacement and _vectorisable_rng(connector.rng)
            and (connector.allow_self_connections is True or projection.pre != projection.post))


@expansion(pc.FixedNumberPreConnector)
def fixed_number_pre(connector, projection):
    """With replacement: each post neuron draws its n sources, uniform over the pre cells
    (PyNN draws all the counts first when n is random)."""
    if not _with_replacement_ok(connector, projection):
        return None
    random_n = not isinstance(connector.n, int)
    rngs = [connector.rng] + ([connector.n.rng] if random_n and connector.n.rng is not connector.rng else [])
    if random_n and not _vectorisable_rng(connector.n.rng):
        return None
    parameters = _parameters(connector, projection, rngs)
    if parameters is None:
        return None
    n_pre, n_post = projection.pre.size, projection.post.size
    counts = np.asarray(connector.n.next(n_post)).astype(np.int64) if random_n else None
    total = int(counts.sum()) if random_n else n_post * connector.n
    pre = np.asarray(connector.rng.next(total, "uniform_int", {"low": 0, "high": n_pre}, mask=None)).reshape(total)
    post = (np.repeat(np.arange(n_post, dtype=np.int32), counts) if random_n else
            np.broadcast_to(np.arange(n_post, dtype=np.int32)[:, None], (n_post, connector.n)).reshape(total))
    return _synapses(connector, parameters, pre, post)


@expansion(pc.FixedTotalNumberConnector)
def fixed_total_number(connector, projection):
    """PyNN draws the synapse count (in one process, a binomial with p = 1, so n), then a
    source and a target for each synapse in turn; a target's sources connect in draw order,
    targets in increasing order (a stable sort). PyNN's connect makes multapses and autapses
    whatever ``with_replacement`` and ``allow_self_connections`` say, so only the settings
    that ask for exactly that are expanded; the others keep PyNN's own behaviour."""
    if not (isinstance(connector.n, (int, np.integer)) and connector.with_replacement is True
            and connector.allow_self_connections is True and _vectorisable_rng(connector.rng)):
        return None
    if _parameters(connector, projection, [connector.rng]) is None:
        return None
    count = RandomDistribution("binomial", [int(connector.n), 1.0], rng=connector.rng).next()
    pre, post = source_target_pairs(connector.rng.rng, int(count), projection.pre.size, projection.post.size)
    pre, post = sort_by_target(pre, post, projection.post.size)
    return _synapses(connector, _parameters_after_draws(connector, projection), pre, post)


@expansion(pc.FixedNumberPostConnector)
def fixed_number_post(connector, projection):
    """With replacement, n fixed: each pre neuron draws its n targets; PyNN then connects
    column by column, sources in increasing order (a stable sort by target)."""
    if not (_with_replacement_ok(connector, projection) and isinstance(connector.n, int)):
        return None
    if _parameters(connector, projection, [connector.rng]) is None:
        return None
    n_pre, n_post, n = projection.pre.size, projection.post.size, connector.n
    targets = np.asarray(connector.rng.next(n_pre * n, "uniform_int", {"low": 0, "high": n_post},
                                            mask=None), dtype=np.int64).reshape(n_pre * n)
    sources, targets = sort_by_target(np.repeat(np.arange(n_pre, dtype=np.int64), n), targets, n_post)
    return _synapses(connector, _parameters_after_draws(connector, projection), sources, targets)


@expansion(pc.ArrayConnector)
def array(connector, projection):
    """A boolean matrix (PyNN reads other dtypes as index lists, column by column)."""
    mask = np.asarray(LazyArray(connector.array, projection.shape).evaluate())
    parameters = _parameters(connector, projection)
    if mask.dtype != bool or parameters is None:
        return None
    post, pre = np.nonzero(mask.T)
    return _synapses(connector, parameters, pre.astype(np.int64), post.astype(np.int64))


@expansion(pc.CloneConnector)
def clone(connector, projection):
    reference = connector.reference_projection
    parameters = _parameters(connector, projection)
    if projection.pre != reference.pre or projection.post != reference.post or parameters is None:
        return None          # PyNN's generic path raises its own error for other populations
    weights = reference.get(["weight"], "array", gather="all")[0]
    post, pre = np.nonzero(~np.isnan(weights).T)
    return _synapses(connector, parameters, pre.astype(np.int64), post.astype(np.int64))


# -- lists ------------------------------------------------------------------------------------
@expansion(pc.FromListConnector)
def from_list(connector, projection):
    """One pass over the list, in PyNN's order (its argsort by target). Parameters not given
    as columns must be constants: PyNN re-draws random ones per target from a copy of the RNG."""
    names = projection.synapse_type.get_parameter_names()
    for name in connector.column_names:
        if name not in names:
            raise ValueError(f"{name} is not a valid parameter for "
                             f"{projection.synapse_type.__class__.__name__}")
    conn_list = np.asarray(connector.conn_list, dtype=float)
    if conn_list.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), {}
    defaults = projection.synapse_type.parameter_space
    if any(not defaults[name].is_homogeneous for name in defaults.keys()
           if name not in connector.column_names):
        return None
    if np.any(conn_list[:, 0] >= projection.pre.size):
        raise errors.ConnectionError("source index out of range")
    if np.any(conn_list[:, 1] >= projection.post.size) or np.any(conn_list[:, :2] < 0):
        raise errors.ConnectionError(f"projection {projection.label!r}: connection list index out of "
                                     f"range ({projection.pre.size} pre and {projection.post.size} "
                                     "post neurons)")
    conn_list = conn_list[np.argsort(conn_list[:, 1])]
    parameters = deepcopy(projection.synapse_type.parameter_space)
    parameters.shape = (conn_list.shape[0],)
    parameters.update(**{name: conn_list[:, col] for col, name in enumerate(connector.column_names, 2)})
    parameters = projection.synapse_type.translate(parameters)
    parameters.evaluate()
    pre, post = conn_list[:, 0].astype(np.int64), conn_list[:, 1].astype(np.int64)
    return pre, post, {name: value for name, value in parameters.items()}


@expansion(pc.FromFileConnector)
def from_file(connector, projection):
    """The file read as PyNN reads it, then the list as above."""
    if connector.distributed:
        connector.file.rename("%s.%d" % (connector.file.name, projection._simulator.state.mpi_rank))
        connector.distributed = False      # renamed once, as PyNN's connect does
    names = list(connector.file.get_metadata().get("columns", ("weight", "delay")))
    connector.column_names = [name for name in names if name not in ("i", "j")]
    connector.conn_list = connector.file.read()
    return from_list(connector, projection)


# -- connection-set algebra -----------------------------------------------------------------------
@expansion(pc.CSAConnector)
def connection_set(connector, projection):
    """The finite part of the connection set, enumerated once. A mask (arity 0) connects each
    pair once, post-major as PyNN's map connectors do; a value set (arity 2) brings its own
    weight and delay per connection, in the set's order. (PyNN's generic path hands the
    backend cell IDs instead of indices for value sets.)"""
    import csa

    n_pre, n_post = projection.pre.size, projection.post.size
    finite = csa.cross((0, n_pre - 1), (0, n_post - 1)) * connector.cset
    if csa.arity(connector.cset) == 2:
        rows = np.array([tuple(c) for c in finite], dtype=float).reshape(-1, 4)
        if connector.callback:
            connector.callback(1.0)
        return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64), {"weight": rows[:, 2],
                                                                           "delay": rows[:, 3]}
    parameters = _parameters(connector, projection)
    if parameters is None:
        return None
    pairs = np.array([tuple(c) for c in finite], dtype=np.int64).reshape(-1, 2)
    post, pre = np.divmod(np.unique(pairs[:, 1] * n_pre + pairs[:, 0]), n_pre)
    return _synapses(connector, parameters, pre, post)


# -- small world ------------------------------------------------------------------------------
@expansion(pc.SmallWorldConnector)
def small_world(connector, projection):
    """Watts-Strogatz small-world connectivity, as PyNN documents SmallWorldConnector: every
    pair closer than ``degree`` (in the projection's Space) is connected (or, with
    ``n_connections``, that many of them per pre-synaptic neuron, chosen at random), then each
    connection's target is rewired with probability ``rewiring`` to a post neuron drawn
    uniformly (not the source itself unless self-connections are allowed). PyNN's own
    ``connect`` raises NotImplementedError; sPyNNaker does the same without ``n_connections``."""
    rng = connector.rng
    distances = connector._generate_distance_map(projection).evaluate()
    local = distances < float(connector.d_expression.split("<")[1])
    n_pre, n_post = projection.pre.size, projection.post.size
    pre_ids, post_ids = projection.pre.all_cells, projection.post.all_cells
    if not connector.allow_self_connections:
        local &= pre_ids[:, None] != post_ids[None, :]
    if connector.n_connections is None:
        pre, post = np.nonzero(local)
    else:
        n = int(connector.n_connections)
        available = local.sum(axis=1)
        if np.any(available < n):
            i = int(np.argmax(available < n))
            raise ValueError(f"projection {projection.label!r}: SmallWorldConnector(n_connections={n}) "
                             f"but pre-synaptic neuron {i} has only {available[i]} post-synaptic "
                             f"neurons closer than degree; increase degree or reduce n_connections")
        keys = np.where(local, rng.next(n_pre * n_post).reshape(n_pre, n_post), np.inf)
        post = np.argsort(keys, axis=1, kind="stable")[:, :n].ravel()
        pre = np.repeat(np.arange(n_pre), n)
    pre, post = pre.astype(np.int64), post.astype(np.int64)
    rewired = np.flatnonzero(np.asarray(rng.next(pre.size)) < connector.rewiring)

    def draw(n):
        return np.asarray(rng.next(n, "uniform_int", {"low": 0, "high": n_post}, mask=None),
                          dtype=np.int64).reshape(n)

    if rewired.size:
        if not connector.allow_self_connections and n_post == 1 and np.any(
                post_ids[0] == pre_ids[pre[rewired]]):
            raise ValueError(f"projection {projection.label!r}: no post-synaptic neuron to rewire to")
        new = draw(rewired.size)
        if not connector.allow_self_connections:
            own = post_ids[new] == pre_ids[pre[rewired]]
            while own.any():                          # redraw self-connections
                new[own] = draw(int(own.sum()))
                own = post_ids[new] == pre_ids[pre[rewired]]
        post[rewired] = new
    order = np.lexsort((pre, post))
    parameters = connector._parameters_from_synapse_type(projection)
    if not _vectorisable(parameters):
        raise NotImplementedError(
            f"projection {projection.label!r}: SmallWorldConnector with clipped or non-numpy random "
            "synapse parameters; use a NumpyRNG and an unclipped distribution")
    return _synapses(connector, parameters, pre[order], post[order])

