"""Every cell type beside pyNN.nest (NEST 3.10, ``spike_precision='on_grid'``): the same inputs
(excitatory and inhibitory spikes, a constant current), the membrane trace and spike times
compared at dt 0.1 and 1 ms.

All cell types run in one script per backend and time step, each population with its own
projections from the same two spike sources; each script runs in its own interpreter. Two
models pyNN.nest cannot record or create (``IF_curr_delta``'s v has no NEST name in pyNN.nest;
``IF_cond_exp_gsfa_grr`` fails on its initial values) run there as native NEST nodes with the
same parameters, inputs and delays.

Bounds (each test's ``BOUNDS`` entry says which applies):

* models NEST integrates with its adaptive RKF45 (conductance-based, AdExp, HH, GIF) and the
  exact-propagator ones: 1e-3 mV everywhere, the issue's bar. The machine follows NEST's scheme
  step for step (``core/models/ode.py``); what is left is float32 state and float32 constants.
* near a spike the trace is steep and float32 rounding is amplified: the AdExp models' last
  0.5 ms before a spike (exponential upswing, 1e-2 mV) and HH's action potentials (0.5 mV) are
  held to a looser bound; at dt 1 ms HH's rounding from a spike decays over ~20 ms (5e-3 mV).
  Spike times must still agree exactly.
* Izhikevich is integrated by forward Euler (as in NEST) whose quadratic term amplifies float32
  rounding near spikes: RMS bound, spike times exact.
"""
import importlib.util
import json

import numpy as np
import pytest

from tests.pynn.test_reference import run_script

pytestmark = [pytest.mark.reference,
              pytest.mark.skipif(importlib.util.find_spec("nest") is None, reason="NEST is not installed")]

T = 200.0
# (cell type, parameters, initial values, excitatory and inhibitory weight, recorded variables)
CASES = {
    "IF_cond_exp": (dict(i_offset=0.5, tau_refrac=2.0), {}, 0.02, 0.05, ["v", "gsyn_exc", "gsyn_inh"]),
    "IF_cond_alpha": (dict(i_offset=0.7, tau_refrac=2.0), {}, 0.01, 0.02, ["v", "gsyn_exc", "gsyn_inh"]),
    "EIF_cond_exp_isfa_ista": (dict(i_offset=0.6, tau_refrac=2.0), {}, 0.01, 0.02, ["v", "w", "gsyn_exc"]),
    "EIF_cond_alpha_isfa_ista": (dict(i_offset=0.6, tau_refrac=2.0), {}, 0.005, 0.01, ["v", "w", "gsyn_exc"]),
    "HH_cond_exp": (dict(i_offset=0.2), dict(m=0.0162, h=0.9794, n=0.0466), 0.02, 0.05, ["v", "gsyn_exc"]),
    "Izhikevich": (dict(i_offset=0.005), {}, 3.0, -3.0, ["v", "u"]),
    "IF_curr_exp": (dict(i_offset=0.7, tau_refrac=2.0, tau_syn_E=2.0, tau_syn_I=4.0), {}, 1.0, -1.0, ["v"]),
    "IF_curr_alpha": (dict(i_offset=0.7, tau_refrac=2.0, tau_syn_E=1.0, tau_syn_I=2.0), {}, 0.5, -0.5, ["v"]),
    # GIF in a deterministic regime: delta_v 1 nV makes the spike probability 0 or 1 a hair either
    # side of the moving threshold; lambda0 in Hz here, in 1/ms in pyNN.nest (see the model's docstring)
    "GIF_cond_exp": (dict(i_offset=0.8, tau_refrac=2.0, delta_v=1e-6, v_t_star=-55.0, lambda0=1000.0,
                          tau_eta=[1.0, 10.0, 100.0], a_eta=[0.05, 0.02, 0.01], tau_gamma=[5.0, 50.0, 100.0],
                          a_gamma=[1.0, 0.5, 0.2]), {}, 0.01, 0.02, ["v", "i_eta", "v_t"]),
}
# models pyNN.nest cannot run as a PyNN population: their native NEST model and parameter names
NATIVE = {
    "IF_curr_delta": ("iaf_psc_delta", dict(i_offset=0.7, tau_refrac=2.0), 1.0, -1.0,
                      dict(C_m=1000.0, tau_m=20.0, t_ref=2.0, E_L=-65.0, V_reset=-65.0, V_th=-50.0, I_e=700.0,
                           V_m=-65.0), 1.0),
    "IF_cond_exp_gsfa_grr": ("iaf_cond_exp_sfa_rr", dict(i_offset=1.0, tau_refrac=2.0), 0.02, 0.05,
                             dict(C_m=1000.0, g_L=50.0, t_ref=2.0, E_L=-65.0, V_reset=-65.0, V_th=-50.0, I_e=1000.0,
                                  tau_syn_ex=5.0, tau_syn_in=5.0, E_ex=0.0, E_in=-70.0, tau_sfa=100.0, E_sfa=-75.0,
                                  q_sfa=15.0, tau_rr=2.0, E_rr=-75.0, q_rr=3000.0, V_m=-65.0), 1000.0),
}
BOUNDS = {   # max |v difference| (mV) away from spikes; near spikes (None: the same)
    "IF_cond_exp": (1e-3, None), "IF_cond_alpha": (1e-3, None), "IF_curr_exp": (1e-3, None),
    "IF_curr_alpha": (1e-3, None), "IF_curr_delta": (1e-3, None), "IF_cond_exp_gsfa_grr": (1e-3, None),
    "GIF_cond_exp": (1e-3, None),
    "EIF_cond_exp_isfa_ista": (1e-3, 1e-2), "EIF_cond_alpha_isfa_ista": (1e-3, 1e-2),
    "HH_cond_exp": (1e-3, 0.5),
}
# HH at dt 1 ms: a whole action potential falls inside a few steps; the float32 rounding it
# amplifies (0.12 mV at the peak) decays over the next ~20 ms, up to 3.2e-3 mV measured
HH_AFTER_SPIKE_DT1 = 5e-3
IZHIKEVICH_RMS = 0.01

SCRIPT = """
import json, warnings
import numpy as np
warnings.simplefilter("ignore")
import {module} as sim
dt, T = {dt}, {T}
sim.setup(timestep=dt, min_delay=1.0{setup})
rng = np.random.default_rng(1)
grid = lambda n: [round(k * dt, 6) for k in np.unique(np.round(rng.uniform(5, T - 5, n) / dt).astype(int))]
t_exc, t_inh = grid(60), grid(40)
exc = sim.Population(1, sim.SpikeSourceArray(spike_times=t_exc))
inh = sim.Population(1, sim.SpikeSourceArray(spike_times=t_inh))
cases, out = {cases}, {{}}
pops = {{}}
for name, (params, init, w_exc, w_inh, record) in cases.items():
    if {nest} and name == "GIF_cond_exp":
        params = dict(params, lambda0=params["lambda0"] / 1000.0)
    pop = sim.Population(1, getattr(sim, name)(**params), initial_values=init)
    sim.Projection(exc, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_exc, delay=1.0),
                   receptor_type="excitatory")
    sim.Projection(inh, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_inh, delay=1.0),
                   receptor_type="inhibitory")
    pop.record(["spikes"] + record)
    pops[name] = pop
native = {native}
if {nest}:
    import nest
    meters = {{}}
    for name, (model, _, w_exc, w_inh, params, scale) in native.items():
        node = nest.Create(model, params=params)
        for times, w in ((t_exc, abs(w_exc)), (t_inh, -abs(w_inh))):      # NEST: the sign picks the receptor
            generator = nest.Create("spike_generator", params={{"spike_times": times}})
            nest.Connect(generator, node, syn_spec={{"weight": w * scale, "delay": 1.0}})
        meter = nest.Create("multimeter", params={{"record_from": ["V_m"], "interval": dt}})
        recorder = nest.Create("spike_recorder")
        nest.Connect(meter, node)
        nest.Connect(node, recorder)
        meters[name] = (meter, recorder, params["V_m"])
else:
    for name, (model, params, w_exc, w_inh, _, _) in native.items():
        pop = sim.Population(1, getattr(sim, name)(**params))
        sim.Projection(exc, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_exc, delay=1.0),
                       receptor_type="excitatory")
        sim.Projection(inh, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_inh, delay=1.0),
                       receptor_type="inhibitory")
        pop.record(["spikes", "v"])
        pops[name] = pop
sim.run(T)
for name, pop in pops.items():
    segment = pop.get_data().segments[0]
    out[name] = {{"spikes": segment.spiketrains[0].magnitude.tolist()}}
    for signal in segment.analogsignals:
        out[name][signal.name] = np.asarray(signal.magnitude)[:, 0].tolist()
if {nest}:
    for name, (meter, recorder, v0) in meters.items():
        out[name] = {{"spikes": recorder.get("events")["times"].tolist(),
                     "v": [v0] + meter.get("events")["V_m"].tolist()}}
print(json.dumps(out))
"""


def run(backend, dt):
    module = {"nest": "pyNN.nest", "spinnaker2": "pynn_spinnaker2"}[backend]
    setup = ', spike_precision="on_grid"' if backend == "nest" else ""
    return run_script(SCRIPT.format(module=module, setup=setup, dt=dt, T=T, cases=repr(CASES), native=repr(NATIVE),
                                    nest=backend == "nest"))


@pytest.fixture(scope="module", params=[0.1, 1.0], ids=["dt0.1", "dt1"])
def both(request):
    return request.param, run("nest", request.param), run("spinnaker2", request.param)


def near_spikes(spikes, dt, n, before):
    """Samples within ``before`` ms up to each spike (the steep part of the trace)."""
    mask = np.zeros(n, dtype=bool)
    for t in spikes:
        k = int(round(t / dt))
        mask[max(0, k - int(round(before / dt))):k + 1] = True
    return mask


def action_potentials(v, dt, margin=1.0):
    """Samples within ``margin`` ms of V above -40 mV (HH's action potentials, detected or not)."""
    above = np.flatnonzero(v > -40.0)
    mask = np.zeros(v.size, dtype=bool)
    m = int(round(margin / dt))
    for k in above:
        mask[max(0, k - m):k + m + 1] = True
    return mask


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_membrane_trace_and_spikes_match_nest(both, name):
    dt, nest, ours = both
    np.testing.assert_allclose(ours[name]["spikes"], nest[name]["spikes"], atol=1e-9, rtol=0)
    v_nest, v_ours = np.array(nest[name]["v"]), np.array(ours[name]["v"])
    assert v_nest.shape == v_ours.shape == (int(round(T / dt)) + 1,)
    assert np.isfinite(v_nest).all()
    away, steep = BOUNDS[name]
    if name == "HH_cond_exp" and dt == 1.0:
        away = HH_AFTER_SPIKE_DT1
    error = np.abs(v_ours - v_nest)
    if name == "HH_cond_exp":
        near = action_potentials(v_nest, dt)
    else:
        near = near_spikes(nest[name]["spikes"], dt, error.size, 0.5) if steep else np.zeros(error.size, bool)
    assert error[~near].max() < away, (name, dt, error[~near].max(), int(np.argmax(np.where(near, 0, error))))
    if near.any():
        assert error[near].max() < steep, (name, dt, error[near].max())
    assert np.sqrt(np.mean(error ** 2)) < 0.5


def test_spikes_happen_in_every_case(both):
    """A comparison of silent neurons would prove little: every model fires (HH only at 0.1 ms,
    where NEST's own detection of its spikes works; at 1 ms a spike falls between samples)."""
    dt, nest, _ = both
    for name in list(BOUNDS) + ["Izhikevich"]:
        if name == "HH_cond_exp" and dt == 1.0:
            continue
        assert len(nest[name]["spikes"]) >= 1, name


def test_other_recorded_variables_match_nest(both):
    dt, nest, ours = both
    for name, (_, _, _, _, record) in CASES.items():
        for variable in record[1:]:
            a, b = np.array(nest[name][variable]), np.array(ours[name][variable])
            scale = max(1e-9, np.abs(a).max())
            assert np.abs(a - b).max() < 1e-3 * scale + 1e-7, (name, variable, np.abs(a - b).max(), scale)


def test_izhikevich_matches_nest(both):
    dt, nest, ours = both
    np.testing.assert_allclose(ours["Izhikevich"]["spikes"], nest["Izhikevich"]["spikes"], atol=1e-9, rtol=0)
    error = np.array(ours["Izhikevich"]["v"]) - np.array(nest["Izhikevich"]["v"])
    assert np.sqrt(np.mean(error ** 2)) < IZHIKEVICH_RMS
