"""A value relay: each unit's output is its input (the filtered values it receives, summed).

Relays receive value packets and pass the sum on, or hold it for the host to read or record:
they are the machine's sinks for decoded values and the junctions where several value streams
meet. Having no dynamics of their own, they settle when their packets have arrived (at the end
of the step that sent them, ``runtime/values.py``)."""
from numba import njit

from .spec import ModelSpec

OUTPUT = 0


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    for i in range(lo, hi):
        nrn.fstate[i, OUTPUT] = nrn.i_inject[i]


SPEC = ModelSpec(
    name="ValueRelay", update=update, parameters={}, state=dict(output=0.0), state_columns=("output",),
    recordable=("output",), derive=None, n_constants=0, int_columns=0)
