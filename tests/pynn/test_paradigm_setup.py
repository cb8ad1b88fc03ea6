"""setup(paradigm=..., objective=...): 'auto' by default, the objective reaching the compiler, and
the mapping saying per layer what decided and what each PE costs per step."""
import numpy as np
import pytest

import pynn_spinnaker2 as sim


def build(**setup):
    sim.setup(timestep=1.0, **setup)
    rng = sim.NumpyRNG(seed=3)
    source = sim.Population(300, sim.SpikeSourcePoisson(rate=40.0), label="source")
    dense = sim.Population(100, sim.IF_curr_exp(), label="dense")     # 1 PE on the MAC array, 2 serial
    sparse = sim.Population(120, sim.IF_curr_exp(), label="sparse")
    sim.Projection(source, dense, sim.FixedProbabilityConnector(0.9, rng=rng),
                   sim.StaticSynapse(weight=0.1, delay=1.0))
    sim.Projection(dense, sparse, sim.FixedProbabilityConnector(0.1, rng=rng),
                   sim.StaticSynapse(weight=1.0, delay=sim.RandomDistribution("uniform_int", low=1, high=12, rng=rng)))
    for population in (dense, sparse):
        population.record("spikes")
    sim.run(100.0)
    report = sim.mapping()
    trains = [[np.asarray(t) for t in p.get_data("spikes").segments[0].spiketrains] for p in (dense, sparse)]
    sim.end()
    return report, trains


def test_auto_is_the_default_and_says_what_decided():
    report, trains = build()
    reasons = {p.label: (p.paradigm, p.paradigm_reason) for p in report.populations if p.paradigm != "-"}
    assert set(reasons) == {"dense", "sparse"}
    assert all(why.startswith("auto: ") for _, why in reasons.values())
    assert reasons["dense"][0] == "parallel"
    _, serial_trains = build(paradigm="serial")
    for a, b in zip(trains, serial_trains):                  # the same spikes as the serial mapping
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert sum(len(t) for t in trains[0]) > 0


def test_time_objective_reaches_the_compiler_and_the_report_prices_every_pe():
    report, _ = build(objective="time")
    for p in report.populations:
        if p.paradigm != "-":
            assert p.paradigm_reason.startswith("auto: time: busiest PE ~")
        assert len(p.pe_cycles) == len(p.pes)
    assert "time per step at 150 MHz: busiest PE" in str(report)
    assert "source 40 Hz (its rate)" in str(report)


def test_unknown_objective_is_refused_at_setup():
    with pytest.raises(ValueError, match=r"setup\(\): objective must be one of \('pes', 'time'\), not 'speed'"):
        sim.setup(objective="speed")
