"""Handing a story to another program: the ``browser``, ``bookmark_command`` and
``pipe_to`` settings.

A command is an argument list (``reader.base.config.split_command`` makes one of
config.toml's string or list), run with ``subprocess`` and never
through a shell: a story's URL, title or body is always one argument, or the
standard input, so nothing in it can run anything. Output is captured, never
shown raw; a failure is a ``CommandFailed`` with one line.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from reader.base.errors import CommandFailed

RUN_TIMEOUT_S = 60.0
"""How long ``run`` waits for a program (``pipe_to``, ``bookmark_command``)."""
LAUNCH_WAIT_S = 2.0
"""How long ``launch`` waits to see a browser fail at once (it may run for hours)."""
URL_PLACEHOLDER = "%u"

log = logging.getLogger("reader.commands")

_launched: list[subprocess.Popen[bytes]] = []
"""Browsers ``launch`` left running, reaped once they exit."""


def browser_args(command: Sequence[str], url: str) -> list[str]:
    """``command`` with each ``%u`` replaced by ``url`` inside its own argument (never
    joined into a string a shell sees); without a ``%u`` the URL is the last argument."""
    if any(URL_PLACEHOLDER in arg for arg in command):
        return [arg.replace(URL_PLACEHOLDER, url) for arg in command]
    return [*command, url]


@dataclass(frozen=True)
class Ran:
    """A program that ran and exited 0."""

    args: list[str]
    output: str
    """Its standard output, as text (undecodable bytes replaced)."""

    def line(self) -> str:
        """One line to tell the user: the program's name and its output's last line."""
        last = next((ln.strip() for ln in reversed(self.output.splitlines()) if ln.strip()), "")
        return f"{self.args[0]}: {last}" if last else f"{self.args[0]}: done"


def run(args: Sequence[str], stdin: str | None = None, timeout: float = RUN_TIMEOUT_S) -> Ran:
    """Run ``args`` (no shell), ``stdin`` as its standard input (else none), and wait
    up to ``timeout`` seconds. Raises ``CommandFailed`` naming the program and why."""
    argv = list(args)
    name = argv[0] if argv else "?"
    try:
        done = subprocess.run(
            argv,
            input=(stdin or "").encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
            start_new_session=True,  # no signal from the terminal, no reading from it
        )
    except FileNotFoundError:
        raise CommandFailed(f"{name}: no such program") from None
    except PermissionError:
        raise CommandFailed(f"{name}: not allowed to run it") from None
    except subprocess.TimeoutExpired:
        raise CommandFailed(f"{name}: stopped after {timeout:g} s") from None
    except OSError as exc:
        raise CommandFailed(f"{name}: {exc.strerror or exc}") from None
    output = done.stdout.decode("utf-8", "replace")
    if done.returncode != 0:
        errors = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = f": {errors[-1].strip()}" if errors else ""
        log.info("%s exited %s: %s", name, done.returncode, done.stderr[-2000:])
        raise CommandFailed(f"{name} exited with status {done.returncode}{why}")
    return Ran(argv, output)


def launch(args: Sequence[str], wait: float = LAUNCH_WAIT_S) -> None:
    """Start ``args`` (a browser, no shell) and leave it running; raises
    ``CommandFailed`` if it cannot start or exits non-zero within ``wait`` seconds."""
    argv = list(args)
    name = argv[0] if argv else "?"
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise CommandFailed(f"{name}: no such program") from None
    except OSError as exc:
        raise CommandFailed(f"{name}: {exc.strerror or exc}") from None
    _launched[:] = [p for p in _launched if p.poll() is None]
    try:
        status = process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        _launched.append(process)  # still running: a browser window, most likely
        return
    if status != 0:
        raise CommandFailed(f"{name} exited with status {status}")
