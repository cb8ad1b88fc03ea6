"""Nengo neuron types as the core's current-driven models, one declarative row per type.

Each row maps a neuron type to a core model (``core/models``: LIF, RateNeuron, RateToSpikes,
IzhikevichCurrent) and its parameters; times are converted from nengo's seconds to the core's
milliseconds. The rate-to-spike converters (RegularSpiking, StochasticSpiking, PoissonSpiking)
take any base rate type whose curve the core has. Nengo's state names are the core models'
state columns ("voltage", "refractory_time" (ms on the PE, s in nengo), "adaptation", ...).
"""
from __future__ import annotations

import nengo
import numpy as np

from core.models.rate_curves import CURVES
from core.models.rate_to_spikes import CONVERSIONS

MS = 1000.0


def _rate_curve(nt):
    """(curve, parameters) of a rate neuron type, adaptation included."""
    if isinstance(nt, nengo.AdaptiveLIFRate):
        return "lif", dict(tau_rc=nt.tau_rc * MS, tau_ref=nt.tau_ref * MS, amplitude=nt.amplitude,
                           tau_n=nt.tau_n * MS, inc_n=nt.inc_n)
    if type(nt) is nengo.LIFRate:
        return "lif", dict(tau_rc=nt.tau_rc * MS, tau_ref=nt.tau_ref * MS, amplitude=nt.amplitude)
    if type(nt) is nengo.RectifiedLinear:
        return "rectified_linear", dict(amplitude=nt.amplitude)
    if type(nt) is nengo.Sigmoid:
        return "sigmoid", dict(tau_ref=nt.tau_ref * MS)
    if type(nt) is nengo.Tanh:
        return "tanh", dict(tau_ref=nt.tau_ref * MS)
    return None, None


def core_model(nt, what: str) -> tuple[str, dict]:
    """(core model name, parameters) for nengo neuron type ``nt``."""
    if type(nt) in (nengo.LIF, nengo.AdaptiveLIF):
        params = dict(tau_rc=nt.tau_rc * MS, tau_ref=nt.tau_ref * MS, min_voltage=nt.min_voltage,
                      amplitude=nt.amplitude)
        if isinstance(nt, nengo.AdaptiveLIF):
            params.update(tau_n=nt.tau_n * MS, inc_n=nt.inc_n)
        return "LIF", params
    if type(nt) is nengo.SpikingRectifiedLinear:
        return "RateToSpikes", dict(curve=CURVES["rectified_linear"], curve_amplitude=1.0,
                                    amplitude=nt.amplitude, conversion=CONVERSIONS["regular"])
    if type(nt) is nengo.Izhikevich:
        return "IzhikevichCurrent", dict(tau_recovery=nt.tau_recovery, coupling=nt.coupling,
                                         reset_voltage=nt.reset_voltage, reset_recovery=nt.reset_recovery)
    if isinstance(nt, nengo.neurons.RatesToSpikesNeuronType):
        conversion = {nengo.RegularSpiking: "regular", nengo.StochasticSpiking: "stochastic",
                      nengo.PoissonSpiking: "poisson"}.get(next(
                          (c for c in type(nt).__mro__ if c in (nengo.RegularSpiking, nengo.StochasticSpiking,
                                                               nengo.PoissonSpiking)), None))
        curve, params = _rate_curve(nt.base_type)
        if conversion is None or curve is None:
            raise NotImplementedError(
                f"{what}: {nt} cannot run on the PEs; the rate-to-spike types RegularSpiking, "
                "StochasticSpiking and PoissonSpiking over LIFRate, AdaptiveLIFRate, RectifiedLinear, "
                "Sigmoid or Tanh can")
        amp = params.pop("amplitude", 1.0)
        return "RateToSpikes", dict(params, curve=CURVES[curve], curve_amplitude=amp, amplitude=nt.amplitude,
                                    conversion=CONVERSIONS[conversion])
    curve, params = _rate_curve(nt)
    if curve is not None:
        return "RateNeuron", dict(params, curve=CURVES[curve])
    raise NotImplementedError(
        f"{what}: neuron type {type(nt).__name__} cannot run on the PEs; supported: LIF, AdaptiveLIF, "
        "LIFRate, AdaptiveLIFRate, RectifiedLinear, SpikingRectifiedLinear, Sigmoid, Tanh, Izhikevich, and "
        "RegularSpiking/StochasticSpiking/PoissonSpiking over a supported rate type (or Direct, on the host)")


STATE_SCALE = {"refractory_time": 1.0 / MS}      # PE units -> nengo units


def initial_state(model, ens, columns) -> dict[str, np.ndarray]:
    """The neurons' initial state as nengo's builder sampled it (same seeds as nengo.Simulator)."""
    out = {}
    for name, sig in model.sig[ens.neurons].items():
        if name in columns and name not in ("in", "out") and hasattr(sig, "initial_value"):
            out[name] = np.asarray(sig.initial_value, dtype=float) / STATE_SCALE.get(name, 1.0)
    return out
