"""What every neuron's synaptic currents must be, from the network's synapses and the spikes the
emulator recorded: the check that every packet reached exactly its targets, with its weight, delay
and receptor, whatever the mapping did with it.

A spike stamped at time t was sent in step t/dt - 1; through a synapse of d steps it is added to the
target's current in step t/dt - 1 + d, so it shows in the sample at t + d*dt. An IF_curr_exp current
then decays by exp(-dt/tau_syn) a step. The float64 recursion here is compared with the float32
state, within a tolerance made of the 16-bit weight rounding (half a weight step per arrived synapse)
and float32 rounding (1e-5 of the summed input magnitudes: about 1e-7 per step, accumulated over
the tau_syn/dt steps an input lasts).
"""
import numpy as np
import scipy.sparse as sp

WEIGHT_STEPS = 2 ** 16 - 1          # 16-bit synaptic weights, the largest weight at the top step


def record_everything(network):
    """Record spikes everywhere, and both synaptic currents of every IF_curr_exp population."""
    for pop in network.populations:
        pop.record = {"spikes": 1}
        if pop.model == "IF_curr_exp":
            pop.record |= {"isyn_exc": 1, "isyn_inh": 1}


def spike_matrix(emulator, pop, n_steps):
    """(n_steps, size) spike counts per step of sending."""
    index, times = emulator.spikes(pop)
    step = np.round(times / emulator.dt).astype(np.int64) - 1
    size = emulator.program.network.populations[pop].size
    return sp.csr_matrix((np.ones(index.size), (step, index)), shape=(n_steps, size))


def expected_currents(network, emulator, n_steps):
    """{(population, receptor): (expected current, tolerance)}, each (n_steps + 1, size), sample k
    at time k*dt, for every IF_curr_exp population that receives."""
    dt = network.timestep
    spikes = {}
    inputs = {}
    for proj in network.projections:
        if not proj.size:
            continue
        if proj.pre not in spikes:
            spikes[proj.pre] = spike_matrix(emulator, proj.pre, n_steps)
        post = network.populations[proj.post]
        key = (proj.post, proj.receptor)
        if key not in inputs:
            inputs[key] = [np.zeros((n_steps + 1, post.size)) for _ in range(3)]
        value, rounding, magnitude = inputs[key]
        # one weight step per target population and receptor: set by the largest weight of them all
        half_step = 0.5 * max(q.weight.max() for q in network.projections
                              if q.size and (q.post, q.receptor) == key) / WEIGHT_STEPS
        n_pre = network.populations[proj.pre].size
        for d in np.unique(proj.delay):
            this = proj.delay == d
            pairs = (proj.pre_index[this], proj.post_index[this])
            w = sp.csr_matrix((proj.weight[this], pairs), shape=(n_pre, post.size))
            # synapses per pair (a pair may have several; each rounds on its own)
            synapses = sp.csr_matrix(((proj.weight[this] != 0).astype(float), pairs), shape=(n_pre, post.size))
            arrived = (spikes[proj.pre] @ w).toarray()[: max(0, n_steps - d)]
            count = (spikes[proj.pre] @ synapses).toarray()[: max(0, n_steps - d)]
            value[d + 1:d + 1 + len(arrived)] += arrived
            rounding[d + 1:d + 1 + len(arrived)] += half_step * count
            magnitude[d + 1:d + 1 + len(arrived)] += arrived
    out = {}
    for (p, receptor), (value, rounding, magnitude) in inputs.items():
        pop = network.populations[p]
        if pop.model != "IF_curr_exp":
            continue
        tau = pop.parameters["tau_syn_E" if receptor == 0 else "tau_syn_I"]
        decay = np.exp(-dt / tau)
        current, tol_q, tol_f = (np.zeros_like(value) for _ in range(3))
        for k in range(1, n_steps + 1):
            current[k] = current[k - 1] * decay + value[k]
            tol_q[k] = tol_q[k - 1] * decay + rounding[k]
            tol_f[k] = tol_f[k - 1] * decay + magnitude[k]
        out[(p, receptor)] = (current, tol_q + 1e-5 * tol_f + 1e-9)
    return out


def assert_currents_match_synapses(network, emulator, n_steps):
    """Every recorded synaptic current equals the sum of its synapses' inputs, sample by sample."""
    expected = expected_currents(network, emulator, n_steps)
    assert expected, "the network has no IF_curr_exp population that receives"
    for (p, receptor), (current, tol) in expected.items():
        _, got = emulator.signals(p, ("isyn_exc", "isyn_inh")[receptor])
        assert got.shape == current.shape
        error = np.abs(got - current)
        bad = np.argwhere(error > tol)
        assert bad.size == 0, (
            f"population {network.populations[p].label!r} receptor {receptor}: {len(bad)} samples wrong, "
            f"first at sample {bad[0][0]} neuron {bad[0][1]}: got {got[tuple(bad[0])]}, "
            f"expected {current[tuple(bad[0])]} +- {tol[tuple(bad[0])]}")
    return expected


def synaptic_events(network, emulator, n_steps):
    """Synapses processed on arrival of the recorded spikes: one per (packet, synapse of its
    neuron); a neuron's several spikes in one step (a Poisson source's) ride in one packet."""
    total = 0
    for proj in network.projections:
        counts = np.asarray((spike_matrix(emulator, proj.pre, n_steps) > 0).sum(axis=0)).ravel()
        total += int(counts[proj.pre_index].sum())
    return total
