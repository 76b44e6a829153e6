"""``create_app``: the FastAPI application ``seawall serve`` runs."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from seawall.api import console, rest, taxii
from seawall.api.state import Console
from seawall.config import Settings
from seawall.service.filter import Address
from seawall.store.database import Database

Handler = Callable[[Request], Awaitable[Response]]
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""No script of any origin, inline or not; no frame; no image from elsewhere: a subject or a
file name that smuggles markup past the escaping still cannot run or fetch anything."""


def create_app(settings: Settings, reinject_to: Address | None = None) -> FastAPI:
    """The REST API, the TAXII 2.1 server and the console over the store ``settings`` name."""
    state = Console(
        settings,
        Database.from_settings(settings),
        reinject_to or Address("127.0.0.1", 10026),
        secrets.token_urlsafe(32),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.database.close()

    # the OpenAPI description is served (/openapi.json); FastAPI's /docs pages are not: they load
    # their scripts from a CDN, and nothing here fetches from the network
    app = FastAPI(
        title="Seawall",
        summary="Phishing verdicts, campaigns and threat intelligence",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.console = state

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Handler) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    app.include_router(rest.router)
    app.include_router(taxii.router)
    app.include_router(console.router)
    static = resources.files("seawall.api").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
