"""examples/microcircuit.py: the published parameters, the scaling rules, the network it builds,
and (marked ``reference`` and ``slow``) its population rates beside pyNN.nest's at scale 0.1."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pynn_spinnaker2 as sim
from examples import microcircuit as mc

REPO = Path(__file__).resolve().parents[2]


def test_full_scale_has_the_published_size():
    """77,169 neurons and about 0.3 G synapses (Potjans & Diesmann 2014); L2/3E -> L2/3E draws
    ln(1 - p) / ln(1 - 1 / N^2) synapses."""
    assert mc.N_FULL.sum() == 77169
    k = mc.full_scale_synapses()
    assert 2.98e8 < k.sum() < 3.0e8
    n = mc.N_FULL[0]
    assert k[0, 0] == pytest.approx(np.log(1 - 0.1009) / np.log(1 - 1 / n**2))
    assert np.all(k[mc.CONNECTION_PROBABILITY == 0] == 0)


def test_weight_gives_the_stated_psp_peak():
    """One spike of the mean excitatory weight into a neuron held below threshold raises V by
    0.15 mV at the peak (the PSC-to-PSP conversion)."""
    weights, w_ext = mc.mean_weights()
    assert weights[0, 2] == 2 * w_ext and weights[3, 1] == mc.G * w_ext and w_ext == pytest.approx(0.08781, rel=1e-3)
    sim.setup(timestep=0.01)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    cell = sim.Population(1, sim.IF_curr_exp(**mc.NEURON), initial_values={"v": mc.NEURON["v_rest"]})
    sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_ext, delay=0.1))
    cell.record("v")
    sim.run(20.0)
    v = cell.get_data().segments[0].analogsignals[0].magnitude[:, 0]
    assert v.max() - mc.NEURON["v_rest"] == pytest.approx(mc.PSP_E, rel=2e-3)


@pytest.mark.parametrize("background", ["poisson", "dc"])
@pytest.mark.parametrize("scale", [0.05, 0.3, 1.0])
def test_scaling_keeps_the_mean_input(scale, background):
    """Fewer inputs with stronger weights plus the DC current give every population the mean
    input of the full-scale network at its published rates; the variance is kept too."""
    full, p = mc.scaled(1.0, background), mc.scaled(scale, background)
    tau = mc.NEURON["tau_syn_E"] / 1000.0

    def mean_and_variance(q, s):
        in_degree = q["synapses"] / np.maximum(q["n"], 1)[:, None]
        recurrent = (q["weights"] * in_degree * mc.FULL_RATES).sum(axis=1)
        variance = (q["weights"] ** 2 * in_degree * mc.FULL_RATES).sum(axis=1)
        if background == "poisson":
            recurrent = recurrent + q["w_ext"] * q["rate_ext"]
            variance = variance + q["w_ext"] ** 2 * q["rate_ext"]
        return tau * recurrent + q["dc"], variance

    mean_full, var_full = mean_and_variance(full, 1.0)
    mean, var = mean_and_variance(p, scale)
    np.testing.assert_allclose(mean, mean_full, rtol=2e-2)        # synapse counts are rounded
    np.testing.assert_allclose(var, var_full, rtol=2e-2)
    if background == "poisson" and scale == 1.0:
        np.testing.assert_allclose(p["dc"], 0.0)


def test_network_at_small_scale():
    scale = 0.02
    net = mc.build(sim, scale)
    expected = mc.scaled(scale)
    pops = net["populations"]
    assert [pops[name].size for name in mc.POPULATIONS] == list(expected["n"])
    for t, target in enumerate(mc.POPULATIONS):
        for s, source in enumerate(mc.POPULATIONS):
            prj = net["projections"].get((target, source))
            if expected["synapses"][t, s] == 0:
                assert prj is None
                continue
            pre, post, weight, steps = prj._synapses()
            assert len(prj) == expected["synapses"][t, s]
            assert (weight >= 0).all() if s % 2 == 0 else (weight <= 0).all()
            assert np.mean(weight) == pytest.approx(expected["weights"][t, s], rel=0.1)
            assert steps.min() >= 1 and steps.max() <= round(mc.MAX_DELAY / 0.1)
        background = net["projections"][(target, "background")]
        pre, post = background._synapses()[:2]
        np.testing.assert_array_equal(pre, post)
        assert np.all(background.pre.get("rate") == pytest.approx(expected["rate_ext"][t]))
    assert np.all(pops["L23E"].get("i_offset") == pytest.approx(expected["dc"][0]))


def test_command_line(tmp_path, capsys):
    png = tmp_path / "raster.png"
    mc.main(["spinnaker2", "--scale", "0.01", "--duration", "150", "--transient", "50", "--n-chips", "1",
             "--plot", str(png)])
    out = capsys.readouterr().out
    assert "rates (Hz, after 50 ms): L23E" in out and "SpiNNaker2 mapping" in out and png.stat().st_size > 1000


def run_backend(backend, scale, duration):
    code = (f"import json, sys; sys.path.insert(0, {str(REPO)!r})\n"
            "import warnings; warnings.simplefilter('ignore')\n"
            "from examples import microcircuit as mc\n"
            f"r = mc.simulate({backend!r}, {scale}, {duration})\n"
            f"print(json.dumps(mc.population_rates(r['trains'], 100.0, {duration})))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=4 * 3600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.reference
@pytest.mark.skipif(importlib.util.find_spec("nest") is None, reason="NEST is not installed")
def test_rates_at_scale_0_1_match_nest():
    """Scale 0.1 (7,717 neurons, 3 M synapses), the same connectome on both (PyNN draws it the
    same way), Poisson input drawn by each simulator: every population's rate within 10 %.
    pyNN.nest builds the network through PyNN's generic FixedTotalNumberConnector, one synapse
    at a time: expect ~15 min."""
    nest = run_backend("nest", 0.1, 1000.0)
    ours = run_backend("spinnaker2", 0.1, 1000.0)
    for name in mc.POPULATIONS:
        assert ours[name] == pytest.approx(nest[name], rel=0.10), (name, ours, nest)
