"""A delay PE (``mapping/delays.py``): phase 2 stores the spike counts of its source slice in a
ring, one slot per step sent; phase 1 re-sends, in each step t and for each stage s, the counts
of step t - s x stage, with stage s's key, for the neurons with synapses on that stage. A slot is
cleared once its last stage has been sent. Counts saturate at 255 (a byte per entry), counted."""
import numpy as np
from numba import njit

from ..mapping.delays import COUNT_LIMIT
from .stats import DELAY_SATURATED, DELAYED


@njit(cache=True, nogil=True, inline="always")
def receive(v, key, count, t, m):
    """A packet of the source slice, sent in step t: its count goes into slot t of the ring."""
    pes, ring = m.pes, m.ring
    neuron = np.int64(key) & ((np.int64(1) << m.delays.neuron_bits[0]) - 1)
    at = pes.ring_start[v] + (t & (pes.slots[v] - 1)) * pes.n[v] + neuron
    total = ring[at] + count
    if total > COUNT_LIMIT:
        m.stats[v, DELAY_SATURATED] += total - COUNT_LIMIT
        total = COUNT_LIMIT
    ring[at] = total


@njit(cache=True, nogil=True, inline="always")
def window(v, t0, steps, m):
    """The window's steps on delay PE v: every stage's re-sent spikes into the outbox."""
    pes, ring, outbox, dl = m.pes, m.ring, m.outbox, m.delays
    n, slots, base = pes.n[v], pes.slots[v], pes.ring_start[v]
    n_stages, stage = dl.stages[v], dl.stage[v]
    masks = dl.mask_start[v]
    stride = np.uint32(1) << np.uint32(dl.neuron_bits[0])
    k = outbox.start[v]
    for w in range(steps):
        t = t0 + w
        for s in range(n_stages):
            slot = base + ((t - (s + 1) * stage) & (slots - 1)) * n
            key = pes.key[v] + np.uint32(s) * stride
            bit = np.int64(1) << s
            for i in range(n):
                c = ring[slot + i]
                if c > 0 and dl.mask[masks + i] & bit:
                    outbox.step[k] = w
                    outbox.key[k] = key | np.uint32(i)
                    outbox.neuron[k] = -1
                    outbox.payload[k] = c
                    outbox.packet[k] = True
                    m.stats[v, DELAYED] += c
                    k += 1
        last = base + ((t - n_stages * stage) & (slots - 1)) * n
        ring[last:last + n] = 0
    outbox.size[v] = k - outbox.start[v]
