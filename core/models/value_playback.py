"""A value source: each unit plays back a sequence of values, one per step, that the host has
written into the PE's playback table (values known in advance, or computed by the host while the
machine runs, ``runtime/values.py``). Its update does nothing: the table sets its output."""
from numba import njit

from .spec import ModelSpec


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    return


SPEC = ModelSpec(
    name="ValuePlayback", update=update, parameters={}, state=dict(output=0.0), state_columns=("output",),
    recordable=("output",), derive=None, n_constants=0, is_source=True, int_columns=0)
