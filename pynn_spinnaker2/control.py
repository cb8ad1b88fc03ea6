"""Setting up, running and querying a simulation.

``setup()`` checks every option it understands at once (a machine that cannot exist is an
error here, with the core's message, not at the first ``run()``), and lets scripts written for
other backends run unchanged: the options of pyNN.nest, pyNN.neuron, pyNN.brian2, the
hardware backends and sPyNNaker are ignored with a warning, as sPyNNaker does; an unknown
option that looks like a misspelling of one of ours is an error.
"""
import difflib

import numba
from pyNN import common
from pyNN.common.control import DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from core.compile import OBJECTIVES, PARADIGMS
from core.hardware import CHIPS_PER_BOARD, Machine
from core.network import WEIGHT_BITS

from . import simulator
from .usercode import warn

OPTIONS = {
    "max_delay": "longest synaptic delay in ms ('auto': what delay extensions can hold)",
    "paradigm": "'auto' (default), 'serial' or 'parallel' (paradigm choice per incoming layer)",
    "objective": "what paradigm='auto' minimises per layer: 'pes' (default) or 'time' (the busiest PE's cycles "
                 "per step)",
    "n_chips": "chips in the machine: 1 to 48, or whole 48-chip boards",
    "n_chips_required": "sPyNNaker's name: the same as n_chips",
    "n_boards_required": "sPyNNaker's name: n_chips = 48 per board",
    "threads": "host threads that emulate the PEs (default: all cores for large machines, else 1)",
    "progress_bar": "progress bars while compiling and during long runs: True, False, or None (default: "
                    "on a terminal only)",
    "weight_bits": "precision of synaptic weights: 8, 16 (default) or 32 bits (per population: "
                   "Population.set_weight_bits)",
    "seed": "seed of the machine's random numbers (Poisson sources); default 42 as in NEST, "
            "None for a fresh seed each setup",
    "rng_seed": "same as seed (pyNN.nest's name), so NEST scripts run unchanged",
}
FOREIGN_OPTIONS = (
    # pyNN.nest
    "verbosity", "spike_precision", "recording_precision", "rng_type", "t_flush",
    "grng_seed", "rng_seeds", "rng_seeds_seed",
    # pyNN.neuron, pyNN.brian2
    "use_cvode", "rtol", "atol", "default_maxstep", "native_rng_baseseed", "nrn_dll", "compile",
    # PyNN's examples, hardware and NeuroML backends
    "quit_on_end", "debug", "filename", "file", "label", "loglevel", "useSystemSim",
    "maxNeuronLoss", "maxSynapseLoss", "hardwareNeuronSize", "hardware",
    # sPyNNaker: real-time slow-down and live I/O have no meaning on an emulated machine
    "time_scale_factor", "database_socket_addresses", "machine", "graph_label")
DEFAULT_SEED = 42


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Start a new simulation; any existing network is discarded. Options beyond PyNN's
    (``timestep``, ``min_delay``, ``max_delay``):

    * ``paradigm``: 'auto' (default: per layer, the paradigm with fewer PEs, chosen before
      compiling), 'serial' or 'parallel' (per population: ``Population.set_paradigm`` or
      ``additional_parameters={"paradigm": ...}``)
    * ``objective``: what 'auto' minimises, 'pes' (default) or 'time' (the busiest PE's expected
      cycles per step; ``sim.mapping()`` reports every PE's and which would overrun real time)
    * ``weight_bits``: 8, 16 (default) or 32 (per population: ``Population.set_weight_bits``)
    * ``threads``: host threads that emulate the PEs (as pyNN.nest's ``threads``); results do
      not depend on it
    * ``n_chips``: 1 (default) to 48, or whole 48-chip boards (sPyNNaker's ``n_chips_required``
      and ``n_boards_required`` mean the same)
    * ``seed`` (or ``rng_seed``): seed of the machine's random numbers, default 42 (NEST's
      default, so runs repeat); ``seed=None`` draws a fresh one
    * ``max_delay``: delays above it are refused at Projection creation; it cannot exceed what
      a synaptic row holds (63 time steps), which is also the default

    Options of other backends (``spike_precision``, ``quit_on_end``,
    ``time_scale_factor`` ...) are ignored with a warning, so their scripts run unchanged.
    """
    _check_option_names(extra_params)
    # sPyNNaker's setup() defaults these to None: the PyNN defaults
    timestep = DEFAULT_TIMESTEP if timestep is None else timestep
    min_delay = DEFAULT_MIN_DELAY if min_delay is None else min_delay
    if extra_params.get("max_delay", "auto") is None:
        extra_params["max_delay"] = "auto"
    if not timestep > 0:
        raise ValueError(f"setup(): timestep must be positive, not {timestep}")
    paradigm = extra_params.get("paradigm", "auto")
    if paradigm not in PARADIGMS:
        raise ValueError(f"setup(): paradigm must be one of {PARADIGMS}, not {paradigm!r}")
    objective = extra_params.get("objective", "pes")
    if objective not in OBJECTIVES:
        raise ValueError(f"setup(): objective must be one of {OBJECTIVES}, not {objective!r}")
    n_chips = _machine_size(extra_params)
    threads, weight_bits = _threads(extra_params), extra_params.get("weight_bits", 16)
    if weight_bits not in WEIGHT_BITS:
        raise ValueError(f"setup(): weight_bits must be one of {WEIGHT_BITS}, not {weight_bits!r}")
    seed = extra_params.get("seed", extra_params.get("rng_seed", DEFAULT_SEED))
    if seed is not None and (isinstance(seed, bool) or not float(seed).is_integer()):
        raise ValueError(f"setup(): seed must be an integer or None, not {seed!r}")
    common.setup(timestep, min_delay, **extra_params)
    state = simulator.state
    state.clear()
    state.dt = float(timestep)
    state.min_delay = "auto" if min_delay == "auto" else float(min_delay)
    state.set_max_delay(extra_params.get("max_delay", "auto"))
    state.paradigm, state.n_chips, state.threads, state.weight_bits = paradigm, n_chips, threads, weight_bits
    state.objective = objective
    state.progress_bar = extra_params.get("progress_bar")
    state.seed = None if seed is None else int(seed)
    return rank()


def _check_option_names(extra_params):
    foreign = sorted(set(extra_params) & set(FOREIGN_OPTIONS))
    unknown = sorted(set(extra_params) - set(OPTIONS) - set(FOREIGN_OPTIONS))
    for name in unknown:
        close = difflib.get_close_matches(name, OPTIONS, n=1, cutoff=0.8)
        if close:
            raise ValueError(f"setup(): unknown option {name!r}; did you mean {close[0]!r}? "
                             "pynn_spinnaker2 accepts " + "; ".join(f"{k}: {v}" for k, v in OPTIONS.items()))
    if foreign or unknown:
        warn(f"setup(): ignoring {', '.join(foreign + unknown)}: options of other PyNN backends "
             "that have no meaning on SpiNNaker2")


def _threads(extra_params):
    """Host threads, as pyNN.nest's ``threads``; more than the host has run as many as it has."""
    threads = extra_params.get("threads")
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"setup(): threads must be a positive integer, not {threads!r}")
    cores = numba.config.NUMBA_NUM_THREADS
    if threads > cores:
        warn(f"setup(): threads={threads}, but this host runs {cores} threads; using {cores}")
    return min(threads, cores)


def _machine_size(extra_params):
    """Chips in the machine, from n_chips or sPyNNaker's names; checked by the core now."""
    given = {k: extra_params[k] for k in ("n_chips", "n_chips_required", "n_boards_required")
             if extra_params.get(k) is not None}
    if len(given) > 1:
        raise ValueError(f"setup(): give the machine size once, not as {' and '.join(given)}")
    n_chips = given.get("n_chips", given.get("n_chips_required", 1))
    if "n_boards_required" in given:
        n_chips = CHIPS_PER_BOARD * given["n_boards_required"]
    try:
        return Machine(n_chips=int(n_chips)).n_chips
    except ValueError as error:
        raise ValueError(f"setup(): {error}") from None


def end(compatible_output=True):
    """Write any data requested with ``record(..., to_file=...)``. The recorded data stay
    readable (``get_data()``) until the next ``setup()``."""
    state = simulator.state
    for population, variables, filename in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []


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
