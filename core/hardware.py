"""SpiNNaker2 hardware facts and the machine a network is mapped onto.

A chip has 152 PEs in 38 QPEs of 4; each PE has 128 KB SRAM of which 96 KB hold data (the
rest is code); a chip has 2 GB LPDDR4 DRAM and a router of 16,384 entries with 6 links to its
neighbours. A board is 48 chips. Chips sit on a grid whose six links go E, NE, N, W, SW, S,
as on SpiNNaker's triangular mesh; boards are tiled side by side along x.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PES_PER_QPE = 4
QPES_PER_CHIP = 38
PES_PER_CHIP = PES_PER_QPE * QPES_PER_CHIP       # 152
SRAM_BYTES = 128 * 1024
DATA_SRAM_BYTES = 96 * 1024                       # DTCM available to data structures
DRAM_BYTES = 2 * 1024 ** 3
ROUTER_ENTRIES = 16_384
N_LINKS = 6
CHIPS_PER_BOARD = 48
BOARD_SHAPE = (8, 6)                              # chips along x, y on one board
MAX_NEURONS_PER_PE = 255                          # serial paradigm (paper III-A)
LINK_DIRECTIONS = ((1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1))   # E NE N W SW S


@dataclass(frozen=True)
class Machine:
    """``n_chips`` chips: 1 (default), up to a 48-chip board, or whole boards (multiples of 48)."""

    n_chips: int = 1

    def __post_init__(self):
        if self.n_chips < 1 or (self.n_chips > CHIPS_PER_BOARD and self.n_chips % CHIPS_PER_BOARD):
            raise ValueError(f"a machine is 1 to {CHIPS_PER_BOARD} chips or whole {CHIPS_PER_BOARD}-chip "
                             f"boards, not {self.n_chips} chips")

    @classmethod
    def boards(cls, n: int) -> "Machine":
        return cls(n * CHIPS_PER_BOARD)

    @property
    def n_pes(self) -> int:
        return self.n_chips * PES_PER_CHIP

    @property
    def chip_xy(self) -> np.ndarray:
        """(n_chips, 2) grid coordinates; chip c of board b sits at (8b + c % 8, c // 8)."""
        c = np.arange(self.n_chips)
        board, local = np.divmod(c, CHIPS_PER_BOARD)
        return np.stack([board * BOARD_SHAPE[0] + local % BOARD_SHAPE[0], local // BOARD_SHAPE[0]], axis=1)

    @property
    def neighbours(self) -> np.ndarray:
        """(n_chips, 6) chip reached through each link, -1 where no chip is there."""
        xy = self.chip_xy
        index = {tuple(p): i for i, p in enumerate(xy.tolist())}
        return np.array([[index.get((x + dx, y + dy), -1) for dx, dy in LINK_DIRECTIONS]
                         for x, y in xy.tolist()], dtype=np.int32).reshape(self.n_chips, N_LINKS)

    def describe(self) -> str:
        if self.n_chips == 1:
            return "1 chip"
        if self.n_chips % CHIPS_PER_BOARD == 0:
            return f"{self.n_chips // CHIPS_PER_BOARD} board(s) of {CHIPS_PER_BOARD} chips"
        return f"{self.n_chips} chips"


def pe_location(pe: int) -> tuple[int, int, int]:
    """Global PE number -> (chip, QPE, PE within the QPE)."""
    chip, local = divmod(int(pe), PES_PER_CHIP)
    qpe, core = divmod(local, PES_PER_QPE)
    return chip, qpe, core
