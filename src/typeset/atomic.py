"""Write a file atomically: a temporary file in the same folder, then a rename.

In: bytes and a target path.  Out: the target holding exactly those bytes, or (on any
failure) the target as it was before, with no temporary file left behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import TypesetError


def write_atomic(data: bytes, target: Path) -> None:
    """Write `data` to `target` through a temporary file in the same folder, then rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise TypesetError(f"{target}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
