"""The web page at ``/`` (plain HTML/CSS/JS in ``api/static/``, no build step, nothing loaded from elsewhere)
and the FastAPI ``/docs`` page served offline: the Swagger UI files come from the ``fastapi-offline`` package
(which ships them; its ``FastAPIOffline`` factory is not used, only its files) instead of a CDN."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse

STATIC = Path(__file__).parent / "static"
SWAGGER_URL = "/static/swagger"
DOCS_URL = "/docs"
OAUTH_URL = "/docs/oauth2-redirect"


def swagger_dir() -> Path:
    """The directory of ``swagger-ui-bundle.js`` and ``swagger-ui.css`` inside the installed fastapi-offline."""
    return Path(str(files("fastapi_offline") / "static"))


def install_web(app: FastAPI) -> None:
    """Add ``/`` (the page), ``/static/...`` (its files and Swagger UI's) and the offline ``/docs``.
    The app must be created with ``docs_url=None`` so that this ``/docs`` is the one served."""
    app.mount(SWAGGER_URL, StaticFiles(directory=swagger_dir()), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.get(DOCS_URL, include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} - API docs",
            oauth2_redirect_url=root + OAUTH_URL,
            swagger_js_url=f"{root}{SWAGGER_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{SWAGGER_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{SWAGGER_URL}/favicon.png",
            # no call to the online validator: the page works without the internet
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(OAUTH_URL, include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
