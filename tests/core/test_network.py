import numpy as np
import pytest

from core import Network, Population, Projection


def test_defaults_and_per_neuron_arrays():
    pop = Population("p", "IF_curr_exp", 4, parameters={"tau_m": [10, 20, 30, 40]})
    assert pop.parameters["tau_m"].tolist() == [10, 20, 30, 40]
    assert pop.parameters["cm"].tolist() == [1.0] * 4
    assert pop.initial_state["v"].tolist() == [-65.0] * 4


@pytest.mark.parametrize("kwargs, message", [
    (dict(model="IF_curr_fancy"), "unknown model"),
    (dict(parameters={"tau_mem": 10.0}), "unknown parameter.*tau_mem"),
    (dict(parameters={"tau_m": [1.0, 2.0]}), "2 values for 3 neurons"),
    (dict(record={"gsyn_exc": 1}), "cannot record 'gsyn_exc'"),
    (dict(parameters={"tau_m": 0.0}), "tau_m must be > 0"),
    (dict(parameters={"tau_refrac": -1.0}), "tau_refrac must be >= 0"),
    (dict(parameters={"v_reset": -40.0}), "v_reset must be below v_thresh"),
    (dict(model="SpikeSourcePoisson", parameters={"rate": -5.0}), "rate must be >= 0"),
])
def test_population_errors_name_population(kwargs, message):
    args = dict(label="excitatory", model="IF_curr_exp", size=3) | kwargs
    with pytest.raises(ValueError, match=message) as info:
        Population(**args)
    assert "excitatory" in str(info.value)


def test_projection_checks():
    net = Network()
    a = net.add_population(Population("a", "SpikeSourcePoisson", 2))
    b = net.add_population(Population("b", "IF_curr_exp", 2))
    with pytest.raises(ValueError, match="'ab'.*at least one time step"):
        Projection("ab", a, b, [0], [1], [1.0], [0])
    with pytest.raises(ValueError, match="magnitudes"):
        Projection("ab", a, b, [0], [1], [-1.0], [1])
    with pytest.raises(ValueError, match="out of range"):
        net.add_projection(Projection("ab", a, b, [0], [2], [1.0], [1]))
    with pytest.raises(ValueError, match="spike source"):
        net.add_projection(Projection("ba", b, a, [0], [1], [1.0], [1]))
    assert net.add_projection(Projection("ab", a, b, [0, 1], [1, 1], 1.0, 2)) == 0
    assert net.projections[0].delay.tolist() == [2, 2]
