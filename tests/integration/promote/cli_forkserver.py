"""`tritonship ARGS` as real processes without paying the interpreter start and imports each time.

The kill tests start the CLI once per API call site of a flow, ~90 times, and most of each start was
importing the agent and the `kubernetes` client. This server (one process, started with
`python tests/integration/promote/cli_forkserver.py`) imports them once, then, for every request
line on stdin ({"run": {"argv", "env", "cwd", "stdout", "stderr"}} as JSON), forks a child that runs the
CLI's `main(argv)` with exactly that environment, working directory and output files, as
`python -m tritonship ARGS` would (its __main__ calls the same `main`). It answers
"started PID" and, when that child ends, "exited PID RC" (RC < 0: killed by signal -RC); on
{"kill": PID} it sends that child SIGKILL.

The child is an ordinary process of its own: SIGKILL ends it mid-call, the kernel closes its
connections, its Lease is left orphaned — what the kill tests need. The server forks from one
thread only (no lock of another thread can be inherited held), and reaps children in its loop.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import selectors
import signal
import sys
import traceback

HEAVY = ("kubernetes.client", "kubernetes.config", "urllib3", "yaml", "jinja2", "ruamel.yaml", "click")


def preload() -> None:
    """Every tritonship module (each imports its heavy libraries lazily) and those libraries."""
    import tritonship

    for name in HEAVY:
        importlib.import_module(name)
    for info in pkgutil.walk_packages(tritonship.__path__, "tritonship."):
        try:
            importlib.import_module(info.name)
        except Exception:  # a module that needs an optional extra: the child imports it if used
            continue


def child(request: dict) -> None:
    """Runs in the forked child: become `tritonship ARGV` and exit with its code. Never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, key in ((1, "stdout"), (2, "stderr")):
            out = os.open(request[key], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, fd)
            os.close(out)
        sys.argv = ["tritonship", *request["argv"]]
        from tritonship.cli import main

        main(list(request["argv"]))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # exiting anyway
                stream.flush()
        os._exit(code)


def reap(out, live: set[int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        live.discard(pid)
        out.write(f"exited {pid} {os.waitstatus_to_exitcode(status)}\n")
        out.flush()


def serve() -> None:
    preload()
    out = sys.stdout
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that SIGCHLD writes to the wakeup fd
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ, "request")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    out.write("ready\n")
    out.flush()
    pending, live = b"", set()
    while True:
        for key, _ in selector.select():
            if key.data == "child":
                with contextlib.suppress(BlockingIOError):
                    while os.read(wake_r, 512):
                        pass
                reap(out, live)
                continue
            data = os.read(0, 65536)
            if not data:  # the tests are done: no CLI of theirs outlives them
                for pid in live:
                    os.kill(pid, signal.SIGKILL)
                return
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                handle(json.loads(line), live, out)


def handle(request: dict, live: set[int], out) -> None:
    """{"run": {...}}: fork a CLI; {"kill": PID}: SIGKILL it, if it is a child not yet reaped (so
    that the number cannot belong to another process by now)."""
    if "kill" in request:
        if request["kill"] in live:
            os.kill(request["kill"], signal.SIGKILL)
        return
    pid = os.fork()
    if pid == 0:
        child(request["run"])
    live.add(pid)
    out.write(f"started {pid}\n")
    out.flush()


if __name__ == "__main__":
    serve()
