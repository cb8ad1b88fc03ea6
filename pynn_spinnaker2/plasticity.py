"""PyNN's plastic synapse types on the machine: STDPMechanism (SpikePairRule or Vogels2011Rule
timing, the four weight dependences), TsodyksMarkramSynapse and SimpleStochasticSynapse.

Parameters keep PyNN's names and units (identity translations). A projection may give any
rule parameter per synapse; the machine holds one parameter set per plastic projection
(``core.models.plasticity``), so ``split`` turns a projection into one core projection per
distinct set of rule parameters (at most ``MAX_PARAMETER_SETS``). Weights live in the
synaptic rows once the network runs: ``Projection.get('weight')`` then reads the rows.
"""
import numpy as np

from pyNN import errors
from pyNN.standardmodels import build_translations, synapses

from core.models import plasticity as rules

from .simulator import state

MAX_PARAMETER_SETS = 256
WEIGHT_DEPENDENCE = {"AdditiveWeightDependence": "additive",
                     "MultiplicativeWeightDependence": "multiplicative",
                     "AdditivePotentiationMultiplicativeDepression":
                         "additive_potentiation_multiplicative_depression",
                     "GutigWeightDependence": "gutig"}


def _identity(*names):
    return build_translations(*((name, name) for name in names))


class _MinimumDelay:
    def _get_minimum_delay(self):
        return state.min_delay


class STDPMechanism(_MinimumDelay, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__ + """
    On this backend the neuron PE keeps each postsynaptic neuron's last ``history`` spikes (a
    power of two, default 32; sPyNNaker keeps 4 to 16) for the deferred updates; a presynaptic
    neuron silent for longer than that many postsynaptic spikes loses pairings, which the run
    counts and warns about: then pass a larger ``history`` (each entry costs 8 bytes per
    neuron of the neuron PE's SRAM)."""
    base_translations = _identity("weight", "delay", "dendritic_delay_fraction")

    def __init__(self, timing_dependence=None, weight_dependence=None, voltage_dependence=None,
                 dendritic_delay_fraction=1.0, weight=0.0, delay=None, history=rules.DEFAULT_HISTORY):
        self.history = int(history)
        if voltage_dependence is not None:
            raise NotImplementedError("STDPMechanism: voltage-dependent STDP is not supported; leave "
                                      "voltage_dependence unset")
        if timing_dependence is None or weight_dependence is None:
            raise errors.InvalidParameterValueError(
                "STDPMechanism needs a timing_dependence (SpikePairRule or Vogels2011Rule) and a "
                "weight_dependence (Additive, Multiplicative, AdditivePotentiationMultiplicativeDepression, Gutig)")
        super().__init__(timing_dependence, weight_dependence, voltage_dependence, dendritic_delay_fraction,
                         weight, delay)
        self.possible_models        # raises NoModelAvailableError for a combination the machine lacks

    def _build_translations(self):
        # PyNN's version updates the class's own dict, so translations leak between instances
        self.translations = dict(self.base_translations)
        for component in (self.timing_dependence, self.weight_dependence):
            self.translations.update(component.translations)


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = _identity("w_min", "w_max")
    possible_models = {"stdp_pair", "stdp_vogels"}


class MultiplicativeWeightDependence(synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = _identity("w_min", "w_max")
    possible_models = {"stdp_pair"}


class AdditivePotentiationMultiplicativeDepression(synapses.AdditivePotentiationMultiplicativeDepression):
    __doc__ = synapses.AdditivePotentiationMultiplicativeDepression.__doc__
    translations = _identity("w_min", "w_max")
    possible_models = {"stdp_pair"}


class GutigWeightDependence(synapses.GutigWeightDependence):
    __doc__ = synapses.GutigWeightDependence.__doc__
    translations = _identity("w_min", "w_max", "mu_plus", "mu_minus")
    possible_models = {"stdp_pair"}


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = _identity("tau_plus", "tau_minus", "A_plus", "A_minus")
    possible_models = {"stdp_pair"}


class Vogels2011Rule(synapses.Vogels2011Rule):
    __doc__ = synapses.Vogels2011Rule.__doc__ + """
    On this backend rho is the target postsynaptic rate in Hz (Vogels et al.'s rho_0), so
    alpha = 2 rho tau = 0.12 for the defaults, NEST's vogels_sprekeler_synapse default. Use it
    with AdditiveWeightDependence (eta is in weight units)."""
    translations = _identity("tau", "eta", "rho")
    possible_models = {"stdp_vogels"}


class TsodyksMarkramSynapse(_MinimumDelay, synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    translations = _identity("weight", "delay", "U", "tau_rec", "tau_facil")


class SimpleStochasticSynapse(_MinimumDelay, synapses.SimpleStochasticSynapse):
    __doc__ = synapses.SimpleStochasticSynapse.__doc__
    translations = _identity("weight", "delay", "p")


SYNAPSE_TYPES = (STDPMechanism, TsodyksMarkramSynapse, SimpleStochasticSynapse)
COMPONENTS = (SpikePairRule, Vogels2011Rule, AdditiveWeightDependence, MultiplicativeWeightDependence,
              AdditivePotentiationMultiplicativeDepression, GutigWeightDependence)


def check_synapse_type(synapse_type):
    """Raise for a synapse type the machine does not run, saying what it runs."""
    if synapse_type is None or isinstance(synapse_type, synapses.StaticSynapse):
        return
    if not isinstance(synapse_type, SYNAPSE_TYPES):
        raise NotImplementedError(
            f"synapse type {type(synapse_type).__name__} is not supported by pynn_spinnaker2; use StaticSynapse, "
            "STDPMechanism (SpikePairRule or Vogels2011Rule with a standard weight dependence), "
            "TsodyksMarkramSynapse or SimpleStochasticSynapse, from this backend")
    if isinstance(synapse_type, STDPMechanism):
        for part in (synapse_type.timing_dependence, synapse_type.weight_dependence):
            if not isinstance(part, COMPONENTS):
                raise NotImplementedError(f"STDP component {type(part).__name__} is not supported; use "
                                          + ", ".join(c.__name__ for c in COMPONENTS))


def is_plastic(synapse_type) -> bool:
    return isinstance(synapse_type, SYNAPSE_TYPES)


def rule_parameter_names(synapse_type) -> list[str]:
    """The per-synapse parameters of the rule, beyond weight and delay."""
    if not is_plastic(synapse_type):
        return []
    return sorted(set(synapse_type.get_parameter_names()) - {"weight", "delay"})


def core_rule(synapse_type, values: dict):
    """The core rule for one set of parameter values (PyNN names)."""
    if isinstance(synapse_type, TsodyksMarkramSynapse):
        return rules.TsodyksMarkram(U=values["U"], tau_rec=values["tau_rec"], tau_facil=values["tau_facil"])
    if isinstance(synapse_type, SimpleStochasticSynapse):
        return rules.Stochastic(p=values["p"])
    wd = synapse_type.weight_dependence
    kind = WEIGHT_DEPENDENCE[type(wd).__name__]
    extra = dict(mu_plus=values["mu_plus"], mu_minus=values["mu_minus"]) if kind == "gutig" else {}
    dependence = rules.WeightDependence(kind, values["w_min"], values["w_max"], **extra)
    if isinstance(synapse_type.timing_dependence, Vogels2011Rule):
        timing = rules.Vogels2011(tau=values["tau"], eta=values["eta"], rho=values["rho"])
    else:
        timing = rules.SpikePair(values["tau_plus"], values["tau_minus"], values["A_plus"], values["A_minus"])
    return rules.STDP(timing, dependence, float(values["dendritic_delay_fraction"]), history=synapse_type.history)


def split(label, synapse_type, columns: dict, n: int):
    """``[(synapse indices, core rule or None), ...]``: one entry per distinct set of rule
    parameters among the ``n`` synapses (``columns``: name -> per-synapse values)."""
    if not is_plastic(synapse_type):
        return [(np.arange(n), None)]
    names = rule_parameter_names(synapse_type)
    table = np.column_stack([np.broadcast_to(np.asarray(columns[name], dtype=float), (n,)) for name in names])
    sets, which = np.unique(table, axis=0, return_inverse=True)
    which = which.ravel()
    if len(sets) > MAX_PARAMETER_SETS:
        varying = [name for k, name in enumerate(names) if np.unique(table[:, k]).size > 1]
        raise NotImplementedError(
            f"projection {label!r}: {len(sets)} different sets of {type(synapse_type).__name__} parameters "
            f"({', '.join(varying)} vary per synapse); the machine holds one parameter set per plastic "
            f"projection and splits a projection into at most {MAX_PARAMETER_SETS}: use fewer distinct values")
    if len(sets) == 1:
        return [(np.arange(n), core_rule(synapse_type, dict(zip(names, sets[0]))))]
    order = np.argsort(which, kind="stable")
    bounds = np.searchsorted(which[order], np.arange(len(sets) + 1))
    return [(order[bounds[g]:bounds[g + 1]], core_rule(synapse_type, dict(zip(names, row))))
            for g, row in enumerate(sets)]
