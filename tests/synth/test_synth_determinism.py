"""Same arguments, same bytes; another seed, another city."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.synth.conftest import make


def fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        path.relative_to(folder).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def test_same_seed_gives_identical_files_mtimes_and_truth(tiny, tiny_again):
    assert fingerprint(tiny.inbox) == fingerprint(tiny_again.inbox)
    assert fingerprint(tiny.truth).keys() == fingerprint(tiny_again.truth).keys()
    for name in fingerprint(tiny.truth):
        assert (tiny.truth / name).read_bytes() == (tiny_again.truth / name).read_bytes(), name
    assert tiny.summary == tiny_again.summary


def test_another_seed_gives_other_data(tiny, tmp_path):
    other = make(tmp_path, seed=43)
    ours, theirs = fingerprint(tiny.inbox), fingerprint(other.inbox)
    shared = ours.keys() & theirs.keys()
    assert shared, "both runs deliver the same kinds of files"
    assert sum(ours[name][0] != theirs[name][0] for name in shared) > 0.9 * len(shared)


def test_files_parquet_hashes_match_the_inbox(tiny):
    files = tiny.files
    assert set(files["path"]) == set(fingerprint(tiny.inbox))
    for record in files.itertuples():
        data = (tiny.inbox / record.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record.sha256 and len(data) == record.size_bytes
