"""Everything is declared in setup.cfg; this file only adds ``pynn_spinnaker2_aliases.pth`` to
what is installed, at the top of site-packages, where Python runs ``.pth`` import lines at
start-up: that makes ``pyNN.spinnaker2`` (and ``pyNN.spiNNaker``) importable in every
interpreter (see ``pynn_spinnaker2_aliases.py``)."""
import os

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "pynn_spinnaker2_aliases.pth"


class build_py_with_pth(build_py):
    def run(self):
        super().run()
        self.copy_file(PTH, os.path.join(self.build_lib, PTH))

    def get_outputs(self, include_bytecode=True):
        return super().get_outputs(include_bytecode) + [os.path.join(self.build_lib, PTH)]

    def get_output_mapping(self):
        mapping = super().get_output_mapping()
        mapping[os.path.join(self.build_lib, PTH)] = PTH
        return mapping


setup(cmdclass={"build_py": build_py_with_pth})
