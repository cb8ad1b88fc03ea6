"""Adaptive exponential integrate-and-fire with up to four receptors, each an exponential current
or an exponential, alpha or beta conductance (PyNN's PointNeuron of AdExp and post-synaptic
responses; NEST ``aeif_cond_alpha_multisynapse`` / ``aeif_cond_beta_multisynapse``): integrated
and updated as ``eif_cond_exp_isfa_ista`` (NEST's adaptive RKF45 with tolerance 1e-6, spikes
detected after every sub-step)."""
from numba import njit

from . import ode
from . import synapse_slots as slots
from .eif_cond_exp_isfa_ista import (CM, G_LEAK, SPIKING, V, V_REST, W, adaptation, neuron_columns, potential, reset,
                                     spike_current)
from .eif_cond_exp_isfa_ista import NEURON_COLUMNS as C0
from .spec import ModelSpec, stack

G_AT = 2                                    # then (dg, g) per slot, then the proposed RK step
N_ODE = 2 + 2 * slots.SLOTS


def derive(p, dt):
    return stack(*neuron_columns(p, dt), *slots.slot_constants(p))


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = potential(y, c, i, refractory)
    dydt[V] = 0.0 if refractory else (c[i, G_LEAK] * (c[i, V_REST] - v) + spike_current(v, c, i)
                                      + slots.synaptic_drive(y, G_AT, c, i, C0, v) - y[W] + drive) / c[i, CM]
    dydt[W] = adaptation(v, y[W], c, i)
    slots.slot_derivatives(y, dydt, G_AT, c, i, C0)


update = ode.make_update(__name__, rhs, scale=(1.0,) + (1000.0,) * (N_ODE - 1),
                         receive=slots.make_receive(G_AT, C0), reset=reset, **SPIKING)


SPEC = ModelSpec(
    name="AdExp_multisynapse", update=update,
    parameters=dict(cm=0.281, tau_refrac=0.1, v_spike=-40.0, v_reset=-70.6, v_rest=-70.6, tau_m=9.3667,
                    i_offset=0.0, a=4.0, b=0.0805, delta_T=2.0, tau_w=144.0, v_thresh=-50.4,
                    **slots.slot_parameters()),
    state=dict(v=-70.6, w=0.0, **dict.fromkeys(slots.G, 0.0)), state_columns=slots.state_columns("v", "w"),
    recordable=("spikes", "v", "w") + slots.G,
    derive=derive, n_constants=C0 + slots.WIDTH * slots.SLOTS, conductance_based=True, receptors=slots.RECEPTORS,
    positive=('cm', 'tau_m', 'tau_w'), non_negative=('tau_refrac', 'delta_T'), extra_check=slots.check)
