"""What the compiler and the emulator need to know about a model, and helpers models share.

A model's ``update(lo, hi, t, nrn)`` advances neurons ``lo..hi-1`` (global indices, uint64: an
unsigned loop index spares every array access numba's negative-index wrap-around) by one time
step. ``nrn`` is the emulator's :data:`core.runtime.state.Neurons` (constants, float32 state,
int32 state, spike-source events, synaptic input per receptor, injected current, spike counts,
per-neuron random streams); the model writes ``nrn.counts[i]``, the spikes neuron ``i`` emits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from numba import njit

RECEPTORS = ("excitatory", "inhibitory")


@dataclass(frozen=True)
class ModelSpec:
    """``derive(parameters, dt)`` returns the float32 (n, n_constants) block the PE stores:
    propagators and thresholds computed on the host, as a real toolchain does."""

    name: str
    parameters: dict[str, float]
    state: dict[str, float]                 # initial values of the state variables PyNN sees
    state_columns: tuple[str, ...]          # float32 state columns (may hold hidden ones)
    recordable: tuple[str, ...]
    update: Callable
    derive: Callable[[dict, float], np.ndarray] | None
    n_constants: int
    table_columns: int = 0                  # constants that are a lookup table: held, but one read per step
    is_source: bool = False
    conductance_based: bool = False
    receptors: tuple[str, ...] = RECEPTORS
    int_columns: int = 1                    # int32 state columns (refractory counter, cursors)
    positive: tuple[str, ...] = ()          # parameters that must be > 0
    non_negative: tuple[str, ...] = ()      # parameters that must be >= 0
    weight_units: str = ""                  # of synaptic weights: "uS", "nA" (default by model) or "mV"
    extra_check: Callable | None = None     # (label, parameters): model-specific checks, raising
    sequences: tuple[str, ...] = ()         # per-neuron sequence parameters (spike sources' schedules)
    sequence_defaults: dict = field(default_factory=dict)   # a sequence each neuron gets if none is given
    events: Callable | None = None          # (label, sequences, dt) -> per-neuron event steps and values
    integer_weights: bool = False           # weights are whole numbers of the model's unit: weight step 1
    signed_events: bool = False             # spike counts may be negative (a binary neuron's -1: turned off)
    recurrent_only: bool = False            # input only from its own population, delays of one step
    state_check: Callable | None = None     # (label, initial state): model-specific checks, raising
    projection_check: Callable | None = None    # (label, post parameters, pre index, post index), raising
    state_from_start: bool = False          # state is taken in at step 0 only: not settable mid-run
    update_window: Callable | None = None   # a spike source's (lo, hi, t0, steps, nrn): ``update`` for a window
    #                                         of steps into ``nrn.window_counts`` (default: step by step)
    repartition: Callable | None = None     # (istate, constants, old PE starts, new PE starts): per-PE
    #                                         state moved in place when a population's PEs change between runs

    @property
    def synapse_units(self) -> str:
        return self.weight_units or ("uS" if self.conductance_based else "nA")

    def check(self, label: str, parameters: dict):
        """Raise for values the hardware model cannot take, naming population, parameter and limit."""
        for names, bad, limit in ((self.positive, np.less_equal, "> 0"), (self.non_negative, np.less, ">= 0")):
            for name in names:
                values = np.asarray(parameters[name])
                wrong = bad(values, 0) | np.isnan(values)
                if wrong.any():
                    raise ValueError(f"population {label!r}: {name} must be {limit}, got {values[wrong][0]}")
        if self.extra_check is not None:
            self.extra_check(label, parameters)
        top = "v_spike" if "v_spike" in parameters else "v_thresh"
        if "v_reset" in parameters and top in parameters and np.any(
                np.asarray(parameters["v_reset"]) >= parameters[top]):
            raise ValueError(f"population {label!r}: v_reset must be below {top}")

    def column(self, variable: str) -> int:
        return self.state_columns.index(variable)

    def constants(self, parameters: dict, dt: float, size: int) -> np.ndarray:
        if self.derive is None:
            return np.zeros((size, 0), dtype=np.float32)
        return self.derive(parameters, dt)


def stack(*columns) -> np.ndarray:
    """Per-neuron constants as the float32 (n, k) block a PE holds."""
    return np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=1).astype(np.float32)


TICS_PER_MS = 1000.0     # NEST's default time grain: 1 us


def refractory_steps(tau_refrac, dt):
    """Whole steps of a refractory period, converted as NEST converts times: to microsecond
    tics (rounded), then up to the next whole step."""
    tics = np.floor(np.asarray(tau_refrac, dtype=float) * TICS_PER_MS + 0.5)
    return np.ceil(tics / np.round(dt * TICS_PER_MS) - 1e-12)


def propagator_i_to_v(tau_syn, tau_m, cm, h):
    """V(h) per unit synaptic current I(0) for an exponentially decaying current: exact
    integration as in NEST's ``propagator_32``, stable as tau_syn -> tau_m."""
    a = 1.0 / tau_syn - 1.0 / tau_m
    x = a * h
    small = np.abs(x) < 1e-6
    ratio = np.where(small, h * (1 - x / 2), -np.expm1(-x) / np.where(small, 1.0, a))
    return np.exp(-h / tau_m) * ratio / cm


def propagator_di_to_v(tau_syn, tau_m, cm, h):
    """V(h) per unit dI/dt(0) of an alpha current (I = dI0 t e^{-t/tau_syn}), exact."""
    a = 1.0 / tau_syn - 1.0 / tau_m
    x = a * h
    small = np.abs(x) < 1e-3
    safe_a = np.where(small, 1.0, a)
    exact = (-np.expm1(-x) - x * np.exp(-x)) / safe_a ** 2
    series = h * h * (0.5 - x / 3 + x * x / 8)
    return np.exp(-h / tau_m) * np.where(small, series, exact) / cm


@njit(cache=True, nogil=True, inline="always")
def fire_at_threshold(nrn, i, v, v_thresh, v_reset, t_refrac):
    """The spike of an exactly integrated neuron: V (float state column ``v``) at or above
    ``v_thresh`` goes to ``v_reset``, refractory for ``t_refrac`` steps (constant columns)."""
    c, fs = nrn.constants, nrn.fstate
    if fs[i, v] >= c[i, v_thresh]:
        fs[i, v] = c[i, v_reset]
        nrn.istate[i, 0] = np.int32(c[i, t_refrac])
        nrn.counts[i] = 1


@njit(cache=True, nogil=True, inline="always")
def input_current(nrn, i, bias, column):
    """J of a current-driven (Nengo) neuron: bias, injected current and synaptic input
    (excitatory less inhibitory), also kept in float state column ``column``."""
    j = bias + nrn.i_inject[i] + nrn.syn_in[i, 0] - nrn.syn_in[i, 1]
    nrn.fstate[i, column] = j
    return j
