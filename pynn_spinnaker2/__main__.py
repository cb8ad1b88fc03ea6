"""``python -m pynn_spinnaker2 run SCRIPT [ARGS]``, the same as ``pynn-spinnaker2 run``."""
import sys

from .cli import main

sys.exit(main())
