"""What keeps a large network's memory linear in its synapses and small per synapse: arrays
handed to the application graph are not copied, and serial layers build no layer arrays."""
import numpy as np

import core.compile
from core import Network, Population, Projection, compile_network


def network(paradigm=None):
    net = Network()
    a = net.add_population(Population("a", "IF_curr_exp", 50, paradigm=paradigm))
    pre = np.arange(200, dtype=np.int32) % 50
    net.add_projection(Projection("p", a, a, pre, pre[::-1].copy(), np.full(200, 0.5), np.full(200, 3, np.int64)))
    return net


def test_projection_keeps_the_arrays_it_is_given():
    pre, post = np.arange(10, dtype=np.int32), np.arange(10, dtype=np.int32)[::-1].copy()
    weight, delay = np.linspace(0.1, 1.0, 10), np.full(10, 2, dtype=np.int64)
    proj = Projection("p", 0, 0, pre, post, weight, delay)
    for kept, given in ((proj.pre_index, pre), (proj.post_index, post), (proj.weight, weight), (proj.delay, delay)):
        assert np.shares_memory(kept, given)
    proj = Projection("q", 0, 0, pre, post, 0.5, 2)                 # scalars: one value per synapse
    assert proj.weight.shape == proj.delay.shape == (10,) and proj.weight.flags.writeable


def test_serial_layers_build_no_layer_arrays(monkeypatch):
    def no_layer(*args):
        raise AssertionError("a serial layer's arrays were built")
    monkeypatch.setattr(core.compile, "layer", no_layer)
    program = compile_network(network(), paradigm="serial")
    assert program.paradigms == {0: ("serial", "set")}
    monkeypatch.undo()
    assert compile_network(network("auto"), paradigm="serial").paradigms[0][1].startswith("auto")
