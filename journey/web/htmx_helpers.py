"""One endpoint serves both the full page and its htmx partial."""

from flask import Flask, render_template

from journey.extensions import htmx


def wants_partial() -> bool:
    """True for an htmx swap request; boosted and history-restore requests get pages."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_partial_or_page(page: str, partial: str, **context) -> str:
    return render_template(partial if wants_partial() else page, **context)


def init_app(app: Flask) -> None:
    @app.after_request
    def _vary_on_htmx(response):
        # Caches must not serve a partial for a full page or vice versa.
        response.vary.add("HX-Request")
        return response
