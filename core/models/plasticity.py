"""Synaptic plasticity rules a serial-paradigm PE runs on its plastic synaptic rows.

A core ``Projection`` with a ``synapse`` spec from this module is plastic; without one it is
static. Every rule follows the NEST model pyNN.nest maps it to, update for update, because
pyNN.nest is the reference:

* :class:`STDP` with :class:`SpikePair` timing is NEST's ``stdp_synapse`` (Guetig et al. 2003,
  J Neurosci 23:3697): on a presynaptic spike at stamp t, every postsynaptic spike t_post with
  ``t_last - D < t_post <= t - D`` potentiates by the presynaptic trace at ``t_post + D``, then
  the postsynaptic trace at ``t - D`` (spikes strictly before it) depresses; the presynaptic
  trace then decays and steps by one. NEST's Wmax-relative step sizes become PyNN's
  ``x = (w - w_min) / (w_max - w_min)``: ``x += A_plus (1 - x)^mu_plus K+`` (capped at 1),
  ``x -= A_minus x^mu_minus K-`` (floored at 0); additive is mu = (0, 0), multiplicative (1, 1),
  additive potentiation / multiplicative depression (0, 1), Guetig any (mu_plus, mu_minus).
* :class:`STDP` with :class:`Vogels2011` timing is NEST's ``vogels_sprekeler_synapse`` (Vogels
  et al. 2011, Science 334:1569): potentiation by ``eta K`` for every pairing in either order,
  depression by ``alpha eta`` per presynaptic spike, ``alpha = 2 rho tau`` with rho the target
  rate in Hz (the paper's rho_0), clipped to [w_min, w_max]. Only the additive weight
  dependence makes sense with it (eta is in weight units), as in PyNN's NEURON backend.
* :class:`TsodyksMarkram` is NEST's ``tsodyks_synapse`` (Tsodyks, Uziel & Markram 2000,
  J Neurosci 20:RC50, Eqs. 3-4, solved exactly between spikes), whose transmitter variable y
  decays with the postsynaptic neuron's synaptic time constant (pyNN.nest sets ``tau_psc`` to
  it); the PSC amplitude is ``w u x``.
* :class:`Stochastic` is NEST's ``bernoulli_synapse``: each spike is transmitted with
  probability p, independently per synapse and per spike.

Delays: PyNN splits a synapse's delay d into a dendritic part f d and an axonal part
(1 - f) d (``dendritic_delay_fraction`` f; NEST supports only f = 1). The rule compares the
presynaptic spike, seen at the synapse at ``t + (1 - f) d``, with postsynaptic spikes seen at
``t_post + f d``, i.e. with ``D = (2 f - 1) d`` above.

``table(dt, scale)`` gives the float64 parameter row the PE holds per plastic projection,
with times in time steps and weights in units of the receptor's weight step (``scale``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STDP_PAIR, STDP_VOGELS, TSODYKS_MARKRAM, STOCHASTIC = range(4)
N_RULE_PARAMS = 10
# columns of an STDP rule's parameter row
TAU_PRE, POTENTIATION, DEPRESSION, W_MIN, W_MAX, MU_PLUS, MU_MINUS, DELAY_FACTOR = range(8)
# columns of a Tsodyks-Markram rule's row
TM_U, TM_TAU_REC, TM_TAU_FACIL = range(3)
# column of a stochastic rule's row
P_TRANSMIT = 0

WEIGHT_DEPENDENCES = {         # name: (mu_plus, mu_minus); None: given
    "additive": (0.0, 0.0),
    "multiplicative": (1.0, 1.0),
    "additive_potentiation_multiplicative_depression": (0.0, 1.0),
    "gutig": None,
}
DEFAULT_HISTORY = 32          # postsynaptic spikes a neuron PE keeps per neuron (sPyNNaker keeps 4-16)


def _positive(label, **values):
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"projection {label!r}: {name} must be > 0, got {value}")


@dataclass(frozen=True)
class WeightDependence:
    """Bounds (magnitudes, in the post model's weight units) and the exponents of the step sizes."""
    kind: str = "additive"
    w_min: float = 0.0
    w_max: float = 1.0
    mu_plus: float = 0.0
    mu_minus: float = 0.0

    def __post_init__(self):
        if self.kind not in WEIGHT_DEPENDENCES:
            raise ValueError(f"unknown weight dependence {self.kind!r}; known: {', '.join(WEIGHT_DEPENDENCES)}")
        fixed = WEIGHT_DEPENDENCES[self.kind]
        if fixed is not None:
            object.__setattr__(self, "mu_plus", fixed[0])
            object.__setattr__(self, "mu_minus", fixed[1])
        # inhibitory current weights are negative in PyNN; the machine stores magnitudes
        lo, hi = sorted((abs(float(self.w_min)), abs(float(self.w_max))))
        if np.sign(self.w_min) * np.sign(self.w_max) < 0:
            raise ValueError(f"w_min {self.w_min} and w_max {self.w_max} must have the same sign")
        object.__setattr__(self, "w_min", lo)
        object.__setattr__(self, "w_max", hi)


@dataclass(frozen=True)
class SpikePair:
    tau_plus: float = 20.0
    tau_minus: float = 20.0
    A_plus: float = 0.01
    A_minus: float = 0.01


@dataclass(frozen=True)
class Vogels2011:
    tau: float = 20.0
    eta: float = 1e-10
    rho: float = 3.0           # target postsynaptic rate (Hz)

    @property
    def alpha(self) -> float:
        return 2.0 * self.rho * self.tau / 1000.0


@dataclass(frozen=True)
class STDP:
    """Spike-timing-dependent plasticity: a timing rule and a weight dependence."""
    timing: SpikePair | Vogels2011 = field(default_factory=SpikePair)
    weight_dependence: WeightDependence = field(default_factory=WeightDependence)
    dendritic_delay_fraction: float = 1.0
    history: int = DEFAULT_HISTORY

    @property
    def kind(self) -> int:
        return STDP_VOGELS if isinstance(self.timing, Vogels2011) else STDP_PAIR

    @property
    def post_tau(self) -> float:
        """Time constant (ms) of the postsynaptic trace the neuron PE keeps."""
        return self.timing.tau if self.kind == STDP_VOGELS else self.timing.tau_minus

    @property
    def pre_tau(self) -> float:
        return self.timing.tau if self.kind == STDP_VOGELS else self.timing.tau_plus

    def max_weight(self, weight: np.ndarray) -> float:
        return self.weight_dependence.w_max

    def check(self, label: str, weight: np.ndarray):
        wd = self.weight_dependence
        if self.kind == STDP_VOGELS:
            if wd.kind != "additive":
                raise NotImplementedError(
                    f"projection {label!r}: Vogels2011Rule works with AdditiveWeightDependence only (its eta is "
                    f"in weight units), not {wd.kind}")
            _positive(label, tau=self.timing.tau)
            if self.timing.eta < 0 or self.timing.rho < 0:
                raise ValueError(f"projection {label!r}: Vogels2011Rule eta and rho must be >= 0")
        else:
            t = self.timing
            _positive(label, tau_plus=t.tau_plus, tau_minus=t.tau_minus)
            if t.A_plus < 0 or t.A_minus < 0:
                raise ValueError(f"projection {label!r}: A_plus and A_minus must be >= 0 "
                                 f"(got {t.A_plus}, {t.A_minus}); the rule's signs are fixed")
        if not wd.w_max > wd.w_min:
            raise ValueError(f"projection {label!r}: w_max ({wd.w_max}) must be larger than w_min ({wd.w_min})")
        if wd.mu_plus < 0 or wd.mu_minus < 0:
            raise ValueError(f"projection {label!r}: mu_plus and mu_minus must be >= 0")
        if not 0.0 <= self.dendritic_delay_fraction <= 1.0:
            raise ValueError(f"projection {label!r}: dendritic_delay_fraction must lie in [0, 1]")
        if self.dendritic_delay_fraction < 0.5:
            raise NotImplementedError(
                f"projection {label!r}: dendritic_delay_fraction {self.dendritic_delay_fraction} < 0.5 makes "
                "the weight a spike is delivered with depend on postsynaptic spikes fired after the "
                "presynaptic row is processed (the axonal part outlasts the dendritic part); use a "
                "fraction >= 0.5 (NEST supports only 1)")
        if self.history < 1 or self.history & (self.history - 1):
            raise ValueError(f"projection {label!r}: history must be a power of two, not {self.history}")
        if weight.size and (weight.min() < wd.w_min * (1 - 1e-9) or weight.max() > wd.w_max * (1 + 1e-9)):
            raise ValueError(f"projection {label!r}: initial weights span [{weight.min():g}, {weight.max():g}] "
                             f"outside the weight dependence's [w_min, w_max] = [{wd.w_min:g}, {wd.w_max:g}]")

    def table(self, dt: float, scale: float) -> np.ndarray:
        row = np.zeros(N_RULE_PARAMS)
        wd = self.weight_dependence
        row[TAU_PRE] = self.pre_tau / dt
        if self.kind == STDP_VOGELS:
            row[POTENTIATION] = self.timing.eta / scale
            row[DEPRESSION] = self.timing.alpha * self.timing.eta / scale
        else:
            row[POTENTIATION], row[DEPRESSION] = self.timing.A_plus, self.timing.A_minus
        row[W_MIN], row[W_MAX] = wd.w_min / scale, wd.w_max / scale
        row[MU_PLUS], row[MU_MINUS] = wd.mu_plus, wd.mu_minus
        row[DELAY_FACTOR] = 2.0 * self.dendritic_delay_fraction - 1.0
        return row

    def describe(self) -> str:
        t = self.timing
        timing = (f"Vogels 2011 (tau {t.tau:g} ms, eta {t.eta:g}, rho {t.rho:g} Hz)" if self.kind == STDP_VOGELS
                  else f"spike pair (tau+ {t.tau_plus:g} ms, tau- {t.tau_minus:g} ms, A+ {t.A_plus:g}, "
                       f"A- {t.A_minus:g})")
        wd = self.weight_dependence
        return (f"STDP {timing}, {wd.kind} weights in [{wd.w_min:g}, {wd.w_max:g}]"
                + (f" (mu+ {wd.mu_plus:g}, mu- {wd.mu_minus:g})" if wd.kind == "gutig" else ""))


class _FixedWeights:
    """A rule that never changes w: the largest weight is the largest initial one."""

    def max_weight(self, weight: np.ndarray) -> float:
        return float(weight.max()) if weight.size else 0.0


@dataclass(frozen=True)
class TsodyksMarkram(_FixedWeights):
    """Short-term depression and facilitation; ``u0`` is u before the first spike (PyNN's
    initial value of u, NEST's ``u``)."""
    U: float = 0.5
    tau_rec: float = 100.0
    tau_facil: float = 0.0
    u0: float = 0.0

    kind = TSODYKS_MARKRAM

    def check(self, label: str, weight: np.ndarray):
        if not 0.0 <= self.U <= 1.0:
            raise ValueError(f"projection {label!r}: U must lie in [0, 1], got {self.U}")
        if not 0.0 <= self.u0 <= 1.0:
            raise ValueError(f"projection {label!r}: the initial u must lie in [0, 1], got {self.u0}")
        _positive(label, tau_rec=self.tau_rec)
        if self.tau_facil < 0:
            raise ValueError(f"projection {label!r}: tau_facil must be >= 0, got {self.tau_facil}")

    def table(self, dt: float, scale: float) -> np.ndarray:
        row = np.zeros(N_RULE_PARAMS)
        row[TM_U], row[TM_TAU_REC], row[TM_TAU_FACIL] = self.U, self.tau_rec / dt, self.tau_facil / dt
        return row

    def describe(self) -> str:
        return f"Tsodyks-Markram (U {self.U:g}, tau_rec {self.tau_rec:g} ms, tau_facil {self.tau_facil:g} ms)"


@dataclass(frozen=True)
class Stochastic(_FixedWeights):
    """Each spike crosses the synapse with probability ``p``."""
    p: float = 0.5

    kind = STOCHASTIC

    def check(self, label: str, weight: np.ndarray):
        if not 0.0 <= self.p <= 1.0:
            raise ValueError(f"projection {label!r}: the transmission probability p must lie in [0, 1], got {self.p}")

    def table(self, dt: float, scale: float) -> np.ndarray:
        row = np.zeros(N_RULE_PARAMS)
        row[P_TRANSMIT] = self.p
        return row

    def describe(self) -> str:
        return f"stochastic (p {self.p:g})"


RULES = (STDP, TsodyksMarkram, Stochastic)
