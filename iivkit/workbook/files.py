"""Where batch outputs go: folders and files private to their owner, never inside the inputs.

Reports and class pages hold personal data about third parties, so every folder ``report``
and ``course report`` create is mode 0700, whatever the umask. An output folder inside an
input folder is refused: the next run would read its own output as input (or, for a class,
pass over the student whose folder it is).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from iivkit.errors import IivkitError

PRIVATE_DIR_MODE = 0o700


def make_private_dir(path: Path) -> None:
    """Create *path* and any missing parents, each readable by its owner only.

    Folders that already exist are left as they are.
    """
    missing = []
    here = path
    while not here.exists():
        if here.is_symlink():  # a dangling link: creating through it would write elsewhere
            raise IivkitError("is a link to a folder that does not exist", file=here)
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise IivkitError("is a file, not a folder", file=folder) from None
            continue  # made by another run meanwhile
        except OSError as exc:
            raise IivkitError(f"cannot create the folder: {exc.strerror}", file=folder) from None
        os.chmod(folder, PRIVATE_DIR_MODE)  # the umask may have taken bits away


def refuse_inside(out: Path, inputs: Iterable[Path], *, what: str = "an input folder") -> None:
    """Refuse an output folder that is, or lies inside, one of the input folders.

    Paths are compared after resolving links, so a link cannot hide the overlap.
    """
    target = out.resolve()
    for folder in inputs:
        if not folder.is_dir():
            continue
        if target.is_relative_to(folder.resolve()):
            raise IivkitError(
                f"is inside {what} ({folder}); choose an --out folder outside it",
                file=out,
            )


def write_private(path: Path, content: bytes | str) -> None:
    """Write *content* to *path* atomically, readable by its owner only (text as UTF-8).

    Something at *path* that is not a regular file (a device such as ``/dev/null``, a pipe, a
    socket) is refused, never replaced: renaming over it would destroy it, and as root that
    could be a system file.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise IivkitError("is not a regular file (a device, pipe or folder); choose another path", file=path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
