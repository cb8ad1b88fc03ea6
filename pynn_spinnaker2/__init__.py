"""PyNN backend for SpiNNaker2: ``import pynn_spinnaker2 as sim`` runs PyNN scripts on the
emulated machine; installed, it is also ``pyNN.spinnaker2`` and (sPyNNaker scripts)
``pyNN.spiNNaker``, and ``pynn-spinnaker2 run SCRIPT [ARGS]`` runs a script unchanged.

The backend only translates: Populations and Projections become a ``core.Network``, which the
core compiles (partition, place, route, memory images) and runs on its emulator. Supported:
every PyNN standard cell type and spike source, PointNeuron (LIF or AdExp, up to four receptors),
the four current sources, static synapses with delays beyond a row through delay PEs, STDPMechanism,
TsodyksMarkramSynapse, SimpleStochasticSynapse (``plasticity.py``) and every PyNN connector.
``mapping()`` reports where the network went. sPyNNaker's extras
(``set_number_of_neurons_per_core``, ``Population.set_max_atoms_per_core``, ``name()``,
``NativeRNG``) behave as there.

The first ``run()`` compiles the network; later runs continue it. The network may change between
runs as in pyNN.nest (new populations, projections, ``Projection.set()``, neurons per core): the
next run maps it again and carries the run over — every neuron's state and random stream, the
input already under way (delivered with the weights it was sent with), recordings, the learnt
weights of plastic projections — so what the change does not touch goes on as it would have.
Neuron parameters, initial values, recording, current sources and the weights of plastic
projections change on the running machine directly.
"""
from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import *  # noqa: F401,F403
from pyNN.network import Network  # noqa: F401
from pyNN.parameters import Sequence  # noqa: F401
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import *  # noqa: F401,F403
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType

from . import simulator  # noqa: F401
from .control import (end, get_current_time, get_max_delay, get_min_delay, get_time_step,  # noqa: F401
                      initialize, mapping, num_processes, rank, reset, run, run_for, run_until, setup)
from .electrodes import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource  # noqa: F401
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .procedural_api import connect, create, record, record_gsyn, record_v, set  # noqa: F401
from .projections import Projection  # noqa: F401
from .simulator import state  # noqa: F401
from .spynnaker_api import NativeRNG, name, set_number_of_neurons_per_core  # noqa: F401
from .standardmodels import *  # noqa: F401,F403

__version__ = "0.1.0"


def list_standard_models():
    """The standard cell types this backend runs."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType) and obj is not StandardCellType]
