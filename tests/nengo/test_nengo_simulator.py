"""nengo_spinnaker2.Simulator: nengo's API, its timing against nengo's reference simulator,
the mapping it reports, and its errors."""
import numpy as np
import pytest

nengo = pytest.importorskip("nengo")
from nengo.exceptions import ReadonlyError, SimulationError, SimulatorClosed  # noqa: E402

import nengo_spinnaker2  # noqa: E402
from nengo_spinnaker2 import Simulator  # noqa: E402


def channel(seed=1, neuron_type=None):
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(lambda t: np.sin(8 * t))
        a = nengo.Ensemble(50, 1, neuron_type=neuron_type or nengo.LIF())
        b = nengo.Ensemble(50, 1, neuron_type=neuron_type or nengo.LIF())
        nengo.Connection(stim, a)
        nengo.Connection(a, b)
        probes = dict(stim=nengo.Probe(stim), a=nengo.Probe(a, synapse=0.01), b=nengo.Probe(b, synapse=0.01),
                      spikes=nengo.Probe(a.neurons))
        if "voltage" in a.neurons.probeable:            # rate neurons have no voltage
            probes["v"] = nengo.Probe(a.neurons, "voltage", sample_every=0.005)
    return net, probes


def test_api_follows_nengo():
    net, p = channel()
    with Simulator(net) as sim:
        assert sim.dt == 0.001 and sim.n_steps == 0 and sim.time == 0.0
        with pytest.raises(ReadonlyError):
            sim.dt = 0.002
        sim.run(0.05)
        sim.run_steps(10)
        sim.step()
        assert sim.n_steps == 61 and sim.time == pytest.approx(0.061)
        assert sim.data[p["a"]].shape == (61, 1) and sim.data[p["spikes"]].shape == (61, 50)
        assert sim.data[p["v"]].shape == (12, 50)
        np.testing.assert_allclose(sim.trange(), 0.001 * np.arange(1, 62))
        np.testing.assert_allclose(sim.trange(sample_every=0.005), 0.005 * np.arange(1, 13))
        np.testing.assert_allclose(sim.data[p["stim"]][:, 0], np.sin(8 * sim.trange()))
        assert sim.data[net.ensembles[0]].gain.shape == (50,)
        first = sim.data[p["b"]].copy()
        sim.reset()
        assert sim.n_steps == 0 and len(sim.data[p["b"]]) == 0
        sim.run_steps(61)
        np.testing.assert_array_equal(sim.data[p["b"]], first)      # reset: the same run again
    with pytest.raises(SimulatorClosed):
        sim.run(0.01)
    with pytest.raises(SimulatorClosed):
        sim.reset()


@pytest.mark.parametrize("neuron_type", [nengo.LIFRate(), nengo.RectifiedLinear(), nengo.Tanh()])
def test_rate_neurons_match_the_reference(neuron_type):
    """Deterministic rate neurons: the same decoded output as nengo's reference simulator, step
    for step, except the one step a connection without delay takes between PEs (none here)."""
    net, p = channel(neuron_type=neuron_type)
    with nengo.Simulator(net, progress_bar=False) as ref, Simulator(net) as sim:
        ref.run(0.2)
        sim.run(0.2)
    np.testing.assert_allclose(sim.data[p["b"]], ref.data[p["b"]], atol=2e-3)
    np.testing.assert_allclose(sim.data[p["spikes"]], ref.data[p["spikes"]], rtol=1e-3, atol=1e-2)


def test_spiking_channel_is_as_accurate_as_the_reference():
    net, p = channel()
    with nengo.Simulator(net, progress_bar=False) as ref, Simulator(net) as sim:
        ref.run(0.5)
        sim.run(0.5)
    target = np.sin(8 * sim.trange())
    err = np.sqrt(np.mean((sim.data[p["b"]][:, 0] - target) ** 2))
    ref_err = np.sqrt(np.mean((ref.data[p["b"]][:, 0] - target) ** 2))
    assert err < ref_err + 0.02
    # the first spikes fall on the same steps as nengo's: same build, same neuron dynamics
    first = lambda s: np.argmax(s > 0, axis=0)
    assert np.mean(first(sim.data[p["spikes"]]) == first(ref.data[p["spikes"]])) > 0.9


def test_node_reading_the_machine_sees_the_same_step():
    """A node fed without a synapse by neurons sees their output of the same step, as in nengo:
    host and machine alternate within the step."""
    with nengo.Network(seed=3) as net:
        stim = nengo.Node(lambda t: np.sin(6 * t))
        a = nengo.Ensemble(5, 1, neuron_type=nengo.LIFRate())
        nengo.Connection(stim, a)
        out = nengo.Node(lambda t, x: x, size_in=5)
        nengo.Connection(a.neurons, out, synapse=None)
        pa, po = nengo.Probe(a.neurons), nengo.Probe(out)
    with Simulator(net) as sim:
        sim.run(0.05)
    np.testing.assert_allclose(sim.data[po], sim.data[pa], rtol=1e-6)


@pytest.mark.parametrize("synapse", [nengo.Lowpass(0.01), nengo.Alpha(0.005), nengo.Triangle(0.004)])
def test_probe_synapse_filters_on_the_machine(synapse):
    """A filtered probe of a node's output is nengo's filter, one step behind (nengo's update)."""
    with nengo.Network() as net:
        u = nengo.Node(lambda t: np.sin(40 * t) + 0.5)
        raw, filtered = nengo.Probe(u), nengo.Probe(u, synapse=synapse)
    with Simulator(net) as sim:
        sim.run(0.1)
    x = sim.data[raw]
    want = synapse.filt(x, dt=sim.dt, y0=0) if not isinstance(synapse, nengo.Triangle) else \
        np.stack([np.convolve(x[:, 0], _triangle(synapse.t, sim.dt))[:len(x)]], axis=1)
    np.testing.assert_allclose(sim.data[filtered][1:], want[:-1], atol=1e-5)
    assert sim.data[filtered][0, 0] == 0


def _triangle(t, dt):
    h = np.arange(int(round(t / dt)) + 1, 0, -1, dtype=float)
    return h / h.sum()


def test_pes_learns_a_channel():
    """PES learns a channel from zero as nengo's reference simulator does: the same output (the
    filtered probe lags sin(10 t) alike in both), its error shrinking, the weights changing."""
    with nengo.Network(seed=2) as net:
        stim = nengo.Node(lambda t: np.sin(10 * t))
        pre, post = nengo.Ensemble(60, 1), nengo.Ensemble(60, 1)
        nengo.Connection(stim, pre)
        conn = nengo.Connection(pre, post, function=lambda x: 0, learning_rule_type=nengo.PES(1e-3))
        err = nengo.Node(size_in=1)
        nengo.Connection(post, err)
        nengo.Connection(stim, err, transform=-1)
        nengo.Connection(err, conn.learning_rule)
        pp = nengo.Probe(post, synapse=0.02)
        pw = nengo.Probe(conn, "weights", sample_every=0.1)
    with Simulator(net) as sim:
        sim.run(2.0)
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run(2.0)
    t = sim.trange()
    error = sim.data[pp][:, 0] - np.sin(10 * t)
    assert np.sqrt(np.mean(error[t > 1.5] ** 2)) < 0.8 * np.sqrt(np.mean(error[(t > 0.1) & (t < 0.5)] ** 2))
    assert np.sqrt(np.mean((sim.data[pp] - ref.data[pp]) ** 2)) < 0.05
    assert sim.data[pw].shape == (20, 1, 60) and not np.allclose(sim.data[pw][0], sim.data[pw][-1])


def test_mapping_report_names_value_projections():
    net, _ = channel()
    with Simulator(net) as sim:
        sim.run(0.01)
        report = sim.mapping()
    text = str(report)
    assert "value projections" in text and report.pes_used >= 5
    assert all(p.paradigm == "values" for p in report.populations)
    assert report.runtime["packets delivered to PEs"] > 0 and report.dropped_packets == 0


def test_unsupported_objects_are_named():
    class Custom(nengo.neurons.NeuronType):
        pass

    with nengo.Network() as net:
        nengo.Ensemble(10, 1, neuron_type=nengo.RegularSpiking(nengo.LIFRate()), label="fine")
        bad = nengo.Ensemble(10, 1, neuron_type=nengo.Izhikevich(), label="izh")
        nengo.Probe(bad.neurons, "voltage", synapse=0.01)
    with pytest.raises(NotImplementedError, match="synapse on neuron state 'voltage'"):
        Simulator(net)


def test_node_errors_surface_as_simulation_errors():
    with nengo.Network() as net:
        u = nengo.Node(lambda t: np.nan if t > 0.003 else 0.0)
        nengo.Connection(u, nengo.Ensemble(10, 1))
    with Simulator(net) as sim:
        with pytest.raises(SimulationError, match="non-finite"):
            sim.run(0.01)


def test_an_algebraic_loop_is_refused_as_by_nengo():
    with nengo.Network() as net:
        d = nengo.Ensemble(1, 1, neuron_type=nengo.Direct())
        nengo.Connection(d, d, synapse=None)
    with pytest.raises(ValueError, match="feed each other without a synapse"):
        Simulator(net)


def test_a_process_output_is_written_as_nengo_writes_it():
    """A process's step function returning None leaves NaN, as nengo's SimProcess does (only
    node functions are checked for finite values)."""
    class Sink(nengo.Process):
        def make_step(self, shape_in, shape_out, dt, rng, state):
            return lambda t, x: None
    with nengo.Network() as net:
        v = nengo.Node(Sink(), size_in=1)
        nengo.Connection(nengo.Node(1.0), v, synapse=None)
        p = nengo.Probe(v)
    with Simulator(net) as sim:
        sim.run(0.003)
    assert np.isnan(sim.data[p]).all()


def test_too_large_for_the_machine_says_how_many_chips():
    with nengo.Network() as net:
        for _ in range(160):
            nengo.Ensemble(20, 1)
    with pytest.raises(ValueError, match="needs 160 PEs"):
        Simulator(net, n_chips=1)
    with Simulator(net) as sim:               # the default machine is large enough
        assert sim.mapping().chips_used == 2


def test_backend_entry_point_is_declared():
    import configparser
    from pathlib import Path
    cfg = configparser.ConfigParser()
    cfg.read(Path(__file__).resolve().parents[2] / "setup.cfg")
    assert "nengo_spinnaker2:Simulator" in cfg["options.entry_points"]["nengo.backends"]
    assert nengo_spinnaker2.Simulator is Simulator
