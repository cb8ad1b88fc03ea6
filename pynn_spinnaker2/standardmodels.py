"""Standard cell and synapse types. The core models use PyNN's standard parameter names and
units, so every translation is the identity; ``_identity`` checks that against the core model
at import, so a renamed core parameter fails here rather than deep inside a run.

Models the machine does not run are still importable (scripts import them by name) but raise
``NotImplementedError`` on use, saying what to use instead."""
from pyNN.standardmodels import build_translations, cells, synapses

from core.models import MODELS

from .simulator import state


def _identity(cell_type, model):
    spec = MODELS[model]
    names = set(cell_type.default_parameters)
    expected = set(spec.parameters) | ({"spike_times"} if model == "SpikeSourceArray" else set())
    if names != expected or set(cell_type.default_initial_values) != set(spec.state):
        raise RuntimeError(f"PyNN's {cell_type.__name__} and the core model {model!r} disagree: "
                           f"parameters {sorted(names ^ expected)}, state "
                           f"{sorted(set(cell_type.default_initial_values) ^ set(spec.state))}")
    return build_translations(*((name, name) for name in sorted(names)))


def _cell_type(base):
    """The backend's version of a PyNN standard cell type, running the core model of that name."""
    spec = MODELS[base.__name__]
    return type(base.__name__, (base,), {
        "__doc__": base.__doc__, "__module__": __name__, "core_model": spec.name,
        "translations": _identity(base, spec.name), "recordable": list(spec.recordable)})


IF_curr_exp = _cell_type(cells.IF_curr_exp)
IF_curr_alpha = _cell_type(cells.IF_curr_alpha)
IF_cond_exp = _cell_type(cells.IF_cond_exp)
SpikeSourcePoisson = _cell_type(cells.SpikeSourcePoisson)
SpikeSourceArray = _cell_type(cells.SpikeSourceArray)


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    def _get_minimum_delay(self):
        return state.min_delay


def supported_cell_types():
    return [c.__name__ for c in
            (IF_curr_exp, IF_curr_alpha, IF_cond_exp, SpikeSourcePoisson, SpikeSourceArray)]


def _unsupported(name, instead):
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"{name} is not supported by pynn_spinnaker2; {instead}")
    return type(name, (), {"__init__": __init__, "__doc__": f"Not supported: {instead}"})


_CELLS = "use one of " + ", ".join(supported_cell_types())
_STATIC = "only static synapses are supported: use StaticSynapse(weight=..., delay=...)"
_CURRENT = ("current injection is not supported: use the cell parameter i_offset for a constant "
            "current, or a spike source for time-varying input")

for _name in ("IF_cond_alpha", "IF_curr_delta", "IF_cond_exp_gsfa_grr", "IF_facets_hardware1", "HH_cond_exp",
              "EIF_cond_alpha_isfa_ista", "EIF_cond_exp_isfa_ista", "Izhikevich", "GIF_cond_exp",
              "SpikeSourceGamma", "SpikeSourceInhGamma", "SpikeSourcePoissonRefractory",
              "PointNeuron", "LIF", "AdExp", "AlphaPSR", "CurrExpPostSynapticResponse",
              "CondExpPostSynapticResponse", "CondAlphaPostSynapticResponse"):
    globals()[_name] = _unsupported(_name, _CELLS)
for _name in ("TsodyksMarkramSynapse", "STDPMechanism", "ElectricalSynapse", "SimpleStochasticSynapse",
              "StochasticTsodyksMarkramSynapse", "MultiQuantalSynapse", "AdditiveWeightDependence",
              "MultiplicativeWeightDependence", "AdditivePotentiationMultiplicativeDepression",
              "GutigWeightDependence", "SpikePairRule", "Vogels2011Rule"):
    globals()[_name] = _unsupported(_name, _STATIC)
for _name in ("DCSource", "ACSource", "StepCurrentSource", "NoisyCurrentSource"):
    globals()[_name] = _unsupported(_name, _CURRENT)
MultiCompartmentNeuron = _unsupported(
    "MultiCompartmentNeuron", "the machine's PEs run point neurons, not multi-compartment "
    "morphologies; " + _CELLS)
del _name

__all__ = supported_cell_types() + ["StaticSynapse"] + [
    name for name, obj in list(globals().items()) if isinstance(obj, type) and obj.__doc__
    and obj.__doc__.startswith("Not supported")]
