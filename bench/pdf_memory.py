"""A worker's memory over many report PDFs: ``.venv/bin/python bench/pdf_memory.py``.

Renders the big cohort's report PDF again and again in one process (Flask test
client, signed in as the bench manager, on the cached data set of bench/run.py)
and prints the resident memory every ``--every`` PDFs. A worker's memory should
level off; a steady climb is memory the process never gets back.

By default each PDF is rendered in a child process, as the app does
(``PDF_RENDER_IN_CHILD``); ``--in-worker`` renders them in this process, as the
app did before. ``--new-fonts-each-time`` (with ``--in-worker``) gives every PDF a
font configuration of its own, as WeasyPrint does when it is given none (the
app's behaviour before journey.reports.pdf.font_configuration).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pages  # noqa: E402  (bench/pages.py: signing in through the test client)
import run as bench  # noqa: E402  (bench/run.py: data set, cache and settings)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(database_url: str, count: int, every: int, new_fonts: bool,
            in_worker: bool) -> None:
    os.environ.update(bench.app_env(database_url, env_name="production"))
    import sqlalchemy as sa

    from journey import create_app
    from journey.extensions import db
    from journey.reports import pdf

    if new_fonts:
        from weasyprint.text.fonts import FontConfiguration

        pdf.font_configuration = FontConfiguration

    app = create_app()
    app.config["SESSION_COOKIE_SECURE"] = False  # the test client speaks plain HTTP
    app.config["PDF_RENDER_IN_CHILD"] = not in_worker
    with app.app_context():
        cohort_id = db.session.execute(sa.text(
            "SELECT cohort_id FROM enrollment GROUP BY cohort_id "
            "ORDER BY COUNT(*) DESC, cohort_id LIMIT 1")).scalar_one()
    client = pages._client(app, bench.MANAGER)
    path = f"/cohorts/{cohort_id}/report.pdf"
    print(f"{path}, {count} PDFs, "
          f"{'in this process' if in_worker else 'each in a child process'}, "
          f"{'a new font configuration each' if new_fonts else 'the shared font configuration'}")
    for number in range(1, count + 1):
        with client.get(path) as response:
            if response.status_code != 200 or not response.data.startswith(b"%PDF-"):
                sys.exit(f"{path} answered {response.status_code}")
        if number == 1 or number % every == 0:
            gc.collect()
            print(f"{number:6d} PDFs  RSS {rss_mb():7.1f} MB", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    bench.add_data_set_arguments(parser)
    parser.add_argument("--count", type=bench.positive_int, default=100, help="PDFs to render")
    parser.add_argument("--every", type=bench.positive_int, default=10,
                        help="print the memory every this many PDFs")
    parser.add_argument("--in-worker", action="store_true",
                        help="render in this process, not in a child (the earlier behaviour)")
    parser.add_argument("--new-fonts-each-time", action="store_true",
                        help="a font configuration per PDF (the earlier behaviour)")
    args = parser.parse_args()
    if args.new_fonts_each_time and not args.in_worker:
        parser.error("--new-fonts-each-time needs --in-worker (a child's fonts die with it)")
    with bench.prepared_data_set(args, "journey-pdfmem-") as database:
        measure(database.url, args.count, args.every, args.new_fonts_each_time, args.in_worker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
