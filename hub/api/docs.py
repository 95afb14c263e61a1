"""The API's interactive docs at ``/docs``, served from the hub itself.

FastAPI's default page loads Swagger UI from a CDN, so on a machine without internet (a store
server, a locked-down data centre) ``/docs`` was blank. The Swagger UI files come from the
``swagger_ui_bundle`` package instead and are served under ``/docs/static``; ReDoc, which has
no such bundle, is not offered.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

__all__ = ["install_docs"]

_STATIC = "/docs/static"


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI for ``app`` at ``/docs`` with every asset from the hub."""
    app.mount(_STATIC, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API docs",
            swagger_js_url=f"{_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{_STATIC}/favicon-32x32.png",
        )
