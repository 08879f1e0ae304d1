"""Fresh kernels without the import bill: fork each one from a process that imported it all once.

A kernel normally spends most of its first second starting Python and importing ipykernel,
pandas and matplotlib, and a report pays that again for every interview. The fork server is
a small process (``python -m iivkit.batch.forkserver``) that imports those modules once and then,
for each kernel wanted, forks: the child is a new process, with no report's variables, that
starts ipykernel exactly as ``python -m ipykernel_launcher -f CONNECTION_FILE`` would, with
the environment and working directory asked for.

What a forked kernel shares with its siblings is only what importing left behind; the
equality test in ``tests/test_runner.py`` checks that reports come out the same as under plain
papermill. Safe on Linux; elsewhere :class:`~iivkit.batch.kernels.KernelPool` starts kernels the
ordinary way. The server imports nothing before its children can have it, starts no threads and
no ZeroMQ context, and is told nothing but a command line, a folder and an environment.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    # ipykernel imports its debugger (debugpy and pydevd, a hundred modules) as it starts.
    "ipykernel.debugger",
    "IPython.core.interactiveshell",
    "IPython.core.completerlib",
    "IPython.core.oinspect",
    "tornado.queues",
    "tornado.platform.asyncio",
    "matplotlib_inline.backend_inline",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
)
"""Modules every kernel imports anyway, imported once before forking. The caller adds its own
(:class:`ForkServer`'s *imports*); ``module:function`` entries are called after the imports
(to load fonts a chart would load on first use)."""

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class ForkServerError(RuntimeError):
    """The fork server could not start, or could not fork a kernel."""


# -- the parent's side -------------------------------------------------------------------------


class ForkServer:
    """A running fork server; :meth:`spawn` asks it for one kernel process.

    :param imports: the caller's modules to import after *preload*, named from the modules
        themselves (``module.__name__``), so that a move cannot leave a stale name here.
    """

    def __init__(
        self, *, env: dict[str, str], preload: tuple[str, ...] = PRELOAD, imports: Sequence[str] = ()
    ) -> None:
        server_env = dict(env)
        # ipykernel sets this default when it starts; matplotlib reads it when imported, which
        # here is before the kernel starts, so set it first as a plain kernel would have it.
        server_env.setdefault("MPLBACKEND", INLINE_BACKEND)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", __name__, *preload, *imports],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=server_env,
            text=True,
            bufsize=1,
        )
        self._lock = threading.Lock()
        self._ready = False

    @property
    def pid(self) -> int:
        """The server's process id: the parent of every kernel it forks."""
        return int(self._proc.pid)

    def _reply(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise ForkServerError(f"the fork server exited (status {self._proc.poll()})")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise ForkServerError(str(reply["error"]))
        return reply

    def spawn(self, argv: list[str], *, cwd: str, env: dict[str, str]) -> int:
        """Fork a kernel running ``argv`` (an ipykernel command line); return its process id."""
        request = json.dumps({"argv": argv, "cwd": cwd, "env": env})
        with self._lock:
            if not self._ready:
                self._reply()  # the server says so once its imports are done
                self._ready = True
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(request + "\n")
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise ForkServerError(f"the fork server is gone ({exc})") from None
            return int(self._reply()["pid"])

    def close(self, *, now: bool = False) -> None:
        """Stop the server; kernels it forked are stopped by their managers.

        :param now: kill it, rather than let it finish its imports and read the end of its input.
        """
        if now:
            self._proc.kill()
        if self._proc.stdin:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()


class _Forked:
    """Enough of :class:`subprocess.Popen` for jupyter_client to manage a process it did not start."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -1
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def attach(km: Any, server: ForkServer) -> None:
    """Make kernel manager *km* start its kernel through *server* instead of a new Python."""
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            env = kwargs.get("env") or dict(os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            # As jupyter_client's launcher does: the kernel exits if its parent (the server) dies.
            env = {**env, "JPY_PARENT_PID": str(server.pid)}
            pid = server.spawn(cmd, cwd=cwd, env=env)
            self.process = _Forked(pid)  # type: ignore[assignment]
            self.pid = pid
            self.pgid = pid  # the child makes itself a process group leader
            self.cwd = cwd
            return self.connection_info

    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    km.provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)


# -- the server's side -------------------------------------------------------------------------


def _child(request: dict[str, Any], out: IO[str]) -> None:
    """In the forked child: become the kernel the request describes; never returns."""
    try:
        os.setpgid(0, 0)
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)  # off the pipes to the parent: they carry the server's protocol
        os.close(null)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the process's own stdin, on /dev/null now
        out.flush()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # As ``python -m ipykernel_launcher`` run in cwd: the launcher drops the cwd entry,
        # IPython's init_path puts "" back.
        launcher = importlib.util.find_spec("ipykernel_launcher")
        sys.argv = [
            str(launcher.origin if launcher else "ipykernel_launcher"),
            *_kernel_args(request["argv"]),
        ]
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # a plain kernel gets its own entropy
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except BaseException:  # a child must never return into the server's loop
        os._exit(1)
    os._exit(0)


def _kernel_args(argv: list[str]) -> list[str]:
    """The arguments after ``-m ipykernel_launcher`` (or the launcher script) in a kernel command."""
    for n, arg in enumerate(argv):
        if arg == "-m" and n + 1 < len(argv):
            return argv[n + 2 :]
        if arg.endswith("ipykernel_launcher.py"):
            return argv[n + 1 :]
    raise ValueError(f"not an ipykernel command line: {argv}")


def serve(preload: list[str]) -> None:
    """Import *preload*, then fork one kernel per request line on stdin, answering with its pid."""
    out = sys.stdout
    if sys.path and Path(sys.path[0] or ".").resolve() == Path.cwd().resolve():
        del sys.path[0]  # as ipykernel_launcher does
    try:
        for name in preload:
            module, _, function = name.partition(":")
            loaded = importlib.import_module(module)
            if function:
                getattr(loaded, function)()
    except Exception as exc:  # reported to the parent, which falls back
        out.write(json.dumps({"error": f"cannot import {name}: {exc}"}) + "\n")
        out.flush()
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    # What the imports made stays put: the children's collector never walks it, so it never
    # touches (and so copies) the pages those objects live on.
    gc.collect()
    gc.freeze()
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            _kernel_args(request["argv"])
            pid = os.fork()
        except Exception as exc:
            out.write(json.dumps({"error": str(exc)}) + "\n")
            out.flush()
            continue
        if pid == 0:
            _child(request, out)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


if __name__ == "__main__":
    serve(sys.argv[1:])
