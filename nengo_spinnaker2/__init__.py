"""Nengo backend for SpiNNaker2: ``nengo_spinnaker2.Simulator(model)`` as a drop-in for
``nengo.Simulator``. Not available yet: this package holds no simulator."""
