"""Plastic synaptic rows on the emulated PEs, without NEST: closed forms of the pair protocol,
a float64 reimplementation of NEST's stdp_synapse / vogels_sprekeler_synapse / tsodyks_synapse
run on the recorded spike trains, independence of the window length and thread count, the
postsynaptic history's overruns, DRAM write-backs, byte costs, weight access and reset."""
import math
import warnings

import numpy as np
import pytest

from core import Emulator, Network, Population, Projection, compile_network
from core.mapping import plastic as plastic_mapping
from core.models.plasticity import STDP, SpikePair, Stochastic, TsodyksMarkram, Vogels2011, WeightDependence

DT = 0.1
DEPENDENCES = {
    "additive": WeightDependence("additive", 0.0, 1e-3),
    "multiplicative": WeightDependence("multiplicative", 0.0, 1e-3),
    "additive_potentiation_multiplicative_depression":
        WeightDependence("additive_potentiation_multiplicative_depression", 0.0, 1e-3),
    "gutig": WeightDependence("gutig", 0.0, 1e-3, mu_plus=0.4, mu_minus=0.7),
}


# -- a float64 reference of NEST's rules, written from NEST's documented algorithm ------------------

def facilitate(w, k, rule):
    wd = rule.weight_dependence
    if isinstance(rule.timing, Vogels2011):
        return min(w + rule.timing.eta * k, wd.w_max)
    x = (w - wd.w_min) / (wd.w_max - wd.w_min)
    x = x + rule.timing.A_plus * (1 - x) ** wd.mu_plus * k
    return wd.w_min + min(x, 1.0) * (wd.w_max - wd.w_min)


def depress(w, k, rule):
    wd = rule.weight_dependence
    if isinstance(rule.timing, Vogels2011):
        w = facilitate(w, k, rule)
        return max(w - rule.timing.alpha * rule.timing.eta, wd.w_min)
    x = (w - wd.w_min) / (wd.w_max - wd.w_min)
    x = x - rule.timing.A_minus * x ** wd.mu_minus * k
    return wd.w_min + max(x, 0.0) * (wd.w_max - wd.w_min)


def reference_stdp(pre, post, delay, rule, w0):
    """Final weight after presynaptic stamps ``pre`` and postsynaptic stamps ``post`` (ms), the
    whole delay dendritic. Postsynaptic trace as an explicit sum over earlier spikes."""
    tau_pre = rule.pre_tau
    tau_post = rule.post_tau
    post = np.sort(np.asarray(post, dtype=float))
    t_last, kplus, w = 0.0, 0.0, w0
    for t in np.sort(pre):
        for q in post[(post > t_last - delay + 1e-9) & (post <= t - delay + 1e-9)]:
            w = facilitate(w, kplus * math.exp(-(q + delay - t_last) / tau_pre), rule)
        before = post[post < t - delay - 1e-9]
        w = depress(w, float(np.exp(-(t - delay - before) / tau_post).sum()), rule)
        kplus = kplus * math.exp(-(t - t_last) / tau_pre) + 1.0
        t_last = t
    return w


# -- networks ----------------------------------------------------------------------------------------

def driven_post(net, drive_times, size=1):
    """A population that spikes once per drive time (strong input, long refractory period)."""
    post = net.add_population(Population("post", "IF_curr_exp", size, parameters={"tau_refrac": 30.0},
                                         record={"spikes": 1}))
    drv = net.add_population(Population("drive", "SpikeSourceArray", size,
                                         spike_times=[drive_times] * size))
    net.add_projection(Projection("drive", drv, post, np.arange(size), np.arange(size), 20.0, 10))
    return post


def pair_protocol(rule, deltas, delay_steps=10, w0=0.5e-3):
    """One postsynaptic spike; presynaptic neuron i fires so that the postsynaptic spike reaches
    the synapse ``deltas[i]`` ms after it, then once more 400 ms later (which applies the
    deferred potentiation)."""
    net = Network(DT)
    post = driven_post(net, [50.0])
    emu_post_time = 51.9        # checked below against the recording
    d = delay_steps * DT
    times = [[emu_post_time + d - x, emu_post_time + d - x + 400.0] for x in deltas]
    pre = net.add_population(Population("pre", "SpikeSourceArray", len(deltas), spike_times=times))
    j = net.add_projection(Projection("stdp", pre, post, np.arange(len(deltas)), np.zeros(len(deltas), int),
                                      w0, delay_steps, synapse=rule))
    emu = Emulator(compile_network(net), seed=1)
    emu.run(5000)
    np.testing.assert_allclose(emu.spikes(post)[1], [emu_post_time])
    return emu.weights(j), times


@pytest.mark.parametrize("name", sorted(DEPENDENCES))
def test_pair_protocol_closed_form(name):
    """Weight change against the timing of one pairing: A+ (1-x)^mu+ exp(-dt/tau+) after,
    -A- x^mu- exp(dt/tau-) before, with the two time constants different, so a sign error,
    swapped time constants or a wrong exponent each show."""
    wd = DEPENDENCES[name]
    rule = STDP(SpikePair(tau_plus=16.8, tau_minus=33.7, A_plus=0.01, A_minus=0.012), wd)
    deltas = np.array([-50, -30, -12.5, -5, -0.1, 0.1, 2, 5, 12.5, 30, 50])
    w0 = 0.5e-3
    w, times = pair_protocol(rule, deltas, w0=w0)
    x0 = (w0 - wd.w_min) / (wd.w_max - wd.w_min)
    expected = np.where(deltas > 0, 0.01 * (1 - x0) ** wd.mu_plus * np.exp(-deltas / 16.8),
                        -0.012 * x0 ** wd.mu_minus * np.exp(deltas / 33.7))
    # the second presynaptic spike also depresses, by the trace of the one postsynaptic spike
    x1 = x0 + expected
    late = np.array([400.0 - x for x in deltas])
    expected = x1 - 0.012 * x1 ** wd.mu_minus * np.exp(-late / 33.7) - x0
    np.testing.assert_allclose((w - w0) / (wd.w_max - wd.w_min), expected, atol=2e-7, rtol=1e-5)


def test_pair_at_zero_lag_and_at_the_delay():
    """NEST's tie rules: a postsynaptic spike that reaches the synapse exactly with the
    presynaptic one neither potentiates nor depresses; one step either side does."""
    rule = STDP(SpikePair(20.0, 20.0, 0.01, 0.01), DEPENDENCES["additive"])
    w, _ = pair_protocol(rule, np.array([-DT, 0.0, DT]))
    change = (w - 0.5e-3) / 1e-3
    assert change[0] < -0.009 and change[2] > 0.009
    assert abs(change[1]) < 1e-7          # the initial weight's float32 rounding


def random_trains(rng, n, rate, duration):
    return [np.unique(np.round(np.sort(rng.uniform(1.0, duration, rng.poisson(rate * duration / 1000))), 1))
            for _ in range(n)]


@pytest.mark.parametrize("timing,fraction,longest", [("spike_pair", 1.0, 40), ("spike_pair", 0.75, 40),
                                                     ("vogels", 1.0, 40), ("spike_pair", 0.75, 250)])
def test_random_trains_match_reference(timing, fraction, longest):
    """Many pairings in both orders, several delays, the weights hitting their bounds: the
    machine's weights equal the float64 reference of NEST's algorithm run on the machine's
    own recorded spikes (float32 rows: 1e-5 of w_max). With a dendritic delay fraction f the
    postsynaptic spikes are seen (2f - 1) d after the presynaptic ones (PyNN's definition).
    Delays beyond a row (``longest`` 250 steps) arrive through delay stages: the rows then hold
    the residual delay, and the rule must still pair the original spike times."""
    rng = np.random.default_rng(3)
    net = Network(DT)
    post = driven_post(net, list(np.arange(20.0, 1000.0, 37.0)), size=4)
    n = 12
    pre = net.add_population(Population("pre", "SpikeSourceArray", n, spike_times=random_trains(rng, n, 30.0, 1000),
                                        record={"spikes": 1}))
    if timing == "vogels":
        rule = STDP(Vogels2011(tau=15.0, eta=2e-5, rho=10.0), WeightDependence("additive", 0.0, 1e-3))
    else:
        rule = STDP(SpikePair(15.0, 25.0, 0.05, 0.06), DEPENDENCES["gutig"], dendritic_delay_fraction=fraction)
    i, k = np.meshgrid(np.arange(n), np.arange(4), indexing="ij")
    delays = rng.integers(1, longest, i.size)
    w0 = rng.uniform(0.1e-3, 0.9e-3, i.size)
    j = net.add_projection(Projection("stdp", pre, post, i.ravel(), k.ravel(), w0, delays, synapse=rule))
    program = compile_network(net)
    assert bool(program.graph.delays) == (longest > 64)
    emu = Emulator(program, seed=1)
    emu.run(10_300)         # past the last presynaptic spike (1000 ms) by more than the longest delay:
    pre_i, pre_t = emu.spikes(pre)    # a delay stage re-sends a spike, and so updates its row, that late
    post_i, post_t = emu.spikes(post)
    assert post_t.size > 80
    expected = [reference_stdp(pre_t[pre_i == a], post_t[post_i == b], (2 * fraction - 1) * d * DT, rule, w)
                for a, b, d, w in zip(i.ravel(), k.ravel(), delays, w0)]
    np.testing.assert_allclose(emu.weights(j), expected, atol=1e-5 * 1e-3, rtol=0)
    assert not np.allclose(emu.weights(j), w0, atol=1e-5)


# -- Tsodyks-Markram ----------------------------------------------------------------------------------

def reference_tsodyks(stamps, U, tau_rec, tau_facil, tau_psc, u=0.0):
    """NEST's tsodyks_synapse: the released fraction u x at each spike (float64)."""
    x, y, t_last, out = 1.0, 0.0, 0.0, []
    for t in stamps:
        h = t - t_last
        puu = 0.0 if tau_facil == 0 else math.exp(-h / tau_facil)
        pyy, pzz = math.exp(-h / tau_psc), math.exp(-h / tau_rec)
        pxy = ((pzz - 1) * tau_rec - (pyy - 1) * tau_psc) / (tau_psc - tau_rec)
        z = 1 - x - y
        u *= puu
        x += pxy * y + (1 - pzz) * z
        y *= pyy
        u += U * (1 - u)
        out.append(u * x)
        x -= u * x
        y += out[-1]
        t_last = t
    return np.array(out)


def psc_amplitudes(emu, pop, tau_syn, variable="isyn_exc"):
    """The synaptic input each step, recovered from the recorded exponential current."""
    _, current = emu.signals(pop, variable)
    current = current.astype(np.float64)
    decay = np.exp(-DT / np.asarray(tau_syn))
    return current[1:] - decay * current[:-1]


@pytest.mark.parametrize("U,tau_rec,tau_facil", [(0.5, 800.0, 0.0), (0.04, 100.0, 1000.0)])
def test_tsodyks_markram_amplitudes_match_reference(U, tau_rec, tau_facil):
    """Depressing and facilitating synapses onto neurons with different synaptic time
    constants (the transmitter variable y decays with each target's own): every PSC amplitude
    equals NEST's w u x, to the weight step."""
    stamps = np.concatenate([np.arange(10.0, 100.0, 10.0), [300.0, 302.0]])
    tau_syn = np.array([1.2, 6.7, 4.3])
    net = Network(DT)
    src = net.add_population(Population("src", "SpikeSourceArray", 1, spike_times=[stamps]))
    post = net.add_population(Population("post", "IF_curr_exp", 3, parameters={"tau_syn_E": tau_syn,
                                         "v_thresh": 1000.0}, record={"isyn_exc": 1}))
    w = 0.8
    net.add_projection(Projection("tm", src, post, [0, 0, 0], [0, 1, 2], w, 5,
                                  synapse=TsodyksMarkram(U=U, tau_rec=tau_rec, tau_facil=tau_facil)))
    emu = Emulator(compile_network(net), seed=1)
    emu.run(3100)
    jumps = psc_amplitudes(emu, post, tau_syn)
    arrive = np.round(stamps / DT).astype(int) - 1 + 5          # step the input is read
    for k in range(3):
        expected = w * reference_tsodyks(stamps, U, tau_rec, tau_facil, tau_syn[k])
        got = jumps[arrive, k]
        np.testing.assert_allclose(got, expected, rtol=2e-4, atol=w / 65535)
        mask = np.ones(len(jumps), bool)
        mask[arrive] = False
        assert np.abs(jumps[mask, k]).max() < 1e-5
    assert (jumps[arrive[1], 0] < jumps[arrive[0], 0]) == (tau_facil == 0.0)


def test_tsodyks_markram_follows_a_changed_synaptic_time_constant():
    """y decays with the target's tau_syn (NEST's tau_psc): changed between runs, it changes."""
    net = Network(DT)
    src = net.add_population(Population("src", "SpikeSourceArray", 1, spike_times=[[10.0, 40.0]]))
    post = net.add_population(Population("post", "IF_curr_exp", 2, parameters={"tau_syn_E": [2.0, 8.0]}))
    net.add_projection(Projection("tm", src, post, [0, 0], [0, 1], 0.5, 5, synapse=TsodyksMarkram()))
    emu = Emulator(compile_network(net), seed=1)
    np.testing.assert_allclose(emu.plastic.tau_psc[1:3, 0], [20.0, 80.0])
    emu.run(100)
    emu.set_parameters(post, {"tau_syn_E": [3.0, 3.0]})
    np.testing.assert_allclose(emu.plastic.tau_psc[1:3, 0], [30.0, 30.0])


def test_stochastic_synapses_transmit_with_their_probability():
    """p = 0 never, p = 1 always, p = 0.3 about 30% of the spikes (binomial, 4 sd), every
    neuron its own draws; the same seed repeats, a reset draws afresh."""
    stamps = np.arange(1.0, 801.0, 1.0)
    net = Network(DT)
    src = net.add_population(Population("src", "SpikeSourceArray", 1, spike_times=[stamps]))
    post = net.add_population(Population("post", "IF_curr_exp", 4, parameters={"v_thresh": 1000.0},
                                         record={"isyn_exc": 1}))
    for k, p in enumerate([0.0, 0.3, 0.3, 1.0]):
        net.add_projection(Projection(f"p{k}", src, post, [0], [k], 0.5, 3, synapse=Stochastic(p)))
    program = compile_network(net)

    def crossed(emu):
        return (psc_amplitudes(emu, post, 5.0) > 0.25).sum(axis=0)

    emu = Emulator(program, seed=4)
    emu.run(8100)
    counts = crossed(emu)
    assert counts[0] == 0 and counts[3] == stamps.size
    sd = math.sqrt(stamps.size * 0.3 * 0.7)
    assert abs(counts[1] - 240) < 4 * sd and abs(counts[2] - 240) < 4 * sd
    assert counts[1] != counts[2]
    again = Emulator(program, seed=4)
    again.run(8100)
    np.testing.assert_array_equal(crossed(again), counts)
    again.reset()
    again.run(8100)
    assert not np.array_equal(crossed(again), counts)


# -- the machine's windows and threads -----------------------------------------------------------------

def plastic_network(seed=5):
    rng = np.random.default_rng(seed)
    net = Network(DT)
    drive = net.add_population(Population("drive", "SpikeSourcePoisson", 40, parameters={"rate": 40.0}))
    exc = net.add_population(Population("exc", "IF_curr_exp", 120, record={"spikes": 1}))
    inh = net.add_population(Population("inh", "IF_curr_exp", 30, record={"spikes": 1}))

    def sparse(a, b, p):
        i, k = np.nonzero(rng.random((net.populations[a].size, net.populations[b].size)) < p)
        return i, k, rng.integers(5, 30, i.size)

    i, k, d = sparse(drive, exc, 0.3)
    net.add_projection(Projection("in", drive, exc, i, k, rng.uniform(0.3, 0.9, i.size), d,
                                  synapse=STDP(SpikePair(20.0, 20.0, 0.02, 0.021),
                                               WeightDependence("additive", 0, 1.2), history=64)))
    i, k, d = sparse(exc, exc, 0.1)
    net.add_projection(Projection("ee", exc, exc, i, k, rng.uniform(0.0, 0.3, i.size), d,
                                  synapse=STDP(SpikePair(20.0, 20.0, 0.01, 0.012),
                                               WeightDependence("multiplicative", 0, 0.5), history=64)))
    i, k, d = sparse(exc, inh, 0.2)
    net.add_projection(Projection("ei", exc, inh, i, k, 0.4, d, synapse=TsodyksMarkram(0.3, 200.0, 50.0)))
    i, k, d = sparse(inh, exc, 0.3)
    net.add_projection(Projection("ie", inh, exc, i, k, rng.uniform(0.1, 0.5, i.size), d, receptor=1,
                                  synapse=STDP(Vogels2011(20.0, 0.01, 5.0), WeightDependence("additive", 0, 1.0),
                                               history=64)))
    i, k, d = sparse(drive, inh, 0.2)
    net.add_projection(Projection("di", drive, inh, i, k, 1.0, d, synapse=Stochastic(0.6)))
    return net


def test_window_length_and_threads_do_not_change_results():
    """Rows are processed at the end of a window of the minimum delay, up to 30 steps after
    their spikes; every update uses the spike's own stamp, so running the same network with
    one-step windows, or on one thread instead of two, gives identical spikes and weights."""
    program = compile_network(plastic_network())
    runs = []
    for threads, window in ((2, None), (1, 1), (1, None)):
        emu = Emulator(program, seed=9, threads=threads)
        if window:
            emu.window = window
        emu.run(3000)
        runs.append(emu)
    assert runs[0].window == 5 and runs[1].window == 1
    assert all(r.statistics()["post-synaptic history overruns"] == 0 for r in runs)
    plastic_projections = sorted(program.images.plastic.projections)
    assert len(plastic_projections) == 5
    first = runs[0]
    assert first.statistics()["plastic synapse updates"] > 10_000
    for p in (1, 2):
        assert first.spikes(p)[0].size > 100
    for other in runs[1:]:
        for p in (1, 2):
            np.testing.assert_array_equal(first.spikes(p)[1], other.spikes(p)[1])
            np.testing.assert_array_equal(first.spikes(p)[0], other.spikes(p)[0])
        for j in plastic_projections:
            np.testing.assert_array_equal(first.weights(j), other.weights(j))
        assert other.statistics()["plastic synapse updates"] == first.statistics()["plastic synapse updates"]


# -- the postsynaptic history ------------------------------------------------------------------------

def test_history_overruns_are_counted_and_warned():
    """A neuron that spikes more often between two presynaptic spikes than its history holds
    loses pairings: counted and warned, never silent; a long enough history has none and
    matches the reference."""
    results = {}
    for history in (2, 32):
        rule = STDP(SpikePair(20.0, 20.0, 0.01, 0.01), DEPENDENCES["additive"], history=history)
        net = Network(DT)
        post = net.add_population(Population("post", "IF_curr_exp", 1, parameters={"i_offset": 3.0},
                                             record={"spikes": 1}))
        pre = net.add_population(Population("pre", "SpikeSourceArray", 1, spike_times=[[20.0, 60.0, 200.0]]))
        j = net.add_projection(Projection("stdp", pre, post, [0], [0], 0.5e-3, 10, synapse=rule))
        emu = Emulator(compile_network(net), seed=1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            emu.run(2500)
        post_t = emu.spikes(post)[1]
        assert np.diff(post_t).min() < 10.0          # several postsynaptic spikes per presynaptic interval
        results[history] = (emu.statistics()["post-synaptic history overruns"], caught, emu.weights(j)[0],
                            reference_stdp(np.array([20.0, 60.0, 200.0]), post_t, 1.0, rule, 0.5e-3))
    overruns, caught, w, expected = results[2]
    assert overruns == 2 and any("overwritten" in str(c.message) for c in caught)
    assert abs(w - expected) > 1e-6
    overruns, caught, w, expected = results[32]
    assert overruns == 0 and not any("overwritten" in str(c.message) for c in caught)
    assert w == pytest.approx(expected, abs=1e-8)


# -- DRAM rows and byte costs ---------------------------------------------------------------------------

def test_dram_rows_are_written_back():
    """A slice whose plastic rows cannot fit four PEs keeps them in DRAM: every processed row
    is read into the DMA buffer and its header and weights written back, word for word."""
    n_pre, n_post = 2000, 200
    net = Network(DT)
    pre = net.add_population(Population("pre", "SpikeSourcePoisson", n_pre, parameters={"rate": 5.0}))
    post = net.add_population(Population("post", "IF_curr_exp", n_post))
    i, k = np.meshgrid(np.arange(n_pre), np.arange(n_post), indexing="ij")
    net.add_projection(Projection("stdp", pre, post, i.ravel(), k.ravel(), 0.01, 10,
                                  synapse=STDP(SpikePair(), WeightDependence("additive", 0, 0.02), history=8)))
    program = compile_network(net)
    mapping = program.report.population("post")
    assert len(mapping.pes) == 1                  # one slice of 200: every row 200 synapses long
    assert mapping.storage.startswith("DRAM") and mapping.dram_bytes == 4 * n_pre * (3 + n_post + n_post // 2)
    assert mapping.sram_items["plastic synaptic matrix"] == 0
    emu = Emulator(program, seed=2)
    emu.run(1000)
    stats = emu.statistics()
    rows = stats["packets delivered to PEs"]
    assert rows > 500
    assert stats["DMA row write-backs"] == rows == stats["DMA row reads"]
    assert stats["DMA words written"] == rows * (2 + n_post)
    assert stats["DMA words read"] == rows * (3 + n_post + n_post // 2)
    assert stats["plastic synapse updates"] == rows * n_post


def test_plastic_bytes_item_by_item():
    """Per PE: the plastic rows (count, header, weights, half-word control words), the rule
    table, the postsynaptic history on the neuron PE and the synaptic time constants that
    Tsodyks-Markram rows need."""
    net = Network(DT)
    pre = net.add_population(Population("pre", "SpikeSourcePoisson", 10))
    post = net.add_population(Population("post", "IF_curr_exp", 21))
    i, k = np.meshgrid(np.arange(10), np.arange(21), indexing="ij")
    net.add_projection(Projection("stdp", pre, post, i.ravel(), k.ravel(), 0.1, 3,
                                  synapse=STDP(SpikePair(), WeightDependence("additive", 0, 1.0), history=8)))
    net.add_projection(Projection("tm", pre, post, i.ravel(), k.ravel(), 0.1, 3, receptor=1,
                                  synapse=TsodyksMarkram()))
    items = compile_network(net).report.population("post").sram_items
    stdp_rows = 10 * (1 + 2 + 21 + 11)            # count, t_last and K+, weights, 11 control words
    tm_rows = 10 * (1 + 1 + 3 * 21 + 21)          # count, t_last, u x y, static words
    assert items["plastic synaptic matrix"] == 4 * (stdp_rows + tm_rows)
    assert items["synaptic matrix"] == 0
    assert items["plasticity rules"] == 4 * 2 * (plastic_mapping.RULE_WORDS)
    assert items["post-synaptic history"] == 4 * 21 * (2 * 8 + 3)
    assert items["synaptic time constants"] == 4 * 21 * 2


# -- weights between runs, reset ----------------------------------------------------------------------

def test_weights_read_set_and_reset():
    net = plastic_network()
    program = compile_network(net)
    emu = Emulator(program, seed=3)
    initial = {j: net.projections[j].weight for j in program.images.plastic.projections}
    for j, w in initial.items():                   # as compiled: STDP exactly (float32), others to the step
        np.testing.assert_allclose(emu.weights(j), w, rtol=1e-6 if j != 4 else 1e-4, atol=1e-7)
    emu.run(1000)
    learnt = emu.weights(0)
    assert not np.allclose(learnt, initial[0])
    emu.set_weights(0, np.full(learnt.size, 0.7))
    np.testing.assert_allclose(emu.weights(0), 0.7, rtol=1e-7)
    with pytest.raises(ValueError, match="outside the weight dependence"):
        emu.set_weights(0, 1.3)
    emu.set_weights(2, 0.2)
    np.testing.assert_allclose(emu.weights(2), 0.2, rtol=1e-4)
    with pytest.raises(ValueError, match="exceeds the largest"):
        emu.set_weights(2, 5.0)
    with pytest.raises(ValueError, match="static"):
        Emulator(compile_network(random_static()), seed=1).weights(0)
    emu.reset()                                    # PyNN's reset: initial weights and synapse state
    np.testing.assert_allclose(emu.weights(0), initial[0], rtol=1e-6)
    emu.run(1000)
    again = Emulator(program, seed=3)
    again.run(1000)
    assert not np.array_equal(emu.weights(0), again.weights(0))   # a new trial, fresh Poisson input
    np.testing.assert_allclose(emu.weights(2), 0.4, rtol=1e-4)


def random_static():
    net = Network(DT)
    a = net.add_population(Population("a", "SpikeSourcePoisson", 3))
    b = net.add_population(Population("b", "IF_curr_exp", 3))
    net.add_projection(Projection("static", a, b, [0, 1], [1, 2], 0.5, 2))
    return net


# -- the paradigm ------------------------------------------------------------------------------------

def dense_layer(plastic):
    """300 sources onto 100 neurons at 90% density, one delay: a layer the MAC array takes in
    fewer PEs, so the paradigm choice picks it."""
    rng = np.random.default_rng(0)
    net = Network(1.0)
    src = net.add_population(Population("src", "SpikeSourcePoisson", 300))
    out = net.add_population(Population("out", "IF_curr_exp", 100))
    i, k = np.nonzero(rng.random((300, 100)) < 0.9)
    net.add_projection(Projection("in", src, out, i, k, 0.1, 1,
                                  synapse=STDP(SpikePair(), WeightDependence("additive", 0, 0.2)) if plastic else None))
    return net, out


def test_plastic_layers_stay_serial():
    """A plastic layer is never given the MAC array: an error when forced, serial with a warning
    when the classifier would choose parallel for it."""
    net, out = dense_layer(plastic=False)
    assert compile_network(net, paradigm="auto").paradigms[out][0] == "parallel"
    net, out = dense_layer(plastic=True)
    with pytest.raises(ValueError, match="plastic projection.*'in'.*serial paradigm"):
        compile_network(net, paradigm="parallel")
    with pytest.warns(UserWarning, match="plastic projection"):
        assert compile_network(net, paradigm="auto").paradigms[out][0] == "serial"


def test_rows_shared_by_several_pes_read_the_neuron_pes_history():
    """A slice whose plastic rows need three PEs: the PEs holding only rows update them from
    the history kept on the slice's neuron PE, exactly as that PE does."""
    rng = np.random.default_rng(8)
    net = Network(DT)
    post = driven_post(net, list(np.arange(15.0, 600.0, 23.0)), size=10)
    n = 3000
    pre = net.add_population(Population("pre", "SpikeSourceArray", n, spike_times=random_trains(rng, n, 8.0, 600),
                                        record={"spikes": 1}))
    rule = STDP(SpikePair(15.0, 25.0, 0.05, 0.06), DEPENDENCES["multiplicative"])
    i, k = np.meshgrid(np.arange(n), np.arange(10), indexing="ij")
    delays = rng.integers(1, 30, i.size)
    j = net.add_projection(Projection("stdp", pre, post, i.ravel(), k.ravel(), 0.5e-3, delays, synapse=rule))
    program = compile_network(net)
    assert len(program.report.population("post").pes) == 3
    emu = Emulator(program, seed=1)
    emu.run(6000)
    pre_i, pre_t = emu.spikes(pre)
    post_i, post_t = emu.spikes(post)
    sample = rng.choice(i.size, 300, replace=False)
    expected = [reference_stdp(pre_t[pre_i == i.ravel()[s]], post_t[post_i == k.ravel()[s]], delays[s] * DT,
                               rule, 0.5e-3) for s in sample]
    np.testing.assert_allclose(emu.weights(j)[sample], expected, atol=1e-5 * 1e-3, rtol=0)
    assert np.ptp(expected) > 1e-5
