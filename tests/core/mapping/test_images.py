"""The synaptic rows in the memory images decode back to exactly the network's synapses."""
import numpy as np
import pytest

from core import Network, Population, Projection, compile_network
from tests.conftest import random_network
from tests.core.stored_rows import decode


@pytest.mark.parametrize("weight_bits", [8, 16, 32])
def test_rows_hold_every_synapse_once(rng, weight_bits):
    """Projections into one population are merged per (pre, post, delay, type) in the comparison,
    since synapses of different projections sharing a row cannot be told apart once stored."""
    net = random_network(rng, n_pops=2, max_size=400, p=0.05)
    for pop in net.populations:
        pop.weight_bits = weight_bits
    program = compile_network(net)
    got = decode(program)
    want = sorted((int(a), int(b), float(w), int(d), p.receptor)
                  for p in net.projections
                  for a, b, w, d in zip(p.pre_index, p.post_index, p.weight, p.delay))
    assert len(got) == len(want)
    step = program.images.pes.scale.max()
    got_keys = sorted((g[0], g[1], g[3], g[4], round(g[2] / step)) for g in got)
    want_keys = sorted((w[0], w[1], w[3], w[4], round(w[2] / step)) for w in want)
    # every stored weight within half a step (of its receptor's scale) of a wanted one
    assert [k[:4] for k in got_keys] == [k[:4] for k in want_keys]
    for g, w in zip(sorted(got, key=lambda x: (x[0], x[1], x[3], x[4], x[2])),
                    sorted(want, key=lambda x: (x[0], x[1], x[3], x[4], x[2]))):
        assert g[2] == pytest.approx(w[2], abs=0.5 * step * (1 + 1e-6))


def test_weight_quantising_to_zero_warns_and_is_counted():
    net = Network()
    a = net.add_population(Population("a", "SpikeSourcePoisson", 3))
    b = net.add_population(Population("b", "IF_curr_exp", 3))
    net.add_projection(Projection("mixed", a, b, [0, 1, 2], [0, 1, 2], [1.0, 1e-9, 0.5], 1))
    with pytest.warns(UserWarning, match="'mixed': 1 of 3 non-zero weights quantise to zero"):
        program = compile_network(net)
    assert program.report.quantisation[0].zeroed == 1
    assert "1 non-zero weights became zero" in str(program.report)


def test_relative_error_is_reported_and_warned_with_a_way_out():
    """A weight of 1e-5 beside 1.0: 16-bit steps of 1.5e-5 store it 53% too large."""
    net = Network()
    a = net.add_population(Population("a", "SpikeSourcePoisson", 2))
    b = net.add_population(Population("b", "IF_curr_exp", 2))
    net.add_projection(Projection("big", a, b, [0], [0], [1.0], 1))
    net.add_projection(Projection("small", a, b, [1], [1], [1e-5], 1))
    with pytest.warns(UserWarning, match=r"'small': weight 1e-05 is stored 52.6% off.*weight_bits=32"):
        program = compile_network(net)
    small = program.report.quantisation[1]
    assert small.relative_error == pytest.approx(abs(1e-5 - 1.0 / 65535) / 1e-5, rel=1e-3)
    net.populations[b].weight_bits = 32
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        program = compile_network(net)
    assert program.report.quantisation[1].relative_error < 1e-4
