"""Placement: PEs are filled in order, the PEs sharing a slice's synaptic matrix sit in one QPE,
and a population that fits on one chip does not straddle two."""
import numpy as np

from core import Machine, Network, Population, Projection, compile_network
from core.hardware import PES_PER_CHIP


def split_target(before):
    """A 1000-neuron source (4 PEs), ``before`` one-PE populations, then a 200-neuron target whose
    synaptic matrix is split over 2 PEs."""
    rng = np.random.default_rng(0)
    net = Network(0.1)
    src = net.add_population(Population("src", "SpikeSourcePoisson", 1000))
    for k in range(before):
        net.add_population(Population(f"one{k}", "IF_curr_exp", 10))
    dst = net.add_population(Population("dst", "IF_curr_exp", 200))
    for k in range(4):
        i, j = np.nonzero(rng.random((1000, 200)) < 0.01)
        net.add_projection(Projection(f"p{k}", src, dst, i, j, 1.0, 3))
    return compile_network(net)


def test_split_slice_fills_its_qpe_without_gaps():
    """Two PEs from QPE offset 2 fill the QPE exactly: they go there, not to the next QPE."""
    report = split_target(2).report
    assert report.population("src").pes == [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 0, 3)]
    assert report.population("one1").pes == [(0, 1, 1)]
    assert report.population("dst").pes == [(0, 1, 2), (0, 1, 3)]


def test_split_slice_that_would_straddle_qpes_starts_the_next():
    report = split_target(3).report
    assert report.population("dst").pes == [(0, 2, 0), (0, 2, 1)]


def test_population_that_fits_one_chip_starts_a_fresh_chip_rather_than_straddle():
    net = Network(0.1)
    net.add_population(Population("first", "IF_curr_exp", 150 * 255))
    net.add_population(Population("second", "IF_curr_exp", 3 * 255))
    net.add_population(Population("third", "IF_curr_exp", 2 * 255))
    report = compile_network(net, Machine(n_chips=2)).report
    assert [pe[0] for pe in report.population("second").pes] == [1, 1, 1]
    assert report.population("second").pes[0] == (1, 0, 0)
    assert report.population("third").pes == [(1, 0, 3), (1, 1, 0)]   # fits the room left on chip 1
    assert report.pes_used == 155 and report.chips_used == 2 and PES_PER_CHIP == 152
