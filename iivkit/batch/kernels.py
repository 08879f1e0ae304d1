"""A pool of fresh Jupyter kernels, started before they are needed.

Starting a kernel costs about a second, mostly CPU; a report's cells take a fraction of that.
The pool starts the next kernels while reports run, checks each answers before handing it
out, and shuts each down after its one report: a kernel is never reused, so no report sees
another's state. A kernel that fails to start is retried once by the pool.

Kernels talk over IPC sockets in a private folder on POSIX, so kernels started by several
processes at once cannot collide on TCP ports.

Every blocking call into jupyter_client and nbclient goes through :func:`in_thread_context`,
so each thread drives its kernels on an event loop of its own (see there why that needs saying).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from jupyter_client import KernelManager
from jupyter_client.asynchronous import AsyncKernelClient

import iivkit

START_TIMEOUT_S = 60.0

log = logging.getLogger(__name__)


class KernelStartError(RuntimeError):
    """A kernel did not start, or did not answer, in time."""


T = TypeVar("T")

_thread = threading.local()


def in_thread_context(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Call *fn* in a :mod:`contextvars` context that belongs to this thread alone.

    jupyter_client's and nbclient's blocking methods run their coroutines with jupyter_core's
    ``run_sync``, which keeps "this thread's event loop" in a context variable: it assumes every
    thread has a context of its own. Not every thread does. A Dask worker runs each task in a
    copy of the context the task came from, so with ``processes=False`` (threads in a process that
    has already made a blocking Jupyter call) every worker thread finds that one loop, and two
    reports at once fail with "This event loop is already running"; threads started on a
    free-threaded Python 3.14 begin with a copy of their starter's context too. Here a thread gets
    one fresh context, kept for the thread's life, so it gets its own loop, reused report after
    report, exactly as a plain thread would. The caller's context variables are not visible to
    *fn*; a call from inside *fn* runs in the same context.
    """
    if getattr(_thread, "inside", False):
        return fn(*args, **kwargs)
    context = getattr(_thread, "context", None)
    if context is None:
        context = _thread.context = contextvars.Context()
    _thread.inside = True
    try:
        return context.run(fn, *args, **kwargs)
    finally:
        _thread.inside = False


def kernel_env() -> dict[str, str]:
    """The environment for kernels: this one, with this iivkit importable first."""
    env = dict(os.environ)
    root = str(Path(iivkit.__file__).resolve().parent.parent)
    if Path(root).name not in ("site-packages", "dist-packages"):
        parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        if root not in parts:
            env["PYTHONPATH"] = os.pathsep.join([root, *parts])
    # One IPython history database shared by many kernels at once only adds lock waits.
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]


def forkable(argv: list[str]) -> bool:
    """True if a kernelspec runs ipykernel on this very Python, so a fork of it is the same kernel."""
    if not argv or "ipykernel_launcher" not in " ".join(argv[1:]):
        return False
    first = argv[0]
    # jupyter_client runs a bare "python" (or python3, python3.11) as sys.executable.
    bare = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    return first in bare or os.path.realpath(first) == os.path.realpath(sys.executable)


def start_fork_server(imports: Sequence[str] = ()) -> Any:
    """A fork server started now, for a :class:`KernelPool` made later (its *forkserver*).

    The server takes about a second to import what kernels need; started before the caller's
    own slow work (planning a batch), it is ready by the time the first kernel is wanted.
    None where kernels are not forked (not Linux).
    """
    if not sys.platform.startswith("linux"):
        return None
    from iivkit.batch.forkserver import ForkServer

    return ForkServer(env=kernel_env(), imports=tuple(imports))


class PooledKernelClient(AsyncKernelClient):
    """nbclient's client for a pooled kernel: ready as soon as the kernel answers on both channels.

    jupyter_client's ``wait_for_ready`` ends by waiting until IOPub has been quiet for 0.2 s,
    which on a kernel the pool has already checked is 0.2 s of idle per report. Here one
    IOPub message after the ``kernel_info`` reply proves the subscription is connected; any
    later stray message is ignored by nbclient, which matches replies to their requests.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.monotonic() + (timeout if timeout is not None else START_TIMEOUT_S)
        while True:
            msg_id = self.kernel_info()
            try:
                reply = await self._async_recv_reply(msg_id, timeout=1)
                await self.iopub_channel.get_msg(timeout=1)
            except (TimeoutError, Empty):
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds") from None
                continue
            self._handle_kernel_info_reply(reply)
            return


class PooledKernelManager(KernelManager):
    """A kernel manager that remembers the clients it makes, so that they can all be closed.

    nbclient, handed a manager it did not create, never stops its client's channels: each
    report would leave a heartbeat thread and a ZeroMQ context (with its own threads) trying
    to reach a dead kernel. :meth:`close_clients` stops them.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._clients: list[Any] = []
        self._clients_lock = threading.Lock()

    def client(self, **kwargs: Any) -> Any:
        client = super().client(**kwargs)
        with self._clients_lock:
            self._clients.append(client)
        return client

    def close_clients(self) -> None:
        """Stop the channels of every client made so far, and destroy their ZeroMQ contexts."""
        with self._clients_lock:
            clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(Exception):  # a client already stopped is stopped enough
                client.stop_channels()


class Kernel:
    """A started kernel: its manager for nbclient, and a way to kill it from another thread."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager

    def close_clients(self) -> None:
        """Close every client connection to the kernel (see :class:`PooledKernelManager`)."""
        close = getattr(self.manager, "close_clients", None)
        if close is not None:
            close()

    def kill(self) -> None:
        """Kill the kernel process now (safe from any thread); the run using it sees a dead kernel."""
        provisioner = getattr(self.manager, "provisioner", None)
        pid = getattr(provisioner, "pid", None) or getattr(getattr(provisioner, "process", None), "pid", None)
        if pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(pid), getattr(signal, "SIGKILL", signal.SIGTERM))

    def shutdown(self) -> None:
        """Stop the kernel and remove its connection files."""
        in_thread_context(self._shutdown)

    def _shutdown(self) -> None:
        self.close_clients()
        try:
            self.manager.shutdown_kernel(now=True)
        except Exception:  # an already dead kernel is shut down enough
            self.kill()
            with contextlib.suppress(Exception):
                self.manager.cleanup_resources()


class KernelPool:
    """Keeps *size* kernels started and ready; :meth:`acquire` takes one, :meth:`release` ends it.

    :param preload: fork kernels from a process that has already imported the report's
        libraries (see :mod:`iivkit.batch.forkserver`); None means yes where fork is safe (Linux).
    :param imports: the caller's own modules to import there too (``module`` or ``module:function``).
    :param forkserver: a fork server already started (:func:`start_fork_server`), used if kernels
        are forked at all; the pool closes it.
    """

    def __init__(
        self,
        *,
        size: int,
        kernel_name: str = "python3",
        preload: bool | None = None,
        imports: Sequence[str] = (),
        cwd: Path | None = None,
        start_timeout: float = START_TIMEOUT_S,
        forkserver: Any = None,
    ) -> None:
        self.size = size
        self.imports = tuple(imports)
        self.kernel_name = kernel_name
        self.start_timeout = start_timeout
        self.cwd = cwd or Path.cwd()
        self.env = kernel_env()
        self.preload = sys.platform.startswith("linux") if preload is None else preload
        self._ipc_dir = Path(tempfile.mkdtemp(prefix="iivk-")) if os.name == "posix" else None
        if self._ipc_dir is not None:
            # Sockets of a pool never closed (an interrupted run) still go when the process does.
            weakref.finalize(self, shutil.rmtree, self._ipc_dir, ignore_errors=True)
        self._counter = 0
        self._lock = threading.Lock()
        self._starter = ThreadPoolExecutor(max_workers=max(1, size), thread_name_prefix="iivkit-kernel-start")
        self._reaper = ThreadPoolExecutor(max_workers=2, thread_name_prefix="iivkit-kernel-stop")
        self._ready: deque[Future[Kernel]] = deque()
        self._closed = False
        self._forkserver: Any = forkserver
        for _ in range(size):
            self._refill()

    # -- starting -----------------------------------------------------------------------------

    def _next_ip(self) -> str:
        with self._lock:
            self._counter += 1
            n = self._counter
        assert self._ipc_dir is not None
        return str(self._ipc_dir / f"k{n}")

    def _manager(self) -> Any:
        km = PooledKernelManager(kernel_name=self.kernel_name)
        km.client_factory = PooledKernelClient
        if self._ipc_dir is not None:
            km.transport = "ipc"
            km.ip = self._next_ip()
        if self.preload and not forkable(km.kernel_spec.argv if km.kernel_spec else []):
            log.info("iivkit: kernelspec %r runs another Python; no fork server", self.kernel_name)
            self.preload = False
        if self.preload:
            from iivkit.batch.forkserver import attach

            with self._lock:
                if self._forkserver is None:
                    from iivkit.batch.forkserver import ForkServer

                    self._forkserver = ForkServer(env=self.env, imports=self.imports)
                server = self._forkserver
            attach(km, server)
        return km

    def _start_one(self) -> Kernel:
        from iivkit.batch.forkserver import ForkServerError

        km = self._manager()
        try:
            km.start_kernel(cwd=str(self.cwd), env=self.env, extra_arguments=list(KERNEL_ARGS))
        except ForkServerError as exc:
            # Without the fork server kernels start the ordinary way: slower, never broken.
            log.warning("iivkit: starting kernels without the fork server (%s)", exc)
            self.preload = False
            km = self._manager()
            km.start_kernel(cwd=str(self.cwd), env=self.env, extra_arguments=list(KERNEL_ARGS))
        kernel = Kernel(km)
        try:
            client = km.blocking_client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=self.start_timeout)
            finally:
                client.stop_channels()
        except Exception as exc:
            kernel.shutdown()
            raise KernelStartError(str(exc) or type(exc).__name__) from exc
        return kernel

    def _start_with_retry(self) -> Kernel:
        try:
            return in_thread_context(self._start_one)
        except Exception:  # any start failure earns one retry
            if self._closed:
                raise
            return in_thread_context(self._start_one)

    def _refill(self) -> None:
        if not self._closed and len(self._ready) < self.size:
            self._ready.append(self._starter.submit(self._start_with_retry))

    # -- handing out --------------------------------------------------------------------------

    def acquire(self, timeout: float | None = None) -> Kernel:
        """A started, answering kernel no report has used; starts another in its place."""
        with self._lock:
            future = self._ready.popleft() if self._ready else None
        if future is None:
            future = self._starter.submit(self._start_with_retry)
        self._refill()
        try:
            return future.result(timeout=timeout or self.start_timeout * 2 + 5)
        except KernelStartError:
            raise
        except Exception as exc:
            raise KernelStartError(str(exc) or type(exc).__name__) from exc

    def release(self, kernel: Kernel) -> None:
        """Shut a used kernel down, off the caller's critical path."""
        if self._closed:
            kernel.shutdown()
        else:
            self._reaper.submit(kernel.shutdown)

    def close(self) -> None:
        """Shut down every kernel the pool holds and stop its threads."""
        self._closed = True
        while self._ready:
            future = self._ready.popleft()
            future.cancel()
            if not future.cancelled():
                with contextlib.suppress(Exception):
                    future.result().shutdown()
        self._starter.shutdown(wait=True)
        self._reaper.shutdown(wait=True)
        if self._forkserver is not None:
            self._forkserver.close()
        if self._ipc_dir is not None:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
