"""The emulator: loads a mapped program's memory images and routing tables into the state of
an emulated machine and runs it step by step (``kernel.run_steps``)."""
from __future__ import annotations

import time
import warnings

import numpy as np

from ..hardware import PES_PER_CHIP
from ..mapping.images import spike_events
from ..mapping.serial import N_SYNAPSE_TYPES
from ..models.spike_source_array import CURSOR, END
from ..models import rng as pe_rng
from . import kernel


class Emulator:
    """Runs a :class:`core.compile.MappedProgram`. Recording, state and parameters are addressed
    by population index; times are in ms, spikes stamped at the end of the step that emits them."""

    def __init__(self, program, seed: int | None = None):
        start = time.perf_counter()
        self.program = program
        self.seed = int(np.random.SeedSequence().entropy % 2**63) if seed is None else int(seed)
        im = program.images
        self.dt = program.network.timestep
        self._img = np.column_stack([
            im.kernel, im.g0, im.n, im.sends, im.pe // PES_PER_CHIP, im.mpt_start, im.mpt_count,
            im.ring_start, im.slots, im.dram, im.feed_start, im.feed_count]).astype(np.int64)
        tables = program.routing_tables
        counts = np.array([len(t) for t in tables], dtype=np.int64)
        self._tables = (np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64), counts,
                        np.concatenate([t.key for t in tables]).astype(np.uint32),
                        np.concatenate([t.mask for t in tables]).astype(np.uint32),
                        np.concatenate([t.links for t in tables]).astype(np.uint8),
                        np.concatenate([t.pes for t in tables]).astype(np.uint64).reshape(-1, 3),
                        program.machine.neighbours.astype(np.int64))
        self._pe_vertex = np.full(program.machine.n_pes, -1, dtype=np.int64)
        self._pe_vertex[im.pe] = np.arange(len(im.pe))
        n_neurons = int(im.pop_offset[-1])
        self._syn_in = np.zeros((n_neurons, N_SYNAPSE_TYPES), dtype=np.float32)
        self._counts = np.zeros(n_neurons, dtype=np.int32)
        self._recording: dict[tuple[int, str], int] = {}
        self._samples: dict = {}
        self.step = 0
        self.constants = im.constants.copy()
        for p, pop in enumerate(program.network.populations):
            for variable, interval in pop.record.items():
                self.record(p, variable, interval)
        self.reset()
        self.emulation_seconds = 0.0
        self.run(0)                       # loads the compiled kernel, as loading a machine would
        self.load_seconds = time.perf_counter() - start

    # -- state -------------------------------------------------------------------------
    def reset(self):
        """Back to the initial state: empty input buffers, step 0, recordings cleared. Parameters
        and spike times set since loading are kept, as PyNN's reset keeps them."""
        im = self.program.images
        self.step = 0
        self.fstate = im.fstate.copy()
        self.istate = im.istate.copy()
        self.ring = np.zeros(im.ring_size, dtype=np.float32)
        self._rewind_events()
        self.rng = pe_rng.seeds(self.seed, len(im.pe))
        self.stats = np.zeros(len(kernel.STATS), dtype=np.int64)
        self.clear_recordings()

    def _rows(self, pop):
        o = self.program.images.pop_offset
        return slice(o[pop], o[pop + 1])

    def _column(self, pop, variable):
        spec = self.program.network.populations[pop].spec
        if variable not in spec.state_columns:
            raise ValueError(f"{spec.name} has no state variable {variable!r}; it has {', '.join(spec.state_columns)}")
        return spec.column(variable)

    def get_state(self, pop: int, variable: str) -> np.ndarray:
        return self.fstate[self._rows(pop), self._column(pop, variable)].astype(float)

    def set_state(self, pop: int, variable: str, values):
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

    def set_spike_times(self, pop: int, spike_times):
        """New spike times (ms, one sequence per neuron) for a SpikeSourceArray, from now on.
        Times not after the current time cannot be emitted any more: they are counted in a warning."""
        population = self.program.network.populations[pop]
        if population.model != "SpikeSourceArray":
            raise ValueError(f"population {population.label!r} is a {population.model}, not a SpikeSourceArray")
        if len(spike_times) != population.size:
            raise ValueError(f"population {population.label!r}: {len(spike_times)} spike trains for {population.size} neurons")
        now = (self.step + 0.5) * self.dt
        before = self._past_events(population.spike_times, now)
        population.spike_times = [np.sort(np.asarray(t, dtype=float).ravel()) for t in spike_times]
        lost = np.setdiff1d(self._past_events(population.spike_times, now), before).size
        if lost:
            warnings.warn(f"population {population.label!r}: {lost} new spike times are not after the current "
                          f"time {self.step * self.dt:g} ms and will not be emitted", stacklevel=2)
        self._rewind_events(from_step=self.step)

    def _past_events(self, spike_times, now):
        """(neuron, step) codes of the spikes before ``now``."""
        neuron = np.repeat(np.arange(len(spike_times)), [len(t) for t in spike_times])
        times = np.concatenate(spike_times) if spike_times else np.zeros(0)
        past = times < now
        return neuron[past] * (2 ** 40) + np.round(times[past] / self.dt).astype(np.int64)

    def _rewind_events(self, from_step=0):
        """Reload every spike-source event list; cursors point at the first event due at or after ``from_step``."""
        self.events, start, end = spike_events(self.program.network, self.dt)
        arrays = np.zeros(len(start), dtype=bool)
        for p, pop in enumerate(self.program.network.populations):
            arrays[self._rows(p)] = pop.model == "SpikeSourceArray"
        earlier = np.concatenate([[0], np.cumsum(self.events < from_step)])   # lists are sorted
        cursor = start + (earlier[end] - earlier[start])
        self.istate[arrays, CURSOR], self.istate[arrays, END] = cursor[arrays], end[arrays]

    # -- recording ---------------------------------------------------------------------
    def record(self, pop: int, variable: str, interval: int = 1):
        """Start recording ``variable`` ('spikes' or a state variable) every ``interval`` steps;
        ``interval=0`` stops it."""
        spec = self.program.network.populations[pop].spec
        if variable not in spec.recordable:
            raise ValueError(f"{spec.name} cannot record {variable!r}; it records {', '.join(spec.recordable)}")
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
        mine = (neuron >= rows.start) & (neuron < rows.stop)
        repeat = count[mine]
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

    # -- running -----------------------------------------------------------------------
    def run(self, n_steps: int):
        """Advance the machine ``n_steps`` time steps."""
        start = time.perf_counter()
        t0, t_end = self.step, self.step + int(n_steps)
        record_spikes = np.zeros(len(self._counts), dtype=np.bool_)
        groups = []
        for (pop, variable), interval in self._recording.items():
            if variable == "spikes":
                record_spikes[self._rows(pop)] = True
            else:
                groups.append((pop, variable, interval))
        n_recording = int(record_spikes.sum())
        rv = np.zeros((len(groups), 6), dtype=np.int64)
        base = 0
        for r, (pop, variable, interval) in enumerate(groups):
            rows = self._rows(pop)
            n_rows = t_end // interval - t0 // interval
            rv[r] = (rows.start, rows.stop - rows.start, self._column(pop, variable), interval, base, t0 // interval + 1)
            base += n_rows * (rows.stop - rows.start)
        samples = np.zeros(base, dtype=np.float32)
        capacity = max(1024, 2 * n_recording)
        t = t0
        while True:
            buf = (np.zeros(capacity, np.int64), np.zeros(capacity, np.int64), np.zeros(capacity, np.int32))
            n_spikes = np.zeros(1, dtype=np.int64)
            t = kernel.run_steps(
                t, t_end, self._img, self.program.images.feeds, self.program.images.key, *self._tables,
                self._pe_vertex, *self._synapse_arrays(), self.ring, self.constants, self.fstate,
                self.istate, self.events, self._syn_in, self._counts, self.rng,
                record_spikes, n_recording, *buf, n_spikes, *rv.T.copy(), samples, self.stats)
            self._spikes.append(tuple(b[:n_spikes[0]] for b in buf))
            capacity *= 2
            if t >= t_end:
                break
        self.step = t_end
        for r, (pop, variable, interval) in enumerate(groups):
            n = rv[r, 1]
            n_rows = t_end // interval - t0 // interval
            steps = (np.arange(n_rows) + rv[r, 5]) * interval
            block = samples[rv[r, 4]:rv[r, 4] + n_rows * n].reshape(n_rows, n)
            self._samples.setdefault((pop, variable), []).append((steps, block))
        self.emulation_seconds += time.perf_counter() - start

    def _synapse_arrays(self):
        im = self.program.images
        return (im.mpt_key, im.mpt_mask, im.mpt_first, im.mpt_rows, im.al_offset, im.al_row_length,
                im.al_scale, im.words, im.scales)

    def statistics(self) -> dict:
        return dict(zip(kernel.STATS, self.stats.tolist()))

    def report(self):
        return self.program.report.with_runtime(self.statistics(), self.step * self.dt,
                                                {"load": self.load_seconds, "emulation": self.emulation_seconds})
