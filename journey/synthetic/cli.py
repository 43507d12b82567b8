"""A large synthetic data set for benchmarks (`flask journey seed-synthetic`)."""

import os

import click
from flask import current_app


@click.command("seed-synthetic")
@click.option("--participants", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Participants to create (one enrollment each).")
@click.option("--organizations", type=click.IntRange(min=1), default=1, show_default=True,
              help="Organisations to spread them over (the bench users are in the first).")
@click.option("--coaches", type=click.IntRange(min=1), default=None,
              help="Coaches in all [default: one per 400 participants, at least 2].")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="Seed of the random generator: the same seed gives the same data.")
@click.option("--password", envvar="JOURNEY_SYNTHETIC_PASSWORD", default=None,
              help="Password of every synthetic login (or JOURNEY_SYNTHETIC_PASSWORD) "
                   "[default: the demo password].")
@click.option("--append", is_flag=True, help="Add to a database that already has data.")
@click.option("--force", is_flag=True, help="Run even when JOURNEY_ENV is production.")
def seed_synthetic_command(participants, organizations, coaches, seed, password, append,
                           force) -> None:
    """Build a large synthetic data set with bulk inserts (for benchmarks)."""
    from journey.synthetic.seed import (
        DEFAULT_PASSWORD,
        SyntheticDataRefused,
        seed_synthetic,
    )

    if current_app.config.get("ENV_NAME") == "production" and not force:
        raise click.ClickException(
            "JOURNEY_ENV is production: synthetic data does not belong in a live database. "
            "Use --force if this really is a benchmark database. Nothing was changed.")
    click.echo(f"Seeding {participants:,} synthetic participants "
               f"(seed {seed}, {os.path.basename(str(_db_name()))}) ...")
    try:
        result = seed_synthetic(participants, organizations=organizations, coaches=coaches,
                                seed=seed, password=password or DEFAULT_PASSWORD,
                                append=append, echo=click.echo)
    except SyntheticDataRefused as exc:
        raise click.ClickException(str(exc)) from None
    for table, count in result.counts.items():
        click.echo(f"  {table:<18} {count:>10,}")
    click.echo(f"Done in {result.seconds:.1f} s.")
    if result.big_cohort_id is not None:
        click.echo(f"Big cohort (for the report benchmark): id {result.big_cohort_id}")
    click.echo(f"Bench coach:   {result.bench_coach_email} "
               f"({result.bench_coach_active} active enrollments; "
               f"first enrollment id {result.bench_enrollment_id})")
    click.echo(f"Bench manager: {result.bench_manager_email}")
    click.echo("Password: " + ("(from --password)" if password else "the demo password"))


def _db_name() -> str:
    from journey.extensions import db

    return db.engine.url.render_as_string(hide_password=True)
