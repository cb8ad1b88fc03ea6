import pytest

import pynn_spinnaker2 as sim


@pytest.fixture(autouse=True)
def fresh():
    """Every test starts from a new simulation and leaves none behind."""
    sim.setup(timestep=0.1)
    yield
    sim.end()
