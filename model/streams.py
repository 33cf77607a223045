"""Random streams keyed by name, so a policy changes no draw it does not touch.

One shared generator lets one extra draw shift every later one: a policy that hires more
workers would also change which owners' committees work. Here every decision draws from its
own stream, derived from the run seed and a stable name (blake2b, never Python's salted
``hash``), and re-anchored each day, so replication k of two scenarios sees the same numbers
for the same decision (common random numbers). Household decisions draw one value per flat
(``daily(name, day).random(n)``) and index it; per-case decisions use ``keyed``, a
counter-based hash of (stream, keys) that does not depend on how many other cases were drawn.
(Design after Starsim's named distributions; see ARCHITECTURE.md.)
"""

from __future__ import annotations

import hashlib
from functools import cache

import numpy as np

_M64 = (1 << 64) - 1
_SMALL = 8   # keyed_array batches this small are hashed with Python ints
_BLOCK_BITS = 8                      # keyed_id: numbers for 256 consecutive ids at a time
_BLOCK_MASK = (1 << _BLOCK_BITS) - 1
_BLOCKS_KEPT = 64


@cache
def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def _mix(z: int) -> int:
    """splitmix64 finaliser: a bijective 64-bit mix with good avalanche."""
    z = (z + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _u64(x: int) -> np.ndarray:
    """A uint64 constant as a 0-d array: a ufunc takes it about a third faster than a numpy
    scalar (no scalar conversion per call), with the same wrapping arithmetic."""
    return np.array(x & _M64, dtype=np.uint64)


_C0 = _u64(0x9E3779B97F4A7C15)
_C1 = _u64(0xBF58476D1CE4E5B9)
_C2 = _u64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = _u64(30), _u64(27), _u64(31), _u64(11)
_FNV = _u64(0x100000001B3)
_UNIT = np.array(1.0 / (1 << 53))          # a 53-bit integer to [0, 1), exactly


def _mix_np(z: np.ndarray) -> np.ndarray:
    """``_mix`` on a uint64 array (wrapping arithmetic, as in C). Ufuncs called by name
    wrap silently even on numpy scalars (only scalar operators check for overflow), so no
    ``errstate`` is needed: it cost more than the arithmetic on small arrays."""
    z = np.add(z, _C0)
    z = np.multiply(np.bitwise_xor(z, np.right_shift(z, _S30)), _C1)
    z = np.multiply(np.bitwise_xor(z, np.right_shift(z, _S27)), _C2)
    return np.bitwise_xor(z, np.right_shift(z, _S31))


class Streams:
    """Named random streams of one run."""

    def __init__(self, root: np.random.SeedSequence) -> None:
        self.root = root
        w = root.generate_state(2, np.uint64)
        self._run_key = (int(w[0]) ^ (int(w[1]) << 1)) & _M64
        self._fixed: dict[str, np.random.Generator] = {}
        self._daily: dict[str, tuple[int, np.random.Generator]] = {}
        self._bases: dict[str, int] = {}
        self._blocks: dict[tuple, list[float]] = {}

    @classmethod
    def from_seed(cls, rng: int | np.random.Generator | np.random.SeedSequence | None
                  ) -> Streams:
        if isinstance(rng, np.random.SeedSequence):
            return cls(rng)
        if isinstance(rng, np.random.Generator):
            return cls(np.random.SeedSequence(int(rng.integers(2**63))))
        return cls(np.random.SeedSequence(rng))

    def _seq(self, name: str, *extra: int) -> np.random.SeedSequence:
        key = _name_key(name)
        return np.random.SeedSequence(self.root.entropy,
                                      spawn_key=(key & 0xFFFFFFFF, key >> 32, *extra))

    def rng(self, name: str) -> np.random.Generator:
        """A stream for the whole run (building the world, per-entity traits)."""
        g = self._fixed.get(name)
        if g is None:
            g = self._fixed[name] = np.random.default_rng(self._seq(name))
        return g

    def daily(self, name: str, day: int) -> np.random.Generator:
        """The stream ``name`` re-anchored at ``day``: a shift never outlives the day."""
        hit = self._daily.get(name)
        if hit is not None and hit[0] == day:
            return hit[1]
        g = np.random.default_rng(self._seq(name, day + 1))
        self._daily[name] = (day, g)
        return g

    def keyed_array(self, name: str, idx: np.ndarray, *keys: int) -> np.ndarray:
        """Uniforms in [0, 1) for the entities ``idx``, fixed by (run, name, keys, entity):
        per-household draws that cost only as many as ``idx`` has, yet give each household
        the same number under every policy (the vectorised twin of ``keyed``)."""
        idx = np.asarray(idx)
        if idx.size <= _SMALL:
            # One household's few draws: plain ints, the same arithmetic without numpy's
            # per-call cost.
            return np.array(self.keyed_few(name, idx.ravel().tolist(), *keys),
                            dtype=np.float64).reshape(idx.shape)
        z = np.bitwise_xor(idx.astype(np.uint64), _u64(self._array_base(name, keys)))
        z = _mix_np(_mix_np(z))
        return np.multiply(np.right_shift(z, _S11).astype(np.float64), _UNIT)

    def keyed_few(self, name: str, idx: list[int], *keys: int) -> list[float]:
        """``keyed_array`` for a handful of entities, as a list of Python floats (the same
        numbers): a failed property case re-chooses its channel this way."""
        x = self._array_base(name, keys)
        return [(_mix(_mix((int(i) & _M64) ^ x)) >> 11) * (1.0 / (1 << 53)) for i in idx]

    def _array_base(self, name: str, keys: tuple[int, ...]) -> int:
        """What ``keyed_array`` and ``keyed_few`` mix every entity with: run, name, keys."""
        x = self._run_key ^ _name_key(name)
        for k in keys:
            x = _mix(x ^ (int(k) & _M64))
        return x

    def keyed(self, name: str, *keys: int) -> float:
        """A uniform in [0, 1) fixed by (run, name, keys): one coin per case and attempt.

        The keys are folded in by multiply-add, then mixed twice (splitmix64): cheap enough
        for the per-case loops, with no visible dependence between neighbouring keys."""
        x = self._bases.get(name)
        if x is None:
            x = self._base(name)
        for k in keys:
            x = (x * 0x100000001B3 + int(k) + 1) & _M64
        # _mix(_mix(x)) written out: this runs a few hundred times a simulated day.
        x = (x + 0x9E3779B97F4A7C15) & _M64
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
        x = ((x ^ (x >> 31)) + 0x9E3779B97F4A7C15) & _M64
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
        return ((x ^ (x >> 31)) >> 11) * (1.0 / (1 << 53))

    def keyed_id(self, name: str, first: int, *keys: int) -> float:
        """``keyed(name, first, *keys)`` (the same number) for keys that do not change
        with the day, such as (issue id, attempt): issue ids are consecutive, so the
        numbers are made 256 ids (``_BLOCK_BITS``) at a time in numpy and kept for a while, a fifth
        of ``keyed``'s cost per case."""
        block = first >> _BLOCK_BITS
        hit = self._blocks.get((name, block, keys))
        if hit is None:
            if len(self._blocks) >= _BLOCKS_KEPT:      # the oldest go (dicts keep order)
                for old in list(self._blocks)[:_BLOCKS_KEPT // 2]:
                    del self._blocks[old]
            start = block << _BLOCK_BITS
            hit = self._blocks[(name, block, keys)] = self.keyed_many(
                name, np.arange(start, start + (1 << _BLOCK_BITS), dtype=np.int64),
                *keys).tolist()
        return hit[first & _BLOCK_MASK]

    def keyed_many(self, name: str, first: np.ndarray, *keys: int) -> np.ndarray:
        """``keyed(name, f, *keys)`` for every ``f`` in ``first``, as one array: the same
        numbers (the same wrapping 64-bit arithmetic), for a daily coin per worker."""
        x = self._bases.get(name)
        if x is None:
            x = self._base(name)
        z = np.asarray(first).astype(np.uint64)
        z = np.add(z, _u64(x * 0x100000001B3 + 1))   # wraps (see _mix_np)
        for k in keys:
            z = np.add(np.multiply(z, _FNV), _u64(int(k) + 1))
        z = _mix_np(_mix_np(z))
        return np.multiply(np.right_shift(z, _S11).astype(np.float64), _UNIT)

    def _base(self, name: str) -> int:
        b = self._bases.get(name)
        if b is None:
            b = self._bases[name] = _mix(self._run_key ^ _name_key(name))
        return b
