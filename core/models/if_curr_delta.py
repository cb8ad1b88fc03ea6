"""Leaky integrate-and-fire with delta synapses (NEST ``iaf_psc_delta``): a spike steps the
membrane potential by its weight (mV). Exact integration; input arriving while refractory is
dropped, as NEST does by default."""
import numpy as np
from numba import njit

from .spec import ModelSpec, fire_at_threshold, refractory_steps, stack

V = 0
# columns of the derived constants (``derive``)
(P33, P30, V_REST, V_RESET, V_THRESH, I_OFFSET, T_REFRAC) = range(7)


def derive(p, dt):
    p33 = np.exp(-dt / p["tau_m"])
    return stack(p33, p["tau_m"] / p["cm"] * (1 - p33), p["v_rest"], p["v_reset"], p["v_thresh"],
                 p["i_offset"], refractory_steps(p["tau_refrac"], dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in
    for i in range(lo, hi):
        if is_[i, 0] == 0:
            fs[i, V] = (c[i, V_REST] + (fs[i, V] - c[i, V_REST]) * c[i, P33]
                        + (c[i, I_OFFSET] + nrn.i_inject[i]) * c[i, P30] + syn_in[i, 0] - syn_in[i, 1])
        else:
            is_[i, 0] -= 1
        fire_at_threshold(nrn, i, V, V_THRESH, V_RESET, T_REFRAC)


SPEC = ModelSpec(
    name="IF_curr_delta", update=update,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, i_offset=0.0, v_reset=-65.0, v_rest=-65.0,
                    v_thresh=-50.0),
    state=dict(v=-65.0), state_columns=("v",), recordable=("spikes", "v"),
    derive=derive, n_constants=7, weight_units="mV",
    positive=('cm', 'tau_m'), non_negative=('tau_refrac',))
