"""Every model against closed forms or invariants, without NEST: each test names the bug it
catches (a wrong constant, a swapped receptor or time constant, a unit slip).

Conductance models are checked with conductances that do not decay (tau_syn = 1e9 ms): the
membrane is then linear with constant coefficients, V(t) = V_inf + (V0 - V_inf) exp(-t/tau_eff)
with V_inf = (g_L E_L + g E_rev + I) / (g_L + g), tau_eff = C / (g_L + g); that pins each
receptor's reversal potential, the leak and the integrator. Tolerance 2e-4 mV: float32 state
accumulates ~1e-5 mV over these runs, a wrong constant moves V by millivolts."""
import math

import numpy as np
import pytest

from core import Emulator, Network, Population, Projection, compile_network

DT = 0.1
FOREVER = 1e9     # a time constant that does not decay within a test


def run(model, parameters, steps, record=("v",), inputs=(), initial=None, n=1, seed=0):
    """One population of ``model``; ``inputs``: (receptor, weight, spike time ms) one-spike sources."""
    net = Network(DT)
    pop = net.add_population(Population("n", model, n, parameters=parameters, initial_state=initial or {},
                                        record={"spikes": 1, **{v: 1 for v in record}}))
    for k, (receptor, weight, time) in enumerate(inputs):
        src = net.add_population(Population(f"s{k}", "SpikeSourceArray", 1, spike_times=[[time]]))
        net.add_projection(Projection(f"p{k}", src, pop, np.zeros(n), np.arange(n), weight, 1, receptor))
    emu = Emulator(compile_network(net), seed=seed)
    emu.run(steps)
    return emu, pop


def signal(emu, pop, name):
    return emu.signals(pop, name)[1][:, 0].astype(float)


def relax(v0, v_inf, tau, t):
    return v_inf + (v0 - v_inf) * np.exp(-t / tau)


CONDUCTANCE_MODELS = {       # exponential conductances (alpha ones: test_alpha_conductances_rise_and_decay)
    "IF_cond_exp": {},
    "IF_cond_exp_gsfa_grr": dict(q_sfa=0.0, q_rr=0.0),
    "EIF_cond_exp_isfa_ista": dict(a=0.0, b=0.0, delta_T=0.0, v_spike=-40.0, tau_refrac=0.0),
    "GIF_cond_exp": dict(lambda0=0.0),
}


@pytest.mark.parametrize("model", sorted(CONDUCTANCE_MODELS))
@pytest.mark.parametrize("receptor", [0, 1])
def test_constant_conductance_relaxes_to_its_reversal_potential(model, receptor):
    """Catches: a receptor using the other's reversal potential, the leak or capacitance wrong,
    the integrator off. The conductance steps to g at the input (an alpha synapse's peaks at g
    after tau_syn; here tau_syn is 'forever', so its rise is checked separately)."""
    p = dict(cm=0.5, tau_m=10.0, v_rest=-70.0, e_rev_E=10.0, e_rev_I=-90.0, v_thresh=100.0, v_reset=-80.0,
             i_offset=0.1, tau_syn_E=FOREVER, tau_syn_I=FOREVER, **CONDUCTANCE_MODELS[model])
    if model.startswith("EIF"):
        p.update(v_thresh=100.0, v_spike=200.0)       # delta_T = 0: an LIF that never reaches threshold
    if model == "GIF_cond_exp":
        p.pop("v_thresh")
    g, t_in = 0.02, 1.0
    emu, pop = run(model, p, 400, inputs=[(receptor, g, t_in)], initial={"v": -65.0})
    v = signal(emu, pop, "v")
    g_leak = p["cm"] / p["tau_m"]
    e_rev = p["e_rev_E"] if receptor == 0 else p["e_rev_I"]
    # the spike stamped 1.0 ms (sent in step 9) arrives in step 10 after a one-step delay: the
    # conductance is there from the sample after step 10 (index 11) on
    k0 = int(round(t_in / DT)) + 1
    before = relax(-65.0, p["v_rest"] + p["i_offset"] / g_leak, p["tau_m"], np.arange(k0 + 1) * DT)
    np.testing.assert_allclose(v[:k0 + 1], before, atol=2e-4)
    v_inf = (g_leak * p["v_rest"] + g * e_rev + p["i_offset"]) / (g_leak + g)
    expected = relax(v[k0], v_inf, p["cm"] / (g_leak + g), (np.arange(k0, 401) - k0) * DT)
    np.testing.assert_allclose(v[k0:], expected, atol=2e-4)


@pytest.mark.parametrize("model", ["IF_cond_alpha", "EIF_cond_alpha_isfa_ista"])
def test_alpha_conductances_rise_and_decay(model):
    """Catches: the excitatory time constant used for inhibition, a missing e/tau normalisation:
    a weight w gives g(t) = w (t/tau) exp(1 - t/tau), peaking at w after tau."""
    p = dict(tau_syn_E=0.5, tau_syn_I=2.0)
    emu, pop = run(model, p, 200, record=("gsyn_exc", "gsyn_inh"), inputs=[(0, 0.01, 1.0), (1, 0.03, 1.0)])
    t = (np.arange(201) - 11) * DT
    for name, w, tau in (("gsyn_exc", 0.01, 0.5), ("gsyn_inh", 0.03, 2.0)):
        expected = np.where(t > 0, w * t / tau * np.exp(1 - t / tau), 0.0)
        # RKF45 integrates the alpha kernel to its tolerance (NEST's: 1e-3 nS = 1e-6 uS)
        np.testing.assert_allclose(signal(emu, pop, name), expected, atol=5e-8)


@pytest.mark.parametrize("model", ["IF_cond_exp", "IF_cond_exp_gsfa_grr", "EIF_cond_exp_isfa_ista",
                                   "HH_cond_exp", "GIF_cond_exp"])
def test_exponential_conductances_decay_with_their_own_time_constant(model):
    p = dict(tau_syn_E=1.5, tau_syn_I=4.0)
    if model == "GIF_cond_exp":
        p["lambda0"] = 0.0
    emu, pop = run(model, p, 200, record=("gsyn_exc", "gsyn_inh"), inputs=[(0, 0.01, 1.0), (1, 0.03, 1.0)])
    t = (np.arange(201) - 11) * DT
    for name, w, tau in (("gsyn_exc", 0.01, 1.5), ("gsyn_inh", 0.03, 4.0)):
        np.testing.assert_allclose(signal(emu, pop, name), np.where(t >= 0, w * np.exp(-t / tau), 0.0), atol=2e-9)


def test_adaptation_conductances_jump_by_their_quanta_at_a_spike():
    """IF_cond_exp_gsfa_grr: g_s and g_r (nS) jump by q_sfa and q_rr at each spike and decay with
    tau_sfa and tau_rr; with them the neuron fires less than without (catches units: nS, not uS)."""
    p = dict(i_offset=2.0, tau_refrac=1.0, q_sfa=20.0, q_rr=500.0, tau_sfa=50.0, tau_rr=3.0)
    emu, pop = run("IF_cond_exp_gsfa_grr", p, 1000, record=("v", "g_s", "g_r"))
    _, times = emu.spikes(pop)
    g_s, g_r = signal(emu, pop, "g_s"), signal(emu, pop, "g_r")
    k = int(round(times[0] / DT))
    assert g_s[k] == pytest.approx(20.0, rel=1e-6) and g_r[k] == pytest.approx(500.0, rel=1e-6)
    assert g_s[k + 10] == pytest.approx(20.0 * math.exp(-1.0 / 50.0), rel=1e-5)
    assert g_r[k + 10] == pytest.approx(500.0 * math.exp(-1.0 / 3.0), rel=1e-5)
    plain, plain_pop = run("IF_cond_exp_gsfa_grr", dict(p, q_sfa=0.0, q_rr=0.0), 1000)
    assert len(plain.spikes(plain_pop)[1]) > len(times) + 3
    intervals = np.diff(times)
    assert intervals[-1] > intervals[0]            # adaptation: intervals lengthen


def test_adex_spike_reset_and_adaptation_jump():
    """AdExp: the exponential term takes V to v_spike, V resets to v_reset, w jumps by b (nA),
    the refractory period holds V at v_reset; subthreshold adaptation a (nS) pulls w to a (V - E_L)."""
    p = dict(i_offset=1.0, b=0.05, a=4.0, tau_w=100.0, tau_refrac=2.0)
    emu, pop = run("EIF_cond_exp_isfa_ista", p, 500, record=("v", "w"))
    _, times = emu.spikes(pop)
    v, w = signal(emu, pop, "v"), signal(emu, pop, "w")
    k = int(round(times[0] / DT))
    assert v[k] == pytest.approx(-70.6) and np.all(v[k:k + 20] == v[k])       # 2 ms at v_reset
    assert w[k] - w[k - 1] == pytest.approx(0.05, abs=2e-3)                    # b, plus a step of drift
    assert np.all(np.diff(w[:k]) > 0)                                          # a (V - E_L) > 0 drives w up


def test_hh_rests_fires_and_respects_receptors():
    """HH: from its equilibrium gates it stays at rest; excitation depolarises, inhibition
    (E_I = -80 below rest) hyperpolarises; a current step fires spikes at V's local maxima."""
    rest = dict(m=0.00973, h=0.99756, n=0.02707)     # the gates' steady state at -65 mV (v_offset -63)
    emu, pop = run("HH_cond_exp", {}, 300, inputs=[(0, 0.05, 10.0), (1, 0.05, 20.0)], initial=rest)
    v = signal(emu, pop, "v")
    assert np.abs(v[:100] - v[0]).max() < 0.5
    assert v[101:120].max() > v[100] + 1.0           # excitation
    assert v[201:240].min() < v[200] - 0.5           # inhibition
    emu, pop = run("HH_cond_exp", dict(i_offset=0.5), 1000, initial=rest)
    _, times = emu.spikes(pop)
    v = signal(emu, pop, "v")
    assert len(times) >= 3
    for t in times:
        k = int(round(t / DT))
        assert v[k] >= -63.0 + 30.0 and v[k - 1] > v[k]      # NEST's rule: above threshold, just past the peak


def test_delta_synapses_step_the_membrane():
    """IF_curr_delta: a weight w (mV) steps V by +w (excitatory) or -w (inhibitory), then V decays
    with tau_m; input during the refractory period is dropped, as in NEST."""
    p = dict(tau_m=10.0, v_thresh=-50.0, tau_refrac=5.0)
    emu, pop = run("IF_curr_delta", p, 300, inputs=[(0, 2.0, 1.0), (1, 3.0, 5.0)])
    v = signal(emu, pop, "v")
    assert v[11] == pytest.approx(-65.0 + 2.0, abs=1e-5)
    assert v[12] == pytest.approx(-65.0 + 2.0 * math.exp(-0.1 / 10.0), abs=1e-5)
    assert v[51] == pytest.approx(-65.0 + 2.0 * math.exp(-4.0 / 10.0) - 3.0, abs=1e-5)
    emu, pop = run("IF_curr_delta", p, 300, inputs=[(0, 20.0, 1.0), (0, 5.0, 3.0)])
    _, times = emu.spikes(pop)
    np.testing.assert_allclose(times, [1.1])           # the second input falls in the refractory period
    assert signal(emu, pop, "v")[40] == pytest.approx(-65.0)


def test_izhikevich_follows_forward_euler():
    """Izhikevich: NEST's forward Euler, i_offset in nA acting as 1000 mV/ms per nA, synapses
    stepping v by the weight (mV); a python float64 reference for 300 steps with a spike."""
    a, b, c, d, i = 0.02, 0.2, -65.0, 8.0, 0.01
    emu, pop = run("Izhikevich", dict(a=a, b=b, c=c, d=d, i_offset=i), 300, record=("v", "u"),
                   inputs=[(0, 5.0, 10.0), (1, 2.0, 20.0)])
    v, u, ref_v, ref_u = -70.0, -14.0, [-70.0], [-14.0]
    for k in range(300):
        syn = 5.0 if k == 100 else -2.0 if k == 200 else 0.0
        v, u = v + DT * (0.04 * v * v + 5 * v + 140 - u + 1000 * i) + syn, u + DT * a * (b * v - u)
        if v >= 30.0:
            v, u = c, u + d
        ref_v.append(v)
        ref_u.append(u)
    np.testing.assert_allclose(signal(emu, pop, "v"), ref_v, atol=5e-3)
    np.testing.assert_allclose(signal(emu, pop, "u"), ref_u, atol=5e-4)
    assert len(emu.spikes(pop)[1]) >= 1


def test_gif_fires_at_its_intensity():
    """GIF at a fixed membrane (no input, V = v_reset = v_rest): the intensity lambda0 exp((V - v_t)/
    delta_v) in Hz gives a Poisson process with dead time tau_refrac; catches lambda0's unit and
    delta_v's sign."""
    lam = 200.0 * math.exp((-65.0 + 60.0) / 2.0)       # Hz
    p = dict(lambda0=200.0, v_t_star=-60.0, delta_v=2.0, tau_refrac=3.0, a_eta1=0.0, a_eta2=0.0, a_eta3=0.0,
             a_gamma1=0.0, a_gamma2=0.0, a_gamma3=0.0)
    emu, pop = run("GIF_cond_exp", p, 100000, record=(), n=20, seed=5)
    _, times = emu.spikes(pop)
    per_step = -math.expm1(-lam / 1000.0 * DT)
    rate = 1000.0 / (DT / per_step + 3.0 + DT) * 1.0        # geometric wait, then the dead time
    expected = rate * 20 * 10.0                                # 20 neurons, 10 s
    assert abs(len(times) - expected) < 4 * math.sqrt(expected)


def test_gif_spike_triggered_current_and_threshold():
    """After a spike eta (nA) jumps by a_eta and decays with tau_eta; the threshold v_t by
    a_gamma (mV) with tau_gamma; a recorded step shows the sum used in that step."""
    p = dict(lambda0=1e9, v_t_star=-70.0, delta_v=1e-3, tau_refrac=100.0, tau_eta1=5.0, tau_eta2=50.0,
             tau_eta3=500.0, a_eta1=0.1, a_eta2=0.0, a_eta3=0.0, tau_gamma1=10.0, tau_gamma2=100.0,
             tau_gamma3=1000.0, a_gamma1=2.0, a_gamma2=0.0, a_gamma3=0.0)
    emu, pop = run("GIF_cond_exp", p, 60, record=("i_eta", "v_t"))
    (t0,) = emu.spikes(pop)[1][:1]
    k = int(round(t0 / DT))
    eta, v_t = signal(emu, pop, "i_eta"), signal(emu, pop, "v_t")
    assert eta[k] == 0.0 and eta[k + 1] == pytest.approx(0.1, rel=1e-6)
    assert eta[k + 11] == pytest.approx(0.1 * math.exp(-1.0 / 5.0), rel=1e-5)
    assert v_t[k + 11] == pytest.approx(-70.0 + 2.0 * math.exp(-1.0 / 10.0), rel=1e-6)


def test_multisynapse_receptors_keep_their_own_time_constants_and_signs():
    """LIF with current receptors: each receptor's current decays with its own tau_syn and
    carries its receptor's sign; catches receptors swapped or a shared time constant."""
    p = dict(tau_syn_1=1.0, tau_syn_2=3.0, tau_syn_3=9.0, sign_2=-1.0, v_thresh=100.0)
    emu, pop = run("LIF_curr_exp_multisynapse", p, 200, record=("g1", "g2", "g3"),
                   inputs=[(0, 0.5, 1.0), (1, 0.7, 1.0), (2, 0.9, 1.0)])
    t = (np.arange(201) - 11) * DT
    for name, w, tau in (("g1", 0.5, 1.0), ("g2", -0.7, 3.0), ("g3", 0.9, 9.0)):
        # float32 currents multiplied by a float32 decay each step: 1e-5 relative after 190 steps
        np.testing.assert_allclose(signal(emu, pop, name), np.where(t >= 0, w * np.exp(-t / tau), 0.0), rtol=1e-5,
                                   atol=1e-9)


@pytest.mark.parametrize("model", ["LIF_cond_multisynapse", "AdExp_multisynapse"])
def test_multisynapse_conductance_shapes(model):
    """Exponential, alpha and beta receptors side by side: beta peaks at the weight at its peak
    time, alpha at tau, exponential jumps to the weight; each with its own reversal potential."""
    p = dict(kind_1=2.0, kind_2=3.0, kind_3=4.0, tau_syn_1=2.0, tau_syn_2=1.0, tau_syn_3=3.0, tau_rise_3=0.5,
             e_syn_1=0.0, e_syn_2=-80.0, e_syn_3=20.0)
    if model == "AdExp_multisynapse":
        p.update(a=0.0, b=0.0)
    emu, pop = run(model, p, 200, record=("g1", "g2", "g3"), inputs=[(0, 0.01, 1.0), (1, 0.02, 1.0), (2, 0.03, 1.0)])
    t = (np.arange(201) - 11) * DT     # RKF45 to its tolerance (1e-6 uS in the AdExp models' relative control)
    np.testing.assert_allclose(signal(emu, pop, "g1"), np.where(t >= 0, 0.01 * np.exp(-t / 2.0), 0.0), atol=5e-8)
    np.testing.assert_allclose(signal(emu, pop, "g2"), np.where(t > 0, 0.02 * t * np.exp(1 - t), 0.0), atol=5e-8)
    t_peak = 3.0 * 0.5 * math.log(3.0 / 0.5) / 2.5
    g3 = signal(emu, pop, "g3")
    assert g3.max() == pytest.approx(0.03, rel=2e-3)
    assert (np.argmax(g3) - 11) * DT == pytest.approx(t_peak, abs=DT)


def test_refractory_steps_convert_as_nest_does():
    """tau_refrac to whole steps as NEST's Time does: to 1 us tics (half up), then up to a step."""
    from core.models.spec import refractory_steps
    np.testing.assert_array_equal(refractory_steps([0.0, 0.1, 0.15, 0.25, 2.0, 2.05], 0.1), [0, 1, 2, 3, 20, 21])


def test_off_grid_spike_times_move_to_the_end_of_their_step():
    """As NEST's spike_generator on the grid: a time between grid points is stamped at the end of
    its step; a grid time a rounding error above the grid stays on it."""
    from core.models.spike_source_array import stamp_steps
    np.testing.assert_array_equal(stamp_steps([1.0, 1.05, 1.0999, 16.900000000000002, 0.1], 0.1),
                                  [10, 11, 11, 169, 1])
