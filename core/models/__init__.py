"""Neuron and spike-source models: the one registry of what the machine runs.

Each model module holds its parameters (PyNN names and units), its state layout, the derived
per-neuron constants a PE holds, and its numba ``update``. Adding a model is adding a module and
listing it here: the emulator's dispatch is generated from this list (``core.runtime.dispatch``).
Current-based models use the exact propagators NEST uses, so a deterministic neuron spikes on the
same step as NEST's ``iaf_psc_*``.
"""
from .spec import RECEPTORS, ModelSpec
from . import if_curr_exp, if_curr_alpha, if_cond_exp, spike_source_poisson, spike_source_array
from . import lif, rate_neuron, rate_to_spikes, izhikevich_current, value_relay, value_playback

MODELS: dict[str, ModelSpec] = {m.SPEC.name: m.SPEC for m in (
    if_curr_exp, if_curr_alpha, if_cond_exp, spike_source_poisson, spike_source_array,
    lif, rate_neuron, rate_to_spikes, izhikevich_current, value_relay, value_playback)}
MODEL_ID = {name: k for k, name in enumerate(MODELS)}

N_FSTATE = max(len(m.state_columns) for m in MODELS.values())    # float32 state columns per neuron
N_ISTATE = max(m.int_columns for m in MODELS.values())           # int32 state columns per neuron
N_CONSTANTS = max(m.n_constants for m in MODELS.values())
MAX_RECEPTORS = max(len(m.receptors) for m in MODELS.values())

__all__ = ["MODELS", "MODEL_ID", "ModelSpec", "RECEPTORS", "N_FSTATE", "N_ISTATE", "N_CONSTANTS",
           "MAX_RECEPTORS"]
