"""Access to the process's service from inside a request."""

from __future__ import annotations

from typing import cast

from flask import current_app

from ..service import EXTENSION_KEY, Service


def service() -> Service:
    """Return the service wired into the current app."""
    return cast(Service, current_app.extensions[EXTENSION_KEY])
