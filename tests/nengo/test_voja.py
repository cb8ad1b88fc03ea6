"""Voja on the PEs: an ensemble's encoders learn where its neurons run, step for step as nengo's
reference simulator learns them (``SimVoja``), and the learned encoders are probed as nengo
reports them."""
import numpy as np
import pytest

nengo = pytest.importorskip("nengo")

from nengo_spinnaker2 import Simulator  # noqa: E402


def voja_model(n=300, control=None, sink=False, post_synapse=nengo.Lowpass(0.005), synapse=None):
    """A 2-D input learned into the encoders of an ensemble of radius 2 (the scale gain / radius
    differs from the gain): rate neurons, so both simulators compute the same numbers."""
    with nengo.Network(seed=4) as net:
        u = nengo.Node(lambda t: [np.sin(7 * t), np.cos(5 * t)])
        x = nengo.Ensemble(n, 2, radius=2.0, neuron_type=nengo.LIFRate())
        conn = nengo.Connection(u, x, synapse=synapse, learning_rule_type=nengo.Voja(0.5, post_synapse=post_synapse))
        if control is not None:
            nengo.Connection(nengo.Node(control), conn.learning_rule, synapse=synapse)
        if sink:                         # a node reading the machine: host and machine alternate in each step
            nengo.Connection(x, nengo.Node(lambda t, v: v, size_in=2), synapse=None)
        probes = dict(enc=nengo.Probe(conn.learning_rule, "scaled_encoders"),
                      ens_enc=nengo.Probe(x, "scaled_encoders", sample_every=0.005),
                      delta=nengo.Probe(conn.learning_rule, "delta"),
                      post=nengo.Probe(conn.learning_rule, "post_filtered"),
                      out=nengo.Probe(x, synapse=0.01))
    return net, x, probes


def run_both(net, seconds=0.1):
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run(seconds)
    with Simulator(net, progress_bar=False) as sim:
        sim.run(seconds)
    return ref, sim


def assert_same(got, want, what):
    scale = np.abs(want).max()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * scale, err_msg=what)


def test_encoders_learn_as_in_the_reference():
    """Learned encoders, their per-step change, the post-filtered activity and the decoded output
    equal nengo's step for step (float32 rounding aside); the ensemble spans two PEs. The
    encoders move by far more per step than the tolerance, so a step late, a flipped sign or a
    missing gain / radius scale fails."""
    net, x, p = voja_model()
    ref, sim = run_both(net)
    enc = ref.data[p["enc"]]
    assert np.abs(np.diff(enc, axis=0)).max() > 1e3 * 1e-5 * np.abs(enc).max()
    assert len(sim.program.graph.pop_slices[sim.translation.ensemble_pop[x]]) >= 2
    for key in ("enc", "ens_enc", "delta", "post", "out"):
        assert sim.data[p[key]].shape == ref.data[p[key]].shape, key
        assert_same(sim.data[p[key]], ref.data[p[key]], key)
    # the built artefacts stay as built, as in nengo: the encoders there are the initial ones
    np.testing.assert_array_equal(sim.data[x].scaled_encoders, ref.data[x].scaled_encoders)
    assert_same(sim.data[p["enc"]][0], ref.data[x].scaled_encoders, "first sample")


def switching(t):
    return 0.0 if t < 0.03 else -1.0 if t < 0.06 else -2.0


def test_modulation_switches_learning_as_in_the_reference():
    """A connection into the rule scales its rate by 1 + its value: learning, then none (-1),
    then unlearning (-2), switching in the same steps as nengo's."""
    net, x, p = voja_model(n=40, control=switching, post_synapse=None)
    ref, sim = run_both(net)
    enc = sim.data[p["enc"]]
    steps = np.abs(np.diff(enc, axis=0)).max(axis=(1, 2))
    assert steps[:28].min() > 0 and not steps[30:59].any() and steps[60:].min() > 0
    for key in ("enc", "delta", "out"):
        assert_same(sim.data[p[key]], ref.data[p[key]], key)


def test_closed_loop_learns_as_in_the_reference():
    """With a node reading the machine, host and machine alternate within each step and the
    encoders are sampled around every step there too."""
    net, x, p = voja_model(n=40, control=switching, sink=True, post_synapse=None, synapse=nengo.Lowpass(0.002))
    ref, sim = run_both(net)
    assert sim.host.closed_loop
    for key in ("enc", "delta", "out"):
        assert_same(sim.data[p[key]], ref.data[p[key]], key)


def test_reset_restores_the_built_encoders():
    net, x, p = voja_model(n=20)
    with Simulator(net, progress_bar=False) as sim:
        sim.run(0.02)
        first = sim.data[p["enc"]].copy()
        sim.reset()
        sim.run(0.02)
        np.testing.assert_array_equal(sim.data[p["enc"]], first)


def test_unsupported_voja_uses_are_named():
    with nengo.Network() as net:
        u = nengo.Node([0.5])
        x = nengo.Ensemble(10, 1)
        nengo.Connection(u, x, learning_rule_type=nengo.Voja())
        nengo.Connection(u, x, learning_rule_type=nengo.Voja())
    with pytest.raises(NotImplementedError, match="2 Voja rules learn its encoders"):
        Simulator(net, progress_bar=False)
    with nengo.Network() as net:
        x = nengo.Ensemble(10, 1)
        conn = nengo.Connection(nengo.Node([0.5]), x, learning_rule_type=nengo.Voja())
        nengo.Probe(conn.learning_rule, "scaled_encoders", synapse=0.01)
    with pytest.raises(NotImplementedError, match="synapse on Voja's 'scaled_encoders'"):
        Simulator(net, progress_bar=False)
