"""Cell types beyond PyNN's standard ones, as sPyNNaker keeps its own in ``extra_models``.

``QUBONeuron``: a stochastic binary neuron that anneals a QUBO on the PEs, keeping the energy
and the best state so far on the machine (``core/models/qubo_neuron.py`` says how), for one
or several replicas of the problem; :func:`best_state` and :func:`best_states` read them
back. Weights are whole energy quanta (excitatory for a negative coupling, inhibitory, given
as negative weights, for a positive one), delays one time step, and the population's
couplings stay within it (and within a replica). ``pynn_spinnaker2.qubo.solve`` builds such
networks from a Q matrix.
"""
from dataclasses import dataclass

import numpy as np
from pyNN.standardmodels import StandardCellType, build_translations

from core.models import MODELS
from core.models import qubo_neuron as _qubo

from .standardmodels import CoreCellType

_SPEC = MODELS["QUBONeuron"]


class QUBONeuron(CoreCellType, StandardCellType):
    """Binary neuron x in {0, 1} annealing E = Σ bias_i x_i + Σ_{i<j} J_ij x_i x_j with Metropolis
    flips: ``bias`` (whole quanta), temperatures ``t_hot`` -> ``t_cold`` (quanta, geometric over
    ``anneal_time`` ms, repeated ``anneals`` times), update slots ``colour`` of ``n_colours`` (a
    proper colouring of the couplings makes parallel updates sequential), ``p_update``
    (probability of trying a flip in a slot), ``replica_size`` (neurons per independent copy of
    the problem; 0: one copy). The initial state ``x`` (0 or 1, ``initialize(x=...)``) is loaded
    in the first time step. Records ``spikes`` (turning on), ``x`` and ``energy`` (the replica's
    energy two steps back)."""

    core_model = _SPEC.name
    default_parameters = dict(_SPEC.parameters)
    default_initial_values = dict(_SPEC.state)
    units = {"bias": "dimensionless", "t_hot": "dimensionless", "t_cold": "dimensionless",
             "anneal_time": "ms", "anneals": "dimensionless", "colour": "dimensionless",
             "n_colours": "dimensionless", "p_update": "dimensionless", "replica_size": "dimensionless",
             "x": "dimensionless", "energy": "dimensionless"}
    recordable = list(_SPEC.recordable)
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False
    translations = build_translations(*((name, name) for name in sorted(_SPEC.parameters)))


@dataclass
class Best:
    """What a replica of a QUBONeuron population holds after a run: the best state so far and its
    energy (whole quanta, without the problem's offset), the completed steps when it was held
    (1: the initial state, loaded in step 0), the running energy (two steps back), the current
    state, and which replica it is."""
    state: np.ndarray
    energy: float
    step: int
    energy_now: float
    current: np.ndarray
    replica: int = 0


def best_states(population) -> list[Best]:
    """Read the best state and energies each replica of a QUBONeuron population keeps on the
    machine (after ``run()``). Every PE holds the same energies of a replica; they are checked
    to agree."""
    if not isinstance(population.celltype, QUBONeuron):
        raise TypeError(f"best_state() reads a QUBONeuron population, not {type(population.celltype).__name__}")
    emulator = population._live_emulator() if hasattr(population, "_live_emulator") else None
    if emulator is None or emulator.step == 0:
        raise RuntimeError(f"population {population.label!r}: run the simulation before reading its best state")
    offset = emulator.program.images.neurons.pop_offset
    rows = slice(offset[population._core_index], offset[population._core_index + 1])
    istate = emulator.istate[rows]
    size = int(emulator.constants[rows.start, _qubo.SIZE])
    starts = emulator.pe_starts(population._core_index)
    if starts.size > 1 and emulator.window != 1:
        raise RuntimeError(f"population {population.label!r}: its PEs exchange energies every step, which needs "
                           f"the network's shortest delay to be one time step, not {emulator.window} steps")
    out = []
    for k, r0 in enumerate(range(0, len(istate), size)):
        first = istate[_qubo._segment_starts(starts, r0, size)]
        per_pe = first[:, [_qubo.E2, _qubo.BEST2, _qubo.BEST_STEP]]
        if np.any(per_pe != per_pe[:1]):
            raise RuntimeError(f"population {population.label!r}: the PEs' energies of replica {k} disagree: "
                               f"{per_pe.tolist()}")
        e2, best2, step = (int(v) for v in per_pe[0])
        if best2 == _qubo.NO_BEST:
            raise RuntimeError(f"population {population.label!r}: no state's energy is known yet; the machine "
                               "knows a state's energy two steps after it, so run at least three steps")
        bits = istate[r0:r0 + size, _qubo.S]
        out.append(Best(((bits >> 3) & 1).astype(np.int8), best2 / 2, step, e2 / 2, (bits & 1).astype(np.int8), k))
    return out


def best_state(population) -> Best:
    """The best of ``best_states``: the replica with the lowest best energy (the earliest held,
    then the first replica, among equals)."""
    return min(best_states(population), key=lambda b: (b.energy, b.step, b.replica))


__all__ = ["QUBONeuron", "best_state", "best_states", "Best"]
