"""PyNN 0.13's own backend-agnostic scenarios (``test/system/scenarios`` of its sdist), every
one run against this backend as ``pyNN.spinnaker2``, each in a process of its own (they leak
state into each other), forked from a warmed-up server (``forkserver.py``).

``EXPECTED_FAILURES`` names the scenarios that need a feature this backend does not have yet,
with the error that says so. They are strict xfails that count only that error: when the
feature lands, the scenario either passes (XPASS, a failure: remove its entry) or fails in some
other way (a failure: fix it). Every other scenario must pass.
"""
import ast
import re

import pytest

from .forkserver import ForkServer
from .pynn_sdist import SdistUnavailable, sdist_root


class MissingFeature(Exception):
    """The scenario failed with the error of the feature it is expected to lack."""


EXPECTED_FAILURES = {
    "test_recording.test_issue259":
        ("needs off-grid (precise) spike times, spike_precision='off_grid': the machine is time-driven "
         "and puts spike times on the grid as NEST's on_grid mode does (NEST on_grid fails it too)",
         r"AssertionError: .*DESIRED: array\(\[0\.075\]\)"),
    "test_scenario5.test_scenario5":
        ("multi-compartment neurons (MultiCompartmentNeuron, morphologies) are not supported",
         "Skipped: morphio not available|NotImplementedError: MultiCompartmentNeuron is not supported"),
}

PASSING = [
    "test__simulation_control.test_reset",
    "test__simulation_control.test_reset_with_clear",
    "test__simulation_control.test_reset_with_spikes",
    "test__simulation_control.test_run_until",
    "test__simulation_control.test_setup",
    "test_cell_types.test_EIF_cond_alpha_isfa_ista",
    "test_cell_types.test_HH_cond_exp",
    "test_cell_types.test_SpikeSourceGamma",
    "test_cell_types.test_SpikeSourcePoisson",
    "test_cell_types.test_SpikeSourcePoissonRefractory",
    "test_cell_types.test_composed_neuron_model_homogeneous_receptors",
    "test_cell_types.test_issue511",
    "test_cell_types.test_update_SpikeSourceArray",
    "test_connection_handling.test_connection_access_weight_and_delay",
    "test_connection_handling.test_connections_attribute",
    "test_connection_handling.test_issue652",
    "test_connection_handling.test_issue672",
    "test_connectors.test_all_to_all_static_no_self",
    "test_connectors.test_all_to_all_tsodyksmarkram",
    "test_connectors.test_fixed_number_post_no_replacement",
    "test_connectors.test_fixed_number_post_with_replacement",
    "test_connectors.test_fixed_number_post_with_replacement_heterogeneous_parameters",
    "test_connectors.test_fixed_number_pre_no_replacement",
    "test_connectors.test_fixed_number_pre_with_replacement",
    "test_connectors.test_fixed_number_pre_with_replacement_heterogeneous_parameters",
    "test_connectors.test_issue309",
    "test_connectors.test_issue622",
    "test_electrodes.test_changing_electrode",
    "test_electrodes.test_issue165",
    "test_electrodes.test_issue321",
    "test_electrodes.test_issue437",
    "test_electrodes.test_issue442",
    "test_electrodes.test_issue445",
    "test_electrodes.test_issue451",
    "test_electrodes.test_issue483",
    "test_electrodes.test_issue487",
    "test_electrodes.test_issue497",
    "test_electrodes.test_issue512",
    "test_electrodes.test_issue631",
    "test_electrodes.test_issue759",
    "test_electrodes.test_issue_465_474_630",
    "test_electrodes.test_ticket226",
    "test_issue231.test_issue231",
    "test_issue274.test_issue274",
    "test_parameter_handling.test_issue241",
    "test_parameter_handling.test_issue302",
    "test_parameter_handling.test_issue505",
    "test_parameter_handling.test_set_synaptic_parameters_fully_connected",
    "test_parameter_handling.test_set_synaptic_parameters_multiply_connected",
    "test_parameter_handling.test_set_synaptic_parameters_partially_connected",
    "test_procedural_api.test_ticket195",
    "test_recording.test_issue499",
    "test_recording.test_mix_procedural_and_oo",
    "test_recording.test_record_vm_and_gsyn_from_assembly",
    "test_recording.test_record_with_filename",
    "test_recording.test_reset_recording",
    "test_recording.test_sampling_interval",
    "test_scenario1.test_scenario1",
    "test_scenario1.test_scenario1a",
    "test_scenario2.test_scenario2",
    "test_scenario3.test_scenario3",
    "test_scenario4.test_scenario4",
    "test_synapse_types.test_simple_stochastic_synapse",
    "test_ticket166.test_ticket166",
]


def _params():
    for name in sorted(PASSING + list(EXPECTED_FAILURES)):
        if name in EXPECTED_FAILURES:
            reason, _ = EXPECTED_FAILURES[name]
            yield pytest.param(name, id=name, marks=pytest.mark.xfail(raises=MissingFeature, strict=True,
                                                                        reason=reason))
        else:
            yield pytest.param(name, id=name)


@pytest.fixture(scope="session")
def scenarios_parent():
    try:
        return sdist_root() / "test" / "system"
    except SdistUnavailable as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="module")
def server():
    server = ForkServer()
    yield server
    server.close()


@pytest.mark.parametrize("name", _params())
def test_pynn_scenario(server, scenarios_parent, name, tmp_path):
    result, out, err = server.run("scenario", [scenarios_parent, *name.split(".")], tmp_path)
    if result["outcome"] == "passed":
        return
    error = f"{result['error']}: {result['message']}"
    expected = EXPECTED_FAILURES.get(name)
    if expected and re.search(expected[1], error):
        raise MissingFeature(error)
    pytest.fail(f"scenario {name} failed: {error}\n{err[-4000:]}", pytrace=False)


def test_every_scenario_of_the_sdist_is_run(scenarios_parent):
    """No scenario may be left out: the lists above hold exactly the sdist's scenario functions."""
    found = set()
    for path in sorted((scenarios_parent / "scenarios").glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and \
                    node.args.args and node.args.args[0].arg == "sim":
                found.add(f"{path.stem}.{node.name}")
    listed = set(PASSING) | set(EXPECTED_FAILURES)
    assert len(PASSING) + len(EXPECTED_FAILURES) == len(listed)
    assert found == listed, (sorted(found - listed), sorted(listed - found))
    assert len(found) == 66
