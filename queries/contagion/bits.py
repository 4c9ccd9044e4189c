"""Run sets as bit words: bit ``r % 64`` of word ``r // 64`` is Monte Carlo run ``r``.

The simulation engine (:mod:`gridvoices.queries.contagion.sim`) and the scenarios built on
it keep a ``nodes x words`` matrix per state; these convert between that form and
``nodes x runs`` booleans, and count bits.
"""

from __future__ import annotations

import numpy as np

__all__ = ["run_words", "words_to_bool", "bool_to_words"]


def _popcount(words: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
    w = np.ascontiguousarray(words)
    return table[w.view(np.uint8)].reshape(*w.shape, -1).sum(axis=-1)


def run_words(runs: int) -> np.ndarray:
    """One row of bit words with a bit set for each run ``0 .. runs - 1`` (run r: word r // 64)."""
    w = np.zeros((runs + 63) // 64, dtype=np.uint64)
    w[: runs // 64] = np.uint64(0xFFFFFFFFFFFFFFFF)
    if runs % 64:
        w[-1] = np.uint64((1 << (runs % 64)) - 1)
    return w


def words_to_bool(words: np.ndarray, runs: int) -> np.ndarray:
    """``nodes x words`` bit words -> ``nodes x runs`` booleans."""
    b = np.ascontiguousarray(words, dtype="<u8").view(np.uint8)
    return np.unpackbits(b, axis=1, count=runs, bitorder="little").astype(bool)


def bool_to_words(b: np.ndarray) -> np.ndarray:
    """``... x runs`` booleans -> ``... x ceil(runs / 64)`` bit words (the inverse of the above)."""
    b = np.asarray(b, dtype=bool)
    runs = b.shape[-1]
    pad = (-runs) % 64
    if pad:
        b = np.concatenate([b, np.zeros((*b.shape[:-1], pad), dtype=bool)], axis=-1)
    packed = np.packbits(b, axis=-1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u8").astype(np.uint64)
