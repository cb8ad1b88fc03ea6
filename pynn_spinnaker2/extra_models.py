"""Cell types beyond PyNN's standard ones, as sPyNNaker keeps its own in ``extra_models``.

``QUBONeuron``: a stochastic binary neuron that anneals a QUBO on the PEs, keeping the energy
and the best state so far on the machine (``core/models/qubo_neuron.py`` says how);
:func:`best_state` reads them back. Weights are whole energy quanta (excitatory for a negative
coupling, inhibitory, given as negative weights, for a positive one), delays one time step,
and the population's couplings stay within it. ``pynn_spinnaker2.qubo.solve`` builds such
networks from a Q matrix.
"""
from dataclasses import dataclass

import numpy as np
from pyNN.standardmodels import StandardCellType, build_translations

from core.models import MODELS
from core.mapping.images import NEURONS
from core.models import qubo_neuron as _qubo

from .standardmodels import CoreCellType

_SPEC = MODELS["QUBONeuron"]


class QUBONeuron(CoreCellType, StandardCellType):
    """Binary neuron x in {0, 1} annealing E = Σ bias_i x_i + Σ_{i<j} J_ij x_i x_j with Metropolis
    flips: ``bias`` (whole quanta), temperatures ``t_hot`` -> ``t_cold`` (quanta, geometric over
    ``anneal_time`` ms), update slots ``colour`` of ``n_colours`` (a proper colouring of the
    couplings makes parallel updates sequential), ``p_update`` (probability of trying a flip in
    a slot). Records ``x`` and ``energy`` (the population's energy two steps back)."""

    core_model = _SPEC.name
    default_parameters = dict(_SPEC.parameters)
    default_initial_values = {}
    units = {"bias": "dimensionless", "t_hot": "dimensionless", "t_cold": "dimensionless",
             "anneal_time": "ms", "colour": "dimensionless", "n_colours": "dimensionless",
             "p_update": "dimensionless", "x": "dimensionless", "energy": "dimensionless"}
    recordable = list(_SPEC.recordable)
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False
    translations = build_translations(*((name, name) for name in sorted(_SPEC.parameters)))


@dataclass
class Best:
    """What a QUBONeuron population holds after a run: the best state so far and its energy (whole
    quanta, without the problem's offset), the completed steps when it was held (0: the initial
    state), the running energy (two steps back) and the current state."""
    state: np.ndarray
    energy: float
    step: int
    energy_now: float
    current: np.ndarray


def best_state(population) -> Best:
    """Read the best state and energies a QUBONeuron population keeps on the machine (after
    ``run()``). Every PE holds the same energies; they are checked to agree."""
    if not isinstance(population.celltype, QUBONeuron):
        raise TypeError(f"best_state() reads a QUBONeuron population, not {type(population.celltype).__name__}")
    emulator = population._live_emulator() if hasattr(population, "_live_emulator") else None
    if emulator is None:
        raise RuntimeError(f"population {population.label!r}: run the simulation before reading its best state")
    offset = emulator.program.images.neurons.pop_offset
    rows = slice(offset[population._core_index], offset[population._core_index + 1])
    istate = emulator.istate[rows]
    pe = emulator.program.images.pes
    g0 = pe.g0
    pes = np.flatnonzero((pe.kind == NEURONS) & (g0 >= rows.start) & (g0 < rows.stop) & (pe.n > 0))
    if pes.size > 1 and emulator.window != 1:
        raise RuntimeError(f"population {population.label!r}: its PEs exchange energies every step, which needs "
                           f"the network's shortest delay to be one time step, not {emulator.window} steps")
    first = istate[g0[pes] - rows.start]
    per_pe = first[:, [_qubo.E2, _qubo.BEST2, _qubo.BEST_STEP]]
    if np.any(per_pe != per_pe[:1]):
        raise RuntimeError(f"population {population.label!r}: the PEs' energies disagree: {per_pe.tolist()}")
    e2, best2, step = (int(v) for v in per_pe[0])
    return Best(((istate[:, _qubo.S] >> 3) & 1).astype(np.int8), best2 / 2, step, e2 / 2,
                (istate[:, _qubo.S] & 1).astype(np.int8))


__all__ = ["QUBONeuron", "best_state", "Best"]
