"""The fast paths of the random streams give exactly the numbers of the plain ones."""

from __future__ import annotations

import numpy as np
import pytest

from commgov.model import streams as streams_mod
from commgov.model.streams import Streams


@pytest.mark.parametrize("seed", [0, 7])
def test_keyed_many_is_keyed_elementwise(seed):
    s = Streams.from_seed(seed)
    rng = np.random.default_rng(seed)
    for _ in range(200):
        first = rng.integers(0, 2**31, size=int(rng.integers(0, 40)))
        keys = [int(k) for k in rng.integers(-2, 10**7, size=int(rng.integers(0, 3)))]
        many = s.keyed_many("turnover.leave", first, *keys)
        one = [s.keyed("turnover.leave", int(f), *keys) for f in first]
        assert many.dtype == np.float64 and many.tolist() == one


def test_small_keyed_arrays_hash_like_large_ones(monkeypatch):
    s = Streams.from_seed(3)
    rng = np.random.default_rng(1)
    cases = []
    for n in range(0, streams_mod._SMALL + 3):
        for shape in ((n,), (n, 1), (max(n // 4, 0), 4)):
            cases.append((rng.integers(0, 2**40, size=shape),
                          [int(k) for k in rng.integers(0, 999, size=int(rng.integers(0, 3)))]))
    small = [s.keyed_array("channels", idx, *keys) for idx, keys in cases]
    monkeypatch.setattr(streams_mod, "_SMALL", -1)        # numpy for every size
    for (idx, keys), got in zip(cases, small, strict=True):
        want = s.keyed_array("channels", idx, *keys)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert np.array_equal(got, want)


@pytest.mark.parametrize("seed", [0, 5])
def test_keyed_id_is_keyed(seed, monkeypatch):
    """The block-cached coins (issue id, attempt) are keyed()'s numbers, across blocks, with
    and without extra keys, and after old blocks are dropped."""
    monkeypatch.setattr(streams_mod, "_BLOCKS_KEPT", 4)     # force evictions
    s = Streams.from_seed(seed)
    rng = np.random.default_rng(seed)
    for first in rng.integers(0, 10**6, size=3000).tolist():
        keys = [int(k) for k in rng.integers(0, 4, size=int(rng.integers(0, 3)))]
        assert s.keyed_id("satisfaction", first, *keys) == s.keyed("satisfaction", first, *keys)
    assert len(s._blocks) <= 4


def test_mix_np_wraps_silently_on_scalars_and_arrays():
    """No overflow warning (warnings are errors in the suite) and the same bits as the
    Python-int mix, for a 0-d array, a scalar and an array."""
    big = 2**64 - 3
    want = streams_mod._mix(big)
    for z in (np.uint64(big), np.array(big, dtype=np.uint64),
              np.array([big, 1], dtype=np.uint64)):
        got = streams_mod._mix_np(z)
        assert int(np.ravel(got)[0]) == want
