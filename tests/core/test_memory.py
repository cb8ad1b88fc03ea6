"""What keeps a large network's memory linear in its synapses and small per synapse: arrays
handed to the application graph are not copied, one weight or delay for all synapses is kept
once, and serial layers build no layer arrays."""
import numpy as np

from core import Network, Population, Projection, compile_network
from core.arrays import uniform
from core.mapping.layers import Layer


def network(paradigm=None):
    net = Network()
    a = net.add_population(Population("a", "IF_curr_exp", 50, paradigm=paradigm))
    pre = np.repeat(np.arange(50, dtype=np.int32), 4)
    post = (pre + 3 * np.tile(np.arange(1, 5, dtype=np.int32), 50)) % 50         # 200 distinct pairs
    net.add_projection(Projection("p", a, a, pre, post, np.linspace(0.1, 0.5, 200), np.full(200, 3, np.int32)))
    return net


def test_projection_keeps_the_arrays_it_is_given():
    pre, post = np.arange(10, dtype=np.int32), np.arange(10, dtype=np.int32)[::-1].copy()
    weight, delay = np.linspace(0.1, 1.0, 10), np.arange(1, 11, dtype=np.int32)
    proj = Projection("p", 0, 0, pre, post, weight, delay)
    for kept, given in ((proj.pre_index, pre), (proj.post_index, post), (proj.weight, weight), (proj.delay, delay)):
        assert np.shares_memory(kept, given)
    proj = Projection("q", 0, 0, pre, post, 0.5, np.full(10, 2, dtype=np.int64))   # one value per synapse
    assert proj.weight.shape == proj.delay.shape == (10,) and uniform(proj.weight) and uniform(proj.delay)
    np.testing.assert_array_equal(proj.delay, 2)


def test_serial_layers_build_no_layer_arrays(monkeypatch):
    """A layer's synapse arrays (five per synapse) are for the parallel compiler only."""
    def no_arrays(*args):
        raise AssertionError("a serial layer's arrays were built")
    monkeypatch.setattr(Layer, "synapses", no_arrays)
    assert compile_network(network(), paradigm="serial").paradigms[0][0] == "serial"
    monkeypatch.undo()
    assert compile_network(network(), paradigm="parallel").paradigms[0][0] == "parallel"


def test_finite_range_is_one_pass_of_isfinite_min_and_max():
    from core.arrays import finite_range
    a = np.random.default_rng(1).normal(size=1001)
    assert finite_range(a) == (True, a.min(), a.max())
    for bad in (np.nan, np.inf, -np.inf):
        b = a.copy()
        b[500] = bad
        finite, low, high = finite_range(b)
        assert not finite and (low, high) == (a[np.arange(a.size) != 500].min(), a[np.arange(a.size) != 500].max())
    assert finite_range(np.broadcast_to(np.float64(-2.5), (10 ** 9,))) == (True, -2.5, -2.5)
    assert finite_range(np.zeros(0))[0]
