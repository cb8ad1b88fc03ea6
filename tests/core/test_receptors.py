"""Both receptor types of every neuron model, each with its own time constant and reversal
potential, against closed-form solutions (``closed_form.py``) evaluated in float64.

The parameters make every confusion visible: tau_syn_E, tau_syn_I and tau_m all differ, the
reversal potentials lie on opposite sides of v_rest, and the conductances are as large as the leak,
so the membrane's effective time constant changes with the input. Neuron 0 receives excitation only,
neuron 1 inhibition only, neuron 2 both, overlapping; v_thresh is out of reach.
"""
import numpy as np
import pytest

from tests.core.closed_form import conductance_trace, current_trace
from tests.core.stimulus import driven, run

CURRENT = dict(cm=0.5, tau_m=15.0, tau_refrac=0.1, tau_syn_E=1.5, tau_syn_I=6.0, i_offset=0.0,
               v_reset=-70.0, v_rest=-60.0, v_thresh=-20.0)
CONDUCTANCE = CURRENT | dict(e_rev_E=0.0, e_rev_I=-80.0)
# (spike time ms, delay in steps at dt 0.1, weight, receptor, target)
EVENTS = [(5.0, 10, 0.9, 0, 0), (8.0, 10, 0.6, 0, 0), (8.0, 30, 0.4, 0, 0),
          (20.0, 10, 0.5, 1, 1), (23.0, 4, 0.7, 1, 1),
          (5.0, 10, 0.8, 0, 2), (6.0, 10, 0.5, 1, 2), (40.0, 7, 0.3, 1, 2), (41.0, 2, 0.9, 0, 2)]
# V: float32 state rounds V (|V| ~ 60 mV, ulp 3.8e-6 mV) every step; a rounding error decays with
# tau_m, so they accumulate to at most ulp * tau_m / dt ~ 6e-4 mV.
V_TOL = 1e-3
# currents and conductances: 16-bit weights are within half a step (largest weight / 65535) of the
# weight asked for; float32 adds ~1e-7 relative.
HALF_STEP = 0.5 / (2 ** 16 - 1)


def events_at(dt):
    scale = round(0.1 / dt, 6)
    return [(t, max(1, round(d * scale)), w, r, n) for t, d, w, r, n in EVENTS]


def arrivals(events, neuron, dt):
    return [(t + d * dt, w, r) for t, d, w, r, n in events if n == neuron]


def synaptic_tolerance(events, receptor):
    weights = [w for *_, w, r, n in events if r == receptor] or [0.0]
    return HALF_STEP * max(weights) * 3 + 1e-6       # up to three overlapping inputs


@pytest.mark.parametrize("dt", [0.1, 1.0])
@pytest.mark.parametrize("model, shape", [("IF_curr_exp", "exp"), ("IF_curr_alpha", "alpha")])
def test_current_synapses_match_closed_form(model, shape, dt):
    events = events_at(dt)
    program, target = driven(model, 3, CURRENT, events, dt=dt, record=("v", "isyn_exc", "isyn_inh"),
                             initial_state={"v": CURRENT["v_rest"]})
    emulator = run(program, round(80 / dt))
    times, v = emulator.signals(target, "v")
    _, i_exc = emulator.signals(target, "isyn_exc")
    _, i_inh = emulator.signals(target, "isyn_inh")
    for n in range(3):
        want_v, want_e, want_i = current_trace(times, arrivals(events, n, dt), CURRENT, shape)
        assert np.ptp(want_v) > 1.0                     # each neuron really is driven
        np.testing.assert_allclose(v[:, n], want_v, rtol=0, atol=V_TOL, err_msg=f"{model} neuron {n} V")
        np.testing.assert_allclose(i_exc[:, n], want_e, rtol=0, atol=synaptic_tolerance(events, 0),
                                   err_msg=f"{model} neuron {n} isyn_exc")
        np.testing.assert_allclose(i_inh[:, n], want_i, rtol=0, atol=synaptic_tolerance(events, 1),
                                   err_msg=f"{model} neuron {n} isyn_inh")


def conductance_run(n_steps=800, dt=0.1):
    conductance_events = [(t, d, w / 20, r, n) for t, d, w, r, n in EVENTS]   # uS: up to 0.045, leak 0.033
    program, target = driven("IF_cond_exp", 3, CONDUCTANCE, conductance_events, dt=dt,
                             record=("v", "gsyn_exc", "gsyn_inh"), initial_state={"v": CONDUCTANCE["v_rest"]})
    emulator = run(program, n_steps)
    got = [emulator.signals(target, name)[1] for name in ("v", "gsyn_exc", "gsyn_inh")]
    want = [conductance_trace(n_steps, dt, arrivals(conductance_events, n, dt), CONDUCTANCE) for n in range(3)]
    return conductance_events, got, want


def test_conductances_decay_with_their_own_time_constants():
    events, (_, g_exc, g_inh), want = conductance_run()
    for n in range(3):
        np.testing.assert_allclose(g_exc[:, n], want[n][1], rtol=0, atol=synaptic_tolerance(events, 0))
        np.testing.assert_allclose(g_inh[:, n], want[n][2], rtol=0, atol=synaptic_tolerance(events, 1))


def test_conductance_membrane_within_the_error_of_first_order_integration():
    """Integrating with the conductances held at their start-of-step values overstates them by up
    to dt / (2 tau_syn) of their value; the tolerance allows twice that fraction of the largest
    excursion of V. Reversal potentials swapped between receptors, or a membrane decay that ignores
    the conductances, err by several times more (23 mV and 2 mV here)."""
    _, (v, _, _), want = conductance_run()
    dt, tau = 0.1, min(CONDUCTANCE["tau_syn_E"], CONDUCTANCE["tau_syn_I"])
    for n in range(3):
        excursion = np.abs(want[n][0] - CONDUCTANCE["v_rest"]).max()
        assert excursion > 1.0
        np.testing.assert_allclose(v[:, n], want[n][0], rtol=0, atol=dt / tau * excursion, err_msg=f"neuron {n}")
    assert want[1][0].min() < CONDUCTANCE["v_rest"] - 1.0 < CONDUCTANCE["v_rest"] + 1.0 < want[0][0].max()


def test_conductance_membrane_matches_exact_solution():
    """The exact solution of the coupled equations, within float32 rounding (see V_TOL)."""
    _, (v, _, _), want = conductance_run()
    for n in range(3):
        np.testing.assert_allclose(v[:, n], want[n][0], rtol=0, atol=V_TOL, err_msg=f"neuron {n}")
