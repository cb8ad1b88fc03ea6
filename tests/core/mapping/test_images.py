"""The synaptic rows in the memory images decode back to exactly the network's synapses."""
import numpy as np
import pytest

from core import Network, Population, Projection, compile_network
from core.mapping.serial import unpack_words
from tests.conftest import random_network


def decode(program):
    """(projection, pre, post, weight, delay, type) of every synapse stored in any PE."""
    im, graph, net = program.images, program.graph, program.network
    out = []
    for v, mv in enumerate(graph.vertices):
        tgt = graph.slices[mv.slice]
        for m in range(im.mpt_start[v], im.mpt_start[v] + im.mpt_count[v]):
            src = next(s for s in mv.sources if program.keys.key[s] == im.mpt_key[m])
            for a in range(im.mpt_first[m], im.mpt_first[m] + im.mpt_rows[m]):
                j = int(im.al_scale[a])
                for row in range(graph.slices[src].size):
                    start = im.al_offset[a] + row * (1 + im.al_row_length[a])
                    words = im.words[start + 1:start + 1 + im.words[start]]
                    w, d, t, idx = unpack_words(words)
                    for k in range(words.size):
                        out.append((j, graph.slices[src].lo + row, tgt.lo + int(idx[k]),
                                    float(w[k]) * float(im.scales[j]), int(d[k]), int(t[k])))
    return sorted(out)


def test_rows_hold_every_synapse_once(rng):
    net = random_network(rng, n_pops=2, max_size=400, p=0.05)
    program = compile_network(net)
    got = decode(program)
    want = sorted((j, int(a), int(b), float(w), int(d), p.receptor)
                  for j, p in enumerate(net.projections)
                  for a, b, w, d in zip(p.pre_index, p.post_index, p.weight, p.delay))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g[:3] == w[:3] and g[4:] == w[4:]
        assert g[3] == pytest.approx(w[3], abs=float(program.images.scales[g[0]]))


def test_weight_quantising_to_zero_warns_and_is_counted():
    net = Network()
    a = net.add_population(Population("a", "SpikeSourcePoisson", 3))
    b = net.add_population(Population("b", "IF_curr_exp", 3))
    net.add_projection(Projection("mixed", a, b, [0, 1, 2], [0, 1, 2], [1.0, 1e-9, 0.5], 1))
    with pytest.warns(UserWarning, match="'mixed': 1 of 3 non-zero weights quantise to zero"):
        program = compile_network(net)
    assert program.report.quantisation[0].zeroed == 1
    assert "1 weights became zero" in str(program.report)
