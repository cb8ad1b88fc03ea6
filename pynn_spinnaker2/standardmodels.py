"""Standard cell and synapse types. The core models use PyNN's standard parameter names and
units, so every translation is the identity; ``_identity`` checks that against the core model
at import, so a renamed core parameter fails here rather than deep inside a run.

Models the machine does not run are still importable (scripts import them by name) but raise
``NotImplementedError`` on use, saying what to use instead."""
import numpy as np
from pyNN.parameters import ArrayParameter
from pyNN.standardmodels import build_translations, cells, synapses

from core.models import MODELS

from .simulator import state


ARRAY_WIDTH = {"GIF_cond_exp": 3}      # ArrayParameter values -> that many core columns (name1, name2 ...)


def _core_names(cell_type, model):
    """The core parameters and sequences PyNN's ``cell_type`` maps to: the same names, with an
    array-valued parameter spread over numbered columns."""
    spec = MODELS[model]
    width = ARRAY_WIDTH.get(model, 0)
    names = set()
    for name, default in cell_type.default_parameters.items():
        if isinstance(default, ArrayParameter):
            names |= {f"{name}{k}" for k in range(1, width + 1)}
        elif name not in spec.sequences:
            names.add(name)
    return names


def _identity(cell_type, model):
    spec = MODELS[model]
    expected, names = set(spec.parameters), _core_names(cell_type, model)
    sequences = {n for n in cell_type.default_parameters if n in spec.sequences}
    if names != expected or sequences != set(spec.sequences) or \
            set(cell_type.default_initial_values) != set(spec.state):
        raise RuntimeError(f"PyNN's {cell_type.__name__} and the core model {model!r} disagree: "
                           f"parameters {sorted(names ^ expected)}, sequences {sorted(sequences ^ set(spec.sequences))}, "
                           f"state {sorted(set(cell_type.default_initial_values) ^ set(spec.state))}")
    return build_translations(*((name, name) for name in sorted(cell_type.default_parameters)))


class CoreCellType:
    """What every backend cell type adds to PyNN's: the core model it runs and how its evaluated
    native parameters become the core's per-neuron parameters and sequences."""

    core_model: str

    def core_parameters(self, native: dict) -> dict:
        spec = MODELS[self.core_model]
        width = ARRAY_WIDTH.get(self.core_model, 0)
        out = {}
        for name, values in native.items():
            if name in spec.sequences:
                continue
            if values.dtype == object:       # ArrayParameter per neuron
                table = np.array([np.asarray(v.value, dtype=float) for v in values], dtype=float).reshape(len(values), -1)
                if table.shape[1] > width:
                    raise NotImplementedError(
                        f"{self.core_model}: {name} has {table.shape[1]} components; the machine's model holds "
                        f"{width} (pad with a_eta/a_gamma = 0 for fewer)")
                for k in range(width):
                    out[f"{name}{k + 1}"] = table[:, k] if k < table.shape[1] else \
                        np.full(len(values), 0.0 if name.startswith("a_") else 1.0)
            else:
                out[name] = values.astype(float)
        return out

    def core_sequences(self, native: dict) -> dict:
        spec = MODELS[self.core_model]
        return {name: [np.asarray(seq.value, dtype=float) for seq in native[name]]
                for name in spec.sequences if name != "spike_times" and name in native}


def _cell_type(base):
    """The backend's version of a PyNN standard cell type, running the core model of that name."""
    spec = MODELS[base.__name__]
    return type(base.__name__, (CoreCellType, base), {
        "__doc__": base.__doc__, "__module__": __name__, "core_model": spec.name,
        "translations": _identity(base, spec.name), "recordable": list(spec.recordable)})


IF_curr_exp = _cell_type(cells.IF_curr_exp)
IF_curr_alpha = _cell_type(cells.IF_curr_alpha)
IF_curr_delta = _cell_type(cells.IF_curr_delta)
IF_cond_exp = _cell_type(cells.IF_cond_exp)
IF_cond_alpha = _cell_type(cells.IF_cond_alpha)
IF_cond_exp_gsfa_grr = _cell_type(cells.IF_cond_exp_gsfa_grr)
HH_cond_exp = _cell_type(cells.HH_cond_exp)
EIF_cond_exp_isfa_ista = _cell_type(cells.EIF_cond_exp_isfa_ista)
EIF_cond_alpha_isfa_ista = _cell_type(cells.EIF_cond_alpha_isfa_ista)
Izhikevich = _cell_type(cells.Izhikevich)
GIF_cond_exp = _cell_type(cells.GIF_cond_exp)
SpikeSourcePoisson = _cell_type(cells.SpikeSourcePoisson)
SpikeSourcePoissonRefractory = _cell_type(cells.SpikeSourcePoissonRefractory)
SpikeSourceGamma = _cell_type(cells.SpikeSourceGamma)
SpikeSourceInhGamma = _cell_type(cells.SpikeSourceInhGamma)
SpikeSourceArray = _cell_type(cells.SpikeSourceArray)


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    def _get_minimum_delay(self):
        return state.min_delay


def supported_cell_types():
    return [name for name, obj in globals().items()
            if isinstance(obj, type) and issubclass(obj, CoreCellType) and obj is not CoreCellType]


def _unsupported(name, instead):
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"{name} is not supported by pynn_spinnaker2; {instead}")
    return type(name, (), {"__init__": __init__, "__doc__": f"Not supported: {instead}"})


_CELLS = "use one of " + ", ".join(supported_cell_types())
_STATIC = "only static synapses are supported: use StaticSynapse(weight=..., delay=...)"

for _name in ("IF_facets_hardware1", "PointNeuron", "LIF", "AdExp", "AlphaPSR", "CurrExpPostSynapticResponse",
              "CondExpPostSynapticResponse", "CondAlphaPostSynapticResponse"):
    globals()[_name] = _unsupported(_name, _CELLS)
for _name in ("TsodyksMarkramSynapse", "STDPMechanism", "ElectricalSynapse", "SimpleStochasticSynapse",
              "StochasticTsodyksMarkramSynapse", "MultiQuantalSynapse", "AdditiveWeightDependence",
              "MultiplicativeWeightDependence", "AdditivePotentiationMultiplicativeDepression",
              "GutigWeightDependence", "SpikePairRule", "Vogels2011Rule"):
    globals()[_name] = _unsupported(_name, _STATIC)
del _name

__all__ = supported_cell_types() + ["StaticSynapse"] + [
    name for name, obj in list(globals().items()) if isinstance(obj, type) and obj.__doc__
    and obj.__doc__.startswith("Not supported")]
