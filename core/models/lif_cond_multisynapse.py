"""Leaky integrate-and-fire with up to four conductance receptors, each exponential, alpha or
beta shaped (PyNN's PointNeuron of LIF and Cond*PostSynapticResponse; ``synapse_slots.py``).
Integrated and updated as NEST's ``iaf_cond_*`` models are (adaptive RKF45, absolute tolerance
1e-3 on mV and nS; V clamped to v_reset while refractory; currents use min(V, v_thresh))."""
from numba import njit

from . import ode
from . import synapse_slots as slots
from .if_cond_exp import CM, G_LEAK, SPIKING, V, V_REST, neuron_columns, potential, reset
from .if_cond_exp import NEURON_COLUMNS as C0
from .spec import ModelSpec, stack

G_AT = 1                                    # then (dg, g) per slot, then the proposed RK step
N_ODE = 1 + 2 * slots.SLOTS


def derive(p, dt):
    return stack(*neuron_columns(p, dt), *slots.slot_constants(p))


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = potential(y, c, i, refractory)
    dydt[V] = 0.0 if refractory else (c[i, G_LEAK] * (c[i, V_REST] - v) + slots.synaptic_drive(y, G_AT, c, i, C0, v)
                                      + drive) / c[i, CM]
    slots.slot_derivatives(y, dydt, G_AT, c, i, C0)


update = ode.make_update(__name__, rhs, scale=(1.0,) + (1000.0,) * (N_ODE - 1), eps_abs=1e-3,
                         receive=slots.make_receive(G_AT, C0), reset=reset, **SPIKING)


SPEC = ModelSpec(
    name="LIF_cond_multisynapse", update=update,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.0,
                    **slots.slot_parameters()),
    state=dict(v=-65.0, **dict.fromkeys(slots.G, 0.0)), state_columns=slots.state_columns("v"),
    recordable=("spikes", "v") + slots.G,
    derive=derive, n_constants=C0 + slots.WIDTH * slots.SLOTS, conductance_based=True, receptors=slots.RECEPTORS,
    positive=('cm', 'tau_m'), non_negative=('tau_refrac',), extra_check=slots.check)
