"""QUBO on SpiNNaker2: minimise E(x) = xᵀQx + offset over binary x with a recurrent spiking
network, as the SpiNNaker2 tutorial (NICE 2025, "QUBO: SpiNNaker2 pipeline") maps it: variables
-> neurons, linear terms -> biases, quadratic terms -> synaptic weights, decaying random
excitation, and each time step's spikes one candidate solution.

``solve(Q)`` takes a numpy array, a scipy sparse matrix, a ``dimod.BinaryQuadraticModel`` or a
:class:`Qubo`, builds the network through the PyNN API, runs it and returns a ``dimod.SampleSet``
whose energies are computed exactly on the host from the returned states. The network is made
by a *model* object (``model.sample(sim, qubo, seed)``): :class:`AnnealingNeurons` (the default
here) uses ``extra_models.QUBONeuron``, binary neurons annealing on the PEs that keep the energy
and the best state on the machine; :class:`StandardNeurons` uses standard PyNN cells only, so it
runs on any PyNN backend. Builders for Max-Cut, number partitioning, maximum independent set
and graph colouring return :class:`Qubo` objects.

Conventions: Q need not be symmetric. The energy is xᵀQx, so Q_ij and Q_ji act together: the
coupling of i < j is J_ij = Q_ij + Q_ji, which is how an upper- or lower-triangular Q is read.
A general non-symmetric Q is accepted with a warning saying so (its energy is unchanged).
"""
from __future__ import annotations

import heapq
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numba import njit

from core.hardware import MAX_NEURONS_PER_PE

# -- the problem ----------------------------------------------------------------------------------
@dataclass
class Qubo:
    """E(x) = offset + Σ_i linear_i x_i + Σ_{i<j} J_ij x_i x_j over x ∈ {0,1}^n, couplings as
    (row < col, value) arrays. ``variables`` are the labels (dimod's, or 0..n-1)."""

    linear: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    couplings: np.ndarray
    offset: float = 0.0
    variables: list = field(default_factory=list)

    def __post_init__(self):
        self.linear = np.asarray(self.linear, dtype=float)
        n = self.linear.size
        self.rows, self.cols = np.asarray(self.rows, np.int64), np.asarray(self.cols, np.int64)
        self.couplings = np.asarray(self.couplings, dtype=float)
        self.variables = list(self.variables) if len(self.variables) else list(range(n))
        if len(self.variables) != n:
            raise ValueError(f"Qubo: {len(self.variables)} variable labels for {n} variables")
        if self.rows.size and (self.rows.min() < 0 or self.cols.max() >= n or np.any(self.rows >= self.cols)):
            raise ValueError("Qubo: couplings must be given once per pair, as row < col < n")

    @property
    def n(self) -> int:
        return self.linear.size

    def upper(self) -> sp.csr_matrix:
        """J as a sparse strictly upper-triangular matrix (duplicate pairs summed)."""
        return sp.csr_matrix((self.couplings, (self.rows, self.cols)), shape=(self.n, self.n))

    def matrix(self) -> np.ndarray:
        """The symmetric Q with the same energy: Q_ii = linear_i, Q_ij = Q_ji = J_ij / 2."""
        u = self.upper().toarray()
        return np.diag(self.linear) + (u + u.T) / 2

    def energies(self, states) -> np.ndarray:
        """Exact float64 energies of a (k, n) array of 0/1 states (or one state)."""
        x = np.atleast_2d(np.asarray(states, dtype=float))
        if x.shape[1] != self.n:
            raise ValueError(f"states have {x.shape[1]} variables, the QUBO has {self.n}")
        return self.offset + x @ self.linear + np.einsum("ij,ij->i", np.asarray(self.upper() @ x.T).T, x)

    def field_scale(self) -> float:
        """Mean over variables of Σ_j |J_ij|: how far the neighbours can move a variable's
        energy change. Sets the annealing temperatures and the hysteresis."""
        if not self.rows.size:
            return float(np.abs(self.linear).mean() or 1.0)
        row_sum = np.bincount(self.rows, np.abs(self.couplings), self.n) + \
            np.bincount(self.cols, np.abs(self.couplings), self.n)
        return float(row_sum.mean())


def as_qubo(Q) -> Qubo:
    """A :class:`Qubo` from a numpy array, a scipy sparse matrix, a dimod BinaryQuadraticModel
    (SPIN models are converted to BINARY) or a Qubo; bad input raises, naming what is wrong."""
    if isinstance(Q, Qubo):
        return Q
    if type(Q).__name__ == "BinaryQuadraticModel" or hasattr(Q, "to_numpy_vectors"):
        return _from_bqm(Q)
    if sp.issparse(Q):
        matrix = sp.coo_matrix(Q)
        values = matrix.data.astype(float)
        i, j = matrix.row.astype(np.int64), matrix.col.astype(np.int64)
        shape = matrix.shape
    else:
        dense = np.asarray(Q)
        if dense.dtype == object or not np.issubdtype(dense.dtype, np.number):
            raise TypeError(f"solve(): Q must be a numeric matrix, a scipy sparse matrix or a dimod "
                            f"BinaryQuadraticModel, not {type(Q).__name__} of {dense.dtype}")
        if dense.ndim != 2:
            raise ValueError(f"solve(): Q must be a square matrix, got an array of shape {dense.shape}")
        shape = dense.shape
        i, j = np.nonzero(dense)
        values = dense[i, j].astype(float)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"solve(): Q must be square (n x n for n variables), got shape {shape}")
    if shape[0] == 0:
        raise ValueError("solve(): Q has no variables")
    _check_finite(values, lambda k: f"Q[{i[k]}, {j[k]}]")
    diagonal = i == j
    linear = np.bincount(i[diagonal], values[diagonal], shape[0])
    off = ~diagonal
    lo, hi = np.minimum(i[off], j[off]), np.maximum(i[off], j[off])
    coupling = sp.coo_matrix((values[off], (lo, hi)), shape=shape).tocsr()
    coupling.sum_duplicates()
    coupling.eliminate_zeros()
    c = coupling.tocoo()
    if off.any() and (i[off] < j[off]).any() and (i[off] > j[off]).any():
        upper = sp.coo_matrix((values[off], (i[off], j[off])), shape=shape).tocsr()
        if (abs(upper - upper.T) > 1e-12 * abs(upper).max()).nnz:
            warnings.warn("solve(): Q is not symmetric; it is read as the symmetric (Q + Qᵀ)/2, "
                          "which has the same energy xᵀQx (the coupling of i < j is Q_ij + Q_ji)",
                          stacklevel=3)
    return Qubo(linear, c.row, c.col, c.data)


def _from_bqm(bqm) -> Qubo:
    if str(bqm.vartype).endswith("SPIN"):
        bqm = bqm.binary
    variables = list(bqm.variables)
    if not variables:
        raise ValueError("solve(): the BinaryQuadraticModel has no variables")
    linear, (row, col, values), offset = bqm.to_numpy_vectors(variable_order=variables)
    _check_finite(np.asarray(linear, float), lambda k: f"linear bias of {variables[k]!r}")
    _check_finite(np.asarray(values, float), lambda k: f"quadratic bias of ({variables[row[k]]!r}, {variables[col[k]]!r})")
    if not np.isfinite(offset):
        raise ValueError(f"solve(): the BinaryQuadraticModel's offset is {offset}")
    lo, hi = np.minimum(row, col), np.maximum(row, col)
    return Qubo(linear, lo, hi, values, float(offset), variables)


def _check_finite(values, where):
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(f"solve(): {where(bad[0])} is {values[bad[0]]}; QUBO coefficients must be finite "
                         f"({bad.size} entries are NaN or infinite)")


# -- problems as QUBOs --------------------------------------------------------------------------------
def _edges(edges, weights=None, n=None):
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if e.size and e.min() < 0:
        raise ValueError("edges must join nodes numbered from 0")
    if np.any(e[:, 0] == e[:, 1]):
        raise ValueError(f"self-loop at node {e[e[:, 0] == e[:, 1]][0, 0]}: a graph edge must join two nodes")
    n = int(e.max()) + 1 if n is None and e.size else int(n or 0)
    w = np.ones(len(e)) if weights is None else np.broadcast_to(np.asarray(weights, float), (len(e),))
    return e, w, n


def maxcut(edges, weights=None, n=None) -> Qubo:
    """Max-Cut: E(x) = -cut(x) = -Σ_edges w_uv (x_u + x_v - 2 x_u x_v) (Glover et al. 2019, §3)."""
    e, w, n = _edges(edges, weights, n)
    linear = -(np.bincount(e[:, 0], w, n) + np.bincount(e[:, 1], w, n))
    return Qubo(linear, e.min(1), e.max(1), 2 * w)


def cut_value(edges, x, weights=None) -> np.ndarray:
    """Cut of each state in ``x`` ((k, n) or (n,) 0/1): the weight of edges across the partition."""
    e, w, _ = _edges(edges, weights)
    x = np.atleast_2d(np.asarray(x, dtype=bool))
    return (x[:, e[:, 0]] != x[:, e[:, 1]]) @ w


def number_partitioning(numbers) -> Qubo:
    """Split ``numbers`` into two sets of equal sum: E(x) = (Σ_i a_i (2x_i - 1))², the squared
    difference of the two sums (Glover et al. 2019, §3)."""
    a = np.asarray(numbers, dtype=float).ravel()
    s = a.sum()
    i, j = np.triu_indices(a.size, 1)
    return Qubo(4 * a * a - 4 * s * a, i, j, 8 * a[i] * a[j], s * s)


def max_independent_set(edges, n=None, penalty=2.0) -> Qubo:
    """Largest set of nodes with no edge inside: E(x) = -Σ x_v + penalty Σ_edges x_u x_v;
    with penalty > 1 every minimum is an independent set and E = -|set|."""
    if penalty <= 1:
        raise ValueError(f"max_independent_set: penalty must be > 1 for the minimum to be independent, not {penalty}")
    e, _, n = _edges(edges, None, n)
    return Qubo(-np.ones(n), e.min(1), e.max(1), np.full(len(e), float(penalty)))


def graph_colouring(edges, n_colours, n=None, penalty=1.0) -> Qubo:
    """Colour the nodes with ``n_colours`` so no edge joins equal colours. Variable (v, c) is 1
    when node v has colour c: E = penalty Σ_v (1 - Σ_c x_vc)² + Σ_edges Σ_c x_uc x_vc, zero
    exactly for a proper colouring (Glover et al. 2019, §4)."""
    e, _, n = _edges(edges, None, n)
    k = int(n_colours)
    if k < 1:
        raise ValueError(f"graph_colouring: need at least one colour, not {n_colours}")
    var = np.arange(n * k).reshape(n, k)
    a, b = np.triu_indices(k, 1)
    one_hot = (var[:, a].ravel(), var[:, b].ravel(), np.full(n * a.size, 2.0 * penalty))
    conflict = (var[e[:, 0]].ravel(), var[e[:, 1]].ravel(), np.ones(len(e) * k))
    rows, cols, values = (np.concatenate(p) for p in zip(one_hot, conflict))
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    return Qubo(np.full(n * k, -float(penalty)), lo, hi, values, float(penalty) * n,
                [(v, c) for v in range(n) for c in range(k)])


# -- the spiking network ------------------------------------------------------------------------------
def _propagators(dt, tau_m, tau_syn, cm):
    """Exact-integration propagators of IF_curr_exp over one step (NEST's iaf_psc_exp): synaptic
    current decay P11, V per unit current P21, V per unit bias current P20."""
    p22 = np.exp(-dt / tau_m)
    a = 1.0 / tau_syn - 1.0 / tau_m
    p21 = p22 * -np.expm1(-a * dt) / a / cm
    return np.exp(-dt / tau_syn), p21, tau_m / cm * (1 - p22)


@dataclass
class StandardNeurons:
    """Standard PyNN only: one IF_curr_exp neuron per variable, a Poisson source pair per neuron.

    A neuron stands for x_i = 1 in the step it spikes. Its membrane is nearly memoryless
    (tau_m = 0.1 ms at dt = 1 ms) and it has no refractory period, so it fires in every step in
    which its input is above threshold: V = 1 + γ·(h_i − S/2 + S·x_i + noise), with the local
    field h_i = −Q_ii − Σ_j J_ij x_j, the energy E drops when i turns on iff h_i > 0. So:
    the bias current carries −Q_ii, each coupling is a synapse of weight ∝ J_ij (inhibitory for
    a penalty J_ij > 0, excitatory for a reward), with exponential currents of tau_syn = 1 ms.
    With synapses of 1 step, the whole network updates in parallel, which on dense graphs locks
    into all-on/all-off oscillation; an autapse of strength S (hysteresis) holds a neuron's
    state until its field leaves (−S/2, S/2), breaking the lock-step. Noise: a balanced
    excitatory and inhibitory Poisson source per neuron of fixed weight (one kick = t_hot energy
    units); the temperature T (the kicks' standard deviation on V, in energy units) falls
    geometrically from t_hot to t_cold over ``stages`` runs by lowering the sources' rate
    between runs. Defaults, tuned on random 3-regular and G1-shaped Max-Cut (F = the mean
    Σ_j |J_ij|, 6 and 96 there): S = 0.43·max(0, F − 12) (sparse problems need none),
    t_hot = 0.25·(F − S), t_cold = 0.02·F.
    """

    steps: int = 1000
    stages: int = 20
    t_hot: float | None = None          # default 0.25 (F - S)
    t_cold: float | None = None         # default 0.02 F
    hysteresis: float | None = None     # default S = 0.43 max(0, F - 12)
    timestep: float = 1.0
    tau_m: float = 0.1
    tau_syn: float = 1.0

    def schedule(self, qubo: Qubo):
        """(temperatures per stage, hysteresis S) in energy units of ``qubo``."""
        f = qubo.field_scale()
        s = 0.43 * max(0.0, f - 12.0) if self.hysteresis is None else self.hysteresis
        t_hot = 0.25 * max(f - s, 0.0) if self.t_hot is None else self.t_hot
        t_cold = 0.02 * f if self.t_cold is None else self.t_cold
        if not (t_hot > 0 and t_cold > 0):
            raise ValueError(f"StandardNeurons: temperatures must be positive, got t_hot={t_hot}, t_cold={t_cold}")
        return np.geomspace(t_hot, t_cold, self.stages), s

    def build(self, sim, qubo: Qubo):
        """The network on ``sim`` (already set up): neuron population, noise sources, and the
        energy-to-volt scale γ."""
        temperatures, s = self.schedule(qubo)
        dt = self.timestep
        p11, p21, p20 = _propagators(dt, self.tau_m, self.tau_syn, 1.0)
        gamma = 1.0 / qubo.field_scale()
        unit = gamma * (1 - p11) / p21           # weight whose steady V is one energy unit
        cell = sim.IF_curr_exp(cm=1.0, tau_m=self.tau_m, tau_syn_E=self.tau_syn, tau_syn_I=self.tau_syn,
                               tau_refrac=0.0, v_rest=0.0, v_reset=0.0, v_thresh=1.0,
                               i_offset=(1.0 + gamma * (-qubo.linear - s / 2)) / p20)
        x = sim.Population(qubo.n, cell, label="qubo variables")
        both = np.concatenate([np.column_stack([qubo.rows, qubo.cols]), np.column_stack([qubo.cols, qubo.rows])])
        j = np.concatenate([qubo.couplings, qubo.couplings])
        for sign, receptor in ((1, "inhibitory"), (-1, "excitatory")):
            keep = sign * j > 0
            if keep.any():
                sim.Projection(x, x, sim.FromListConnector(np.column_stack(
                    [both[keep], -unit * j[keep], np.full(keep.sum(), dt)]), column_names=["weight", "delay"]),
                    receptor_type=receptor, label=f"{receptor} couplings")
        if s > 0:
            sim.Projection(x, x, sim.OneToOneConnector(), sim.StaticSynapse(weight=unit * s, delay=dt),
                           receptor_type="excitatory", label="hysteresis")
        kick = temperatures[0] * gamma / p21
        noise = {}
        for sign, receptor in ((1, "excitatory"), (-1, "inhibitory")):
            noise[receptor] = sim.Population(qubo.n, sim.SpikeSourcePoisson(rate=0.0), label=f"{receptor} noise")
            sim.Projection(noise[receptor], x, sim.OneToOneConnector(),
                           sim.StaticSynapse(weight=sign * kick, delay=dt), receptor_type=receptor,
                           label=f"{receptor} noise")
        # rate per stage so that the kicks' standard deviation on V is T energy units
        per_step = (temperatures / temperatures[0]) ** 2 * (1 - p11 ** 2) / 2
        rates = per_step * 1000.0 / dt
        return x, list(noise.values()), rates

    def sample(self, sim, qubo: Qubo, seed: int, setup_options=None):
        """Set up ``sim``, build, anneal; return the (steps, n) 0/1 states, one per time step,
        and run information (emulated steps, wall times, the mapping's weight quantisation)."""
        sim.setup(timestep=self.timestep, min_delay=self.timestep, rng_seed=seed, **(setup_options or {}))
        t0 = time.perf_counter()
        x, noise, rates = self.build(sim, qubo)
        x.record("spikes")
        t1 = time.perf_counter()
        per_stage = np.diff(np.round(np.linspace(0, self.steps, self.stages + 1))).astype(int)
        for rate, steps in zip(rates, per_stage):
            for source in noise:
                source.set(rate=float(rate))
            sim.run(steps * self.timestep)
        t2 = time.perf_counter()
        states = spikes_to_states(x, self.steps, self.timestep)
        info = {"time_steps": self.steps, "timestep_ms": self.timestep, "build_s": t1 - t0,
                "run_s": t2 - t1, "readback_s": time.perf_counter() - t2}
        if hasattr(sim, "mapping"):
            report = sim.mapping()
            info["emulation_s"] = report.run_seconds.get("emulation", float("nan"))
            info["load_s"] = report.run_seconds.get("load", 0.0)
            info["compile_s"] = sum(report.compile_seconds.values())
            info["quantisation"] = [vars(q) for q in report.quantisation]
        sim.end()
        return states, info


def spikes_to_states(population, steps, dt) -> np.ndarray:
    """(steps, n) bool: x_i = 1 in the steps neuron i spiked (spike stamped at the step's end)."""
    trains = population.get_data("spikes").segments[-1].spiketrains
    states = np.zeros((steps, population.size), dtype=bool)
    for i, train in enumerate(trains):
        step = np.round(np.asarray(train.rescale("ms").magnitude) / dt).astype(np.int64) - 1
        states[step[(step >= 0) & (step < steps)], i] = True
    return states


def greedy_colouring(qubo: Qubo) -> np.ndarray:
    """A proper colouring of the coupling graph: coupled variables never share a colour.
    DSATUR (Brélaz 1979): the next node coloured is the one whose coloured neighbours already
    use the most colours (ties: the larger degree, then the lower index), and it takes the
    smallest colour they leave free. It needs fewer colours than largest-first greedy (3 rather
    than 4 on random 3-regular graphs, 15 rather than 17 on G1-shaped ones), and each colour
    costs the machine one time step per sweep."""
    upper = qubo.upper()
    graph = (upper + upper.T).tocsr()
    return _dsatur(graph.indptr.astype(np.int64), graph.indices.astype(np.int64))


@njit(cache=True)
def _dsatur(indptr, indices):
    n = indptr.size - 1
    degree = indptr[1:] - indptr[:-1]
    colour = np.full(n, -1, np.int64)
    seen = np.zeros((n, (degree.max() if n else 0) + 1), np.bool_)     # colours among i's neighbours
    saturation = np.zeros(n, np.int64)
    heap = [(np.int64(0), -degree[v], np.int64(v)) for v in range(n)]
    heapq.heapify(heap)
    while heap:
        s, _, v = heapq.heappop(heap)
        if colour[v] >= 0 or -s != saturation[v]:
            continue                        # coloured, or an entry made stale by a later push
        c = 0
        while seen[v, c]:
            c += 1
        colour[v] = c
        for e in range(indptr[v], indptr[v + 1]):
            u = indices[e]
            if colour[u] < 0 and not seen[u, c]:
                seen[u, c] = True
                saturation[u] += 1
                heapq.heappush(heap, (-saturation[u], -degree[u], u))
    return colour


@dataclass
class Integers:
    """The QUBO in whole energy quanta, as the QUBONeuron computes: E ≈ offset + quantum · E_int."""
    quantum: float
    linear: np.ndarray
    couplings: np.ndarray
    relative_error: float          # worst relative error of a non-zero coefficient
    zeroed: int                    # non-zero coefficients that became zero


def integer_problem(qubo: Qubo, weight_bits: int = 16) -> Integers:
    """Coefficients as whole quanta: exact when they are all whole numbers the weights hold
    (Max-Cut, partitioning, independent sets, colouring with whole penalties), otherwise one
    quantum = the largest |coupling| / (2**weight_bits - 1). Either way, twice the largest energy
    must fit the PEs' 32-bit integers and a neuron's summed input float32's 24-bit mantissa."""
    top = (1 << weight_bits) - 1
    coefficients = np.concatenate([qubo.linear, qubo.couplings])
    largest = float(np.abs(qubo.couplings).max()) if qubo.couplings.size else 1.0
    whole = np.all(coefficients == np.round(coefficients)) and largest <= top
    quantum = 1.0 if whole else largest / top
    linear, couplings = np.round(qubo.linear / quantum), np.round(qubo.couplings / quantum)
    nonzero = coefficients != 0
    scaled = np.concatenate([linear, couplings]) * quantum
    rel = np.abs(scaled - coefficients)[nonzero] / np.abs(coefficients[nonzero])
    zeroed = int(np.count_nonzero(nonzero & (np.concatenate([linear, couplings]) == 0)))
    if 2 * (np.abs(linear).sum() + np.abs(couplings).sum()) >= 2 ** 31 - 1:
        raise ValueError(f"QUBONeuron: the energies of this QUBO in {quantum:.3g}-unit quanta overflow 32-bit "
                         "integers; use weight_bits=8 (coarser quanta)")
    field = np.abs(linear) + np.bincount(qubo.rows, np.abs(couplings), qubo.n) + \
        np.bincount(qubo.cols, np.abs(couplings), qubo.n)
    if field.max() >= 2 ** 24:
        raise ValueError(f"QUBONeuron: a variable's field reaches {field.max():.0f} quanta, beyond float32's exact "
                         "integers (2**24); use weight_bits=8 (coarser quanta)")
    if zeroed:
        warnings.warn(f"QUBONeuron: {zeroed} non-zero QUBO coefficients are below half a quantum "
                      f"({quantum:.3g}) and become zero; use weight_bits=32 for finer quanta", stacklevel=3)
    return Integers(quantum, linear, couplings, float(rel.max()) if rel.size else 0.0, zeroed)


@dataclass
class AnnealingNeurons:
    """One ``extra_models.QUBONeuron`` per variable: simulated annealing on the PEs, the energy and
    the best state kept on the machine and read back (not taken from spike records).

    The coupling graph is coloured (``greedy_colouring``) and colour k updates in the steps
    t = k mod n_colours, so no two coupled neurons try to flip in one step: each round of
    n_colours steps is one Metropolis sweep, as in sequential simulated annealing. An anneal
    is ``sweeps`` sweeps, from ``t_hot`` to ``t_cold`` (geometric; defaults: ``temperatures``);
    the machine anneals again from the state it reached, up to ``anneals`` times, and the host
    stops it early when ``patience`` anneals in a row did not lower the best energy (None: run
    them all). ``replicas`` copies of the problem anneal side by side in one population, with
    their own energies and best states (default: as many as fit the neurons of the PEs the
    problem takes anyway: 2 for 100 variables, whose PE holds 255). ``colouring=False`` lets
    every neuron try in every step with probability ``p_update`` instead (``sweeps / p_update``
    steps per anneal).

    Defaults tuned on random 3-regular (n = 100 and 800) and G1-shaped (800 nodes, 6 %) Max-Cut
    (``benchmarks/qubo.py``): shorter anneals started cooler than dwave-samplers' default
    reach a near-optimal cut in fewer sweeps, and restarts and replicas make up the optimum's
    lower odds per anneal.
    """

    sweeps: int = 400
    anneals: int = 4
    patience: int | None = 1
    replicas: int | None = None
    t_hot: float | None = None
    t_cold: float | None = None
    colouring: bool = True
    p_update: float = 1.0
    weight_bits: int = 16
    timestep: float = 1.0
    record_energy: bool = True

    def temperatures(self, ints: Integers, qubo: Qubo) -> tuple[float, float]:
        """(t_hot, t_cold) in quanta. A flip of x_i changes E by ±(b_i + Σ_j J_ij x_j); over
        uniformly random states its mean is μ_i = b_i + Σ_j J_ij / 2 and its variance
        Σ_j J_ij² / 4. Hot: 0.45 x the mean over variables of the root mean square,
        sqrt(μ_i² + Σ_j J_ij² / 4), so a typical uphill move at a random state is taken
        about one time in ten (on Max-Cut, 0.45 sqrt(degree)). Cold: the smallest non-zero
        |b_i| or |J_ij| / 2 (the step of ±J_ij around a balanced field, as in Max-Cut) is
        taken 1 % of the time, as dwave-samplers' default cold end (T = ΔE_min / ln 100)."""
        def per_variable(values):
            return np.bincount(qubo.rows, values, qubo.n) + np.bincount(qubo.cols, values, qubo.n)
        j = ints.couplings
        mean = ints.linear + per_variable(j) / 2
        rms = np.sqrt(mean ** 2 + per_variable(j * j) / 4)
        steps = np.abs(np.concatenate([ints.linear, j / 2]))
        steps = steps[steps > 0]
        cold = (steps.min() if steps.size else 1.0) / np.log(100) if self.t_cold is None \
            else self.t_cold / ints.quantum
        hot = max(0.45 * rms.mean(), cold) if self.t_hot is None else self.t_hot / ints.quantum
        if not (hot > 0 and cold > 0):
            raise ValueError(f"AnnealingNeurons: temperatures must be positive, got t_hot={self.t_hot}, "
                             f"t_cold={self.t_cold}")
        return float(hot), float(cold)

    def replica_count(self, qubo: Qubo) -> int:
        """``replicas``, or as many copies as the PEs that one copy needs hold neurons for."""
        if self.replicas is not None:
            if self.replicas < 1:
                raise ValueError(f"AnnealingNeurons: replicas must be >= 1, not {self.replicas}")
            return int(self.replicas)
        pes = -(-qubo.n // MAX_NEURONS_PER_PE)
        return max(1, pes * MAX_NEURONS_PER_PE // qubo.n)

    def build(self, sim, qubo: Qubo):
        """The QUBONeuron population on ``sim`` (set up): ``replicas`` copies of the problem
        side by side, their couplings; and the integer problem, steps per anneal, colours and
        copies."""
        from .extra_models import QUBONeuron
        if self.sweeps < 1 or self.anneals < 1:
            raise ValueError(f"AnnealingNeurons: sweeps and anneals must be >= 1, not {self.sweeps}, {self.anneals}")
        ints = integer_problem(qubo, self.weight_bits)
        hot, cold = self.temperatures(ints, qubo)
        if self.colouring and qubo.rows.size:
            colour = greedy_colouring(qubo)
            period, p_update = int(colour.max()) + 1, 1.0
        else:
            colour, period, p_update = np.zeros(qubo.n, np.int64), 1, self.p_update
        steps = int(np.ceil(self.sweeps * period / p_update))
        copies = self.replica_count(qubo)
        n = qubo.n
        cells = QUBONeuron(bias=np.tile(ints.linear, copies), t_hot=hot, t_cold=cold,
                           anneal_time=steps * self.timestep, anneals=float(self.anneals),
                           colour=np.tile(colour, copies).astype(float), n_colours=float(period), p_update=p_update,
                           replica_size=float(n if copies > 1 else 0))
        x = sim.Population(n * copies, cells, label="qubo variables")
        if hasattr(x, "set_paradigm"):
            x.set_paradigm("serial")
            x.set_weight_bits(self.weight_bits)
        shift = np.repeat(np.arange(copies) * n, qubo.rows.size)
        rows, cols = np.tile(qubo.rows, copies) + shift, np.tile(qubo.cols, copies) + shift
        both = np.concatenate([np.column_stack([rows, cols]), np.column_stack([cols, rows])])
        j = np.tile(ints.couplings, 2 * copies)
        for keep, receptor in ((j < 0, "excitatory"), (j > 0, "inhibitory")):
            if keep.any():
                # PyNN's inhibitory weights are negative: both receptors get -J
                sim.Projection(x, x, sim.FromListConnector(np.column_stack(
                    [both[keep], -j[keep], np.full(keep.sum(), self.timestep)]), column_names=["weight", "delay"]),
                    receptor_type=receptor, label=f"{receptor} couplings")
        return x, ints, steps, period, copies

    def sample(self, sim, qubo: Qubo, seed: int, setup_options=None):
        """Anneal; returns each replica's best state the machine kept as the candidates, and run
        information (the machine's best energy and the step it was held at, emulated steps,
        anneals run, wall times, the energy trace (per step, the lowest running energy of the
        replicas), the quantum and the mapping's weight quantisation)."""
        from .extra_models import best_states
        sim.setup(timestep=self.timestep, min_delay=self.timestep, rng_seed=seed, **(setup_options or {}))
        t0 = time.perf_counter()
        x, ints, steps, period, copies = self.build(sim, qubo)
        if self.record_energy:
            x[np.arange(copies) * qubo.n].record("energy")
        t1 = time.perf_counter()
        # step 0 loads the initial state; two more steps account for an anneal's last flips
        sim.run((1 + steps + 2) * self.timestep)
        best = best_states(x)
        record, done, calm = min(b.energy for b in best), 1, 0
        while done < self.anneals and (self.patience is None or calm < self.patience):
            sim.run(steps * self.timestep)
            best = best_states(x)
            done += 1
            lowest = min(b.energy for b in best)
            calm = 0 if lowest < record else calm + 1
            record = min(record, lowest)
        t2 = time.perf_counter()
        first = min(best, key=lambda b: (b.energy, b.step, b.replica))
        info = {"time_steps": 3 + done * steps, "timestep_ms": self.timestep, "n_colours": period,
                "sweeps": self.sweeps, "replicas": copies, "anneals": done, "quantum": ints.quantum,
                "coefficient_error": ints.relative_error,
                "machine_energy": qubo.offset + ints.quantum * first.energy, "best_step": first.step,
                "candidate_steps": [b.step for b in best],
                "build_s": t1 - t0, "run_s": t2 - t1}
        if self.record_energy:
            signal = x[np.arange(copies) * qubo.n].get_data("energy").segments[-1].analogsignals[0]
            info["energy_trace"] = qubo.offset + ints.quantum * np.asarray(signal.magnitude).min(axis=1)
        info["readback_s"] = time.perf_counter() - t2
        if hasattr(sim, "mapping"):
            report = sim.mapping()
            info["emulation_s"] = report.run_seconds.get("emulation", float("nan"))
            info["load_s"] = report.run_seconds.get("load", 0.0)
            info["compile_s"] = sum(report.compile_seconds.values())
            info["quantisation"] = [vars(q) for q in report.quantisation]
        sim.end()
        return np.array([b.state for b in best], dtype=bool), info


# -- the front door -----------------------------------------------------------------------------------
def solve(Q, num_reads: int = 1, seed: int = 0, model=None, sim=None, n_chips: int = 1):
    """Minimise xᵀQx (+ offset for a BQM or :class:`Qubo`) on the emulated SpiNNaker2 machine.

    Each read anneals a freshly seeded network (seeds ``seed``, ``seed+1``, ...). Returns a
    ``dimod.SampleSet`` (install the extra: ``pip install pynn_spinnaker2[qubo]``) with exact host
    energies, per read the step its state was found at (``step``), and in ``info`` per read the
    emulated steps (and anneals run), times and energy trace, and the mapping's weight
    quantisation. ``sim`` is the PyNN backend (default this one). ``model`` makes and runs the
    network: by default :class:`AnnealingNeurons` on this backend (``extra_models.QUBONeuron``:
    the machine keeps each replica's best state and its energy, the best returned in
    ``info['machine_energy']``), :class:`StandardNeurons` (standard PyNN cells, best of the
    per-step spike states) on any other. Any object with
    ``sample(sim, qubo, seed, setup_options) -> (states, info)`` will do, ``states`` the (k, n)
    0/1 candidates and ``info`` a dict (``time_steps`` and, from this backend, ``quantisation``
    as in ``sim.mapping()``; optionally ``candidate_steps`` or ``best_step``, ``energy_trace``,
    ``machine_energy``).
    """
    try:
        import dimod
    except ImportError as error:
        raise ImportError("pynn_spinnaker2.qubo.solve returns a dimod.SampleSet; install it with "
                          "pip install 'pynn_spinnaker2[qubo]' (or pip install dimod)") from error
    qubo = as_qubo(Q)
    if num_reads < 1:
        raise ValueError(f"solve(): num_reads must be >= 1, not {num_reads}")
    if sim is None:
        import pynn_spinnaker2 as sim
    if model is None:
        model = AnnealingNeurons() if sim.__name__ == "pynn_spinnaker2" else StandardNeurons()
    options = {"n_chips": n_chips} if sim.__name__ == "pynn_spinnaker2" else {}
    best, energy, step, traces, infos = [], [], [], [], []
    for read in range(num_reads):
        try:
            states, info = model.sample(sim, qubo, seed + read, options)
        except ValueError as error:
            if type(error).__name__ == "PlacementError":
                raise ValueError(f"solve(): a QUBO of {qubo.n} variables and {qubo.rows.size} couplings does "
                                 f"not fit the machine ({error}); pass n_chips=48 (one board) or more") from error
            raise
        e = qubo.energies(states)
        k = int(np.argmin(e))
        best.append(states[k])
        energy.append(e[k])
        step.append(info["candidate_steps"][k] if "candidate_steps" in info else info.get("best_step", k))
        traces.append(info.get("energy_trace", e))
        infos.append(info)
    info = {key: infos[0][key] for key in ("timestep_ms", "quantisation", "quantum", "n_colours", "replicas")
            if key in infos[0]}
    for key in ("time_steps", "anneals", "build_s", "run_s", "readback_s", "emulation_s", "compile_s", "load_s",
                "machine_energy"):
        if key in infos[0]:
            info[key] = [i[key] for i in infos]
    info["energy_trace"] = traces
    return dimod.SampleSet.from_samples((np.array(best, dtype=np.int8), qubo.variables), "BINARY",
                                        np.array(energy), info=info, step=np.array(step), sort_labels=False)
