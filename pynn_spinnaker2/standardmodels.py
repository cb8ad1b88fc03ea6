"""Standard cell and synapse types. The core models use PyNN's standard parameter names and
units, so every translation is the identity; ``_identity`` checks that against the core model
at import, so a renamed core parameter fails here rather than deep inside a run.

Models the machine does not run are still importable (scripts import them by name) but raise
``NotImplementedError`` on use, saying what to use instead."""
import numpy as np
from pyNN import errors
from pyNN.parameters import ArrayParameter, ParameterSpace
from pyNN.standardmodels import build_translations, cells, receptors, synapses

from core.models import MODELS, RECEPTORS
from core.models import synapse_slots as slots

from .plasticity import (AdditivePotentiationMultiplicativeDepression, AdditiveWeightDependence,  # noqa: F401
                         GutigWeightDependence, MultiplicativeWeightDependence, SimpleStochasticSynapse,
                         SpikePairRule, STDPMechanism, TsodyksMarkramSynapse, Vogels2011Rule)
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

    def core_parameters(self, native: dict, population=None) -> dict:
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

    def core_receptors(self):
        """The receptors of the core population, by name (None: the core model's own)."""
        return None

    def core_state_names(self) -> dict:
        """More names of the core model's state variables (PyNN's names where they differ)."""
        return {}

    def core_receptor(self, receptor_type: str) -> tuple[int, int]:
        """The core receptor index of PyNN's ``receptor_type`` and the sign its weights must have
        (+1: >= 0, -1: <= 0, 0: either, one sign per receptor)."""
        if receptor_type not in RECEPTORS:
            raise errors.ConnectionError(f"{type(self).__name__} has receptor types {RECEPTORS}, "
                                         f"not {receptor_type!r}")
        index = RECEPTORS.index(receptor_type)
        return index, -1 if index == 1 and not self.conductance_based else 1

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


def _component(base):
    """A PointNeuron part (neuron or post-synaptic response) with PyNN's names."""
    names = [n for n in base.default_parameters if n != "locations"]
    attributes = {"__doc__": base.__doc__, "__module__": __name__,
                  "translations": build_translations(*((n, n) for n in names))}
    if not hasattr(base, "recordable"):               # a post-synaptic response records its state
        attributes["recordable"] = list(base.default_initial_values)
    return type(base.__name__, (base,), attributes)


LIF = _component(cells.LIF)
AdExp = _component(cells.AdExp)
CurrExpPostSynapticResponse = _component(receptors.CurrExpPostSynapticResponse)
CondExpPostSynapticResponse = _component(receptors.CondExpPostSynapticResponse)
CondAlphaPostSynapticResponse = _component(receptors.CondAlphaPostSynapticResponse)
CondBetaPostSynapticResponse = _component(receptors.CondBetaPostSynapticResponse)
ExpPSR, AlphaPSR, BetaPSR = CondExpPostSynapticResponse, CondAlphaPostSynapticResponse, CondBetaPostSynapticResponse


class PointNeuron(CoreCellType, cells.PointNeuron):
    """A LIF or AdExp neuron with up to four named receptors, each one of PyNN's post-synaptic
    responses (current-based: CurrExp; conductance-based: CondExp, CondAlpha, CondBeta; not
    mixed). It runs as one of the core's multi-receptor models: LIF with current receptors
    (NEST's ``iaf_psc_exp_multisynapse``), LIF with conductance receptors, or AdExp
    (``aeif_cond_*_multisynapse``). Weights onto one current receptor share a sign."""

    def __init__(self, neuron, **post_synaptic_receptors):
        if type(neuron).__name__ not in ("LIF", "AdExp"):
            raise NotImplementedError(f"PointNeuron of a {type(neuron).__name__} is not supported; "
                                      "use LIF or AdExp as its neuron")
        if not 0 < len(post_synaptic_receptors) <= slots.SLOTS:
            raise NotImplementedError(f"a PointNeuron here has 1 to {slots.SLOTS} receptors (2 type bits in a "
                                      f"synaptic word), not {len(post_synaptic_receptors)}")
        for name, psr in post_synaptic_receptors.items():
            if type(psr).__name__ not in slots.KIND_NAMES:
                raise NotImplementedError(f"receptor {name!r}: {type(psr).__name__} is not supported; use one of "
                                          f"{', '.join(slots.KIND_NAMES)}")
        super().__init__(neuron, **post_synaptic_receptors)
        self.conductance_based          # PyNN's check: current and conductance receptors do not mix

    @property
    def core_model(self):
        if type(self.neuron).__name__ == "AdExp":
            return "AdExp_multisynapse"
        return "LIF_cond_multisynapse" if self.conductance_based else "LIF_curr_exp_multisynapse"

    @property
    def recordable(self):
        return ["spikes"] + [n for n in cells.PointNeuron.recordable.fget(self) if n != "spikes"]

    def _psr_names(self):
        return {name: [n for n in psr.default_parameters if n != "locations"]
                for name, psr in self.post_synaptic_receptors.items()}

    @property
    def native_parameters(self):
        """Flat, with PyNN's names: the neuron's, and each receptor's as 'NAME.parameter'."""
        values = dict(self.neuron.parameter_space.items())
        for name, psr in self.post_synaptic_receptors.items():
            for parameter in self._psr_names()[name]:
                values[f"{name}.{parameter}"] = psr.parameter_space[parameter]
        return ParameterSpace(values, shape=self.parameter_space.shape)

    def get_native_names(self, *names):
        return list(names) if names else list(self.native_parameters.keys())

    def reverse_translate(self, native_parameters):
        return ParameterSpace(dict(native_parameters.items()), shape=native_parameters.shape)

    def translate(self, parameters, copy=True):
        flat = {}
        for name, value in parameters.items():
            if isinstance(value, ParameterSpace):
                flat.update({f"{name}.{k}": v for k, v in value.items()})
            else:
                flat[name] = value
        return ParameterSpace(flat, shape=parameters.shape)

    def core_parameters(self, native: dict, population=None) -> dict:
        spec = MODELS[self.core_model]
        signs = self._signs(population) if population is not None and not self.conductance_based else {}
        out = {name: values.astype(float) for name, values in native.items() if "." not in name}
        n = len(next(iter(native.values())))
        for k, name in enumerate(self.receptor_types, start=1):
            kind = slots.KIND_NAMES[type(self.post_synaptic_receptors[name]).__name__]
            get = (lambda p: native[f"{name}.{p}"].astype(float))
            if f"kind_{k}" in spec.parameters:
                out[f"kind_{k}"] = np.full(n, float(kind))
            out[f"tau_syn_{k}"] = get("tau_decay") if kind == slots.COND_BETA else get("tau_syn")
            if kind == slots.COND_BETA:
                out[f"tau_rise_{k}"] = get("tau_rise")
            if kind != slots.CURR_EXP:
                out[f"e_syn_{k}"] = get("e_syn")
            out[f"sign_{k}"] = np.full(n, float(signs.get(name, 1.0)))
        return out

    def _signs(self, population) -> dict:
        """Each current receptor's sign, from the weights of the projections onto it: one sign
        per receptor, since the machine stores weight magnitudes."""
        from .simulator import state
        seen = {}
        for projection in state.projections:
            roots = projection.post.populations if hasattr(projection.post, "populations") else [projection.post]
            if not any(r._root()[0] is population for r in roots):
                continue
            weights = projection._synapses()[2]
            for sign in {float(np.sign(w)) for w in (weights.min(), weights.max()) if w != 0} if weights.size else ():
                seen.setdefault(projection.receptor_type, set()).add(sign)
        for name, found in seen.items():
            if len(found) > 1:
                raise errors.ConnectionError(
                    f"population {population.label!r}: weights onto current receptor {name!r} have both signs; "
                    "the machine stores one sign per receptor: give excitatory and inhibitory input their own receptors")
        return {name: found.pop() for name, found in seen.items()}

    def core_receptors(self):
        return tuple(self.receptor_types)

    def core_state_names(self):
        names = {}
        for k, name in enumerate(self.receptor_types, start=1):
            variable = "isyn" if not self.conductance_based else "gsyn"
            names[f"{name}.{variable}"] = f"g{k}"
        return names

    def core_receptor(self, receptor_type):
        if receptor_type not in self.receptor_types:
            raise errors.ConnectionError(f"this PointNeuron has receptor types {tuple(self.receptor_types)}, "
                                         f"not {receptor_type!r}")
        return self.receptor_types.index(receptor_type), 1 if self.conductance_based else 0


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
_STATIC = ("use StaticSynapse, STDPMechanism (SpikePairRule or Vogels2011Rule with a standard weight "
           "dependence), TsodyksMarkramSynapse or SimpleStochasticSynapse")

for _name in ("IF_facets_hardware1",):
    globals()[_name] = _unsupported(_name, _CELLS)
for _name in ("ElectricalSynapse", "StochasticTsodyksMarkramSynapse", "MultiQuantalSynapse"):
    globals()[_name] = _unsupported(_name, _STATIC)
MultiCompartmentNeuron = _unsupported(
    "MultiCompartmentNeuron", "the machine's PEs run point neurons, not multi-compartment "
    "morphologies; " + _CELLS)
del _name

__all__ = supported_cell_types() + ["StaticSynapse", "LIF", "AdExp", "CurrExpPostSynapticResponse",
                                    "CondExpPostSynapticResponse", "CondAlphaPostSynapticResponse",
                                    "CondBetaPostSynapticResponse", "ExpPSR", "AlphaPSR", "BetaPSR",
                                    "STDPMechanism", "SpikePairRule", "Vogels2011Rule",
                                    "AdditiveWeightDependence", "MultiplicativeWeightDependence",
                                    "AdditivePotentiationMultiplicativeDepression", "GutigWeightDependence",
                                    "TsodyksMarkramSynapse", "SimpleStochasticSynapse"] + [
    name for name, obj in list(globals().items()) if isinstance(obj, type) and obj.__doc__
    and obj.__doc__.startswith("Not supported")]
