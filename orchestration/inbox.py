"""What is in the inbox, and what changed since the sensor last looked.

The inbox is a local folder by default. `TKPKD_INBOX` may instead be an fsspec URL (`sftp://user@host/upload`,
`s3://bucket/inbox`, `memory://...`; the protocol's package must be installed, e.g. paramiko for sftp, s3fs for
s3): the sensor lists it where it is, and the ingestion step first mirrors new and changed files into a local folder
(`TKPKD_INBOX_MIRROR`, `data/inbox_mirror/` by default) and loads from there, so the loader, its limits and its
lineage are the same for both. The mirror only adds and replaces files: a file an agency removes from the share
stays in the mirror, as it stays in raw.ingested_files.

A file is a version: its path inside the inbox and a digest of its bytes (SHA-256 for a local file; for a remote
one fsspec's `ukey`, the store's own fingerprint, e.g. an S3 ETag, so the sensor never downloads to look). A new
or changed file is ready at the second look that finds it the same size and not modified for `settle_seconds`: a
file still being copied in is left for a later look, even when the copy keeps the original modification time.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

HASH_CHUNK = 1 << 20


def is_url(location: str) -> bool:
    return "://" in location and not location.startswith("file://")


@dataclass(frozen=True)
class InboxFile:
    """One file as listed: its path inside the inbox (`<source>/<period>/<name>`), size and modification time."""

    path: str
    size: int
    modified_at: float

    @property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.path).parts


def list_local(root: Path) -> Iterator[InboxFile]:
    """Every regular file under `root`, symlinks neither followed nor listed (the loader refuses them)."""
    for folder, folders, files in os.walk(root, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue  # uploaders' temporary files (.name.part, .~lock.name#) are not deliveries
            path = Path(folder) / name
            try:
                stat = path.lstat()
            except OSError:
                continue  # removed between listing and looking: the next look decides
            if path.is_symlink():
                continue
            yield InboxFile(path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime)


def _remote(url: str):
    import fsspec

    filesystem, root = fsspec.core.url_to_fs(url)
    return filesystem, root.rstrip("/")


def list_remote(url: str) -> Iterator[InboxFile]:
    filesystem, root = _remote(url)
    for path, info in sorted(filesystem.find(root, detail=True).items()):
        relative = path[len(root) :].lstrip("/")
        if info.get("type") != "file" or any(part.startswith(".") for part in PurePosixPath(relative).parts):
            continue
        modified = info.get("mtime") or info.get("LastModified") or info.get("created") or 0
        yield InboxFile(relative, int(info.get("size") or 0), _timestamp(modified))


def _timestamp(value) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


def list_inbox(location: str) -> list[InboxFile]:
    return list(list_remote(location) if is_url(location) else list_local(Path(location.removeprefix("file://"))))


def digest(location: str, file: InboxFile) -> str:
    if is_url(location):
        filesystem, root = _remote(location)
        return "ukey:" + filesystem.ukey(f"{root}/{file.path}")
    sha = hashlib.sha256()
    with open(Path(location.removeprefix("file://")) / file.path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def mirror(url: str, local: Path) -> list[str]:
    """Copy the remote files that are new or changed (by size and modification time) into `local`; return them."""
    filesystem, root = _remote(url)
    copied = []
    for file in list_remote(url):
        target = local / file.path
        if target.exists() and target.stat().st_size == file.size and target.stat().st_mtime >= file.modified_at:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.mirroring")
        filesystem.get_file(f"{root}/{file.path}", str(partial))
        os.replace(partial, target)
        copied.append(file.path)
    return copied


@dataclass
class InboxCursor:
    """What the sensor has seen: every file it started a run for (size, modification time, digest), and the size of
    each file it saw but left because it was still settling."""

    seen: dict[str, list] = field(default_factory=dict)
    settling: dict[str, int] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> InboxCursor:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(seen=data.get("seen", {}), settling=data.get("settling", {}))

    def serialize(self) -> str:
        return json.dumps({"seen": self.seen, "settling": self.settling}, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class InboxChanges:
    delivered: list[tuple[InboxFile, str]]  # new or changed files, with their digest
    settling: list[InboxFile]  # still being written or copied in: left for a later look
    unknown: list[InboxFile]  # outside any source folder of the contract
    cursor: InboxCursor

    @property
    def sources(self) -> set[str]:
        return {file.parts[0] for file, _ in self.delivered}


def changes_since(
    location: str,
    cursor: InboxCursor,
    sources: Iterable[str],
    settle_seconds: float,
    now: float | None = None,
) -> InboxChanges:
    """Compare the inbox with the cursor: the files delivered since, those still settling, and the strays."""
    now = time.time() if now is None else now
    sources = set(sources)
    seen = dict(cursor.seen)
    settling: dict[str, int] = {}
    delivered, waiting, unknown = [], [], []
    for file in list_inbox(location):
        if len(file.parts) < 2 or file.parts[0] not in sources:
            unknown.append(file)
            continue
        previous = seen.get(file.path)
        if previous and previous[:2] == [file.size, file.modified_at]:
            continue
        if now - file.modified_at < settle_seconds or cursor.settling.get(file.path) != file.size:
            settling[file.path] = file.size
            waiting.append(file)
            continue
        try:
            version = digest(location, file)
        except OSError:
            settling[file.path] = file.size  # locked or vanished while being read: look again next time
            waiting.append(file)
            continue
        seen[file.path] = [file.size, file.modified_at, version]
        if not previous or previous[2] != version:
            delivered.append((file, version))
    return InboxChanges(delivered, waiting, unknown, InboxCursor(seen, settling))
