"""Neuron and spike-source models: the one registry of what the machine runs.

Each model module holds its parameters (PyNN names and units), its state layout, the derived
per-neuron constants a PE holds, and its numba ``update``. Adding a model is adding a module and
listing it here: the emulator's dispatch is generated from this list (``core.runtime.dispatch``).
Each model follows the NEST model pyNN.nest uses for it, in update order and numerics: current-based
models with NEST's exact propagators, conductance-based and nonlinear ones with NEST's adaptive
RKF45 scheme (``ode.py``), so a deterministic neuron's trace follows NEST's to float32 rounding.
The RKF45 models and the renewal spike sources build their ``update`` from what is their own
(right-hand side, input, spike rule and reset; interval draw) with ``ode.make_update`` and
``renewal.make_update``.
"""
from .spec import RECEPTORS, ModelSpec
from . import (adexp_multisynapse, eif_cond_alpha_isfa_ista, eif_cond_exp_isfa_ista, gif_cond_exp, hh_cond_exp, if_cond_alpha,
               if_cond_exp, if_cond_exp_gsfa_grr, if_curr_alpha, if_curr_delta, if_curr_exp, izhikevich,
               lif_cond_multisynapse, lif_curr_exp_multisynapse, qubo_neuron,
               spike_source_array, spike_source_gamma, spike_source_inh_gamma, spike_source_poisson,
               spike_source_poisson_refractory)
from . import lif, rate_neuron, rate_to_spikes, izhikevich_current, value_relay, value_playback

MODELS: dict[str, ModelSpec] = {m.SPEC.name: m.SPEC for m in (
    if_curr_exp, if_curr_alpha, if_cond_exp, spike_source_poisson, spike_source_array,
    if_curr_delta, if_cond_alpha, if_cond_exp_gsfa_grr, hh_cond_exp, eif_cond_exp_isfa_ista,
    eif_cond_alpha_isfa_ista, izhikevich, gif_cond_exp, spike_source_poisson_refractory, spike_source_gamma,
    spike_source_inh_gamma, lif_curr_exp_multisynapse, lif_cond_multisynapse, adexp_multisynapse,
    qubo_neuron, lif, rate_neuron, rate_to_spikes, izhikevich_current, value_relay, value_playback)}
MODEL_ID = {name: k for k, name in enumerate(MODELS)}

MAX_RECEPTORS = max(len(m.receptors) for m in MODELS.values())

__all__ = ["MODELS", "MODEL_ID", "ModelSpec", "RECEPTORS", "MAX_RECEPTORS"]
