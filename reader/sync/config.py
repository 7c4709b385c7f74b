"""``[sync]`` in config.toml: which server, which user, and where the password comes from.

```toml
[sync]
service = "greader"                 # or "fever"
url = "https://rss.example.org/api/greader.php"
user = "alice"
password_command = "pass show rss"  # or password_file = "~/.config/reader/rss-password"
```

The password is fetched only when a sync logs in, and never leaves this package in a
message: ``password_command`` runs as an argument list (``shlex.split``, never a shell)
and its first line of output is the password; ``password_file`` must be readable by
its owner alone; a ``password`` written in config.toml works, with a warning.
"""

from __future__ import annotations

import os
import shlex
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from reader.base.clean import clean_line
from reader.base.config import parse_toml
from reader.sync.errors import ConfigError, PasswordUnavailable

Service = Literal["greader", "fever"]
SERVICES: tuple[Service, ...] = ("greader", "fever")
PASSWORD_COMMAND_TIMEOUT_S = 60.0
"""A password manager may ask for a passphrase: give it time, not for ever."""
MAX_ITEMS = 10_000
"""Most entries one sync pulls (``max_items`` overrides it): a first sync of a big
server takes the newest of them, and later syncs go on from there."""


class Secret(str):
    """A password: a string that never shows itself in a repr or a traceback's locals."""

    def __repr__(self) -> str:
        return "Secret('***')"


@dataclass(frozen=True)
class SyncSettings:
    """The ``[sync]`` table, checked."""

    service: Service
    url: str
    user: str
    password_command: tuple[str, ...] | None = None
    password_file: Path | None = None
    password_in_config: Secret | None = field(default=None, repr=False)
    max_items: int = MAX_ITEMS
    warnings: tuple[str, ...] = ()
    """What the user should hear about (a password in the file, plain http)."""

    @property
    def host(self) -> str:
        """The server's host (and port), for messages."""
        return urlsplit(self.url).netloc.rpartition("@")[2] or self.url

    @property
    def account(self) -> str:
        """Which account sync's database belongs to: another one starts afresh."""
        return f"{self.service} {self.url} {self.user}"

    def password(self) -> Secret:
        """The password, from the command, the file or the config (in that order)."""
        if self.password_command is not None:
            return _from_command(self.password_command)
        if self.password_file is not None:
            return _from_file(self.password_file)
        if self.password_in_config is not None:
            return self.password_in_config
        raise ConfigError("[sync] needs password_command, password_file or password")


def load_sync_settings(config_file: Path) -> SyncSettings | None:
    """The ``[sync]`` settings in ``config_file``; None when there is no ``[sync]`` table.

    A table that is there but wrong raises ``ConfigError`` naming the setting.
    """
    try:
        text = config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_file}: {clean_line(str(exc))}") from None
    try:
        data = parse_toml(text)
    except ValueError as exc:  # tomllib's TOMLDecodeError
        raise ConfigError(f"{config_file}: {clean_line(str(exc))}") from None
    table = data.get("sync")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{config_file}: [sync] must be a table")
    return _settings(table, config_file)


def _text(table: dict[str, object], name: str, where: Path) -> str | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: [sync] {name} must be a non-empty string")
    return value.strip()


def _settings(table: dict[str, object], where: Path) -> SyncSettings:
    service = _text(table, "service", where)
    if service not in SERVICES:
        raise ConfigError(f'{where}: [sync] service must be "greader" or "fever"')
    url = _text(table, "url", where)
    if url is None:
        raise ConfigError(f"{where}: [sync] needs url, the API's address")
    split = urlsplit(url)
    if split.scheme not in ("http", "https") or not split.hostname:
        raise ConfigError(f"{where}: [sync] url must be an http(s) address")
    if split.username or split.password:
        raise ConfigError(f"{where}: [sync] url must not hold a user name or password")
    user = _text(table, "user", where)
    if user is None:
        raise ConfigError(f"{where}: [sync] needs user")
    warnings: list[str] = []
    sources = [n for n in ("password_command", "password_file", "password") if n in table]
    if len(sources) > 1:
        raise ConfigError(f"{where}: [sync] takes one of {', '.join(sources)}, not several")
    command = _text(table, "password_command", where)
    argv: tuple[str, ...] | None = None
    if command is not None:
        try:
            argv = tuple(shlex.split(command))
        except ValueError as exc:
            raise ConfigError(f"{where}: [sync] password_command: {exc}") from None
    file_text = _text(table, "password_file", where)
    secret: Secret | None = None
    if "password" in table:
        raw = table["password"]
        if not isinstance(raw, str) or not raw:
            raise ConfigError(f"{where}: [sync] password must be a string")
        secret = Secret(raw)
        warnings.append(
            f"sync: the password is written in {where}; password_command or password_file "
            "keep it out of the config"
        )
    if not sources:
        raise ConfigError(f"{where}: [sync] needs password_command, password_file or password")
    if split.scheme == "http" and not _is_local(split.hostname or ""):
        warnings.append(
            f"sync: {split.netloc} is reached over plain http: the password travels unencrypted"
        )
    max_items = table.get("max_items", MAX_ITEMS)
    if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1:
        raise ConfigError(f"{where}: [sync] max_items must be a whole number above 0")
    return SyncSettings(
        service=service,  # checked against SERVICES above
        url=url.rstrip("/"),
        user=user,
        password_command=argv,
        password_file=Path(file_text).expanduser() if file_text else None,
        password_in_config=secret,
        max_items=max_items,
        warnings=tuple(warnings),
    )


def _is_local(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _from_command(argv: tuple[str, ...]) -> Secret:
    """The first line the password command prints (``pass`` prints the password there)."""
    import subprocess  # here: only a sync with a password command runs one

    if not argv:
        raise PasswordUnavailable("sync: password_command is empty")
    name = clean_line(Path(argv[0]).name)
    try:
        done = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PASSWORD_COMMAND_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise PasswordUnavailable(f"sync: password_command: {name} not found") from None
    except subprocess.TimeoutExpired:
        raise PasswordUnavailable(
            f"sync: password_command {name} did not finish in {PASSWORD_COMMAND_TIMEOUT_S:g} s"
        ) from None
    except OSError as exc:
        raise PasswordUnavailable(
            f"sync: password_command {name}: {exc.strerror or type(exc).__name__}"
        ) from None
    if done.returncode != 0:  # its error output is not shown: it may hold anything
        raise PasswordUnavailable(
            f"sync: password_command {name} failed (exit status {done.returncode})"
        )
    line = done.stdout.decode("utf-8", "replace").split("\n", 1)[0].rstrip("\r")
    if not line:
        raise PasswordUnavailable(f"sync: password_command {name} printed no password")
    return Secret(line)


def _from_file(path: Path) -> Secret:
    """The first line of ``path``, which only its owner may read."""
    shown = clean_line(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO cannot hang us
    except FileNotFoundError:
        raise PasswordUnavailable(f"sync: password_file {shown} does not exist") from None
    except OSError as exc:
        raise PasswordUnavailable(
            f"sync: password_file {shown}: {exc.strerror or type(exc).__name__}"
        ) from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise PasswordUnavailable(f"sync: password_file {shown} is not a regular file")
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise PasswordUnavailable(
                f"sync: password_file {shown} is open to group or others "
                f"(mode {stat.S_IMODE(mode):o}); run: chmod 600 {shown}"
            )
        data = handle.read(4096)
    line = data.decode("utf-8", "replace").split("\n", 1)[0].rstrip("\r")
    if not line:
        raise PasswordUnavailable(f"sync: password_file {shown} is empty")
    return Secret(line)
