"""The shared core: application graph -> mapping pipeline -> emulated SpiNNaker2 machine."""
from . import _numba_setup  # noqa: F401  (must run before any kernel is compiled)
from .compile import MappedProgram, compile_network
from .hardware import Machine
from .network import Network, Population, Projection
from .runtime.emulator import Emulator

__all__ = ["Network", "Population", "Projection", "Machine", "compile_network", "MappedProgram", "Emulator"]
