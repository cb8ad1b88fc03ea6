"""What sPyNNaker scripts call beyond PyNN, behaving as sPyNNaker defines it, so SpiNNaker1
scripts (``import pyNN.spiNNaker as sim``) run unchanged on SpiNNaker2.

* ``set_number_of_neurons_per_core(cell_type, n)``: the most neurons of that cell type one
  core (PE) holds, for populations made afterwards; ``Population.set_max_atoms_per_core(n)``
  sets it for one population.
* ``name()``: the simulator's name.
* ``NativeRNG(seed)``: sPyNNaker's seeds numpy's global generator; PyNN's is a backend's own
  generator, passed as ``rng=``. This one does both: it seeds numpy's global generator when
  given a seed and is itself a numpy generator (seeded from ``setup(seed=...)`` if not given).
"""
import inspect

import numpy as np
from pyNN import random

from . import simulator
from .populations import per_core_limit
from .usercode import warn


def name():
    """The simulator's name, as ``sim.name()`` in sPyNNaker."""
    return simulator.name


def set_number_of_neurons_per_core(neuron_type, max_permitted):
    """At most ``max_permitted`` neurons of ``neuron_type`` (a cell type class, e.g.
    ``sim.IF_curr_exp``) per core (PE), for populations made after this call, as in sPyNNaker;
    ``None`` removes the limit. The machine's own limits (255 per PE, SRAM) still apply."""
    if isinstance(neuron_type, str):
        raise TypeError("set_number_of_neurons_per_core() takes the cell type class, e.g. "
                        f"sim.{neuron_type}, not the string {neuron_type!r}")
    if not inspect.isclass(neuron_type):
        neuron_type = type(neuron_type)
    limit = per_core_limit(max_permitted, f"set_number_of_neurons_per_core({neuron_type.__name__})")
    state = simulator.state
    state.per_core_limits[neuron_type] = limit
    if state.populations:
        warn("set_number_of_neurons_per_core() only affects populations made after it, as in "
             "sPyNNaker; use Population.set_max_atoms_per_core() for one made before")


class NativeRNG(random.NumpyRNG, random.NativeRNG):
    """The backend's own generator (draws on the host, as the connectors run there). Made with a
    seed, it also seeds numpy's global generator, as sPyNNaker's ``NativeRNG(seed)`` does."""

    def __init__(self, seed=None, parallel_safe=True):
        if seed is not None:
            np.random.seed(seed)
        else:
            seed = simulator.state.seed
        random.NumpyRNG.__init__(self, seed=seed, parallel_safe=parallel_safe)
