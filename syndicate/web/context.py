"""Access to the process's services from inside a request."""

from __future__ import annotations

from typing import cast

from flask import current_app

from ..services import EXTENSION_KEY, Services


def services() -> Services:
    """Return the services wired into the current app."""
    return cast(Services, current_app.extensions[EXTENSION_KEY])
