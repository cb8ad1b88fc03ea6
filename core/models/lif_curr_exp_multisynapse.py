"""Leaky integrate-and-fire with up to four exponential current receptors (PyNN's PointNeuron of
LIF and CurrExpPostSynapticResponse; NEST ``iaf_psc_exp_multisynapse``): exact propagators per
receptor, NEST's update order. Each receptor's weights share one sign (``sign_k``)."""
import numpy as np
from numba import njit

from . import synapse_slots as slots
from .spec import ModelSpec, fire_at_threshold, propagator_i_to_v, refractory_steps, stack

V = 0                                       # then the receptor currents, columns 1 .. 4
P22, P20, V_REST, V_RESET, V_THRESH, I_OFFSET, T_REFRAC = range(7)
P11_0, P21_0, SIGN_0 = 7, 7 + slots.SLOTS, 7 + 2 * slots.SLOTS


def derive(p, dt):
    tm, cm = p["tau_m"], p["cm"]
    p22 = np.exp(-dt / tm)
    k = range(1, slots.SLOTS + 1)
    return stack(p22, tm / cm * (1 - p22), p["v_rest"], p["v_reset"], p["v_thresh"], p["i_offset"],
                 refractory_steps(p["tau_refrac"], dt), *[np.exp(-dt / p[f"tau_syn_{j}"]) for j in k],
                 *[propagator_i_to_v(p[f"tau_syn_{j}"], tm, cm, dt) for j in k], *[p[f"sign_{j}"] for j in k])


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in
    for i in range(lo, hi):
        if is_[i, 0] == 0:
            v = c[i, V_REST] + (fs[i, V] - c[i, V_REST]) * c[i, P22] + (c[i, I_OFFSET] + nrn.i_inject[i]) * c[i, P20]
            for k in range(slots.SLOTS):
                v += c[i, P21_0 + k] * fs[i, 1 + k]
            fs[i, V] = v
        else:
            is_[i, 0] -= 1
        for k in range(slots.SLOTS):
            fs[i, 1 + k] = fs[i, 1 + k] * c[i, P11_0 + k] + c[i, SIGN_0 + k] * syn_in[i, k]
        fire_at_threshold(nrn, i, V, V_THRESH, V_RESET, T_REFRAC)


_PARAMETERS = dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.0)
_PARAMETERS.update({f"tau_syn_{k}": 5.0 for k in range(1, slots.SLOTS + 1)})
_PARAMETERS.update({f"sign_{k}": 1.0 for k in range(1, slots.SLOTS + 1)})

SPEC = ModelSpec(
    name="LIF_curr_exp_multisynapse", update=update, parameters=_PARAMETERS,
    state=dict(v=-65.0, **dict.fromkeys(slots.G, 0.0)), state_columns=("v",) + slots.G,
    recordable=("spikes", "v") + slots.G, derive=derive, n_constants=7 + 3 * slots.SLOTS, receptors=slots.RECEPTORS,
    positive=('cm', 'tau_m') + tuple(f"tau_syn_{k}" for k in range(1, slots.SLOTS + 1)), non_negative=('tau_refrac',))
