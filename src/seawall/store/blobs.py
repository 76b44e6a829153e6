"""Content-addressed raw message store: every scanned message kept once, by its sha256.

Files live under ``<root>/ab/cd/<sha256>``; writes go to a temporary name in the same
directory and are renamed into place, so a reader never sees half a message. Nothing is ever
written outside ``root``: the path is built from the hash alone, never from mail content.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a sha256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes) -> bool:
        """Store the bytes unless already there; True when written now."""
        path = self.path_for(sha256)
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return True

    def get(self, sha256: str) -> bytes | None:
        path = self.path_for(sha256)
        return path.read_bytes() if path.exists() else None

    def __contains__(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()
