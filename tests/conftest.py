import warnings

import numpy as np
import pytest

from core import Machine, Network, Population, Projection


def random_network(rng, n_pops=3, max_size=600, p=0.05, max_delay=20, dt=0.1, sources=True):
    """A random application graph: a few IF_curr_exp populations, a Poisson source, random
    sparse projections with random delays and both receptor types."""
    net = Network(dt)
    pops = [net.add_population(Population(f"pop{i}", "IF_curr_exp", int(rng.integers(1, max_size))))
            for i in range(n_pops)]
    if sources:
        pops.append(net.add_population(Population("poisson", "SpikeSourcePoisson", int(rng.integers(1, 300)),
                                                  parameters={"rate": 50.0})))
    for k in range(int(rng.integers(1, 2 * len(pops) + 1))):
        pre, post = int(rng.choice(pops)), int(rng.choice(pops[:n_pops]))
        n_pre, n_post = net.populations[pre].size, net.populations[post].size
        mask = rng.random((n_pre, n_post)) < p
        i, j = np.nonzero(mask)
        net.add_projection(Projection(f"proj{k}", pre, post, i, j, rng.uniform(0.1, 1.0, i.size),
                                      rng.integers(1, max_delay + 1, i.size), int(rng.integers(0, 2))))
    return net


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(autouse=True)
def _quiet_quantisation():
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        yield


__all__ = ["random_network", "Machine"]
