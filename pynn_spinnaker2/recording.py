"""Recording: the machine records whole populations (a PE streams all its neurons' spikes or
samples), so PyNN's per-cell selections are filters applied when data are read back.
``get_data(clear=True)`` on one population must not clear the others, so clearing is a time
filter here rather than ``Emulator.clear_recordings()``, which clears every population.
Data are read from the machine the population last ran on, so they survive ``end()`` and
even a later ``setup()``."""
import numpy as np

from pyNN import recording

from . import simulator


class Recorder(recording.Recorder):
    _simulator = simulator

    def _record(self, variable, new_ids, sampling_interval=None):
        if variable.location is not None:
            raise NotImplementedError("pynn_spinnaker2 has point neurons only; record without `locations`")
        if sampling_interval is not None and variable.name != "spikes":
            simulator.state.timestep_steps(sampling_interval, "sampling_interval")
            self.sampling_interval = sampling_interval
        self._update_emulator()

    def _core_record(self):
        """What the core population records: variable -> sampling interval in time steps."""
        steps = simulator.state.timestep_steps(self.sampling_interval, "sampling_interval")
        return {variable.name: 1 if variable.name == "spikes" else steps
                for variable, ids in self.recorded.items() if ids}

    def _update_emulator(self, stop=()):
        emulator = self.population._live_emulator()
        if emulator is not None:
            for name, steps in self._core_record().items():
                emulator.record(self.population._core_index, name, steps)
            for name in stop:
                emulator.record(self.population._core_index, name, 0)
            if emulator.step == 0:
                emulator.clear_recordings()  # take the t = 0 samples of new signals

    def _reset(self):
        self._update_emulator(stop={variable.name for variable in self.recorded})

    def _start_ms(self):
        return float(self._recording_start_time)

    def get(self, variables, gather=False, filter_ids=None, clear=False, annotations=None, locations=None):
        """Under MPI every rank holds all recorded data (the ranks gather after each run), so
        ``gather=True`` gives every rank the whole population (pyNN.nest gives it to rank 0 only);
        ``gather=False`` gives the cells this rank emulates, as in pyNN.nest."""
        none = False
        if simulator.state.num_processes > 1 and not gather:
            filter_ids = self._local_ids(filter_ids)
            none, filter_ids = not len(filter_ids), filter_ids if len(filter_ids) else None
        data = super().get(variables, gather=False, filter_ids=filter_ids, clear=clear, annotations=annotations,
                           locations=locations)
        for segment in data.segments if none else ():      # no cell of this population on this rank
            segment.spiketrains, segment.analogsignals = [], []
        return data

    def _local_ids(self, filter_ids=None):
        """The cells (of ``filter_ids``, if given) that this MPI rank emulates."""
        population = self.population
        owned = getattr(population._emulator, "_owned", None)
        ids = population.all_cells if filter_ids is None else np.asarray(filter_ids)
        if owned is None:
            return ids
        rows = owned[population._emulator._rows(population._core_index)]
        return [id for id in ids if rows[int(id) - int(population.first_id)]]

    def _get_spiketimes(self, ids, clear=False):
        population = self.population
        if population._emulator is None:                    # not run yet: nothing recorded
            return np.zeros(0, dtype=int), np.zeros(0)
        dt = population._emulator.dt
        index, times = population._emulator.spikes(population._core_index)
        wanted = np.zeros(population.size, dtype=bool)
        wanted[np.asarray(ids, dtype=int) - int(population.first_id)] = True
        keep = wanted[index] & (times > self._start_ms() + dt / 2)
        return index[keep] + int(population.first_id), np.array(times[keep], dtype=float)

    def _get_all_signals(self, variable, ids, clear=False):
        if len(ids) == 0:
            return np.array([]), None
        population = self.population
        if population._emulator is None:
            return np.zeros((0, len(ids))), None
        dt = population._emulator.dt
        times, values = population._emulator.signals(population._core_index, variable.name)
        columns = np.asarray(ids, dtype=int) - int(population.first_id)
        rows = times >= self._start_ms() - dt / 2
        return np.asarray(values, dtype=float)[rows][:, columns], None

    def _local_count(self, variable, filter_ids=None):
        if simulator.state.num_processes > 1:    # this rank's cells; count(gather=True) merges the ranks'
            filter_ids = self._local_ids(filter_ids)
        ids = sorted(self.filter_recorded(variable, filter_ids))
        if not ids or self.population._emulator is None:
            return {int(id): 0 for id in ids}
        senders, _ = self._get_spiketimes(ids)
        first = int(self.population.first_id)
        counts = np.bincount(senders - first, minlength=self.population.size)
        return {int(id): int(counts[int(id) - first]) for id in ids}

    def _clear_simulator(self):
        """Nothing to free: ``clear()`` moved the recording start time, which filters reads."""
