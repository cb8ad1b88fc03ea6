"""``nengo_spinnaker2.Simulator``: nengo 4.1's Simulator API over the emulated SpiNNaker2 chip."""
from __future__ import annotations

import warnings
from contextlib import contextmanager

import nengo
import numpy as np
from nengo.builder import Model
from nengo.cache import NoDecoderCache, get_default_decoder_cache
from nengo.exceptions import ReadonlyError, SimulatorClosed, ValidationError
from nengo.simulator import SimulationData
from nengo.utils.progress import Progress, ProgressTracker

from core import Emulator, Machine, compile_network
from core.mapping.ranks import Share
from core.runtime import distributed
from core.hardware import CHIPS_PER_BOARD, PES_PER_CHIP
from core.mapping.partition import partition
from core.mapping.place import PlacementError

from .builder import translate
from .host import Host

MAX_AUTO_CHIPS = 10 * CHIPS_PER_BOARD


def choose_machine(network, n_chips):
    """The machine to map onto: ``n_chips`` if given, else the smallest one that holds the model."""
    if n_chips is not None:
        return Machine(int(n_chips))
    need = len(partition(network).vertices)
    chips = max(1, -(-need // PES_PER_CHIP))
    if chips > CHIPS_PER_BOARD:
        chips = -(-chips // CHIPS_PER_BOARD) * CHIPS_PER_BOARD
    if chips > MAX_AUTO_CHIPS:
        raise ValueError(f"the model needs {need} PEs, {chips} chips; the largest machine mapped onto "
                         f"automatically is {MAX_AUTO_CHIPS} chips: pass n_chips to map onto a larger one")
    return Machine(chips)


class Simulator:
    """A drop-in for ``nengo.Simulator``: the model is built by nengo's builder, translated into
    the core's application graph, mapped onto SpiNNaker2 PEs and run on the emulated chip.

    Beyond nengo's arguments: ``n_chips`` (default: the smallest machine that holds the model)
    and ``threads`` (PEs emulated at once; results do not depend on it). ``sim.mapping()`` is
    the mapping report (PEs, chips, SRAM per population, value projections, routing tables)."""

    def __init__(self, network, dt=0.001, seed=None, model=None, progress_bar=True, optimize=True,
                 n_chips=None, threads=1):
        self.closed = True
        self.progress_bar = progress_bar
        self.optimize = optimize
        comm = distributed.world()        # under mpiexec: this rank of the machine's ranks (mpi4py)
        if model is None:
            # ranks build at once: no shared decoder cache to race on (the decoders are the same)
            self.model = Model(dt=float(dt), label=f"{network}, dt={dt:f}",
                               decoder_cache=NoDecoderCache() if comm else get_default_decoder_cache())
        else:
            self.model = model
        if network is not None:
            with ProgressTracker(progress_bar, Progress("Building", "Build")) as pt, same_draws(comm):
                self.model.build(network, progress=pt.next_stage("Building", "Build"))
        toplevel = network if network is not None else self.model.toplevel
        if toplevel is None:
            raise ValidationError("the Simulator needs a network, or a model that has built one", attr="network")
        self.network = toplevel
        self.translation = translate(self.model, toplevel, self.model.dt)
        core_net = self.translation.network
        if not core_net.populations:
            core_net.add_population(nengo_empty_population())
        machine = choose_machine(core_net, n_chips)
        share = Share(comm.Get_rank(), comm.Get_size()) if comm else None
        if comm:
            distributed.check_same_network(comm, core_net)
        try:
            self.program = compile_network(core_net, machine, share=share)
        except PlacementError as error:
            need = len(partition(core_net).vertices)
            raise ValueError(f"the model needs {need} PEs, at least {-(-need // PES_PER_CHIP)} chips, but the "
                             f"machine has {machine.n_pes} PEs ({machine.describe()}); leave n_chips unset to "
                             f"map onto the smallest machine that holds it ({error})") from error
        if comm:      # each rank emulates its chips, exchanging value packets every step
            self.emulator = distributed.DistributedEmulator(self.program, share, comm, seed=0, threads=threads)
        else:
            self.emulator = Emulator(self.program, seed=0, threads=threads)
        self.host = Host(self.translation, self.dt)
        self._playback_cols = np.concatenate(
            [self.emulator.playback_columns(pop) for pop, _ in self.host.playback]).astype(np.int64) \
            if self.host.playback else np.zeros(0, np.int64)
        relay_pops = set(self.host.relays.values())
        graph = self.program.graph
        self._relay_vertices = np.array([v for v, mv in enumerate(graph.vertices)
                                         if graph.slices[mv.slice].population in relay_pops], dtype=np.int64)
        self._sim_data = self.model.params
        self.data = SimulationData(self._sim_data)
        self._recorded = self._recording_intervals()
        if seed is None:
            seed = toplevel.seed + 1 if toplevel.seed is not None else np.random.randint(np.iinfo(np.int32).max)
            if comm:
                seed = comm.bcast(seed, root=0)       # every rank's host draws the same
        self.closed = False
        self.reset(seed=seed)

    # -- nengo's API ---------------------------------------------------------------------
    def __enter__(self):
        if self.closed:
            raise SimulatorClosed("Cannot re-open after simulator is closed")
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def __del__(self):
        if not getattr(self, "closed", True):
            warnings.warn(f"Simulator with model={self.model} was deallocated while open. Please close "
                          "simulators manually to ensure resources are properly freed.", ResourceWarning)

    @property
    def dt(self):
        return self.model.dt

    @dt.setter
    def dt(self, dummy):
        raise ReadonlyError(attr="dt", obj=self)

    @property
    def n_steps(self):
        return self._n_steps

    @property
    def time(self):
        return self._n_steps * self.dt

    def close(self):
        self.closed = True

    def clear_probes(self):
        for probe in self.model.probes:
            self._sim_data[probe] = []
        self.data.reset()

    def reset(self, seed=None):
        if self.closed:
            raise SimulatorClosed("Cannot reset closed Simulator.")
        if seed is not None:
            self.seed = int(seed)
        self.emulator.seed = self.seed
        self.emulator.trial = -1
        self.emulator.reset()
        self.host.reset(self.seed)
        self._n_steps = 0
        self._last_sample = {}
        self._pending = []
        self._primed = False
        self.clear_probes()

    def trange(self, dt=None, sample_every=None):
        if dt is not None:
            if sample_every is not None:
                raise ValidationError("Cannot specify both `dt` and `sample_every`. Use `sample_every` only.",
                                      attr="dt", obj=self)
            warnings.warn("`dt` is deprecated. Use `sample_every` instead.", DeprecationWarning)
            sample_every = dt
        period = 1 if sample_every is None else sample_every / self.dt
        steps = np.arange(1, self.n_steps + 1)
        return self.dt * steps[steps % period < 1]

    def run(self, time_in_seconds, progress_bar=None):
        if time_in_seconds < 0:
            raise ValidationError(f"Must be positive (got {time_in_seconds:g})", attr="time_in_seconds")
        steps = int(np.round(float(time_in_seconds) / self.dt))
        if steps == 0:
            warnings.warn(f"{time_in_seconds} results in running for 0 timesteps. Simulator still at time "
                          f"{self.time}.")
        else:
            self.run_steps(steps, progress_bar=progress_bar)

    def step(self):
        self.run_steps(1)

    def run_steps(self, steps, progress_bar=None):
        if self.closed:
            raise SimulatorClosed("Simulator cannot run because it is closed.")
        steps = int(steps)
        if progress_bar is None:
            progress_bar = self.progress_bar
        with ProgressTracker(progress_bar, Progress("Simulating", "Simulation", steps)) as pt:
            self._run_steps(steps)
            pt.total_progress.step(steps)

    def _run_steps(self, steps):
        s, end = self._n_steps, self._n_steps + steps
        learned = [p for p in self.translation.probes.values() if p.kind in ("weights", "encoders")]
        if self.host.closed_loop:
            # host and machine alternate within each step: the host writes each step's values itself
            self._run_closed_loop(s, end, learned)
            self._n_steps = end
            self._collect()
            return
        lead = bool(self.host.playback)
        if lead and not self._primed:
            # host values lead the machine by a step: the first ones settle before step 0
            self.emulator.prime(self._host_row(0))
            self._primed = True
        while s < end:
            chunk = end - s
            if self.host.needed:
                # open loop: the playback PEs send in step t the host's values of step t + 1
                table = np.zeros((chunk, self.emulator.values.play.shape[1]), np.float32)
                for k in range(chunk):
                    table[k] = self._host_row(s + k + lead)
                self.emulator.set_playback(s, table)
            if learned:
                chunk = min(chunk, 1)
            self._sampled(s, chunk, learned, self.emulator.run)
            s += chunk
            self._n_steps = s
        self._n_steps = end
        self._collect()

    def _run_closed_loop(self, s, end, learned):
        """Host and machine alternate within every step (``Emulator.run(between=...)``)."""
        table = np.zeros((1, self.emulator.values.play.shape[1]), np.float32)

        def between(t):
            relay = {o: self.emulator.get_state(pop, "output") for o, pop in self.host.relays.items()}
            table[0] = self._host_row(t, relay)
            self.emulator.set_playback(t, table)

        chunk = 1 if learned else end - s
        while s < end:
            self._sampled(s, chunk, learned,
                          lambda n: self.emulator.run(n, between=between, first=self._relay_vertices))
            s += chunk
            self._n_steps = s

    def _sampled(self, s, chunk, learned, run):
        """``run(chunk)`` from step ``s``, sampling what learning changes on the PEs (a chunk is one
        step when anything is). A learned matrix is read after the step. Encoders are read before
        it too: the ones that drove the step's neurons were settled at the end of the previous
        step (nengo's probe sees the encoders after this step's increment, before its delta), and
        ``delta`` is what the step added."""
        n = s + chunk
        due = [plan for plan in learned if self._due(plan.probe, n)]
        before = {plan.probe: self.emulator.encoders(plan.pop).astype(float) for plan in due
                  if plan.kind == "encoders"}
        run(chunk)
        for plan in due:
            if plan.kind == "weights":
                value = plan.unmap(self.emulator.value_matrix(plan.projection)).copy()
            elif plan.variable == "delta":
                value = self.emulator.encoders(plan.pop).astype(float) - before[plan.probe]
            else:
                value = before[plan.probe]
            self._sim_data[plan.probe].append(value if plan.rows is None else value[plan.rows])

    # -- probes --------------------------------------------------------------------------
    def _period(self, probe):
        return 1.0 if probe.sample_every is None else probe.sample_every / self.dt

    def _due(self, probe, n):
        return n % self._period(probe) < 1

    def _recording_intervals(self):
        """Record every (population, variable) a probe reads, at the probes' common interval."""
        wanted: dict = {}
        for plan in self.translation.probes.values():
            if plan.kind in ("relay", "state"):
                period = self._period(plan.probe)
                interval = int(round(period)) if abs(period - round(period)) < 1e-9 and period >= 1 else 1
                key = (plan.pop, plan.variable)
                wanted[key] = interval if wanted.get(key, interval) == interval else 1
        for (pop, variable), interval in wanted.items():
            self.emulator.record(pop, variable, interval)
        return wanted

    def _host_row(self, step, relay=None):
        """The host objects evaluated at ``step``: their playback row; host probes keep their values
        until the machine reaches that step."""
        row = np.zeros(self.emulator.values.play.shape[1], np.float32)
        values = self.host.step(step, relay or {})
        if values.size:
            row[self._playback_cols] = values
        n = step + 1
        for plan in self.translation.probes.values():
            if plan.kind == "host" and self._due(plan.probe, n):
                value = self.host.out[plan.host] if plan.variable == "output" else self.host.inputs[plan.host]
                if plan.rows is not None:
                    value = value[plan.rows]
                self._pending.append((n, plan.probe, np.array(value, dtype=float)))
        return row

    def _collect(self):
        """Move what the machine recorded into the probes' data."""
        fresh = {}
        for key in self._recorded:
            times, values = self.emulator.signals(*key)
            steps = np.round(times / (self.emulator.dt)).astype(np.int64)
            keep = steps > self._last_sample.get(key, 0)
            fresh[key] = (steps[keep], values[keep])
            if steps.size:
                self._last_sample[key] = max(self._last_sample.get(key, 0), int(steps.max()))
        self.emulator.clear_recordings()
        ready = [p for p in self._pending if p[0] <= self._n_steps]
        self._pending = [p for p in self._pending if p[0] > self._n_steps]
        for _, probe, value in ready:
            self._sim_data[probe].append(value)
        for probe, plan in self.translation.probes.items():
            if plan.kind in ("relay", "state"):
                steps, values = fresh[(plan.pop, plan.variable)]
                due = steps % self._period(probe) < 1
                values = values[due].astype(float) * plan.scale
                if plan.rows is not None:
                    values = values[:, plan.rows]
                self._sim_data[probe].extend(list(values))
            elif plan.kind == "static":
                n_due = sum(1 for n in range(self._static_done(probe) + 1, self._n_steps + 1) if self._due(probe, n))
                self._sim_data[probe].extend([np.array(plan.array, dtype=float)] * n_due)
                self._last_sample[("static", probe)] = self._n_steps
        self.data.reset()

    def _static_done(self, probe):
        return self._last_sample.get(("static", probe), 0)

    # -- mapping ------------------------------------------------------------------------
    def mapping(self):
        """The mapping report, with the run's counters."""
        return self.emulator.report()


@contextmanager
def same_draws(comm):
    """Under MPI, numpy's global random state (nengo's builder seeds unseeded objects from it) the
    same on every rank while the model is built, rank 0's; restored afterwards."""
    if not comm:
        yield
        return
    saved = np.random.get_state()
    np.random.seed(comm.bcast(int(np.random.randint(2**31)), root=0))
    try:
        yield
    finally:
        np.random.set_state(saved)


def nengo_empty_population():
    from core import Population
    return Population("(empty model)", "ValueRelay", 1)
