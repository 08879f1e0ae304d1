"""In a notebook, a user's mistake shows as one red line, not a traceback.

:func:`install` registers an IPython custom exception handler for :class:`IivkitError` (the
errors that name the file, record and field at fault). The cell still fails, so Run All stops
there and papermill still reports it, but the person reading sees the message alone. Programming
errors are left to IPython and keep their tracebacks.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from iivkit.errors import IivkitError

RED = "\x1b[31m"
RESET = "\x1b[0m"


def one_line(error: BaseException) -> str:
    """The message a person reads for *error*: its text on one line, with a warning sign."""
    return "⚠ " + " ".join(str(error).split())


def _handler(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> list[str]:
    stb = [f"{RED}{one_line(value)}{RESET}"]
    # IPython ignores what a custom handler returns; _showtraceback is what shows an error
    # output (and, in a kernel, what the execute reply reports as the cell's traceback).
    shell._showtraceback(etype, value, stb)
    return stb


def install(shell: Any = None) -> bool:
    """Show iivkit's errors in *shell* (default: the running IPython, if any) as one red line.

    Returns whether a shell was there to install into; outside IPython this does nothing.
    Installing twice is harmless.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with the notebook stack
            return False
        shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((IivkitError,), _handler)
    return True
