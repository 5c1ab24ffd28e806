"""`make setup` as a user runs it: the numba kernels compiled once, in a process of their own."""

from __future__ import annotations


def test_setup_warm_up_compiles_every_cached_kernel(tmp_path):
    """`make setup` runs `warm_up`; in a fresh numba cache it must leave every cached kernel compiled."""
    import os
    import subprocess
    import sys

    import numba

    from cleaners import minhash, shingles

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    code = "from cleaners.dedup import warm_up; warm_up()"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=600)
    kernels = {
        name
        for m in (minhash, shingles)
        for name, k in vars(m).items()
        if isinstance(k, numba.core.registry.CPUDispatcher) and type(k._cache).__name__ != "NullCache"
    }
    compiled = {p.name.split(".")[1].split("-")[0] for p in tmp_path.rglob("*.nbi")}
    assert len(kernels) >= 8 and kernels - compiled == set()  # no run compiles one later
