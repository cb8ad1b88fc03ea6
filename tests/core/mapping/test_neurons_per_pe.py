"""A population's own cap on neurons per PE (sPyNNaker's neurons per core), beside the machine's."""
import numpy as np
import pytest

from core import Emulator, Network, Population, Projection, compile_network
from core.mapping.partition import partition


@pytest.mark.parametrize("cap, sizes", [(None, [250, 250]), (30, [29] * 10 + [30] * 7),
                                        (300, [250, 250]), (1, [1] * 500)])
def test_cap_cuts_slices_no_larger_and_the_machine_limit_still_holds(cap, sizes):
    net = Network()
    net.add_population(Population("pop", "IF_curr_exp", 500, max_neurons_per_pe=cap))
    assert sorted(s.size for s in partition(net).slices) == sorted(sizes)


def test_cap_must_be_positive():
    with pytest.raises(ValueError, match="'pop': max_neurons_per_pe must be >= 1, not 0"):
        Population("pop", "IF_curr_exp", 10, max_neurons_per_pe=0)


def test_capped_network_delivers_as_the_uncapped_one():
    """Cutting a population finer changes the mapping, not the spikes."""
    def spikes(cap):
        net = Network(timestep=0.1)
        src = net.add_population(Population("src", "SpikeSourcePoisson", 40, parameters={"rate": 200.0}))
        dst = net.add_population(Population("dst", "IF_curr_exp", 60, max_neurons_per_pe=cap,
                                            record={"spikes": 1}))
        rng = np.random.default_rng(1)
        i, j = np.nonzero(rng.random((40, 60)) < 0.3)
        net.add_projection(Projection("p", src, dst, i, j, 2.0, 5))
        emulator = Emulator(compile_network(net), seed=3)
        emulator.run(500)
        return emulator.spikes(dst), len(emulator.program.placement)

    (index, times), pes = spikes(None)
    (index_cut, times_cut), pes_cut = spikes(7)
    assert pes_cut > pes and index.size > 0
    np.testing.assert_array_equal(index, index_cut)
    np.testing.assert_array_equal(times, times_cut)
