"""The emulator: loads a mapped program's memory images and routing tables into the state of
an emulated machine and runs it step by step (``kernel.run_steps``)."""
from __future__ import annotations

import time
import warnings

import numba
import numpy as np

from ..mapping.currents import current_images
from ..mapping.delays import WINDOW as delay_window
from ..mapping.images import spike_events
from ..mapping.plastic import NO_STAMP, tau_psc
from ..models.plasticity import STDP_PAIR, STDP_VOGELS
from ..progress import progress
from ..models import MAX_RECEPTORS
from ..models.ode import MAX_STATE, SCRATCH_ROWS
from ..models import rng as streams
from ..models.spike_source_array import CURSOR, END, stamp_steps
from ..network import _complete_sequences
from . import kernel
from .currents import values_at
from .routes import resolve
from .state import Currents, Machine, Neurons, Outbox, Recording, Stacked
from .stats import HISTORY_OVERRUNS, STATS


MAX_WINDOW = 64
PROGRESS_STEPS = 20_000        # runs this long may show a progress bar


PES_PER_THREAD = 8


def default_threads(n_computing_pes: int) -> int:
    """All cores for machines with many busy PEs; one thread for small ones, where starting a
    parallel region each window would cost more than it saves."""
    return max(1, min(numba.config.NUMBA_NUM_THREADS, n_computing_pes // PES_PER_THREAD))


def outbox(packets_per_step, window) -> Outbox:
    """Room for every packet each PE can send in a window."""
    room = np.asarray(packets_per_step, dtype=np.int64) * window
    start = np.concatenate([[0], np.cumsum(room)[:-1]]).astype(np.int64)
    total = int(room.sum())
    payload = np.zeros(total, np.int32)
    return Outbox(np.zeros(total, np.int32), np.zeros(total, np.uint32), np.zeros(total, np.int32),
                  payload, np.zeros(total, np.bool_), payload.view(np.float32), start,
                  np.zeros(room.size, np.int64))


def stacked_buffers(par, window) -> Stacked:
    """Each dominant's input spike buffer, deep enough for its delay range plus one window (the
    window's spikes arrive after it ran), and its stacked input and accumulators."""
    depth = np.array([1 << int(d + window - 1).bit_length() for d in par.delay_range], dtype=np.int64)
    ring = depth * par.n_source
    start = (lambda sizes: np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64))
    rows = int(par.n_rows.sum())
    return Stacked(np.zeros(int(ring.sum()), np.int32), np.zeros(int(ring.sum()), np.int32),
                   np.zeros(int(depth.sum()), np.int64), start(ring), start(depth), depth,
                   np.zeros(rows, np.int64), np.zeros(rows, np.int64), np.zeros(int(par.n_cols.sum()), np.int64))


def window_steps(network) -> int:
    """Steps the PEs may run without exchanging packets: the shortest delay in the network
    (one step when decoded values flow: they act in the step after they are sent)."""
    if getattr(network, "value_projections", None):
        return 1
    delays = [int(p.delay.min()) for p in network.projections if p.size]
    return max(1, min(delays + [MAX_WINDOW]))


class Emulator:
    """Runs a :class:`core.compile.MappedProgram`. Recording, state and parameters are addressed
    by population index; times are in ms, spikes stamped at the end of the step that emits them.

    ``seed`` fixes every random stream; each ``reset()`` starts the next trial, a fresh but
    reproducible realisation (seed plus trial number), as NEST does. ``threads`` PEs run at once;
    results do not depend on it."""

    def __init__(self, program, seed: int | None = None, threads: int | None = None):
        start = time.perf_counter()
        self.program = program
        self.seed = int(np.random.SeedSequence().entropy % 2**63) if seed is None else int(seed)
        im = program.images
        delay_pe = im.delays.stages > 0
        self._computing = np.flatnonzero((im.pes.model >= 0) | delay_pe).astype(np.int64)
        self.threads = default_threads(self._computing.size) if threads is None else int(threads)
        if not 1 <= self.threads <= numba.config.NUMBA_NUM_THREADS:
            raise ValueError(f"threads must be between 1 and {numba.config.NUMBA_NUM_THREADS}, not {threads}")
        self.dt = program.network.timestep
        self.routes = resolve(program)
        self._receivers = self.routes.receivers         # the PEs this machine delivers to
        self._queue = np.zeros(1, np.int64)             # the threads' next PE in a phase (``workqueue.py``)
        n_neurons = int(im.neurons.pop_offset[-1])
        self._scratch = dict(
            syn_in=np.zeros((n_neurons, MAX_RECEPTORS), dtype=np.float32),
            i_inject=np.zeros(n_neurons, dtype=np.float32), counts=np.zeros(n_neurons, dtype=np.int32),
            threads=np.zeros((numba.config.NUMBA_NUM_THREADS, SCRATCH_ROWS,
                              max([MAX_STATE] + ([int(im.values.in_order.max(initial=0)),
                                                  int(im.values.learn_order.max(initial=0))] if im.values is not None else []))),
                             dtype=np.float64))
        self.window = window_steps(program.network)
        if program.graph.delays:
            self.window = min(self.window, delay_window)
        runs = np.repeat(np.arange(len(im.pes.n)), np.diff(im.local.local_start))
        local_n = np.bincount(runs, weights=im.local.n, minlength=len(im.pes.n)).astype(np.int64)
        self._scratch["window_counts"] = np.zeros((self.window, n_neurons if local_n.any() else 0), np.int32)
        self._local_rows = list(zip(im.local.g0.tolist(), im.local.n.tolist()))
        self._source_constants = np.zeros((im.neurons.constants.shape[1], n_neurons if local_n.any() else 0),
                                          np.float32)
        value_packets = np.zeros(len(im.pes.n), np.int64)
        if im.values is not None:
            vi = im.values
            for v in np.flatnonzero(vi.blk_count):
                value_packets[v] = vi.blk_rows[vi.blk_start[v]:vi.blk_start[v] + vi.blk_count[v]].sum()
        per_step = np.where(im.pes.model >= 0, im.pes.n + local_n, np.where(delay_pe, im.pes.n * im.delays.stages, 0))
        self._outbox = outbox(per_step + value_packets, self.window)
        self._play = np.zeros((0, 0 if im.values is None else im.values.play.shape[1]), np.float32)
        self._play_t0 = np.zeros(1, np.int64)
        self._recording: dict[tuple[int, str], int] = {}
        self._samples: dict = {}
        self.step = 0
        self.trial = -1
        self.constants = im.neurons.constants.copy()
        for p, pop in enumerate(program.network.populations):
            for variable, interval in pop.record.items():
                self.record(p, variable, interval)
        self.reset()
        self.emulation_seconds = 0.0
        self.run(0)                       # loads the compiled kernel, as loading a machine would
        self.emulation_seconds = 0.0      # loading is not emulation
        self.load_seconds = time.perf_counter() - start

    # -- state -------------------------------------------------------------------------
    def reset(self):
        """Back to the initial state with the next trial's random streams: empty input buffers,
        step 0, recordings cleared. Parameters and spike times set since loading are kept, as
        PyNN's reset keeps them."""
        im = self.program.images
        self.step = 0
        self.trial += 1
        self.fstate = im.neurons.fstate.copy()
        self.istate = im.neurons.istate.copy()
        self.ring = np.zeros(im.ring_size, dtype=np.int64)
        self.stacked = stacked_buffers(im.parallel, self.window)
        self._rewind_events()
        self.rng = streams.seeds(self.seed, len(self.fstate), self.trial)
        self._load_currents(current_images(self.program.network, im.neurons.pop_offset), keep=False)
        self.stats = np.zeros((len(im.pes.n), len(STATS)), dtype=np.int64)
        self._carried, self._carried_from = np.zeros((0, 0, MAX_RECEPTORS), np.int64), 0
        self._stats_before = np.zeros(len(STATS), dtype=np.int64)
        self.routes.router_load[:] = 0
        self.routes.link_load[:] = 0
        self._reset_plastic()
        self.values = self._fresh_values()
        self.clear_recordings()

    def _reset_plastic(self):
        """Plastic rows back to their initial content (weights and synapse state: PyNN's reset
        restores the initial weights), empty postsynaptic histories, fresh row streams."""
        image = self.program.images.plastic
        a = image.arrays
        rows = a.rows.copy()
        heads = image.rng_headers
        if heads.size:      # the streams after the neurons' ones: never the same as any of them
            index = np.arange(heads.size) if image.rng_index is None else image.rng_index   # (a rank's share)
            n = len(self.fstate)
            s = streams.seeds(self.seed, n + int(index.max()) + 1, self.trial)[n + index]
            rows[heads], rows[heads + 1] = (s & np.uint64(0xFFFFFFFF)).astype(np.uint32), \
                (s >> np.uint64(32)).astype(np.uint32)
        self.plastic = a._replace(
            rows=rows, rows_f=rows.view(np.float32), rows_i=rows.view(np.int32),
            hist_stamp=np.zeros(image.history_size, np.int32), hist_trace=np.zeros(image.history_size, np.float32),
            hist_count=np.zeros_like(a.hist_count), hist_dropped=np.full_like(a.hist_dropped, NO_STAMP))

    # -- plastic synapses --------------------------------------------------------------------
    def _plastic_projection(self, proj: int) -> dict:
        info = self.program.images.plastic.projections.get(proj)
        if info is None:
            label = self.program.network.projections[proj].label
            raise ValueError(f"projection {label!r} is static (or empty): its weights are the ones it was "
                             "compiled with")
        return info

    def weights(self, proj: int) -> np.ndarray:
        """The current weights (magnitudes) of plastic projection ``proj``'s synapses, in its order,
        read from the rows and de-quantised: what the PEs hold now."""
        info = self._plastic_projection(proj)
        words = info["weight_word"]
        if info["kind"] in (STDP_PAIR, STDP_VOGELS):
            steps = self.plastic.rows_f[words].astype(np.float64)
        elif info["wide"]:
            steps = self.plastic.rows[words].astype(np.float64)
        else:
            steps = (self.plastic.rows[words] >> np.uint32(16)).astype(np.float64)
        return steps * info["scale"]

    def set_weights(self, proj: int, values):
        """Write new weights (magnitudes) into plastic projection ``proj``'s rows, from now on.
        STDP weights must lie within the rule's bounds; other rules' weights are stored in the
        receptor's weight steps and must not exceed the largest step count the rows hold."""
        info = self._plastic_projection(proj)
        network = self.program.network
        projection = network.projections[proj]
        values = np.broadcast_to(np.asarray(values, dtype=float), (projection.size,))
        if not np.isfinite(values).all() or values.min() < 0:
            raise ValueError(f"projection {projection.label!r}: weights must be finite magnitudes >= 0")
        steps = values / info["scale"]
        words = info["weight_word"]
        if info["kind"] in (STDP_PAIR, STDP_VOGELS):
            projection.synapse.check(projection.label, values)
            self.plastic.rows_f[words] = self._held(proj, steps).astype(np.float32)
            return
        levels = (1 << network.populations[projection.post].weight_bits) - 1
        q = np.rint(steps)
        if q.size and q.max() > levels:
            raise ValueError(f"projection {projection.label!r}: weight {values.max():g} exceeds the largest the "
                             f"rows hold ({levels * info['scale']:g}, set by the weights it was compiled with); "
                             "call reset() and change the weights before running to raise it")
        q = self._held(proj, q).astype(np.uint32)
        if info["wide"]:
            self.plastic.rows[words] = q
        else:
            self.plastic.rows[words] = (self.plastic.rows[words] & np.uint32(0xFFFF)) | (q << np.uint32(16))

    def _held(self, proj: int, values: np.ndarray) -> np.ndarray:
        """The items of a per-synapse array of projection ``proj`` whose rows this machine holds
        (all of them in one process; a rank's share over MPI: ``distributed.py``)."""
        return values

    def _fresh_values(self):
        """The value PEs' state at the start of a trial: empty accumulators and filters, the
        learned matrices and encoders as loaded."""
        vi = self.program.images.values
        return vi._replace(mat=vi.mat.copy(), enc=vi.enc.copy(), acc=np.zeros_like(vi.acc), y=np.zeros_like(vi.y),
                           filt=np.zeros_like(vi.filt), x=np.zeros_like(vi.x), cur=np.zeros_like(vi.cur),
                           lstate=np.zeros_like(vi.lstate), play=self._play, play_t0=self._play_t0)

    # -- values ------------------------------------------------------------------------
    def playback_columns(self, pop: int) -> np.ndarray:
        """Columns of the playback table that population ``pop``'s units play, in unit order."""
        vi, pes = self.values, self.program.images.pes
        first = self.program.images.neurons.pop_offset[pop]
        cols = np.full(self.program.network.populations[pop].size, -1, np.int64)
        for v in np.flatnonzero(vi.playback):
            lo = pes.g0[v] - first
            if 0 <= lo < cols.size:
                cols[lo:lo + pes.n[v]] = vi.play_unit[v] + np.arange(pes.n[v])
        if (cols < 0).any():
            raise ValueError(f"population {self.program.network.populations[pop].label!r} is not a "
                             "ValuePlayback population")
        return cols

    def prime(self, row: np.ndarray):
        """Before step 0: the playback PEs send ``row`` and their receivers settle it, so values
        known before the run act from its first step (the host then writes each step's table row
        a step ahead)."""
        self._outbox.size[:] = 0
        self.set_playback(-1, np.asarray(row, dtype=np.float32)[None, :])
        rec, _ = self._recording_plan(0, 0, 16)
        machine = self._machine(rec, np.zeros((1, self._current_image.n_recorded), np.float32), -1)
        self._stage(-1, self._prime_stage(), machine)

    def _prime_stage(self):
        """What ``prime`` runs: the playback PEs, delivering to every receiver."""
        return self._computing[self.values.playback[self._computing]], self._receivers

    def value_matrix(self, projection: int) -> np.ndarray:
        """Value projection ``projection``'s matrix as its sending PEs hold it now (learning
        rules change it during a run)."""
        vi = self.values
        q = self.program.network.value_projections[projection]
        out = np.zeros(q.matrix.shape, dtype=np.float32)
        n = self.program.images.pes.n
        for b in np.flatnonzero(vi.blk_projection == projection):
            v = np.flatnonzero((vi.blk_start <= b) & (b < vi.blk_start + vi.blk_count))[0]
            rows, cols = vi.blk_rows[b], n[v]
            block = vi.mat[vi.blk_mat[b]:vi.blk_mat[b] + rows * cols].reshape(cols, rows).T
            out[vi.blk_row0[b]:vi.blk_row0[b] + rows, vi.blk_col0[b]:vi.blk_col0[b] + cols] = block
        return out

    def encoders(self, pop: int) -> np.ndarray:
        """Population ``pop``'s encoders (size x dimensions) as its PEs hold them now (encoder
        learning changes them during a run)."""
        vi, pes = self.values, self.program.images.pes
        p = self.program.network.populations[pop]
        if p.encoders is None:
            raise ValueError(f"population {p.label!r} has no encoders")
        first = self.program.images.neurons.pop_offset[pop]
        out = np.full(p.encoders.shape, np.nan, dtype=np.float32)
        for v in np.flatnonzero(vi.enc_start >= 0):
            lo = pes.g0[v] - first
            if 0 <= lo < p.size:
                n, d, e0 = pes.n[v], vi.dims[v], vi.enc_start[v]
                out[lo:lo + n] = vi.enc[e0:e0 + n * d].reshape(n, d)
        return out

    def set_playback(self, first_step: int, table: np.ndarray):
        """The values the playback PEs send from step ``first_step`` on: (steps, units) with one
        column per playback unit (``playback_columns``). A run must stay within the table."""
        table = np.ascontiguousarray(table, dtype=np.float32)
        if table.ndim != 2 or table.shape[1] != self.values.play.shape[1]:
            raise ValueError(f"the playback table must be (steps, {self.values.play.shape[1]}), not {table.shape}")
        self._play = table
        self._play_t0[0] = first_step
        self.values = self.values._replace(play=table)

    # -- current sources -----------------------------------------------------------------
    def _currents(self, samples=None, t0=0) -> Currents:
        c = self._current_image
        if samples is None:
            samples = np.zeros((0, 0), dtype=np.float32)
        return Currents(c.kind, c.param, c.step_start, c.step_at, c.step_amp, c.inj_start, c.inj_source,
                        self.inj_value, c.inj_record, samples, np.array([t0], dtype=np.int64))

    def _load_currents(self, image, keep=True):
        """Take a current-source image; every injection gets its current for the coming step
        (with ``keep``, an injection that existed before keeps its held value, so a noise draw is
        not repeated)."""
        held = np.zeros(image.inj_source.size, dtype=np.float32)
        if keep and self._current_image.inj_source.size:
            old = self._current_image
            old_key = old.inj_source * (2 ** 40) + old.inj_neuron
            order = np.argsort(old_key)
            new_key = image.inj_source * (2 ** 40) + image.inj_neuron
            where = order[np.minimum(np.searchsorted(old_key[order], new_key), old_key.size - 1)]
            match = old_key[where] == new_key
            held[match] = self.inj_value[where[match]]
        self._current_image = image
        self.inj_value = held
        self.inj_value = values_at(self._currents(), image.inj_neuron, self.step, self.rng)

    def update_current_sources(self):
        """After the network's current sources changed (parameters, targets, recording): rebuild
        what the PEs hold, from the current step on."""
        self._load_currents(current_images(self.program.network, self.program.images.neurons.pop_offset))
        for k, source in enumerate(self.program.network.current_sources):
            chunks = self._current_samples.get(k)
            if source.record and chunks and chunks[-1][0][-1] == self.step:
                # the sample at the current time shows the current of the coming step: the new one
                times, values = chunks[-1]
                chunks[-1] = (times, np.concatenate([values[:-1], self._current_now(k)]))
            elif source.record and not chunks:
                self._current_samples[k] = [(np.array([self.step]), self._current_now(k))]
            elif not source.record:
                self._current_samples.pop(k, None)

    def _current_now(self, k) -> np.ndarray:
        """Source k's recorded value for the coming step: its first target's current (every
        target's mean for a noise source, as NEST records it)."""
        image = self._current_image
        mine = np.flatnonzero(image.inj_source == k)
        if not mine.size:
            return np.zeros(1, dtype=np.float32)
        values = self.inj_value[mine] if self.program.network.current_sources[k].kind == "noise" else \
            self.inj_value[mine[:1]]
        return np.array([values.mean()], dtype=np.float32)

    def _keep_current_samples(self, t0, samples):
        """Recorded injections of steps t0 .. (rows): each recorded source's value for the step
        after (first target, or the mean over targets of a noise source)."""
        if not samples.size:
            return
        image = self._current_image
        times = np.arange(t0 + 1, t0 + 1 + samples.shape[0])
        for k, source in enumerate(self.program.network.current_sources):
            columns = image.inj_record[(image.inj_source == k) & (image.inj_record >= 0)]
            if source.record and columns.size:
                self._current_samples.setdefault(k, []).append((times, samples[:, columns].mean(axis=1)))
            elif source.record:
                self._current_samples.setdefault(k, []).append((times, np.zeros(times.size, np.float32)))

    def current_signal(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(times ms, current nA) recorded from current source k since the last reset or clear."""
        chunks = self._current_samples.get(k, [])
        if not chunks:
            return np.zeros(0), np.zeros(0, dtype=np.float32)
        return (np.concatenate([c[0] for c in chunks]) * self.dt,
                np.concatenate([c[1] for c in chunks]).astype(np.float32))

    def _neurons(self):
        s = self._scratch
        for g0, n in self._local_rows:        # the local sources' constants as the host last set them
            self._source_constants[:, g0:g0 + n] = self.constants[g0:g0 + n].T
        return Neurons(self.constants, self.fstate, self.istate, self.events, self.table, s["syn_in"], s["i_inject"],
                       s["counts"], s["window_counts"], self._source_constants, self.rng, self._carried,
                       np.int64(self._carried_from), s["threads"])

    def _rows(self, pop):
        o = self.program.images.neurons.pop_offset
        return slice(o[pop], o[pop + 1])

    def _column(self, pop, variable):
        return self.program.network.populations[pop].column(variable)

    def get_state(self, pop: int, variable: str) -> np.ndarray:
        return self.fstate[self._rows(pop), self._column(pop, variable)].astype(float)

    def set_state(self, pop: int, variable: str, values):
        population = self.program.network.populations[pop]
        spec = population.spec
        if spec.state_from_start and self.step > 0:
            raise ValueError(f"population {population.label!r}: {spec.name} takes its state in at the first step "
                             f"only; set {variable!r} before the first run or after reset()")
        if spec.state_check is not None:
            state = {name: self.get_state(pop, name) for name in spec.state}
            spec.state_check(population.label, state | {variable: np.broadcast_to(values, (population.size,))})
        self.fstate[self._rows(pop), self._column(pop, variable)] = values

    def set_parameters(self, pop: int, parameters: dict):
        """Change parameters between runs: the PE's derived constants are recomputed on the host."""
        population = self.program.network.populations[pop]
        unknown = set(parameters) - set(population.parameters)
        if unknown:
            raise ValueError(f"population {population.label!r}: unknown parameter(s) {', '.join(sorted(unknown))}")
        new = population.parameters | {name: np.broadcast_to(np.asarray(value, float), (population.size,)).copy()
                                       for name, value in parameters.items()}
        population.spec.check(population.label, new)
        population.parameters = new
        c = population.spec.constants(population.parameters, self.dt, population.size)
        self.constants[self._rows(pop), :c.shape[1]] = c
        self.plastic.tau_psc[self._rows(pop)] = tau_psc(population, self.dt)   # Tsodyks-Markram's y decay

    def set_spike_times(self, pop: int, spike_times):
        """New spike times (ms, one sequence per neuron) for a SpikeSourceArray, from now on.
        Times not after the current time cannot be emitted any more: they are counted in a warning."""
        population = self.program.network.populations[pop]
        if population.model != "SpikeSourceArray":
            raise ValueError(f"population {population.label!r} is a {population.model}, not a SpikeSourceArray")
        if len(spike_times) != population.size:
            raise ValueError(f"population {population.label!r}: {len(spike_times)} spike trains for {population.size} neurons")
        before = self._past_events(population.spike_times)
        population.spike_times = [np.sort(np.asarray(t, dtype=float).ravel()) for t in spike_times]
        lost = np.setdiff1d(self._past_events(population.spike_times), before).size
        if lost:
            warnings.warn(f"population {population.label!r}: {lost} new spike times are not after the current "
                          f"time {self.step * self.dt:g} ms and will not be emitted", stacklevel=2)
        self._rewind_events(from_step=self.step)

    def set_sequences(self, pop: int, sequences: dict):
        """New per-neuron schedules (``ModelSpec.sequences``, e.g. SpikeSourceInhGamma's a, b,
        tbins) from now on; names not given keep their values."""
        population = self.program.network.populations[pop]
        if population.model == "SpikeSourceArray":
            self.set_spike_times(pop, sequences["spike_times"])
            return
        merged = population.sequences | dict(sequences)
        population.sequences = _complete_sequences(population.label, population.spec, merged, population.size)
        self._rewind_events(from_step=self.step)

    def _past_events(self, spike_times):
        """(neuron, stamp) codes of the spikes whose step has passed."""
        neuron = np.repeat(np.arange(len(spike_times)), [len(t) for t in spike_times])
        stamps = stamp_steps(np.concatenate(spike_times) if spike_times else np.zeros(0), self.dt)
        past = stamps <= self.step
        return neuron[past] * (2 ** 40) + stamps[past]

    def _rewind_events(self, from_step=0):
        """Reload every spike-source event list; cursors point at the first event due at or after ``from_step``."""
        self.events, self.table, start, end = spike_events(self.program.network, self.dt)
        arrays = np.zeros(len(start), dtype=bool)
        for p, pop in enumerate(self.program.network.populations):
            arrays[self._rows(p)] = pop.spec.events is not None
        earlier = np.concatenate([[0], np.cumsum(self.events < from_step)])   # lists are sorted
        cursor = start + (earlier[end] - earlier[start])
        if arrays.any():
            self.istate[arrays, CURSOR], self.istate[arrays, END] = cursor[arrays], end[arrays]

    # -- recording ---------------------------------------------------------------------
    def record(self, pop: int, variable: str, interval: int = 1):
        """Start recording ``variable`` ('spikes' or a state variable) every ``interval`` steps;
        ``interval=0`` stops it."""
        population = self.program.network.populations[pop]
        if variable not in population.recordable:
            raise ValueError(f"{population.model} cannot record {variable!r}; it records "
                             f"{', '.join(population.recordable)}")
        if interval:
            new = (pop, variable) not in self._recording
            self._recording[(pop, variable)] = int(interval)
            if new and variable != "spikes" and self.step and self.step % interval == 0:
                # a signal started mid-run begins with the state at the current time
                self._samples.setdefault((pop, variable), []).append(
                    (np.array([self.step]), self.get_state(pop, variable)[None, :]))
        else:
            self._recording.pop((pop, variable), None)

    def clear_recordings(self):
        self._spikes = []                       # (step, global neuron, count) chunks
        self._current_samples = {k: [(np.array([self.step]), self._current_now(k))]
                                 for k, source in enumerate(self.program.network.current_sources) if source.record}
        self._samples = {key: [] for key in self._recording}
        for (pop, variable), interval in self._recording.items():
            if variable != "spikes" and self.step % interval == 0:
                self._samples[(pop, variable)].append(
                    (np.array([self.step]), self.get_state(pop, variable)[None, :]))

    def spikes(self, pop: int) -> tuple[np.ndarray, np.ndarray]:
        """(neuron index, time ms) of every spike since the last reset or clear."""
        chunks = self._spikes or [(np.zeros(0, np.int64),) * 3]
        step, neuron, count = (np.concatenate(c) for c in zip(*chunks))
        rows = self._rows(pop)
        mine = np.flatnonzero((neuron >= rows.start) & (neuron < rows.stop))
        mine = mine[np.argsort(step[mine], kind="stable")]       # PEs record a window at a time
        repeat = np.maximum(count[mine], 0)     # a binary neuron's -1 (turned off) is a packet, not a spike
        return (np.repeat(neuron[mine] - rows.start, repeat),
                np.repeat((step[mine] + 1) * self.dt, repeat))

    def signals(self, pop: int, variable: str) -> tuple[np.ndarray, np.ndarray]:
        """(times ms, values (n_samples, size)) of a recorded state variable."""
        chunks = self._samples.get((pop, variable), [])
        if not chunks:
            size = self.program.network.populations[pop].size
            return np.zeros(0), np.zeros((0, size), dtype=np.float32)
        steps = np.concatenate([c[0] for c in chunks])
        return steps * self.dt, np.concatenate([c[1] for c in chunks]).astype(np.float32)

    def _recording_plan(self, t0, t_end, capacity):
        spiking = np.zeros(len(self.fstate), dtype=np.bool_)
        groups = []
        for (pop, variable), interval in self._recording.items():
            if variable == "spikes":
                spiking[self._rows(pop)] = True
            else:
                groups.append((pop, variable, interval))
        rows = np.zeros((len(groups), 6), dtype=np.int64)
        base = 0
        for r, (pop, variable, interval) in enumerate(groups):
            span = self._rows(pop)
            rows[r] = (span.start, span.stop - span.start, self._column(pop, variable), interval, base,
                       t0 // interval + 1)
            base += (t_end // interval - t0 // interval) * (span.stop - span.start)
        buffers = (np.zeros(capacity, np.int64), np.zeros(capacity, np.int64), np.zeros(capacity, np.int32))
        rec = Recording(spiking, np.int64(spiking.sum()), *buffers, np.zeros(1, np.int64),
                        *(np.ascontiguousarray(c) for c in rows.T), np.zeros(base, np.float32))
        return rec, groups

    # -- running -----------------------------------------------------------------------
    def run(self, n_steps: int, progress_bar: bool | None = None, between=None, first: np.ndarray | None = None):
        """Advance the machine ``n_steps`` time steps. Runs of ``PROGRESS_STEPS`` steps or more show
        a progress bar on a terminal (``progress_bar`` True or False to force either).

        With ``between``, every step runs in two stages with ``between(step)`` called in the
        middle: stage 1 computes every PE but the playback ones and delivers to the PEs in
        ``first`` (those the host reads, e.g. its input relays); the host then writes the
        playback table's row for the step; stage 2 computes the playback PEs and delivers to
        everyone else. So a host object reads this step's values and its output acts in this
        step's settle, as if it were a PE."""
        start = time.perf_counter()
        overruns = int(self.stats[:, HISTORY_OVERRUNS].sum())
        t0, t_end = self.step, self.step + int(n_steps)
        if between is None and self.values.play.shape[1] and n_steps and not (
                self._play_t0[0] <= t0 and t_end <= self._play_t0[0] + self.values.play.shape[0]):
            raise ValueError(f"the playback table covers steps {self._play_t0[0]} to "
                             f"{self._play_t0[0] + self.values.play.shape[0]}, not {t0} to {t_end}; "
                             "call set_playback first")
        capacity = 1024
        rec, groups = self._recording_plan(t0, t_end, capacity)
        capacity = max(capacity, 2 * int(rec.n_spiking) * self.window)
        if between is not None:
            chunks = len(self._spikes)
            self._run_staged(t0, t_end, rec, capacity + int(rec.n_spiking) * (t_end - t0), between, first)
            self._gather(rec, chunks)
            self._finish(t0, t_end, rec, groups, start, overruns)
            return
        shown = progress_bar if n_steps >= PROGRESS_STEPS or progress_bar else False
        chunk = max(self.window, int(n_steps) // 100) if shown is not False else max(1, int(n_steps))
        previous, chunks = numba.get_num_threads(), len(self._spikes)
        numba.set_num_threads(self.threads)
        steps = kernel.run_steps_parallel if self.threads > 1 else kernel.run_steps
        try:
            with progress(int(n_steps), "emulating", shown, unit="step") as bar:
                t, loading = t0, n_steps == 0
                while t < t_end or loading:   # zero steps still call the kernel: loading compiles it
                    loading = False
                    rec = rec._replace(step=np.zeros(capacity, np.int64), neuron=np.zeros(capacity, np.int64),
                                       count=np.zeros(capacity, np.int32), n_spikes=np.zeros(1, np.int64))
                    target = min(t + chunk, t_end)
                    samples = np.zeros((target - t, self._current_image.n_recorded), dtype=np.float32)
                    machine = self._machine(rec, samples, t)
                    reached = self._advance(steps, t, target, machine)
                    n = rec.n_spikes[0]
                    self._spikes.append((rec.step[:n], rec.neuron[:n], rec.count[:n]))
                    self._keep_current_samples(t, samples[:reached - t])
                    if reached < target:              # the spike record buffer filled up
                        capacity *= 2
                    bar.update(reached - t)
                    t = reached
        finally:
            numba.set_num_threads(previous)
        self._gather(rec, chunks)
        self._finish(t0, t_end, rec, groups, start, overruns)

    def _machine(self, rec, samples, t0) -> Machine:
        im = self.program.images
        return Machine(im.pes, im.feeds, im.serial, im.local, im.parallel, self.stacked, self.routes,
                       self._neurons(), self._outbox, rec, self.ring, self.stats, self._currents(samples, t0),
                       im.delays, self.plastic, self.values)

    def _run_staged(self, t0, t_end, rec, capacity, between, first):
        rec = rec._replace(step=np.zeros(capacity, np.int64), neuron=np.zeros(capacity, np.int64),
                           count=np.zeros(capacity, np.int32), n_spikes=np.zeros(1, np.int64))
        stages = self._stages(np.asarray(first if first is not None else [], dtype=np.int64))
        previous = numba.get_num_threads()
        numba.set_num_threads(self.threads)
        try:
            for t in range(t0, t_end):
                samples = np.zeros((1, self._current_image.n_recorded), dtype=np.float32)
                for k in (0, 1):
                    if k == 1:
                        self._before_host(t)
                        between(t)
                    self._stage(t, stages[k], self._machine(rec, samples, t))
                self._gather_current_samples(samples)
                self._keep_current_samples(t, samples)
        finally:
            numba.set_num_threads(previous)
        n = rec.n_spikes[0]
        self._spikes.append((rec.step[:n], rec.neuron[:n], rec.count[:n]))

    def _stages(self, first):
        """A step's two stages (``run(between=...)``): every PE but the playback ones computing and
        the PEs in ``first`` receiving, then the playback PEs and every other receiver."""
        playback = self.values.playback[self._computing]
        early = np.isin(self._receivers, first)
        return ((self._computing[~playback], self._receivers[early]),
                (self._computing[playback], self._receivers[~early]))

    def _stage(self, t, stage, machine):
        """One stage of step ``t``: phase 1 on ``stage``'s computing PEs, phase 2 on its receivers."""
        run = kernel.run_stage_parallel if self.threads > 1 else kernel.run_stage
        run(t, *stage, self.threads, self._queue, *machine)

    def _before_host(self, t):
        """Between a step's stages, before the host acts (``distributed.py`` gathers what it reads)."""

    def _gather_current_samples(self, samples):
        """Recorded injected current of a step: all here in one process (``distributed.py``)."""

    def _finish(self, t0, t_end, rec, groups, start, overruns):
        self.step = t_end
        for r, (pop, variable, interval) in enumerate(groups):
            n = rec.n[r]
            n_rows = t_end // interval - t0 // interval
            steps = (np.arange(n_rows) + rec.row0[r]) * interval
            block = rec.samples[rec.base[r]:rec.base[r] + n_rows * n].reshape(n_rows, n)
            self._samples.setdefault((pop, variable), []).append((steps, block))
        self.emulation_seconds += time.perf_counter() - start
        new = int(self.stats[:, HISTORY_OVERRUNS].sum()) - overruns
        if new:
            warnings.warn(f"{new} plastic synapse updates needed postsynaptic spikes that the neurons' spike "
                          "histories had already overwritten, so those pairings were left out; give the STDP "
                          "projections onto busy neurons a longer history (a power of two: PyNN's "
                          "STDPMechanism(..., history=64), core STDP(history=64))",
                          stacklevel=2)

    def _advance(self, steps, t, target, machine) -> int:
        """Run the kernel from step t towards ``target``; returns the step reached. (A machine
        spread over MPI ranks exchanges packets between windows here: ``distributed.py``.)"""
        return steps(t, target, self.window, self._computing, self.threads, self._queue, *machine)

    def _gather(self, rec, chunks):
        """After a run: nothing to collect in one process (``distributed.py`` gathers from the ranks)."""

    def statistics(self) -> dict:
        return dict(zip(STATS, (self.stats.sum(axis=0) + self._stats_before).tolist()))

    # -- changing the network mid-run ---------------------------------------------------
    def pending_input(self) -> np.ndarray:
        """The synaptic input already under way, in weight steps: int64 (steps, neurons,
        receptors), what each neuron's input buffers would sum in each coming step (up to the
        longest delay) if nothing spiked again. A copy of the machine runs with every model
        silenced (no neuron or source updates) and unit weight steps, so every row, delay PE and
        stacked input delivers exactly what it would have."""
        im = self.program.images
        n_steps = max([int(p.delay.max()) for p in self.program.network.projections if p.size] + [0])
        out = np.zeros((n_steps, len(self.fstate), MAX_RECEPTORS), np.int64)
        pes = im.pes._replace(model=np.full_like(im.pes.model, -1), scale=np.ones_like(im.pes.scale))
        local = im.local._replace(model=np.full_like(im.local.model, -1))
        nrn = self._neurons()._replace(fstate=self.fstate.copy(), istate=self.istate.copy(), rng=self.rng.copy())
        rec, _ = self._recording_plan(0, 0, 1)
        rec = rec._replace(spiking=np.zeros_like(rec.spiking), n_spiking=np.int64(0),
                           **{f: getattr(rec, f)[:0] for f in ("g0", "n", "column", "interval", "base", "row0")})
        cur = self._currents(np.zeros((n_steps, self._current_image.n_recorded), np.float32), self.step)
        routes = self.routes._replace(router_load=self.routes.router_load.copy(),
                                      link_load=self.routes.link_load.copy())
        machine = Machine(pes, im.feeds, im.serial, local, im.parallel, Stacked(*(a.copy() for a in self.stacked)),
                          routes, nrn, self._outbox, rec, self.ring.copy(), self.stats.copy(),
                          cur._replace(inj_value=cur.inj_value.copy()), im.delays, self._plastic_copy(),
                          self._fresh_values())
        for d in range(n_steps):
            self._pending_step(self.step + d, machine)
            out[d] = np.rint(nrn.syn_in)        # whole weight steps, exact below 2**24
        return out

    def _pending_step(self, t, machine):
        """One step of ``pending_input``'s silenced copy (over MPI ranks, with the packet exchange)."""
        kernel.run_steps(t, t + 1, 1, self._computing, 1, self._queue, *machine)

    def _plastic_copy(self):
        """The plastic state as a copy (rows, histories), for runs that must not change it."""
        p = self.plastic
        rows = p.rows.copy()
        return p._replace(rows=rows, rows_f=rows.view(np.float32), rows_i=rows.view(np.int32),
                          **{f: getattr(p, f).copy() for f in ("hist_stamp", "hist_trace", "hist_count",
                                                                 "hist_dropped")})

    def _carry_plastic(self, old):
        """Learnt weights go on: an STDP projection of the changed network that the old one had
        (same label, ends, synapses, rule and compiled weights) takes the old rows' current
        weights. Presynaptic traces, postsynaptic histories and Tsodyks-Markram states start
        afresh, which is warned about."""
        before, now = old.program.network.projections, self.program.network.projections
        candidates = {}
        for k, q in enumerate(before):
            if q.synapse is not None and q.size:
                candidates.setdefault((q.label, q.pre, q.post, q.size), []).append(k)
        plastic = 0
        for j, p in enumerate(now):
            if p.synapse is None or not p.size:
                continue
            for k in candidates.get((p.label, p.pre, p.post, p.size), []):
                q = before[k]
                if (q.synapse == p.synapse and np.array_equal(q.pre_index, p.pre_index)
                        and np.array_equal(q.post_index, p.post_index)
                        and np.array_equal(np.broadcast_to(q.weight, (q.size,)), np.broadcast_to(p.weight, (p.size,)))):
                    if p.synapse.kind in (STDP_PAIR, STDP_VOGELS):
                        self.set_weights(j, old.weights(k))
                    break
            plastic += 1
        if plastic and old.step > 0:
            warnings.warn(f"the network changed mid-run: {plastic} plastic projections go on with their learnt "
                          "weights, but their presynaptic traces, the postsynaptic spike histories and "
                          "Tsodyks-Markram states start afresh; call reset() before changing the network to "
                          "avoid this", stacklevel=3)

    def pe_starts(self, pop: int) -> np.ndarray:
        """The first neuron (index in population ``pop``) of each PE holding its neurons."""
        pes, rows = self.program.images.pes, self._rows(pop)
        mine = (pes.model >= 0) & (pes.n > 0) & (pes.g0 >= rows.start) & (pes.g0 < rows.stop)
        return np.unique(pes.g0[mine]) - rows.start

    def neuron_scales(self) -> np.ndarray:
        """float32 (neurons, receptors): the weight step each neuron's input buffers are read with."""
        pes = self.program.images.pes
        scales = np.zeros((len(self.fstate), MAX_RECEPTORS), np.float32)
        for v in np.flatnonzero(pes.model >= 0):
            scales[pes.g0[v]:pes.g0[v] + pes.n[v], :pes.scale.shape[1]] = pes.scale[v]
        return scales

    def carry_over(self, old: "Emulator"):
        """Continue from ``old``, the machine of this network before it changed mid-run (new
        populations, projections or synapses; PyNN allows this between runs without a reset):
        the time, trial, every old neuron's state and random stream, the input already under way
        to it (``pending_input``, delivered by the old synapses as the old machine would have),
        current sources' held values, recordings and counters. Populations keep their indices;
        new ones come after them."""
        before = old.program.network.populations
        now = self.program.network.populations
        for p, pop in enumerate(before):
            if p >= len(now) or (now[p].label, now[p].model, now[p].size) != (pop.label, pop.model, pop.size):
                raise ValueError(f"cannot carry the run over: population {p} ({pop.label!r}) is not the same in the "
                                 "changed network; call reset() and run again")
        n = int(old.program.images.neurons.pop_offset[-1])
        self._carried, self._carried_from = old.pending_input(), old.step
        before, now = old.neuron_scales(), self.neuron_scales()[:n]
        changed = (before != now) & (self._carried != 0).any(axis=0)
        if changed.any():      # new weights changed a population's weight step: requantise what is under way
            exact = self._carried * np.where(changed, before / np.where(now > 0, now, 1), 1)[None]
            self._carried = np.rint(exact).astype(np.int64)
            nonzero = exact != 0
            error = (np.abs(self._carried - exact)[nonzero] / np.abs(exact[nonzero])).max()
            if error > 0:
                warnings.warn(f"the changed network has new weight steps for {int(changed.sum())} (neuron, "
                              f"receptor) inputs; the input under way to them was requantised (worst relative "
                              f"error {error:.2e})", stacklevel=2)
        self.step, self.trial = old.step, old.trial
        self.rng = streams.seeds(self.seed, len(self.fstate), self.trial)
        # the changed network's rows are at least as wide: its models are a superset
        self.fstate[:n, :old.fstate.shape[1]], self.istate[:n, :old.istate.shape[1]] = old.fstate, old.istate
        self.rng[:n] = old.rng
        for p, pop in enumerate(old.program.network.populations):
            starts, old_starts = self.pe_starts(p), old.pe_starts(p)
            if pop.spec.repartition is not None and not np.array_equal(starts, old_starts):
                rows = self._rows(p)
                pop.spec.repartition(self.istate[rows], self.constants[rows], old_starts, starts)
        self._rewind_events(from_step=self.step)
        self._current_image, self.inj_value = old._current_image, old.inj_value
        self._load_currents(current_images(self.program.network, self.program.images.neurons.pop_offset))
        self.clear_recordings()                 # new signals begin now; old ones keep their past
        self._spikes = list(old._spikes)
        self._samples |= {key: list(chunks) for key, chunks in old._samples.items() if key in self._samples}
        self._current_samples |= old._current_samples
        self._carry_plastic(old)
        self._stats_before = old.stats.sum(axis=0) + old._stats_before
        self.emulation_seconds += old.emulation_seconds

    def report(self):
        return self.program.report.with_runtime(self.statistics(), self.step * self.dt,
                                                {"load": self.load_seconds, "emulation": self.emulation_seconds},
                                                self.routes.router_load, self.routes.link_load)
