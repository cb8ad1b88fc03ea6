"""Scripts run unchanged through ``pynn-spinnaker2 run``: PyNN 0.13's own ``examples/`` (from its
sdist, as ``python example.py spinnaker2``) and the sPyNNaker-style scripts of
``examples/spynnaker_style`` (``import pyNN.spiNNaker``). Each runs in a process of its own,
forked from a warmed-up server, in a fresh directory holding the ``Results/`` folder PyNN's
examples write to.

Examples that need only what this backend runs (every standard cell type, PointNeuron, the
current sources, static and plastic synapses) must run; the others are strict xfails that count
only the error of the feature they lack (see test_pynn_scenarios.py).
"""
import re
from pathlib import Path

import pytest

from .forkserver import ForkServer
from .pynn_sdist import SdistUnavailable, sdist_root
from .test_pynn_scenarios import MissingFeature

REPO = Path(__file__).resolve().parents[2]


def _missing(feature, error):
    return feature, error


CELL = "NotImplementedError: {} is not supported"
EXAMPLES = {     # script: (arguments after the backend name, expected failure or None)
    "HH_cond_exp2.py": ([], None),
    "Izhikevich.py": (["--plot-figure"], None),
    "StepCurrentSource.py": ([], None),
    "VAbenchmarks.py CUBA": (["CUBA"], None),
    "VAbenchmarks.py COBA": (["COBA"], None),
    "brunel.py": ([], None),
    "cell_type_demonstration.py": (["--plot-figure"], None),
    "connections.py": ([], None),              # its figures (9 x 6 panels) cost minutes
    "current_injection.py": (["--plot-figure"], None),
    "distrib_example.py": ([], None),            # one process here; tests/distributed runs it on two ranks
    "gif_neuron.py": (["--plot-figure"], None),
    "inhomogeneous_network.py": ([], None),
    "monolith_vs_composed.py": (["--plot-figure"], None),
    "multi_synapse.py": (["--plot-figure"], None),
    "multiquantal_synapses.py": (["--plot-figure"], _missing("MultiQuantalSynapse (stochastic synapses)",
                                                             CELL.format("MultiQuantalSynapse"))),
    "nineml_brunel.py": ([], _missing("pyNN.nineml on NEURON: a NEURON-only example",
                                      "ModuleNotFoundError: No module named 'neuron'")),
    "nineml_neuron.py": (["--plot-figure"], _missing("NineML cell types (the nineml package)",
                                                      "ModuleNotFoundError: No module named 'nineml'")),
    "nrn_artificial_cell.py": ([], _missing("NEURON's artificial cells: a NEURON-only example",
                                            "ModuleNotFoundError: No module named 'neuron'")),
    "parameter_changes.py": ([], None),
    "random_distributions.py": ([], None),
    "random_numbers.py": (["--plot-figure"], None),
    "simpleRandomNetwork.py": ([], None),
    "simpleRandomNetwork_csa.py": ([], _missing(
        "nothing of ours: the script calls rng.next(mask_local=...), which PyNN 0.13 removed, and "
        "fails on every backend", "TypeError: WrappedRNG.next.. got an unexpected keyword argument 'mask_local'")),
    "simple_STDP.py": (["--plot-figure"], None),
    "small_network.py": (["--plot-figure"], None),
    "specific_network.py": ([], None),
    "stdp_network.py": ([], None),
    "stochastic_deterministic_comparison.py": (["--plot-figure"], _missing(
        "StochasticTsodyksMarkramSynapse", CELL.format("StochasticTsodyksMarkramSynapse"))),
    "stochastic_synapses.py": (["--plot-figure"], None),
    "stochastic_tsodyksmarkram.py": (["--plot-figure"], _missing(
        "StochasticTsodyksMarkramSynapse", CELL.format("StochasticTsodyksMarkramSynapse"))),
    "synaptic_input.py": (["--plot-figure"], None),
    "tsodyksmarkram.py": (["--plot-figure"], None),
    "update_spike_source_array.py": (["--plot-figure"], None),
    "varying_poisson.py": (["--plot-figure"], None),
}


def _params():
    for name, (_, expected) in sorted(EXAMPLES.items()):
        marks = [] if expected is None else [pytest.mark.xfail(
            raises=MissingFeature, strict=True, reason=f"needs {expected[0]}")]
        yield pytest.param(name, id=name, marks=marks)


@pytest.fixture(scope="module")
def server():
    server = ForkServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def examples_dir():
    try:
        return sdist_root() / "examples"
    except SdistUnavailable as error:
        pytest.fail(str(error), pytrace=False)


def run_script(server, script, args, cwd):
    (cwd / "Results").mkdir(exist_ok=True)
    return server.run("script", [script, *args], cwd)


@pytest.mark.parametrize("name", _params())
def test_pynn_example(server, examples_dir, name, tmp_path):
    args, expected = EXAMPLES[name]
    result, out, err = run_script(server, examples_dir / name.split()[0], ["spinnaker2", *args], tmp_path)
    if result["outcome"] != "passed":
        error = f"{result['error']}: {result['message']}"
        if expected and re.search(expected[1], error):
            raise MissingFeature(error)
        pytest.fail(f"{name} failed: {error}\n{err[-4000:]}", pytrace=False)
    product = "*.png" if "--plot-figure" in args else PRODUCTS.get(name)
    if product:
        assert list(tmp_path.rglob(product)), f"{name} wrote no {product}:\n{out[-2000:]}"
    if name.startswith("VAbenchmarks"):
        rates = [float(r) for r in re.findall(r"(?:Excitatory|Inhibitory) rate\s+: ([\d.e+-]+) Hz", out)]
        assert len(rates) == 2 and all(r > 0 for r in rates), out[-2000:]


PRODUCTS = {"VAbenchmarks.py CUBA": "*.pkl", "VAbenchmarks.py COBA": "*.pkl",
            "random_distributions.py": "*.png"}


def test_every_example_of_the_sdist_is_listed(examples_dir):
    scripts = {p.name for p in examples_dir.glob("*.py")}
    assert scripts == {name.split()[0] for name in EXAMPLES}


# -- sPyNNaker-style scripts --------------------------------------------------------------------
SPYNNAKER_STYLE = REPO / "examples" / "spynnaker_style"


def run_spynnaker_style(server, name, tmp_path):
    result, out, err = run_script(server, SPYNNAKER_STYLE / name, [], tmp_path)
    assert result["outcome"] == "passed", f"{result}\n{err[-4000:]}"
    return out, err


def test_synfire_chain_propagates_one_volley(server, tmp_path):
    """One input spike at t = 0 (emitted in the first step, with a warning) starts a volley that
    fires every neuron of each of the ten populations once, 17 ms delay plus integration apart."""
    out, err = run_spynnaker_style(server, "synfire_chain.py", tmp_path)
    assert "spike at t = 0 is emitted in the first time step" in err
    rows = re.findall(r"pop_(\d+): (\d+) spikes, first at ([\d.]+) ms", out)
    assert [int(k) for k, _, _ in rows] == list(range(10))
    assert all(int(n) == 100 for _, n, _ in rows), out
    first = [float(t) for _, _, t in rows]
    gaps = {round(b - a, 6) for a, b in zip(first, first[1:])}
    assert len(gaps) == 1 and 17.0 < gaps.pop() <= 20.0, first


def test_balanced_network_fires_asynchronously(server, tmp_path):
    out, _ = run_spynnaker_style(server, "balanced_network.py", tmp_path)
    rates = {name: float(rate) for name, rate in re.findall(r"(excitatory|inhibitory): ([\d.]+) Hz", out)}
    assert set(rates) == {"excitatory", "inhibitory"} and all(1.0 < r < 150.0 for r in rates.values()), out
    assert re.search(r"excitatory\s+IF_curr_exp\s+800\s+(\d+)", out)
    pes = int(re.search(r"excitatory\s+IF_curr_exp\s+800\s+(\d+)", out).group(1))
    assert pes >= 8               # set_number_of_neurons_per_core(IF_curr_exp, 100): 8 slices or more


def test_spike_source_array_with_from_list_delays(server, tmp_path):
    out, _ = run_spynnaker_style(server, "spike_source_array.py", tmp_path)
    rows = re.findall(r"neuron (\d): input at \[([\d, ]+)\] ms, output at \[([\d., ]*)\] ms", out)
    assert len(rows) == 4
    for i, inputs, outputs in rows:
        inputs = [float(t) for t in inputs.split(",")]
        outputs = [float(t) for t in outputs.split(",") if t.strip()]
        assert len(outputs) == len(inputs)
        for t_in, t_out in zip(inputs, outputs):
            assert t_in + 1 + int(i) < t_out <= t_in + 1 + int(i) + 5     # delay 1 + i ms, then integration
    assert "PEs used by target: 2" in out
