"""The value kind of PE (``mapping/values.py``): neurons driven by filtered decoded values,
sending their own decoded output as value packets.

Phase 1 (``window``), each step: the neurons take the input current settled at the end of the
previous step (a playback PE takes the host's values instead), update, adjust learned encoders
(``voja``) and matrices (``learn``), and every value block sends one packet per row whose payload
is the row's partial sum over the PE's neurons (float32 bits). Phase 2: each packet's key is
looked up in the PE's key table and its value added to the input's accumulator (``deliver``);
when all of the step's packets are in, ``settle`` filters every input, sums the encoder inputs
into the PE's input vector x and sets each neuron's input current, e . x plus its own per-neuron
rows. A packet sent in step t thus acts on the neurons in step t + 1, the one-step delay of a
synapse in update mode; a relay PE (output = input) records and holds its value at the end of
step t itself.
"""
import numba
import numpy as np
from numba import njit

from ..mapping.values import ENCODERS, LEARNING, NEURONS, ROW_BITS, VALUE_MASK
from .dispatch import update
from .stats import DELIVERED, UNMATCHED

_ROW_MASK = np.uint32((1 << ROW_BITS) - 1)
_KEY_MASK = np.uint32(VALUE_MASK)
PES, BCM, OJA, VOJA = 0, 1, 2, 3


@njit(cache=True, nogil=True, inline="always")
def step_filter(fco, f, k, state, s, u, tmp):
    """One step of a discrete state-space filter (``core.network.DiscreteFilter``: y = C x + D u,
    then x <- A x + B u) whose coefficients start at ``fco[f]`` (A, B, C, D) and whose state is
    ``state[s:s + k]``; returns y. (A state decaying without input reaches float32's subnormal
    range, where the PE's flush-to-zero mode makes it zero: ``fpu.py``.)"""
    if k == 0:
        return fco[f] * u
    b, c = f + k * k, f + k * k + k
    if k == 1:
        y = fco[c] * state[s] + fco[c + 1] * u
        state[s] = fco[f] * state[s] + fco[b] * u
        return y
    y = fco[c + k] * u
    for i in range(k):
        y += fco[c + i] * state[s + i]
    for i in range(k):
        acc = fco[b + i] * u
        for j in range(k):
            acc += fco[f + i * k + j] * state[s + j]
        tmp[i] = acc
    for i in range(k):
        state[s + i] = tmp[i]
    return y


@njit(cache=True, nogil=True, inline="always")
def sample(v, t, m):
    """Record the PE's share of every recorded state variable due at the end of step t."""
    rec, g0 = m.rec, m.pes.g0[v]
    g1 = g0 + m.pes.n[v]
    for r in range(rec.g0.size):
        lo, hi = max(g0, rec.g0[r]), min(g1, rec.g0[r] + rec.n[r])
        if lo < hi and (t + 1) % rec.interval[r] == 0:
            at = rec.base[r] + ((t + 1) // rec.interval[r] - rec.row0[r]) * rec.n[r] - rec.g0[r]
            for i in range(lo, hi):
                rec.samples[at + i] = m.nrn.fstate[i, rec.column[r]]


@njit(cache=True, nogil=True, inline="always")
def find(keys, lo, hi, key):
    """Index of ``key`` in ``keys[lo:hi]`` (sorted), or -1."""
    while lo < hi:
        mid = (lo + hi) // 2
        if key == keys[mid]:
            return mid
        if key < keys[mid]:
            hi = mid
        else:
            lo = mid + 1
    return -1


@njit(cache=True, nogil=True, inline="always")
def settle(v, t, m):
    """End of step ``t`` on PE ``v``: filter every input, set the neurons' input current."""
    vi, pes = m.values, m.pes
    g0, n = pes.g0[v], pes.n[v]
    d, xs = vi.dims[v], vi.x_start[v]
    tmp = m.nrn.scratch[numba.get_thread_id(), 0]
    for r in range(d):
        vi.x[xs + r] = 0.0
    for i in range(n):
        vi.cur[g0 + i] = 0.0
    for c in range(vi.in_start[v], vi.in_start[v] + vi.in_count[v]):
        a, k, f, target, x0 = vi.in_acc[c], vi.in_order[c], vi.in_filter[c], vi.in_target[c], xs + vi.in_row0[c]
        for r in range(vi.in_rows[c]):
            y = step_filter(vi.fco, f, k, vi.filt, vi.in_state[c] + r * k, vi.acc[a + r], tmp)
            vi.acc[a + r] = 0.0
            vi.y[a + r] = y
            if target == ENCODERS:
                vi.x[x0 + r] += y
            elif target == NEURONS:
                vi.cur[g0 + r] += y
    e0 = vi.enc_start[v]
    if e0 >= 0:
        for i in range(n):
            acc = np.float32(0.0)
            for r in range(d):
                acc += vi.enc[e0 + i * d + r] * vi.x[xs + r]
            vi.cur[g0 + i] += acc
    elif vi.settles[v]:              # a relay: its slice of the summed input
        lo = vi.relay_lo[v]
        for i in range(n):
            vi.cur[g0 + i] += vi.x[xs + lo + i]
    if vi.settles[v]:
        for i in range(n):
            m.nrn.fstate[g0 + i, 0] = vi.cur[g0 + i]
        if t >= 0:                       # not while priming (``Emulator.prime``)
            sample(v, t, m)


@njit(cache=True, nogil=True, inline="always")
def learn(v, b, m, tmp):
    """A learned block's matrix changes on its PE: PES, dM = rate * error x filtered activity
    (rate = -kappa dt / n, set on the host)."""
    vi, nrn = m.values, m.nrn
    g0, n = m.pes.g0[v], m.pes.n[v]
    L = vi.blk_learn[b]
    s, k, f = vi.learn_state[L], vi.learn_order[L], vi.learn_filter[L]
    rows, m0, rate = vi.blk_rows[b], vi.blk_mat[b], vi.learn_rate[L]
    kind = vi.learn_kind[L]
    c = vi.learn_input[L]
    if kind == PES and c >= 0:   # the error settled last step times the activity filtered until then
        c1 = rule_inputs_end(v, c, vi)      # the error is the sum of the rule's inputs
        r0 = vi.learn_row0[L]
        for i in range(n):
            a = vi.lstate[s + i] * rate
            if a != 0.0:
                for r in range(rows):
                    e = np.float32(0.0)
                    for cc in range(c, c1):
                        e += vi.y[vi.in_acc[cc] + r0 + r]
                    vi.mat[m0 + i * rows + r] += a * e
    elif kind != PES and vi.learn_post[L] >= 0:
        p0 = vi.in_acc[vi.learn_post[L]] + vi.learn_row0[L]
        t0 = vi.in_acc[vi.learn_theta[L]] + vi.learn_row0[L] if vi.learn_theta[L] >= 0 else -1
        sc = vi.learn_scale[L]
        for r in range(rows):
            post = vi.y[p0 + r]
            if kind == BCM:
                theta = vi.y[t0 + r] if t0 >= 0 else np.float32(0.0)
                gain = rate * vi.lscale[sc + r] * post * (post - theta)
                decay = np.float32(0.0)
            else:
                gain = rate * vi.lscale[sc + r] * post
                decay = rate * vi.learn_beta[L] * post * post
            for i in range(n):
                x = m0 + i * rows + r
                vi.mat[x] += gain * vi.lstate[s + i] - decay * vi.mat[x]
    for i in range(n):           # then this step's activity enters the filter
        vi.lstate[s + i] = step_filter(vi.fco, f, k, vi.lstate, s + n + i * k, nrn.fstate[g0 + i, 0], tmp)


@njit(cache=True, nogil=True, inline="always")
def rule_inputs_end(v, c, vi):
    """One past the last of the learning inputs of PE ``v`` that belong to input ``c``'s rule
    (a rule's inputs sit side by side)."""
    c1 = c + 1
    while (c1 < vi.in_start[v] + vi.in_count[v] and vi.in_target[c1] == LEARNING
           and vi.in_rule[c1] == vi.in_rule[c]):
        c1 += 1
    return c1


@njit(cache=True, nogil=True, inline="always")
def voja(v, m, tmp):
    """PE ``v``'s encoders learn (``core.network.EncoderLearning``): this step's output enters
    the post filter, then e_i += rate m p_i (s_i x - e_i), x the input that drove this step (the
    update nengo's ``SimVoja`` computes in step t and adds before the encoding of step t + 1)."""
    vi, nrn = m.values, m.nrn
    g0, n = m.pes.g0[v], m.pes.n[v]
    L = vi.enc_learn[v]
    s, k, f, sc = vi.learn_state[L], vi.learn_order[L], vi.learn_filter[L], vi.learn_scale[L]
    d, xs, e0 = vi.dims[v], vi.x_start[v], vi.enc_start[v]
    rate = vi.learn_rate[L]
    c = vi.learn_input[L]
    if c >= 0:                   # modulation: 1 + the sum of the rule's inputs
        mod = np.float32(1.0)
        for cc in range(c, rule_inputs_end(v, c, vi)):
            mod += vi.y[vi.in_acc[cc]]
        rate *= mod
    for i in range(n):
        p = step_filter(vi.fco, f, k, vi.lstate, s + n + i * k, nrn.fstate[g0 + i, 0], tmp)
        vi.lstate[s + i] = p
        a = rate * p
        if a != 0.0:
            si = vi.lscale[sc + i]
            for r in range(d):
                e = e0 + i * d + r
                vi.enc[e] += a * (si * vi.x[xs + r] - vi.enc[e])


@njit(cache=True, nogil=True, inline="always")
def window(v, t0, steps, m):
    """Phase 1 on value PE ``v``: input current, neuron update, learning, value packets."""
    pes, nrn, outbox, vi = m.pes, m.nrn, m.outbox, m.values
    g0, n = pes.g0[v], pes.n[v]
    k = outbox.start[v]
    tmp = nrn.scratch[numba.get_thread_id(), 0]
    for w in range(steps):
        t = t0 + w
        if vi.playback[v]:
            row, u0 = t - vi.play_t0[0], vi.play_unit[v]
            for i in range(n):
                nrn.fstate[g0 + i, 0] = vi.play[row, u0 + i]
        else:
            for i in range(n):                  # (value PEs take no synaptic rows: syn_in stays 0)
                nrn.counts[g0 + i] = 0
                nrn.i_inject[g0 + i] = vi.cur[g0 + i]
            update(pes.model[v], g0, g0 + n, t, nrn)
            if vi.enc_learn[v] >= 0:
                voja(v, m, tmp)
        for b in range(vi.blk_start[v], vi.blk_start[v] + vi.blk_count[v]):
            if vi.blk_learn[b] >= 0:
                learn(v, b, m, tmp)
            rows, m0, key = vi.blk_rows[b], vi.blk_mat[b], vi.blk_key[b]
            for r in range(rows):
                outbox.value[k + r] = 0.0
            for i in range(n):
                a = nrn.fstate[g0 + i, 0]
                if a != 0.0:
                    for r in range(rows):
                        outbox.value[k + r] += vi.mat[m0 + i * rows + r] * a
            for r in range(rows):
                outbox.step[k] = w
                outbox.key[k] = key | np.uint32(r)
                outbox.neuron[k] = -1
                outbox.packet[k] = True
                k += 1
        if not vi.settles[v]:
            sample(v, t, m)
    outbox.size[v] = k - outbox.start[v]


@njit(cache=True, nogil=True, inline="always")
def deliver(v, t0, m):
    """Phase 2 on value PE ``v``: the packets of every key range routed to it (a PE sends one
    range per value block), then ``settle``. A range that is one block of its sender is found
    where the sender's window put it (each step the same packets in block order) rather than by
    testing every packet of the sender against the range."""
    routes, outbox, vi, stats = m.routes, m.outbox, m.values, m.stats
    delivered = 0
    for s in range(routes.src_start[v], routes.src_start[v + 1]):
        u, key, mask = routes.src[s], routes.src_key[s], routes.src_mask[s]
        # a key range is one value block: one row of the PE's key table, one block of its sender
        found = find(vi.vkey_key, vi.vkey_start[v], vi.vkey_start[v] + vi.vkey_count[v], key & _KEY_MASK)
        b = find(vi.blk_key, vi.blk_start[u], vi.blk_start[u] + vi.blk_count[u], key) if mask == _KEY_MASK else -1
        if found >= 0 and b >= 0:
            base = vi.in_acc[vi.vkey_input[found]] + vi.vkey_row0[found]
            per, rows = vi.step_packets[u], vi.blk_rows[b]
            for e in range(outbox.start[u] + vi.blk_first[b], outbox.start[u] + outbox.size[u], per):
                for r in range(rows):
                    vi.acc[base + r] += outbox.value[e + r]
                delivered += rows
            continue
        base = vi.in_acc[vi.vkey_input[found]] + vi.vkey_row0[found] if found >= 0 else -1
        for e in range(outbox.start[u], outbox.start[u] + outbox.size[u]):
            if outbox.packet[e] and outbox.key[e] & mask == key:
                if base < 0:
                    stats[v, UNMATCHED] += 1
                    continue
                delivered += 1
                vi.acc[base + np.int64(outbox.key[e] & _ROW_MASK)] += outbox.value[e]
    stats[v, DELIVERED] += delivered
    settle(v, t0, m)
