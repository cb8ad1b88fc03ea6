"""Warnings that point at the user's line.

A warning raised deep inside PyNN's connectors, a population view or the core's compiler
should name the line of the script that caused it (``sim.Projection(...)``, ``sim.run(...)``),
as Python's ``stacklevel`` intends; a fixed ``stacklevel`` cannot, since the depth of the call
chain differs from one entry point to the next. The frames of this backend, the core, PyNN,
lazyarray and numpy are skipped instead.
"""
import os
import sys
import warnings

import lazyarray
import numpy
import pyNN

import core


def _prefix(module):
    return os.path.dirname(os.path.abspath(module.__file__)) + os.sep


_INTERNAL = (_prefix(sys.modules[__package__]), _prefix(core), _prefix(pyNN), _prefix(numpy),
             os.path.abspath(lazyarray.__file__))


def user_stacklevel():
    """``stacklevel`` for a ``warnings.warn`` called from the caller of this function."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    return level


def warn(message, category=UserWarning):
    """``warnings.warn`` attributed to the first frame outside the libraries."""
    warnings.warn(message, category, stacklevel=user_stacklevel())


class attributed_to_user(warnings.catch_warnings):
    """Re-issue the warnings raised inside the block (by the core, say) from the user's line."""

    def __init__(self):
        super().__init__(record=True)

    def __enter__(self):
        self._caught = super().__enter__()
        warnings.simplefilter("always")
        return self._caught

    def __exit__(self, *exc):
        super().__exit__(*exc)
        for w in self._caught:
            warnings.warn(w.message, w.category, stacklevel=user_stacklevel())
        return False
