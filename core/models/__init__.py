"""Neuron and spike-source models: parameters (PyNN names and units), state layout, the
derived per-neuron constants a PE holds, and the numba update kernel.

Every model writes ``counts[i]``, the spikes neuron ``i`` emits this step (a Poisson source can
emit several). Current-based models use the exact propagators NEST uses, so a deterministic
neuron spikes on the same step as NEST's ``iaf_psc_*``.
"""
from .spec import ModelSpec
from . import if_curr_exp, if_curr_alpha, if_cond_exp, spike_source_poisson, spike_source_array

MODELS: dict[str, ModelSpec] = {m.SPEC.name: m.SPEC for m in (
    if_curr_exp, if_curr_alpha, if_cond_exp, spike_source_poisson, spike_source_array)}

__all__ = ["MODELS", "ModelSpec"]
