"""Run one of PyNN's scenario functions with this backend as ``sim``, in a process of its own.

    python tests/pynn/scenario_main.py SCENARIOS_PARENT MODULE FUNCTION

``sim`` is imported as ``pyNN.spinnaker2`` through the import aliases, as PyNN's own scenario
fixture imports a backend. The last line printed is a JSON outcome: ``passed``, or ``failed``
with the exception's type and message (a scenario that calls ``pytest.skip`` has failed to run
here, and says why).
"""
import importlib
import json
import sys
import traceback


def main(parent, module, function):
    sys.path.insert(0, parent)
    import pynn_spinnaker2_aliases
    pynn_spinnaker2_aliases.install()
    sim = importlib.import_module("pyNN.spinnaker2")
    scenario = getattr(importlib.import_module(f"scenarios.{module}"), function)
    try:
        scenario(sim)
    except BaseException as error:          # pytest's Skipped/Failed are BaseExceptions
        traceback.print_exc()
        message = " ".join(str(error).split())
        return {"outcome": "failed", "error": type(error).__name__, "message": message[:2000]}
    return {"outcome": "passed"}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
