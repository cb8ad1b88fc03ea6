"""Setting up, running and querying a simulation."""
import warnings

from pyNN import common
from pyNN.common.control import DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from core.mapping.delays import LONGEST_DELAY

from . import simulator

OPTIONS = {
    "max_delay": "longest synaptic delay in ms ('auto': what delay extensions can hold)",
    "paradigm": "'serial', 'parallel' or 'auto' (paradigm choice per incoming layer)",
    "n_chips": "chips in the machine: 1 to 48, or whole 48-chip boards",
    "seed": "seed of the machine's random numbers (Poisson sources); default 42 as in NEST, "
            "None for a fresh seed each setup",
    "rng_seed": "same as seed (pyNN.nest's name), so NEST scripts run unchanged",
}
FOREIGN_OPTIONS = ("threads", "verbosity", "spike_precision", "recording_precision", "rng_type", "t_flush",
                   "grng_seed", "rng_seeds", "rng_seeds_seed", "use_cvode", "rtol", "atol",
                   "default_maxstep", "native_rng_baseseed")   # pyNN.nest's and pyNN.neuron's
PARADIGMS = ("serial", "parallel", "auto")
DEFAULT_SEED = 42


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Start a new simulation; any existing network is discarded. Options beyond PyNN's:

    * ``paradigm``: 'serial' (default), 'parallel' or 'auto'
    * ``n_chips``: 1 (default) to 48, or whole 48-chip boards
    * options of other backends (``threads``, ``spike_precision`` ...) are ignored with a warning,
      so scripts written for NEST or NEURON run unchanged; other unknown options raise
    * ``seed`` (or ``rng_seed``): seed of the machine's random numbers, default 42 (NEST's
      default, so runs repeat); ``seed=None`` draws a fresh one
    """
    foreign = sorted(set(extra_params) & set(FOREIGN_OPTIONS))
    if foreign:
        warnings.warn(f"setup(): ignoring {', '.join(foreign)}: options of other PyNN backends that "
                      "have no meaning on SpiNNaker2", stacklevel=2)
    unknown = sorted(set(extra_params) - set(OPTIONS) - set(FOREIGN_OPTIONS))
    if unknown:
        raise ValueError(f"setup(): unknown option(s) {', '.join(unknown)}; pynn_spinnaker2 accepts "
                         + "; ".join(f"{k}: {v}" for k, v in OPTIONS.items()))
    if not timestep > 0:
        raise ValueError(f"setup(): timestep must be positive, not {timestep}")
    paradigm = extra_params.get("paradigm", "serial")
    if paradigm not in PARADIGMS:
        raise ValueError(f"setup(): paradigm must be one of {PARADIGMS}, not {paradigm!r}")
    common.setup(timestep, min_delay, **extra_params)
    state = simulator.state
    state.clear()
    state.dt = float(timestep)
    state.min_delay = "auto" if min_delay == "auto" else float(min_delay)
    max_delay = extra_params.get("max_delay", "auto")
    state.max_delay = LONGEST_DELAY * state.dt if max_delay == "auto" else float(max_delay)
    state.paradigm = paradigm
    state.n_chips = int(extra_params.get("n_chips", 1))
    state.seed = extra_params.get("seed", extra_params.get("rng_seed", DEFAULT_SEED))
    return rank()


def end(compatible_output=True):
    """Write any data requested with ``record(..., to_file=...)``, then discard everything."""
    for population, variables, filename in simulator.state.write_on_end:
        population.write_data(get_io(filename), variables)
    simulator.state.clear()


def mapping():
    """What the last run was mapped onto: PEs, chips, memory and routing per population
    (a ``core`` MappingReport; ``print()`` it)."""
    state = simulator.state
    if state.emulator is None:
        raise RuntimeError("sim.mapping() describes the compiled network and is available after "
                           "the first sim.run()")
    if state.stale:
        raise RuntimeError("the network changed since it was last compiled; sim.run() compiles it "
                           "again, then sim.mapping() describes it")
    return state.emulator.report()


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize

get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = \
    common.build_state_queries(simulator)
