"""The four nengo examples on the emulated chip beside nengo's reference simulator, each held to
the tolerance nengo's own tests use for that kind of network (an absolute error of 0.1 on a
decoded value: test_ensemble.py, networks/tests/test_circularconv.py)."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

nengo = pytest.importorskip("nengo")
import nengo_spinnaker2  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TOLERANCE = 0.1


def example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def both(module, **kwargs):
    return [module.run(Sim, **kwargs) for Sim in (nengo.Simulator, nengo_spinnaker2.Simulator)]


def test_communication_channel():
    ex = example("nengo_communication_channel")
    for sim, data in both(ex, duration=1.0, dimensions=2, neurons=100):
        t = sim.trange()
        late = t > 0.1
        # B is two synapses behind the input; compare it with the input filtered twice
        target = nengo.Lowpass(0.005).filt(nengo.Lowpass(0.005).filt(ex.ideal(t, 2), dt=sim.dt), dt=sim.dt)
        err = np.sqrt(np.mean((data["B"][late] - nengo.Lowpass(0.01).filt(target, dt=sim.dt)[late]) ** 2))
        assert err < TOLERANCE, (type(sim).__module__, err)


def test_integrator():
    ex = example("nengo_integrator")
    (ref, ref_data), (sim, data) = both(ex, duration=1.0)
    ideal = ex.ideal(sim.trange())
    err = np.sqrt(np.mean((data["A"][:, 0] - ideal) ** 2))
    ref_err = np.sqrt(np.mean((ref_data["A"][:, 0] - ideal) ** 2))
    assert err < 2 * TOLERANCE and ref_err < 2 * TOLERANCE, (err, ref_err)
    assert abs(data["A"][-1, 0] - ideal[-1]) < TOLERANCE + abs(ref_data["A"][-1, 0] - ideal[-1])


def test_oscillator():
    ex = example("nengo_oscillator")
    (ref, ref_data), (sim, data) = both(ex, duration=1.5)
    t = sim.trange()
    f, f_ref = ex.frequency(t, data["x"]), ex.frequency(t, ref_data["x"])
    assert f == pytest.approx(ex.FREQUENCY, rel=0.15) and f_ref == pytest.approx(ex.FREQUENCY, rel=0.15)
    radius = np.linalg.norm(data["x"][t > 0.5], axis=1)
    assert radius.mean() > 0.5
    assert np.sqrt(np.mean((data["x"][t < 0.4] - ref_data["x"][t < 0.4]) ** 2)) < TOLERANCE


def test_circular_convolution():
    ex = example("nengo_circular_convolution")
    for sim, data, target in both(ex, duration=0.3, dimensions=8, neurons_per_product=100):
        final = data["result"][-1]
        assert np.sqrt(np.mean((final - target) ** 2)) < TOLERANCE
