"""How the parallel cohort evaluation splits the files: every file once and in order, chunks of up to
64 files, and the last ones smaller so the workers finish together."""

from __future__ import annotations

from pathlib import Path

import pytest

from cds.report.collect import TAPER, _chunks


@pytest.mark.parametrize(("files", "jobs"), [(10_000, 2), (300, 2), (129, 2), (64, 1), (5, 2), (1, 1), (2, 8)])
def test_every_file_is_in_one_chunk_in_order(files: int, jobs: int) -> None:
    paths = [Path(f"p{i:05d}.json") for i in range(files)]
    chunks = list(_chunks(paths, jobs))
    assert [f for chunk in chunks for f in chunk] == [str(p) for p in paths]
    assert all(1 <= len(chunk) <= 64 for chunk in chunks)


def test_the_last_chunks_are_smaller_so_no_worker_waits_on_a_whole_chunk() -> None:
    sizes = [len(chunk) for chunk in _chunks([Path(f"p{i}.json") for i in range(10_000)], 2)]
    assert sizes[0] == 64 and max(sizes[-8:]) == 64 // TAPER
    assert sum(size for size in sizes if size < 64) >= 2 * 64  # at least a chunk's worth per worker
