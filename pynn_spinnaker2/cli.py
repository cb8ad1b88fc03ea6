"""``pynn-spinnaker2 run SCRIPT [ARGS]``: run an unchanged PyNN or sPyNNaker script on the
SpiNNaker2 backend.

The script runs as ``python SCRIPT ARGS`` would run it (``__name__ == "__main__"``, its own
directory first on ``sys.path``, ``sys.argv == [SCRIPT, *ARGS]``), with this backend importable
as ``pyNN.spinnaker2`` (``python script.py spinnaker2`` through ``pyNN.utility.get_simulator``)
and as ``pyNN.spiNNaker`` (sPyNNaker scripts, even where sPyNNaker is installed).
"""
import argparse
import os
import runpy
import sys

import pynn_spinnaker2_aliases


def run(script, args):
    """Run ``script`` with ``args`` as its command line; return its exit status."""
    if not os.path.isfile(script):
        raise SystemExit(f"pynn-spinnaker2 run: no such script: {script}")
    pynn_spinnaker2_aliases.install(claim_spinnaker1=True)
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="pynn-spinnaker2", description="Run PyNN and sPyNNaker scripts on SpiNNaker2.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser(
        "run", help="run SCRIPT with ARGS, importing this backend as pyNN.spinnaker2 and pyNN.spiNNaker",
        description="Run SCRIPT as 'python SCRIPT ARGS' would, with this backend importable as "
                    "pyNN.spinnaker2 (e.g. 'pynn-spinnaker2 run brunel.py spinnaker2') and as "
                    "pyNN.spiNNaker (sPyNNaker scripts).")
    run_parser.add_argument("script")
    run_parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")
    options = parser.parse_args(argv)
    return run(options.script, options.args)


if __name__ == "__main__":
    sys.exit(main())
