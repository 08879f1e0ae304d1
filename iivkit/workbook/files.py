"""Where batch outputs go: folders private to their owner, never inside the inputs.

Reports and class pages hold personal data about third parties, so every folder ``report``
and ``course report`` create is mode 0700, whatever the umask. An output folder inside an
input folder is refused: the next run would read its own output as input (or, for a class,
pass over the student whose folder it is).
"""

from __future__ import annotations

import os
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
