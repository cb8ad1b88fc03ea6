"""Value projections on the emulated chip: decoded values in payload packets, summed over the
sending slices, filtered on the receiving PE (``core/mapping/values.py``, ``core/runtime/values.py``)."""
import numpy as np
import pytest

from core import Emulator, Network, Population, compile_network
from core.network import DiscreteFilter, EncoderLearning, ValueProjection


def lowpass(a):
    """y[t] = a y[t-1] + (1 - a) u[t] as a pass-through state-space filter."""
    return DiscreteFilter([[a]], [1 - a], [a], 1 - a)


def playback_network(size, rows, matrix, filt, relay_size=None):
    net = Network(timestep=1.0)
    src = net.add_population(Population("src", "ValuePlayback", size))
    dst = net.add_population(Population("dst", "ValueRelay", relay_size or rows, record={"output": 1}))
    net.add_value_projection(ValueProjection("p", src, dst, matrix, filt))
    return net, src, dst


def run(net, src, table, threads=1, seed=0):
    emu = Emulator(compile_network(net), seed=seed, threads=threads)
    cols = emu.playback_columns(src)
    full = np.zeros((len(table), emu.values.play.shape[1]), np.float32)
    full[:, cols] = table
    emu.set_playback(0, full)
    emu.run(len(table))
    return emu


def test_partial_sums_of_every_slice_arrive_once(rng):
    """600 source units span three slices, each sending its partial sums of 3 rows: the relay
    must see matrix @ values exactly (up to float32), every step, in the step they were sent."""
    size, rows, steps = 600, 3, 20
    matrix = rng.normal(size=(rows, size))
    net, src, dst = playback_network(size, rows, matrix, DiscreteFilter())
    table = rng.normal(size=(steps, size)).astype(np.float32)
    emu = run(net, src, table)
    assert len(emu.program.graph.pop_slices[src]) >= 3
    _, got = emu.signals(dst, "output")
    np.testing.assert_allclose(got[1:], table @ matrix.T, rtol=1e-4, atol=1e-4)


def test_filter_matches_difference_equation(rng):
    a, steps = 0.9, 30
    net, src, dst = playback_network(2, 2, np.eye(2), lowpass(a))
    table = rng.normal(size=(steps, 2)).astype(np.float32)
    emu = run(net, src, table)
    y, want = np.zeros(2), []
    for u in table:
        y = a * y + (1 - a) * u
        want.append(y.copy())
    _, got = emu.signals(dst, "output")
    np.testing.assert_allclose(got[1:], want, rtol=1e-5, atol=1e-6)


def test_rows_beyond_one_block_reach_every_slice(rng):
    """400 rows take two blocks of keys; both reach both slices of the relay."""
    net = Network(timestep=1.0)
    src = net.add_population(Population("src", "ValuePlayback", 4))
    dst = net.add_population(Population("dst", "ValueRelay", 400, record={"output": 1}))
    matrix = rng.normal(size=(400, 4))
    net.add_value_projection(ValueProjection("p", src, dst, matrix, DiscreteFilter(), target="encoders"))
    table = rng.normal(size=(5, 4)).astype(np.float32)
    emu = run(net, src, table)
    _, got = emu.signals(dst, "output")
    np.testing.assert_allclose(got[1:], table @ matrix.T, rtol=1e-4, atol=1e-4)
    assert emu.statistics()["packets with no master population table entry"] == 0


def test_neuron_rows_drive_their_own_neurons_a_step_later(rng):
    """A 'neurons' projection sends each post slice only its own rows; a value sent in step t is
    the neurons' input current in step t + 1."""
    net = Network(timestep=1.0)
    src = net.add_population(Population("src", "ValuePlayback", 4))
    dst = net.add_population(Population("dst", "LIF", 300, record={"input": 1}))
    matrix = rng.normal(size=(300, 4))
    net.add_value_projection(ValueProjection("p", src, dst, matrix, DiscreteFilter(), target="neurons"))
    table = rng.normal(size=(6, 4)).astype(np.float32)
    emu = run(net, src, table)
    _, got = emu.signals(dst, "input")
    np.testing.assert_allclose(got[2:], table[:-1] @ matrix.T, rtol=1e-4, atol=1e-4)
    assert emu.statistics()["packets delivered to PEs"] == 6 * 300


def test_threads_do_not_change_values(rng):
    size, rows = 700, 5
    matrix = rng.normal(size=(rows, size))
    net, src, dst = playback_network(size, rows, matrix, lowpass(0.8))
    table = rng.normal(size=(10, size)).astype(np.float32)
    one = run(net, src, table, threads=1).signals(dst, "output")[1]
    two = run(net, src, table, threads=2).signals(dst, "output")[1]
    np.testing.assert_array_equal(one, two)


def test_bad_value_projections_are_refused():
    net = Network(timestep=1.0)
    src = net.add_population(Population("src", "ValuePlayback", 3))
    ens = net.add_population(Population("ens", "LIF", 10, encoders=np.ones((10, 2))))
    with pytest.raises(ValueError, match="encoders take 2 dimensions"):
        net.add_value_projection(ValueProjection("p", src, ens, np.ones((3, 3))))
    with pytest.raises(ValueError, match="4 columns"):
        net.add_value_projection(ValueProjection("p", src, ens, np.ones((2, 4))))
    with pytest.raises(ValueError, match="source and cannot receive"):
        net.add_value_projection(ValueProjection("p", ens, src, np.ones((3, 10))))
    with pytest.raises(ValueError, match="non-finite"):
        ValueProjection("p", src, ens, np.full((2, 3), np.nan))


def test_projections_through_one_filter_share_an_input_over_their_rows(rng):
    """Two projections into disjoint rows of a 6-row relay through the same lowpass (e.g. two
    ensembles of an array into its output) become one input over rows 1-4 only, filtered once;
    a third through another filter keeps its own. The relay still sees each filtered sum in its
    own rows, and the rows no projection reaches stay zero."""
    a, b, steps = 0.8, 0.5, 25
    net = Network(timestep=1.0)
    src = net.add_population(Population("src", "ValuePlayback", 2))
    dst = net.add_population(Population("dst", "ValueRelay", 6, record={"output": 1}))
    first, second, third = np.zeros((6, 2)), np.zeros((6, 2)), np.zeros((6, 2))
    first[1, 0] = 2.0
    second[3, 1], second[4, 0] = -1.0, 0.5
    third[4, 1] = 3.0
    for label, m, f in (("first", first, lowpass(a)), ("second", second, lowpass(a)), ("third", third, lowpass(b))):
        net.add_value_projection(ValueProjection(label, src, dst, m, f))
    table = rng.normal(size=(steps, 2)).astype(np.float32)
    emu = run(net, src, table)
    vi = emu.values
    v = int(np.flatnonzero(vi.settles)[0])
    inputs = slice(vi.in_start[v], vi.in_start[v] + vi.in_count[v])
    assert sorted(zip(vi.in_row0[inputs].tolist(), vi.in_rows[inputs].tolist())) == [(1, 4), (4, 1)]
    ya, yb, want = np.zeros(6), np.zeros(6), []
    for u in table:
        ya = a * ya + (1 - a) * ((first + second) @ u)
        yb = b * yb + (1 - b) * (third @ u)
        want.append(ya + yb)
    _, got = emu.signals(dst, "output")
    np.testing.assert_allclose(got[1:], want, rtol=1e-5, atol=1e-6)
    assert not got[:, [0, 5]].any()


def test_encoder_learning_follows_the_vector_oja_rule(rng):
    """Encoders learning on the PEs of a 300-neuron population (two slices), step for step as the
    rule's recurrence: each step the neurons run on e . x + bias, their output enters the post
    filter, and e_i += rate m p_i (s_i x - e_i) with the x and the modulation m = 1 + u that drove
    the step (a value sent in step t drives step t + 1). A sign error, a missing scale, the next
    step's x or a late modulation all change the encoders by far more than float32 rounding."""
    n, steps, rate, a = 300, 30, 0.02, 0.7
    enc0 = rng.normal(size=(n, 2))
    bias, scale = rng.uniform(-0.5, 1.0, n), rng.uniform(0.5, 2.0, n)
    net = Network(timestep=1.0)
    src = net.add_population(Population("src", "ValuePlayback", 3))
    ens = net.add_population(Population(
        "ens", "RateNeuron", n, parameters=dict(curve=1.0, bias=bias), encoders=enc0,
        encoder_learning=EncoderLearning(rate, lowpass(a), scale)))
    net.add_value_projection(ValueProjection("x", src, ens, np.eye(3)[:2]))
    net.add_value_projection(ValueProjection("m", src, ens, np.eye(3)[2:], target="learning", signal="modulation"))
    table = np.c_[rng.uniform(-1, 1, (steps, 2)), rng.uniform(-1.0, 0.5, steps)].astype(np.float32)
    emu = Emulator(compile_network(net), seed=0)
    assert len(emu.program.graph.pop_slices[ens]) >= 2
    cols = emu.playback_columns(src)
    full = np.zeros((steps, emu.values.play.shape[1]), np.float32)
    full[:, cols] = table
    emu.set_playback(0, full)
    enc, x, m, p, got, want = enc0.copy(), np.zeros(2), 1.0, np.zeros(n), [], []
    for t in range(steps):
        emu.run(1)
        got.append(emu.encoders(ens))
        out = np.maximum(enc @ x + bias, 0.0)
        p = a * p + (1 - a) * out
        enc = enc + rate * m * p[:, None] * (scale[:, None] * x - enc)
        want.append(enc.copy())
        x, m = table[t, :2].astype(float), 1.0 + float(table[t, 2])
    assert np.abs(np.diff(want, axis=0)).max() > 1e-2      # the encoders move, step by step
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    emu.reset()
    np.testing.assert_array_equal(emu.encoders(ens), enc0.astype(np.float32))    # reset: as loaded


def test_encoder_learning_is_checked():
    net = Network(timestep=1.0)
    src = net.add_population(Population("src", "ValuePlayback", 1))
    with pytest.raises(ValueError, match="encoder learning needs encoders"):
        Population("ens", "LIF", 4, encoder_learning=EncoderLearning(0.1))
    with pytest.raises(ValueError, match="finite rate and scale"):
        Population("ens", "LIF", 4, encoders=np.ones((4, 1)), encoder_learning=EncoderLearning(0.1, scale=np.nan))
    fixed = net.add_population(Population("fixed", "LIF", 4, encoders=np.ones((4, 1))))
    with pytest.raises(ValueError, match="must learn its encoders"):
        net.add_value_projection(ValueProjection("m", src, fixed, np.ones((1, 1)), target="learning",
                                                 signal="modulation"))
