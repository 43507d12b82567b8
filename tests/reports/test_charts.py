"""SVG charts: valid XML, accessible, labelled in Swedish, escaped, and fine with no data."""

import xml.etree.ElementTree as ET

import pytest

from journey.reports import charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & Bäckby'
NBSP_PCT = "\u00a0%"


def _parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))  # noqa: S314  (our own output, not untrusted input)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def _texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_outcome_chart_labels_counts_shares_and_group_colours(db):
    counts = {"leavers": 8, "job_unsubsidized": 5, "studies_regular": 2, "neutral": 1}
    labels = {"job_unsubsidized": "Arbete utan stöd", "studies_regular": "Ordinarie utbildning",
              "neutral": "Annan känd orsak"}
    groups = {"job_unsubsidized": "job", "studies_regular": "studies", "neutral": "other"}
    root = _parse(charts.outcome_chart(counts, labels, groups))
    texts = _texts(root)
    assert "Arbete utan stöd" in texts
    assert f"5 (62{NBSP_PCT})" in texts  # Swedish percent (Babel rounds half to even)
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert {charts.GROUP_COLOURS["job"], charts.GROUP_COLOURS["studies"],
            charts.GROUP_COLOURS["other"]} <= fills
    assert root.find(f"{SVG}title").text == "Avslutade efter utfall"
    assert "Arbete utan stöd: 5" in root.find(f"{SVG}desc").text


def test_rate_chart_draws_intervals_and_suppressed_rows(db):
    rows = [
        {"key": "Kvinna", "rate": 0.617, "ci_low": 0.5, "ci_high": 0.72, "denominator": 1234},
        {"key": "Icke-binär", "rate": None, "suppressed": True},
        {"key": "Okänt", "rate": None},
    ]
    markup = charts.rate_chart(rows, title="Arbete eller studier")
    root = _parse(markup)
    texts = _texts(root)
    assert f"62{NBSP_PCT} (n = 1\u00a0234)" in texts
    assert "<5" in texts  # the suppressed row says so in words, not only by its hatching
    assert "inga avslutade" in texts
    assert "url(#" in str(markup) and root.find(f"{SVG}defs/{SVG}pattern") is not None
    # The whisker spans the interval: three lines in a group.
    assert len(root.findall(f".//{SVG}g[@class='ci']/{SVG}line")) == 3
    assert f"0{NBSP_PCT}" in texts and f"100{NBSP_PCT}" in texts  # axis
    assert "Icke-binär: <5" in root.find(f"{SVG}desc").text


def test_cumulative_chart_with_target_line(db):
    points = [{"month": m, "share": min(0.6, 0.05 * m)} for m in range(1, 25)]
    root = _parse(charts.cumulative_chart(points, target=0.5))
    texts = _texts(root)
    assert f"Mål 50{NBSP_PCT}" in texts
    assert f"60{NBSP_PCT}" in texts  # the last value is labelled
    assert "Månader efter inskrivning" in texts
    assert root.find(f".//{SVG}path") is not None
    assert any(line.get("stroke-dasharray") for line in root.iter(f"{SVG}line"))
    assert f"månad 12: 60{NBSP_PCT}" in root.find(f"{SVG}desc").text


def test_funnel_chart_reached_and_done(db):
    steps = [{"position": 1, "name": "Profilanalys", "kind": "profile_analysis",
              "reached": 12, "done": 10},
             {"position": 2, "name": "Praktik", "kind": "internship", "reached": 7, "done": 0}]
    root = _parse(charts.funnel_chart(steps, enrolled=12))
    texts = _texts(root)
    assert "1. Profilanalys" in texts and "12 påbörjade" in texts and "10 klara" in texts
    assert "0 klara" in texts
    assert "2. Praktik: 7 påbörjade, 0 klara" in root.find(f"{SVG}desc").text


def test_diverging_chart_signs_and_decimal_comma(db):
    rows = [{"area": "Språk", "n": 12, "mean_change": 2.25, "improved_share": 0.5},
            {"area": "Hälsa", "n": 12, "mean_change": -0.4, "improved_share": 0.0},
            {"area": "Motivation", "n": 0, "mean_change": None, "improved_share": None}]
    root = _parse(charts.diverging_chart(rows))
    texts = _texts(root)
    assert "+2,2" in texts or "+2,3" in texts
    assert any(t.endswith("0,4") and not t.startswith("+") for t in texts)
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    assert charts.POSITIVE in fills and charts.NEGATIVE in fills
    assert "Motivation" not in texts  # no mean: no bar


def test_hostile_labels_are_escaped(db):
    markups = [
        charts.rate_chart([{"key": HOSTILE, "rate": 0.5, "denominator": 10}], title=HOSTILE),
        charts.funnel_chart([{"position": 1, "name": HOSTILE, "kind": "other",
                              "reached": 1, "done": 1}], title=HOSTILE),
        charts.diverging_chart([{"area": HOSTILE, "n": 3, "mean_change": 1.0,
                                 "improved_share": 0.3}], title=HOSTILE),
        charts.cumulative_chart([{"month": 1, "share": 0.1}], title=HOSTILE),
        charts.outcome_chart({"leavers": 1, "x": 1}, {"x": HOSTILE}, {"x": "job"}, title=HOSTILE),
    ]
    for markup in markups:
        assert "<script" not in str(markup)
        root = _parse(markup)  # still well-formed XML
        assert root.find(f"{SVG}title").text == HOSTILE
        assert not list(root.iter(f"{SVG}script"))


@pytest.mark.parametrize("render", [
    lambda: charts.rate_chart([], title="Tomt"),
    lambda: charts.hbar_chart([], title="Tomt"),
    lambda: charts.cumulative_chart([]),
    lambda: charts.cumulative_chart([{"month": 1, "share": None}], target=0.5),
    lambda: charts.funnel_chart([]),
    lambda: charts.diverging_chart([]),
    lambda: charts.outcome_chart({"leavers": 0}, {"job_unsubsidized": "Arbete"}, {}),
])
def test_empty_data_gives_a_valid_chart_with_a_message(db, render):
    root = _parse(render())
    texts = _texts(root)
    assert len(texts) == 2 and texts[1].endswith(".")
    assert texts[0] == root.find(f"{SVG}title").text  # the visible caption
    assert root.find(f"{SVG}desc").text == texts[1]


def test_charts_are_deterministic(db):
    rows = [{"key": "A", "rate": 0.3, "denominator": 10}]
    assert charts.rate_chart(rows, title="T") == charts.rate_chart(rows, title="T")
    # Different charts on one page never share pattern ids.
    other = charts.rate_chart([{"key": "B", "rate": 0.3}], title="T")
    assert str(other).split('id="')[1] != str(charts.rate_chart(rows, title="T")).split('id="')[1]


def test_rate_chart_marks_the_target(db):
    root = _parse(charts.rate_chart([{"key": "A", "rate": 0.62, "denominator": 50}],
                                    title="Andelar", target=0.5))
    assert f"Mål 50{NBSP_PCT}" in _texts(root)
    assert any(line.get("stroke-dasharray") for line in root.iter(f"{SVG}line"))
    assert f"Mål 50{NBSP_PCT}" in root.find(f"{SVG}desc").text
