"""A delay PE (``mapping/delays.py``): phase 2 stores the spike counts of its source slice in a
ring, one slot per step sent; phase 1 re-sends, in each step t and for each stage s, the counts
of step t - s x stage, with stage s's key, for the neurons with synapses on that stage. A slot is
cleared once its last stage has been sent. Counts saturate at 255 (a byte per entry), counted."""
import numpy as np
from numba import njit

from ..mapping.delays import COUNT_LIMIT
from .stats import DELAY_SATURATED, DELAYED, DELIVERED


@njit(cache=True, nogil=True)
def deliver(v, t0, pes, routes, outbox, ring, stats):
    """Every packet of the source slice routed to delay PE v in the window from step t0: its count
    goes into the slot of the step it was sent in."""
    n, slots_mask, base = pes.n[v], pes.slots[v] - 1, pes.ring_start[v]
    neuron_mask = (np.int64(1) << routes.stage_shift[0]) - 1
    delivered = saturated = 0
    for s in range(routes.src_start[v], routes.src_start[v + 1]):
        u = routes.src[s]
        for e in range(outbox.start[u], outbox.start[u] + outbox.size[u]):
            if not outbox.packet[e]:
                continue
            delivered += 1
            at = base + ((t0 + outbox.step[e]) & slots_mask) * n + (np.int64(outbox.key[e]) & neuron_mask)
            total = ring[at] + outbox.payload[e]
            if total > COUNT_LIMIT:
                saturated += total - COUNT_LIMIT
                total = COUNT_LIMIT
            ring[at] = total
    stats[v, DELIVERED] += delivered
    stats[v, DELAY_SATURATED] += saturated


@njit(cache=True, nogil=True)
def window(v, t0, steps, pes, dl, ring, outbox, stats):
    """The window's steps on delay PE v: every stage's re-sent spikes into the outbox."""
    n, slots, base = pes.n[v], pes.slots[v], pes.ring_start[v]
    n_stages, stage = dl.stages[v], dl.stage[v]
    masks = dl.mask_start[v]
    stride = np.uint32(1) << np.uint32(dl.neuron_bits[0])
    k = outbox.start[v]
    resent = 0
    for w in range(steps):
        t = t0 + w
        for s in range(n_stages):
            slot = base + ((t - (s + 1) * stage) & (slots - 1)) * n
            key = pes.key[v] + np.uint32(s) * stride
            bit = np.int64(1) << s
            for i in range(n):
                c = ring[slot + i]
                if c > 0 and dl.mask[masks + i] & bit:
                    outbox.step[k], outbox.key[k], outbox.neuron[k] = w, key | np.uint32(i), -1
                    outbox.payload[k], outbox.packet[k] = c, True
                    resent += c
                    k += 1
        last = base + ((t - n_stages * stage) & (slots - 1)) * n
        ring[last:last + n] = 0
    outbox.size[v] = k - outbox.start[v]
    stats[v, DELAYED] += resent
