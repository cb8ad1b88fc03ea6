"""Simulation state: the PyNN objects created since ``setup()`` and the machine they run on.

The first ``run`` translates every Population and Projection into a ``core.Network``, compiles
it and starts an ``Emulator``; later runs continue that emulator. The network is frozen while a
simulation is under way (t > 0): a new population or projection or ``Projection.set`` then
raise, because the compiled synaptic rows cannot be patched (neuron parameters, initial values,
recording and a spike source's ``spike_times`` can change between runs). Before the
first run and after ``reset()`` such changes are allowed; the next run recompiles from scratch
(nothing is carried over, and after a reset there is nothing to carry).

Delays are checked here, once, when synapses are made: :func:`delay_steps` holds every rule
(one time step at least, ``min_delay``/``max_delay`` from ``setup()``, and what the machine
holds, :func:`machine_max_delay_steps`).
"""
from types import SimpleNamespace

import numpy as np
from numba import njit

from pyNN import common, errors

from core.arrays import uniform
from core.mapping.delays import LONGEST_DELAY

from .usercode import attributed_to_user, warn

name = "SpiNNaker2"


class DelayError(errors.ConnectionError, ValueError):
    """A delay the user asked for that this simulation cannot hold (PyNN's ConnectionError)."""


def machine_max_delay_steps():
    """The longest delay, in time steps, that the machine delivers: a synaptic row's delay
    field (``core.mapping.serial``) and, beyond it, delay PEs' stages (``core.mapping.delays``)."""
    return LONGEST_DELAY


class ID(int, common.IDMixin):

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):

    def __init__(self):
        common.control.BaseState.__init__(self)
        from core.runtime.distributed import world

        comm = world()              # under mpiexec: this rank of the machine's ranks (mpi4py)
        self.mpi_rank = comm.Get_rank() if comm else 0
        self.num_processes = comm.Get_size() if comm else 1
        self.dt = 0.1
        self.min_delay = "auto"
        self.user_max_delay = "auto"
        self.paradigm, self.n_chips, self.seed, self.threads, self.weight_bits = "auto", 1, None, None, 16
        self.objective = "pes"
        self.progress_bar = None
        self.segment_counter = -1
        self.generation = 0
        self.clear()

    @property
    def min_delay(self):
        """As in NEST: with 'auto', the shortest delay in the network (one step while there is none)."""
        if self._min_delay != "auto":
            return self._min_delay
        steps = [p._min_steps for p in self.projections if p._min_steps is not None]
        return min(steps) * self.dt if steps else self.dt

    @min_delay.setter
    def min_delay(self, value):
        self._min_delay = value

    @property
    def machine_max_delay(self):
        """The longest delay (ms) the machine holds at this time step."""
        return machine_max_delay_steps() * self.dt

    @property
    def max_delay(self):
        """``max_delay`` from ``setup()``, or what the machine holds if that is shorter."""
        if self.user_max_delay == "auto":
            return self.machine_max_delay
        return min(self.user_max_delay, self.machine_max_delay)

    def set_max_delay(self, value):
        if value == "auto":
            self.user_max_delay = "auto"
            return
        self.user_max_delay = float(value)
        if self.user_max_delay > self.machine_max_delay * (1 + 1e-9):
            warn(f"setup(): max_delay={value:g} ms is longer than the {machine_max_delay_steps()} time "
                 f"steps a synaptic row and delay PEs' stages hold ({self.machine_max_delay:g} ms at "
                 f"timestep {self.dt:g} ms); longer delays are refused when a Projection is made (a "
                 "larger timestep holds longer delays)")

    # -- network bookkeeping ---------------------------------------------------------------
    def clear(self):
        """Forget the whole network (``setup()``); objects made before belong to an old
        ``generation`` and may only be read: their recorders keep a frozen copy of the clock
        (PyNN's recorders read time and segment number from the simulator's state)."""
        frozen = SimpleNamespace(name=name, state=SimpleNamespace(
            t=self.t, dt=self.dt, segment_counter=self.segment_counter, running=self.running, mpi_rank=self.mpi_rank,
            num_processes=self.num_processes, recorders=set(), write_on_end=[])) if hasattr(self, "t") else None
        for population in getattr(self, "populations", ()):
            population.recorder._simulator = frozen
        self.generation += 1
        self.per_core_limits = {}       # cell type -> neurons per PE, for populations made later
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.recorders = set()
        self.write_on_end = []
        self.id_counter = 0
        self.segment_counter = -1
        self.network = self.program = self.emulator = None
        self.stale = True
        self.reset()

    @property
    def started(self):
        """True once the emulator has advanced since the last reset."""
        return self.emulator is not None and self.emulator.step > 0

    def mark_changed(self):
        """The network changed: the next run compiles it again, carrying a started run over
        (``Emulator.carry_over``), as pyNN.nest lets a network change between runs."""
        self.stale = True

    def live_emulator(self):
        """The emulator, if it holds the current network (so state and parameters go to it)."""
        return None if self.stale else self.emulator

    # -- running ---------------------------------------------------------------------------
    def translate(self):
        """The PyNN network as an application graph (``core.Network``)."""
        from core.network import Network

        network = Network(timestep=self.dt)
        for population in self.populations:
            population._core_index = network.add_population(population._to_core())
        for projection in self.projections:
            for core_projection in projection._to_core():
                network.add_projection(core_projection)
        for source in self.current_sources:
            source._index = network.add_current_source(source._to_core())
        return network

    def build(self):
        """Translate, compile and load the network (first run, or first run after a change)."""
        from core import Emulator, Machine, compile_network
        from core.mapping.ranks import Share
        from core.runtime import distributed

        comm = distributed.world()
        previous = self.emulator if self.started else None
        with attributed_to_user():
            self.network = self.translate()
            share = Share(comm.Get_rank(), comm.Get_size()) if comm else None
            if comm:
                distributed.check_same_network(comm, self.network)
            self.program = compile_network(self.network, machine=Machine(n_chips=self.n_chips),
                                           paradigm=self.paradigm, objective=self.objective,
                                           progress_bar=self.progress_bar, share=share)
            if comm:        # each rank emulates its chips and exchanges packets with the others
                self.emulator = distributed.DistributedEmulator(self.program, share, comm, seed=self.seed,
                                                                threads=self.threads)
            else:
                self.emulator = Emulator(self.program, seed=self.seed, threads=self.threads)
            if previous is not None:
                self.emulator.carry_over(previous)
        for population in self.populations:
            population._emulator = self.emulator
        self.stale = False

    def run_until(self, tstop):
        if self.stale:
            self.build()
        n_steps = int(round((tstop - self.t) / self.dt))
        if n_steps > 0:
            with attributed_to_user():
                self.emulator.run(n_steps, progress_bar=self.progress_bar)
        self.t = self.emulator.step * self.dt
        self.running = True

    def reset(self):
        """Back to t = 0 with the current initial values; a new neo Segment begins."""
        self.running = False
        self.t = 0.0
        self.t_start = 0.0
        self.segment_counter += 1
        emulator = self.live_emulator()
        if emulator is not None:
            emulator.reset()
            for population in self.populations:
                population._push_to_emulator(emulator)
            emulator.clear_recordings()  # the t = 0 samples must show the values just pushed

    def timestep_steps(self, value_ms, what):
        """``value_ms`` as a whole number of time steps; raise if it is not one."""
        steps = value_ms / self.dt
        if abs(steps - round(steps)) > 1e-9 * max(1.0, abs(steps)):
            raise ValueError(f"{what} ({value_ms} ms) must be a multiple of the time step ({self.dt} ms)")
        return int(round(steps))


state = State()


@njit(cache=True, nogil=True)
def _round_delays(delay, dt, out):
    """Each delay's step, ``floor(d / dt + 0.5)``, into ``out`` (int32), in one pass with no
    temporaries; returns (all finite, shortest, longest, most steps, some delay off the grid)."""
    finite, off = True, False
    shortest, longest, most = np.inf, -np.inf, 0.0
    for k in range(delay.size):
        d = delay[k]
        if not np.isfinite(d):
            finite = False
            out[k] = 0
            continue
        s = np.floor(d / dt + 0.5)
        shortest, longest, most = min(shortest, d), max(longest, d), max(most, s)
        off = off or abs(d / dt - s) > 1e-9 * max(s, 1.0)
        out[k] = np.int32(min(max(s, -2.0 ** 31), 2.0 ** 31 - 1))
    return finite, shortest, longest, most, off


def delay_steps(label, delay, state, warned):
    """Delays (ms) as whole time steps (int32), rounded half up as NEST does: the machine delivers
    spikes only at step boundaries (off-grid delays warn once per projection, tracked in
    ``warned``). Raises :class:`DelayError` naming the projection for a delay shorter than one
    step or than ``min_delay``, longer than ``max_delay``, or longer than the machine holds.
    One delay shared by all synapses is rounded once (``core.arrays.uniform``)."""
    delay = np.asarray(delay, dtype=float)
    dt = state.dt
    shape = delay.shape
    one = uniform(delay.reshape(-1)) and delay.size > 1
    delay = np.ascontiguousarray(delay.reshape(-1)[:1] if one else delay.reshape(-1))
    steps = np.empty(delay.size, dtype=np.int32)
    finite, shortest, longest, most, off = _round_delays(delay, dt, steps)
    if delay.size:
        if not finite:
            raise DelayError(f"projection {label!r}: delays must be finite numbers (ms)")
        if shortest < dt * (1 - 1e-9):
            raise DelayError(f"projection {label!r}: delay {shortest:g} ms is shorter than one time "
                             f"step; the minimum delay is one time step ({dt:g} ms)")
        if state._min_delay != "auto" and shortest < state._min_delay * (1 - 1e-9):
            raise DelayError(f"projection {label!r}: delay {shortest:g} ms is shorter than "
                             f"min_delay={state._min_delay:g} ms given to setup()")
        if state.user_max_delay != "auto" and longest > state.user_max_delay * (1 + 1e-9):
            raise DelayError(f"projection {label!r}: delay {longest:g} ms is longer than "
                             f"max_delay={state.user_max_delay:g} ms given to setup()")
        limit = machine_max_delay_steps()
        if most > limit:
            raise DelayError(
                f"projection {label!r}: delay {longest:g} ms ({int(most)} time steps) exceeds "
                f"the {limit} time steps a synaptic row and delay PEs' stages hold ({limit * dt:g} ms "
                f"at timestep {dt:g} ms); use a timestep of at least "
                f"{longest / limit:.3g} ms, or relay the spikes through an intermediate population "
                "to chain delays")
    if not warned and off:
        warn(f"projection {label!r}: delays that are not multiples of the time step "
             f"({dt:g} ms) are rounded to the nearest step")
        warned = True
    if one:
        return np.broadcast_to(steps.reshape(()), shape), warned
    return steps.reshape(shape), warned
