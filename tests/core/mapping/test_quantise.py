"""Weight quantisation made in one compiled pass: the integer levels, the worst relative error
and the zeroed count are those of the plain numpy formula (nearest level, half to even, clipped
to the top level), and the serial rows store exactly those levels."""
import numpy as np
import pytest

from core import Network, Population, Projection, compile_network
from core.mapping.quantise import QuantisedWeights, levels, quantise, receptor_scales
from tests.core.stored_rows import decode


def numpy_levels(weight, scale, bits):
    return np.minimum(np.rint(weight / scale), (1 << bits) - 1).astype(np.uint32)


@pytest.mark.parametrize("bits", [8, 16, 32])
def test_levels_round_half_to_even_and_clip_to_the_top(bits):
    scale = 0.25
    top = (1 << bits) - 1
    weight = np.array([0.0, 0.125, 0.375, 0.3, 0.1, 2.5, top * scale, top * scale * (1 + 1e-7)])
    got = levels(weight, scale, bits)
    np.testing.assert_array_equal(got, numpy_levels(weight, scale, bits))
    assert got[1] == 0 and got[2] == 2 and got[-1] == top      # 0.5 -> 0, 1.5 -> 2, clipped


def test_one_weight_for_all_synapses_stays_one_value():
    weight = np.broadcast_to(np.float64(0.7), (10 ** 6,))
    got = levels(weight, 0.1, 16)
    assert got.shape == weight.shape and got.strides == (0,) and got[0] == 7


def network(rng, n=300, bits=16):
    net = Network()
    a = net.add_population(Population("a", "SpikeSourcePoisson", n))
    b = net.add_population(Population("b", "IF_curr_exp", n, weight_bits=bits))
    k = 5000
    pre, post = rng.integers(0, n, k).astype(np.int32), np.sort(rng.integers(0, n, k)).astype(np.int32)
    weight = rng.uniform(0.0, 1.0, k) ** 4           # decades of weights: some quantise to zero
    weight[:3] = [0.0, 1e-12, 2e-12]
    net.add_projection(Projection("exc", a, b, pre, post, weight, rng.integers(1, 8, k).astype(np.int32)))
    net.add_projection(Projection("inh", a, b, pre[::-1].copy(), post, weight[::-1].copy(), 2, receptor=1))
    return net


def test_report_matches_the_numpy_formula(rng):
    net = network(rng)
    with pytest.warns(UserWarning, match="quantise to zero"):
        scales, qweights, report = quantise(net)
    np.testing.assert_array_equal(scales, receptor_scales(net))
    for j, (proj, entry) in enumerate(zip(net.projections, report)):
        scale = float(scales[proj.post, proj.receptor])
        q = numpy_levels(proj.weight, scale, 16)
        np.testing.assert_array_equal(qweights[j], q)
        nonzero = proj.weight > 0
        rel = np.abs(proj.weight - q * scale)[nonzero] / proj.weight[nonzero]
        assert entry.relative_error == rel.max()
        assert entry.worst_weight == proj.weight[nonzero][np.argmax(rel)]
        assert entry.zeroed == np.count_nonzero(nonzero & (q == 0)) > 0


@pytest.mark.parametrize("bits", [16, 32])
def test_rows_store_the_quantised_levels(rng, bits):
    """Every synapse's stored level, read back from the rows, is its entry in ``qweights``."""
    net = network(rng, bits=bits)
    with pytest.warns(UserWarning):
        program = compile_network(net, paradigm="serial")
    qweights = QuantisedWeights(net, receptor_scales(net))
    want = sorted((int(a), int(b), int(q), int(d), p.receptor) for j, p in enumerate(net.projections)
                  for a, b, d, q in zip(p.pre_index, p.post_index, np.broadcast_to(p.delay, p.size), qweights[j]))
    got = decode(program, levels=True)
    assert sorted(got) == want
