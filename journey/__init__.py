"""Journey: follow-up of labour-market programmes."""

from flask import Flask

from journey.config import load_config


def create_app(config=None) -> Flask:
    """Application factory; ``config`` is a config class or a dict of overrides."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_web(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from journey import models  # noqa: F401  (metadata for Alembic)
    from journey.auth.session import init_login
    from journey.extensions import csrf, db, htmx, limiter, migrate
    from journey.i18n import init_babel

    db.init_app(app)
    migrate.init_app(
        app, db, render_as_batch=True, compare_type=True, directory=_migrations_dir(app)
    )
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    init_login(app)
    init_babel(app)
    with app.app_context():
        from journey.db_setup import configure_engine

        configure_engine(db.engine)


def register_blueprints(app: Flask) -> None:
    from journey.activities.views import bp as activities_bp
    from journey.admin.views import bp as admin_bp
    from journey.audit.views import bp as audit_bp
    from journey.auth.views import bp as auth_bp
    from journey.caseload.views import bp as caseload_bp
    from journey.cohorts.views import bp as cohorts_bp
    from journey.gdpr.views import bp as gdpr_bp
    from journey.imports.views import bp as imports_bp
    from journey.journeys.views import bp as journeys_bp
    from journey.outcomes.views import bp as outcomes_bp
    from journey.participants.views import bp as participants_bp
    from journey.portal.invite_views import bp as portal_invites_bp
    from journey.portal.my_data import bp as portal_data_bp
    from journey.portal.views import bp as portal_bp
    from journey.programs.views import bp as programs_bp
    from journey.reports.export_views import bp as report_exports_bp
    from journey.reports.pages import bp as report_pages_bp
    from journey.reports.program_pages import bp as program_reports_bp
    from journey.reports.views import bp as reports_bp
    from journey.web.views import bp as web_bp

    for bp in (
        web_bp, auth_bp, caseload_bp, participants_bp, journeys_bp, activities_bp,
        outcomes_bp, programs_bp, cohorts_bp, reports_bp, report_pages_bp,
        report_exports_bp, program_reports_bp, imports_bp, portal_bp, portal_invites_bp,
        portal_data_bp, admin_bp, audit_bp, gdpr_bp,
    ):
        app.register_blueprint(bp)


def register_web(app: Flask) -> None:
    from journey.web import errors, filters, htmx_helpers, layout, proxy, security

    errors.init_app(app)
    filters.init_app(app)
    layout.init_app(app)
    htmx_helpers.init_app(app)
    security.init_app(app)
    proxy.init_app(app)


def register_cli(app: Flask) -> None:
    from journey.cli import journey_cli

    app.cli.add_command(journey_cli)


def _migrations_dir(app: Flask) -> str:
    import os

    return os.path.join(os.path.dirname(app.root_path), "migrations")
