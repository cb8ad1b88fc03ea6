"""Import names under which scripts find the SpiNNaker2 backend without edits.

PyNN scripts choose a backend by name, ``import_module("pyNN." + name)`` (``pyNN.utility.
get_simulator``, so ``python script.py spinnaker2``), and sPyNNaker scripts say ``import
pyNN.spiNNaker as sim``. Neither name can live inside the ``pyNN`` package, which belongs to
another distribution (and whose own ``pyNN/spiNNaker.py`` re-exports sPyNNaker), so a meta path
finder placed before the file system answers for them: ``pyNN.spinnaker2`` and
``pyNN.spiNNaker`` (and their submodules) are the very module objects of ``pynn_spinnaker2``.

The installed ``pynn_spinnaker2_aliases.pth`` calls :func:`install` at interpreter start-up;
this module imports nothing heavy, so that costs nothing until a script asks for an alias.
Installed that way, ``pyNN.spiNNaker`` stays sPyNNaker's wherever sPyNNaker is installed, so
SpiNNaker1 users keep their board; ``pynn-spinnaker2 run`` claims it in every case.
"""
import importlib
import importlib.abc
import importlib.util
import sys

TARGET = "pynn_spinnaker2"
NEW_NAME = "pyNN.spinnaker2"
SPINNAKER1_NAME = "pyNN.spiNNaker"


class _AliasLoader(importlib.abc.Loader):
    """Loads an alias by importing the real module and handing back that same object."""

    def __init__(self, target):
        self.target = target
        self.real_spec = None

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self.real_spec = module.__spec__
        return module

    def exec_module(self, module):
        """The real module is already executed. Importlib has just set its ``__spec__`` to the
        alias's; restore it, so there is one module with one identity, not a renamed copy."""
        module.__spec__ = self.real_spec


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``<alias>[.x]`` as ``pynn_spinnaker2[.x]`` for each of ``aliases``."""

    def __init__(self, aliases):
        self.aliases = tuple(aliases)

    def find_spec(self, fullname, path=None, target=None):
        for alias in self.aliases:
            if fullname == alias or fullname.startswith(alias + "."):
                real = TARGET + fullname[len(alias):]
                if importlib.util.find_spec(real) is None:
                    return None
                return importlib.util.spec_from_loader(fullname, _AliasLoader(real))
        return None


def _spynnaker_installed():
    return importlib.util.find_spec("spynnaker") is not None


class _DeferringFinder(AliasFinder):
    """The start-up finder: claims ``pyNN.spiNNaker`` only where sPyNNaker is not installed."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[:2] == SPINNAKER1_NAME.split(".") and _spynnaker_installed():
            return None
        return super().find_spec(fullname, path, target)


def install(claim_spinnaker1=False):
    """Put the finder first on ``sys.meta_path`` (once). With ``claim_spinnaker1``,
    ``pyNN.spiNNaker`` is this backend even where sPyNNaker is installed."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, AliasFinder)]
    kind = AliasFinder if claim_spinnaker1 else _DeferringFinder
    sys.meta_path.insert(0, kind((NEW_NAME, SPINNAKER1_NAME)))
