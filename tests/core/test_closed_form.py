"""The references the model tests compare with, checked against an independent ODE solver, so that
a wrong reference cannot pass a wrong model."""
import numpy as np
from scipy.integrate import solve_ivp

from tests.core.closed_form import conductance_trace, current_trace

P = dict(cm=0.5, tau_m=15.0, tau_syn_E=1.5, tau_syn_I=6.0, v_rest=-60.0, e_rev_E=0.0, e_rev_I=-80.0,
         i_offset=0.1)
ARRIVALS = [(2.0, 0.04, 0), (3.0, 0.03, 1), (3.5, 0.02, 0)]


def solve(rhs, y0, t_end, jumps, times):
    """Integrate between input arrivals, applying each arrival's jump to the state."""
    y, t, out = np.array(y0, float), 0.0, []
    for t_next in sorted({a[0] for a in jumps} | {t_end}):
        sol = solve_ivp(rhs, (t, t_next), y, method="DOP853", rtol=1e-12, atol=1e-12, dense_output=True)
        inside = (times >= t) & (times < t_next) if t_next < t_end else (times >= t)
        out.append(sol.sol(times[inside]).T)
        y = sol.y[:, -1].copy()
        for t_a, w, r in jumps:
            if t_a == t_next:
                y[1 + r] += w
        t = t_next
    return np.concatenate(out)


def test_current_references_solve_their_equations():
    times = np.linspace(0, 30, 301)
    for shape in ("exp", "alpha"):
        # state: V, I_exc, I_inh and, for alpha, dI_exc, dI_inh (I' = dI - I/ts, dI' = -dI/ts)
        def rhs(t, y):
            te, ti = P["tau_syn_E"], P["tau_syn_I"]
            dv = -(y[0] - P["v_rest"]) / P["tau_m"] + (y[1] - y[2]) / P["cm"]
            if shape == "exp":
                return [dv, -y[1] / te, -y[2] / ti]
            return [dv, y[3] - y[1] / te, y[4] - y[2] / ti, -y[3] / te, -y[4] / ti]
        y0 = [P["v_rest"], 0.0, 0.0] + ([0.0, 0.0] if shape == "alpha" else [])
        jumps = [(t, w * (np.e / (P["tau_syn_E"] if r == 0 else P["tau_syn_I"]) if shape == "alpha" else 1.0),
                  r + (2 if shape == "alpha" else 0)) for t, w, r in ARRIVALS]
        y = solve(rhs, y0, 30.0, jumps, times)
        v, i_exc, i_inh = current_trace(times, ARRIVALS, P, shape)
        np.testing.assert_allclose(v, y[:, 0], atol=1e-9)
        np.testing.assert_allclose(i_exc, y[:, 1], atol=1e-9)
        np.testing.assert_allclose(i_inh, y[:, 2], atol=1e-9)


def test_conductance_reference_solves_its_equation():
    dt, n = 0.1, 300
    times = np.arange(n + 1) * dt

    def rhs(t, y):
        gl = P["cm"] / P["tau_m"]
        return [(gl * (P["v_rest"] - y[0]) + y[1] * (P["e_rev_E"] - y[0]) + y[2] * (P["e_rev_I"] - y[0])
                 + P["i_offset"]) / P["cm"], -y[1] / P["tau_syn_E"], -y[2] / P["tau_syn_I"]]

    y = solve(rhs, [P["v_rest"], 0.0, 0.0], n * dt, ARRIVALS, times)
    v, g_exc, g_inh = conductance_trace(n, dt, ARRIVALS, P)
    np.testing.assert_allclose(v, y[:, 0], atol=1e-9)
    np.testing.assert_allclose(g_exc, y[:, 1], atol=1e-10)
    np.testing.assert_allclose(g_inh, y[:, 2], atol=1e-10)
