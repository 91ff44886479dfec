"""The public's endpoints: health (and, with the feeds issue, the feeds themselves)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..errors import StoreError
from .context import services

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Return 200 when the process is up and the database answers, else 503."""
    try:
        services().store.ping()
    except StoreError as exc:
        return jsonify({"status": "unavailable", "database": str(exc)}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200
