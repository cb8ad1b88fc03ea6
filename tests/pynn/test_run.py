"""Running on the emulator through the PyNN API: spike timing against closed-form results, neo
output structure and units, continuing runs, reset, parameter and state changes between runs."""
import neo
import numpy as np
import pytest
import quantities as pq

import pynn_spinnaker2 as sim
from pynn_spinnaker2.simulator import state

T_STAR = 20.0 * np.log(4.0)   # IF_curr_exp defaults, i_offset 1 nA: V -> -45 mV, threshold -50 mV


def times(population, index=0, segment=-1):
    return population.get_data("spikes").segments[segment].spiketrains[index].rescale(pq.ms).magnitude


def test_constant_current_first_spike_within_one_step():
    pop = sim.Population(1, sim.IF_curr_exp(i_offset=1.0), label="p")
    pop.record(["spikes", "v"])
    sim.run(100.0)
    spikes = times(pop)
    assert T_STAR < spikes[0] <= T_STAR + 0.1 and len(spikes) == 3
    v = pop.get_data("v").segments[0].analogsignals[0]
    assert v.shape == (1001, 1) and v.units == pq.mV and v.sampling_period == 0.1 * pq.ms
    assert v.t_start == 0 * pq.ms and float(v[0, 0]) == -65.0
    assert float(v.max()) < -50.0


def test_neo_block_structure_and_segments():
    pop = sim.Population(4, sim.IF_curr_exp(i_offset=[0.0, 1.0, 2.0, 3.0]), label="p")
    pop.record("spikes")
    pop[1:3].record("v", sampling_interval=1.0)
    sim.run(50.0)
    block = pop.get_data()
    assert isinstance(block, neo.Block) and block.name == "p" and len(block.segments) == 1
    segment = block.segments[0]
    assert segment.name == "segment000"
    assert [st.annotations["source_index"] for st in segment.spiketrains] == [0, 1, 2, 3]
    assert all(st.t_stop == 50 * pq.ms and st.units == pq.ms for st in segment.spiketrains)
    assert len(segment.spiketrains[0]) == 0 and len(segment.spiketrains[3]) > len(segment.spiketrains[1]) > 0
    (v,) = segment.analogsignals
    assert v.name == "v" and v.shape == (51, 2) and v.sampling_period == 1.0 * pq.ms
    assert list(v.array_annotations["channel_index"]) == [1, 2]

    sim.reset()
    sim.run(20.0)
    block = pop.get_data()
    assert [s.name for s in block.segments] == ["segment000", "segment001"]
    assert block.segments[1].analogsignals[0].shape == (21, 2)
    assert block.segments[0].analogsignals[0].shape == (51, 2)
    assert block.segments[1].spiketrains[3].t_stop == 20 * pq.ms
    counts = pop.get_spike_counts()
    assert counts[pop[3]] == len(block.segments[1].spiketrains[3])


def test_continuing_runs_and_reset_repeat_the_same_spikes():
    pop = sim.Population(2, sim.IF_curr_alpha(i_offset=[0.8, 1.5]), label="p")
    pop.record("spikes")
    sim.run(30.0)
    sim.run(70.0)
    assert sim.get_current_time() == pytest.approx(100.0)
    first = [times(pop, i) for i in range(2)]
    sim.reset()
    assert sim.get_current_time() == 0.0
    sim.run_until(100.0)
    for i in range(2):
        np.testing.assert_allclose(times(pop, i), first[i])


def test_parameter_change_between_runs_and_after_reset():
    pop = sim.Population(1, sim.IF_curr_exp(i_offset=0.0), label="p")
    pop.record("spikes")
    sim.run(50.0)
    pop.set(i_offset=1.0)
    sim.run(50.0)
    assert 50.0 + T_STAR < times(pop)[0] <= 50.0 + T_STAR + 0.1
    sim.reset()                                  # parameters are not reset, as in PyNN
    sim.run(50.0)
    assert T_STAR < times(pop)[0] <= T_STAR + 0.1


def test_initialize_takes_effect_now_and_at_reset():
    pop = sim.Population(2, sim.IF_curr_exp(), label="p")
    pop.record("v")
    sim.run(5.0)
    pop[1:].initialize(v=-60.0)
    sim.run(5.0)
    v = pop.get_data().segments[0].analogsignals[0].magnitude
    assert v[51, 1] > -60.5 and v[51, 0] < -64.9            # only neuron 1 jumped, mid-run
    sim.reset()
    sim.run(1.0)
    v = pop.get_data().segments[1].analogsignals[0].magnitude
    np.testing.assert_allclose(v[0], [-65.0, -60.0])          # the t = 0 sample shows the new value


def test_spike_source_array_drives_a_neuron():
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 30.0]), label="s")
    pop = sim.Population(1, sim.IF_curr_exp(), label="p")
    sim.Projection(source, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=5.0, delay=1.0))
    source.record("spikes")
    pop.record(["spikes", "v"])
    sim.run(50.0)
    np.testing.assert_allclose(times(source), [10.0, 30.0])
    out = times(pop)
    assert len(out) == 2 and np.all((out > [11.0, 31.0]) & (out < [20.0, 40.0]))
    v = pop.get_data().segments[0].analogsignals[0].magnitude[:, 0]
    # the input current arrives at 10 ms + 1 ms delay (sample 110); V moves from the next sample on
    assert np.all(v[:111] == -65.0) and v[111] > -65.0


def test_spike_times_set_between_runs():
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]), label="s")
    source.record("spikes")
    sim.run(10.0)
    source[1:].set(spike_times=[15.0, 18.0])
    sim.run(10.0)
    trains = source.get_data().segments[0].spiketrains
    np.testing.assert_allclose(trains[0].magnitude, [5.0])
    np.testing.assert_allclose(trains[1].magnitude, [5.0, 15.0, 18.0])


def test_get_data_clear_and_write_data(tmp_path):
    pop = sim.Population(1, sim.IF_curr_exp(i_offset=1.0), label="p")
    pop.record(["spikes", "v"])
    sim.run(50.0)
    assert len(pop.get_data(clear=True).segments[0].spiketrains[0]) == 1
    sim.run(50.0)
    segment = pop.get_data().segments[0]
    assert np.all(segment.spiketrains[0].magnitude > 50.0) and len(segment.spiketrains[0]) == 2
    v = segment.analogsignals[0]
    assert v.t_start == 50 * pq.ms and v.shape == (501, 1)
    pop.write_data(str(tmp_path / "p.pkl"))
    back = neo.io.PickleIO(str(tmp_path / "p.pkl")).read_block()
    assert back.segments[0].analogsignals[0].shape == (501, 1)


def test_record_none_stops_recording():
    pop = sim.Population(1, sim.IF_curr_exp(i_offset=1.0), label="p")
    pop.record(["spikes", "v"])
    sim.run(10.0)
    pop.record(None)
    sim.run(10.0)
    assert state.emulator._recording == {}


def test_poisson_rates_and_seeding():
    def counts(seed):
        sim.setup(timestep=0.1, seed=seed)
        pop = sim.Population(20, sim.SpikeSourcePoisson(rate=200.0), label="poisson")
        pop.record("spikes")
        sim.run(1000.0)
        return np.array([len(st) for st in pop.get_data().segments[0].spiketrains])

    a, b, c = counts(1), counts(1), counts(2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert abs(a.mean() - 200.0) < 5 * np.sqrt(200.0 / 20)


def test_mapping_report_after_run():
    pop = sim.Population(300, sim.IF_curr_exp(), label="big")
    sim.Projection(pop, pop, sim.FixedProbabilityConnector(0.05, rng=sim.NumpyRNG(1)),
                   sim.StaticSynapse(weight=0.01, delay=1.0))
    sim.run(1.0)
    report = sim.mapping()
    assert "big" in str(report) and len(report.population("big").pes) >= 2   # > 255 neurons per PE
