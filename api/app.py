"""The FastAPI application: :func:`create_app` for in-process use and tests, :func:`app_from_env` as the
factory uvicorn imports in each worker process (settings come from ``NORMALIZER_API_*`` variables)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from normalizer import Normalizer, __version__

from .errors import install_error_handlers
from .lean import LEAN_PATHS, LeanRoutes
from .middleware import GuardMiddleware, Receive, Scope, Send
from .reconcile import FORM_PATHS, ReconcileCors
from .reconcile import router as reconcile_router
from .routes import router
from .state import SIGNAL_ENV, ApiState, NormalizerHolder, ReloadSignal, Settings
from .web import install_web

DESCRIPTION = """
Find the organisations, people, places and operations of the Syria / Iraq / Türkiye news beat in EN, TR, AR,
DE, FR, EL and RU text and resolve each mention to a canonical entity id.

* **Offsets** `start`/`end` are code-point offsets (Python `str` indexes) into the text you sent.
  JavaScript strings count UTF-16 code units: add `?offsets=utf16` to get `start_utf16`/`end_utf16` too.
* **Errors** are JSON `{"error": {"code", "message", "details"?}}` with a stable `code`: `body_too_large`,
  `too_many_items`, `text_too_long`, `invalid_json`, `invalid_utf8`, `unsupported_media_type`,
  `validation_error`, `not_found`, `method_not_allowed`, `reload_disabled`, `table_error`, `internal_error`.
* Every response carries the **`X-Table-Version`** header: the version of the tables that answered.
* Request bodies are JSON in UTF-8 (`Content-Type: application/json`); unknown fields are errors.
"""


class NormalizerAPI(FastAPI):
    """FastAPI, except that ``POST`` on a hot route goes straight to the lean handler (``api/lean.py``),
    which hands anything it does not take as it is back to the full app."""

    lean: LeanRoutes | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lean = self.lean
        if (
            lean is not None
            and scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] in LEAN_PATHS
        ):
            await lean(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(
    normalizer: Normalizer | None = None,
    *,
    tables: Sequence[str | Path] = (),
    bundled: bool = True,
    allow_reload: bool = False,
    max_body_bytes: int = 1_000_000,
    max_batch_items: int = 1000,
    max_text_chars: int = 200_000,
    lean: bool = True,
    inline_chars: int = 2_000,
    reload_signal: str | Path | None = None,
) -> FastAPI:
    """The API over ``normalizer`` (built from ``tables``/``bundled`` when not given).

    ``POST /admin/reload`` (only with ``allow_reload``) rebuilds from ``tables``/``bundled``.  ``reload_signal``
    is a file shared by several worker processes so that a reload in one is followed by the others.
    ``lean=False`` serves every route through FastAPI (the reference the lean handlers are tested against);
    ``inline_chars``: jobs up to this many characters are matched on the event loop, larger ones in a thread.
    """
    settings = Settings(
        tables=tuple(str(t) for t in tables),
        bundled=bundled,
        allow_reload=allow_reload,
        max_body_bytes=max_body_bytes,
        max_batch_items=max_batch_items,
        max_text_chars=max_text_chars,
        lean=lean,
        inline_chars=inline_chars,
    )
    loader = partial(Normalizer, list(settings.tables), bundled=bundled)
    if normalizer is None:
        normalizer = loader()
    signal = ReloadSignal(reload_signal) if reload_signal else None
    state = ApiState(settings, NormalizerHolder(normalizer, loader, signal))

    app = NormalizerAPI(
        title="normalizer", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None
    )
    app.state.api = state
    install_error_handlers(app)
    app.include_router(router)
    # issue 16: OpenRefine reconciliation (form bodies, CORS), the web page at / and the offline /docs
    app.include_router(reconcile_router)
    install_web(app)
    app.add_middleware(GuardMiddleware, state=state, form_paths=FORM_PATHS)
    app.add_middleware(ReconcileCors)
    if lean:
        app.lean = LeanRoutes(state, super(NormalizerAPI, app).__call__)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn api.app:app_from_env --factory`` (used by ``normalizer serve --workers N``)."""
    s = Settings.from_env()
    return create_app(
        tables=s.tables,
        bundled=s.bundled,
        allow_reload=s.allow_reload,
        max_body_bytes=s.max_body_bytes,
        max_batch_items=s.max_batch_items,
        max_text_chars=s.max_text_chars,
        lean=s.lean,
        inline_chars=s.inline_chars,
        reload_signal=os.environ.get(SIGNAL_ENV) or None,
    )
