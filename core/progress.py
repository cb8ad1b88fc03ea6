"""Progress bars (tqdm) for long compiles and runs: shown only on a terminal, or when asked."""
from __future__ import annotations

import contextlib


class _Silent:
    def update(self, n=1):
        pass

    def set_description(self, text):
        pass


@contextlib.contextmanager
def progress(total, description, enabled=None, unit="it"):
    """A bar over ``total`` units; ``enabled`` None shows it only when stderr is a terminal."""
    if enabled is False:
        yield _Silent()
        return
    from tqdm.auto import tqdm
    bar = tqdm(total=total, desc=description, unit=unit, disable=None if enabled is None else not enabled,
               leave=False, dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()
