"""What can go wrong in a sync, as types; each message is one line for the user.

Messages name the server by its host, never with a user name, a password or a token.
"""

from __future__ import annotations

from reader.base.errors import ReaderError


class SyncError(ReaderError):
    """A sync failed; ``str()`` is one line, starting ``sync:``."""

    def __init__(self, message: str) -> None:
        super().__init__(message if message.startswith("sync:") else f"sync: {message}")


class ConfigError(SyncError):
    """``[sync]`` in config.toml is missing something or holds a wrong value."""


class PasswordUnavailable(SyncError):
    """The password could not be had: the command failed, the file is unsafe or unreadable."""


class LoginRefused(SyncError):
    """The server refused the user name and password (or the API password)."""

    def __init__(self, host: str, detail: str = "") -> None:
        super().__init__(f"login refused by {host}{detail}")


class NotAnApi(SyncError):
    """The URL answers, but not as the API the configuration names."""


class ServerFailed(SyncError):
    """The server answered with an error, or with something that cannot be used."""


class Unreachable(ServerFailed):
    """The server could not be reached (refused, timed out, host not found): marks made
    meanwhile wait for the next sync."""


class NotSupported(SyncError):
    """The API has no call for this (Fever cannot add or remove subscriptions)."""


class PagingRunaway(ServerFailed):
    """The server kept paging past the cap, or handed back the same page twice."""
