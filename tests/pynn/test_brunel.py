"""examples/brunel.py: network shape, the PSP-to-current conversion, and the command line."""
import numpy as np
import pytest

import pynn_spinnaker2 as sim
from examples import brunel


def test_network_shape():
    scale = 20
    net = brunel.build(sim, scale=scale)
    n_e, n_i = 4 * scale, scale
    assert (net["E"].size, net["I"].size, net["noise"].size) == (n_e, n_i, 1)
    sizes = {name: p.size() for name, p in net["projections"].items()}
    assert sizes == {"EE": n_e * 8, "IE": n_e * 2, "noiseE": n_e, "EI": n_i * 8, "II": n_i * 2, "noiseI": n_i}
    weights = net["projections"]["IE"].get("weight", format="list", with_address=False)
    j_ex = net["projections"]["EE"].get("weight", format="list", with_address=False)[0]
    np.testing.assert_allclose(weights, -brunel.G * j_ex)
    v = net["E"].initial_values["v"].evaluate()
    assert np.all((v >= brunel.NEURON["v_reset"]) & (v < brunel.NEURON["v_thresh"]))


def test_per_neuron_style_gives_every_neuron_its_own_source():
    """NEST's brunel_alpha style: one Poisson source per neuron, one to one, run on the
    neurons' own PEs (no packets for the external input)."""
    scale = 20
    net = brunel.build(sim, scale=scale, style="per-neuron")
    noise = net["noise"]
    assert (noise["E"].size, noise["I"].size) == (4 * scale, scale)
    connections = net["projections"]["noiseE"].get("weight", format="list")
    assert sorted((int(i), int(j)) for i, j, _ in connections) == [(i, i) for i in range(4 * scale)]
    sim.run(50.0)
    report = sim.mapping()
    assert report.population("noiseE").storage.startswith("runs on E")
    assert report.runtime["spikes of local sources"] > 0
    with pytest.raises(ValueError, match="style"):
        brunel.build(sim, scale=scale, style="one")


def test_excitatory_weight_gives_the_stated_psp_peak():
    """One input spike of weight J_ex into a Brunel neuron (held below threshold) must raise
    V by J = 0.1 mV at the peak, which checks NEST's ComputePSPnorm formula as ported."""
    n = brunel.NEURON
    j_ex = brunel.J / brunel.psp_peak_per_nA(n["tau_m"], n["cm"], n["tau_syn_E"])
    sim.setup(timestep=0.01)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]), label="s")
    cell = sim.Population(1, sim.IF_curr_alpha(**n), initial_values={"v": 0.0}, label="c")
    sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=j_ex, delay=0.1))
    cell.record("v")
    sim.run(10.0)
    v = cell.get_data().segments[0].analogsignals[0].magnitude[:, 0]
    assert v.max() == pytest.approx(brunel.J, rel=1e-3)


def test_command_line(tmp_path, capsys):
    png = tmp_path / "raster.png"
    brunel.main(["spinnaker2", "--scale", "20", "--duration", "200", "--plot", str(png)])
    out = capsys.readouterr().out
    assert "mean rate E" in out and "SpiNNaker2 mapping" in out and png.stat().st_size > 1000
