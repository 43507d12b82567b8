"""Server-rendered SVG charts for the cohort report (the page and the PDF use the same SVG).

Every function is pure: plain data in, a ``Markup`` string of one ``<svg>`` out.
Every text is escaped here, so labels from the database (district names,
programme step names) cannot inject markup. Charts are accessible images:
``role="img"`` with a ``<title>`` and a ``<desc>`` that summarises the data in
words, and every bar carries its value as text so nothing relies on colour.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from journey.i18n import format_number, format_percent_share
from journey.i18n import gettext as _

# Colours chosen for at least 4.5:1 contrast against white (they also carry
# white text inside the bars) and told apart by more than hue: labels say what
# each bar is.
GROUP_COLOURS = {"job": "#1d6b45", "studies": "#2a5aa0", "other": "#5f6368"}
ACCENT = "#2a5aa0"
TEXT = "#1a1a1a"
MUTED = "#5f6368"
GRID = "#d0d4d9"
POSITIVE = "#1d6b45"
NEGATIVE = "#a3352b"
FONT = "DejaVu Sans, Verdana, sans-serif"
SUPPRESSED_LABEL = "<5"

WIDTH = 640
LABEL_W = 210
VALUE_W = 120
ROW_H = 30
BAR_H = 18
PAD_TOP = 12


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart.

    ``value`` is the bar length on the chart's scale; ``None`` means the value
    is suppressed (drawn as an empty hatched bar labelled "<5") or missing.
    """

    label: str
    value: float | None
    text: str = ""
    colour: str = ACCENT
    low: float | None = None
    high: float | None = None
    suppressed: bool = False


def pct(share: float | None) -> str:
    return format_percent_share(share)


def pct_range(low: float | None, high: float | None) -> str:
    """An interval as '34–75 %' (one unit, and no line break inside)."""
    if low is None or high is None:
        return "–"
    return f"{format_number(low * 100)}\u2013{pct(high)}"


def num(value) -> str:
    if value is None:
        return "–"
    return format_number(value, 1)  # Babel's "#,##0.#"


def _uid(*parts) -> str:
    # Deterministic ids: the same chart renders the same bytes (and a page with
    # several charts never shares a pattern id between them).
    return "c" + hashlib.blake2s(repr(parts).encode(), digest_size=4).hexdigest()


def _attrs(**attrs) -> str:
    out = []
    for key, value in attrs.items():
        if value is None:
            continue
        out.append(f'{key.rstrip("_").replace("_", "-")}="{escape(str(value))}"')
    return " ".join(out)


CAPTION_H = 28


def _svg(uid: str, height: float, title: str, desc: str, body: list[str],
         defs: str = "", width: int = WIDTH) -> Markup:
    # The title is also drawn as a visible caption, so the chart reads the same
    # in the page, in the PDF and when copied out on its own.
    height += CAPTION_H
    caption = _text(0, 17, title, font_size="15", font_weight="bold", fill=TEXT)
    body = [caption, f'<g transform="translate(0 {CAPTION_H})">', *body, "</g>"]
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height:g}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="{escape(FONT)}" font-size="13">'
        f'<title id="{uid}-t">{escape(title)}</title>'
        f'<desc id="{uid}-d">{escape(desc)}</desc>'
    )
    # Safe: every text and attribute value above went through escape().
    svg = head + (f"<defs>{defs}</defs>" if defs else "") + "".join(body) + "</svg>"
    return Markup(svg)  # noqa: S704  # nosec B704 # every value above went through escape()


def _text(x, y, content, **attrs) -> str:
    attrs.setdefault("fill", TEXT)
    return f"<text {_attrs(x=f'{x:g}', y=f'{y:g}', **attrs)}>{escape(content)}</text>"


def _empty(uid: str, title: str, message: str) -> Markup:
    body = [_text(WIDTH / 2, 34, message, text_anchor="middle", fill=MUTED)]
    return _svg(uid, 56, title, message, body)


def _hatch(uid: str) -> str:
    return (
        f'<pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{MUTED}" stroke-width="2"/></pattern>'
    )


def hbar_chart(bars: Sequence[Bar], *, title: str, desc: str = "", scale_max: float | None = None,
               axis_format=None, marker: tuple[float, str] | None = None) -> Markup:
    """Horizontal bars with value labels, optional interval whiskers and suppressed rows.

    :param marker: ``(value, label)`` of a dashed reference line, e.g. a target.
    """
    uid = _uid("hbar", title, tuple(bars), marker)
    if not bars:
        return _empty(uid, title, _("No data yet."))
    values = [b.value for b in bars if b.value is not None]
    values += [b.high for b in bars if b.high is not None]
    top = scale_max if scale_max is not None else max(values + [0])
    top = top or 1
    plot_w = WIDTH - LABEL_W - VALUE_W
    pad_top = PAD_TOP + (18 if marker else 0)
    height = pad_top + ROW_H * len(bars) + (24 if axis_format else 8)

    def x_of(v: float) -> float:
        return LABEL_W + plot_w * max(0.0, min(v, top)) / top

    body = []
    if axis_format:
        for i in range(5):
            v = top * i / 4
            x = x_of(v)
            body.append(f'<line x1="{x:g}" y1="{pad_top - 4}" x2="{x:g}" '
                        f'y2="{height - 20:g}" stroke="{GRID}" stroke-width="1"/>')
            body.append(_text(x, height - 6, axis_format(v), text_anchor="middle",
                              fill=MUTED, font_size="11"))
    # Drawn before the bars, so bars and their labels sit on top of it.
    if marker is not None:
        mx = x_of(marker[0])
        body.append(f'<line x1="{mx:g}" y1="{pad_top - 6:g}" x2="{mx:g}" y2="{height - 20:g}" '
                    f'stroke="{NEGATIVE}" stroke-width="1.5" stroke-dasharray="5 3"/>')
        body.append(_text(mx, pad_top - 9, marker[1], text_anchor="middle", fill=NEGATIVE,
                          font_size="12"))
    for i, bar in enumerate(bars):
        y = pad_top + i * ROW_H
        mid = y + ROW_H / 2
        body.append(_text(LABEL_W - 8, mid + 4, bar.label, text_anchor="end"))
        if bar.suppressed:
            body.append(f'<rect x="{LABEL_W}" y="{mid - BAR_H / 2:g}" width="{plot_w * 0.08:g}" '
                        f'height="{BAR_H}" fill="url(#{uid}-hatch)" stroke="{MUTED}"/>')
            body.append(_text(LABEL_W + plot_w * 0.08 + 6, mid + 4, SUPPRESSED_LABEL,
                              fill=MUTED))
            continue
        if bar.value is None:
            body.append(_text(LABEL_W + 6, mid + 4, bar.text or "–", fill=MUTED))
            continue
        w = x_of(bar.value) - LABEL_W
        body.append(f'<rect x="{LABEL_W}" y="{mid - BAR_H / 2:g}" width="{w:g}" '
                    f'height="{BAR_H}" fill="{escape(bar.colour)}" rx="2"/>')
        end = x_of(bar.value)
        if bar.low is not None and bar.high is not None:
            lo, hi = x_of(bar.low), x_of(bar.high)
            end = max(end, hi)
            body.append(f'<g class="ci" stroke="{TEXT}" stroke-width="1.5">'
                        f'<line x1="{lo:g}" y1="{mid:g}" x2="{hi:g}" y2="{mid:g}"/>'
                        f'<line x1="{lo:g}" y1="{mid - 6:g}" x2="{lo:g}" y2="{mid + 6:g}"/>'
                        f'<line x1="{hi:g}" y1="{mid - 6:g}" x2="{hi:g}" y2="{mid + 6:g}"/></g>')
        body.append(_text(end + 6, mid + 4, bar.text or num(bar.value), font_weight="bold"))
    summary = desc or "; ".join(
        f"{b.label}: {SUPPRESSED_LABEL if b.suppressed else (b.text or num(b.value))}"
        for b in bars
    )
    return _svg(uid, height, title, summary, body, defs=_hatch(uid))


def outcome_chart(counts: dict, outcome_labels: dict[str, str], group_labels: dict[str, str],
                  *, title: str | None = None) -> Markup:
    """Leavers per exit outcome, coloured (and labelled) by group job/studies/other.

    :param counts: the report JSON ``counts`` object.
    :param outcome_labels: JSON count key -> display label, in the order to draw.
    :param group_labels: outcome count key -> group code (``job``/``studies``/``other``).
    """
    title = title or _("Leavers by outcome")
    leavers = counts.get("leavers") or 0
    bars = []
    for key, text in outcome_labels.items():
        n = counts.get(key) or 0
        group = group_labels.get(key, "other")
        share = f" ({pct(n / leavers)})" if leavers else ""
        bars.append(Bar(label=text, value=n, text=f"{num(n)}{share}",
                        colour=GROUP_COLOURS.get(group, ACCENT)))
    if not leavers:
        return _empty(_uid("outcomes", title), title, _("No leavers yet."))
    return hbar_chart(bars, title=title)


def rate_chart(rows: Sequence[dict], *, title: str, label_of=str,
               target: float | None = None) -> Markup:
    """Rates (0–1) per row with 95 % interval whiskers; suppressed rows drawn as "<5".

    Rows have ``key``, ``rate`` and optionally ``ci_low``, ``ci_high``,
    ``denominator``/``leavers`` and ``suppressed``.
    """
    bars = []
    for row in rows:
        n = row.get("denominator", row.get("leavers"))
        label = label_of(row.get("key"))
        if row.get("suppressed") and row.get("rate") is None:
            bars.append(Bar(label=label, value=None, suppressed=True))
            continue
        rate = row.get("rate")
        if rate is None:
            bars.append(Bar(label=label, value=None, text=_("no leavers")))
            continue
        text = pct(rate) + (f" (n = {num(n)})" if n is not None else "")
        bars.append(Bar(label=label, value=rate, text=text, low=row.get("ci_low"),
                        high=row.get("ci_high")))
    marker = (target, _("Target %(share)s", share=pct(target))) if target is not None else None
    summary = "; ".join(
        f"{b.label}: {SUPPRESSED_LABEL if b.suppressed else (b.text or num(b.value))}"
        for b in bars)
    if marker:
        summary += "; " + marker[1]
    return hbar_chart(bars, title=title, desc=summary, scale_max=1.0, axis_format=pct,
                      marker=marker)


def cumulative_chart(points: Sequence[dict], *, target: float | None = None,
                     title: str | None = None) -> Markup:
    """Step chart of the cumulative job-or-studies share by month since enrollment (1–24)."""
    title = title or _("Share in job or studies by month since enrollment")
    uid = _uid("cum", title, tuple((p.get("month"), p.get("share")) for p in points), target)
    pts = sorted((int(p["month"]), p["share"]) for p in points if p.get("share") is not None)
    if not pts:
        return _empty(uid, title, _("No data yet."))
    left, right, top, bottom = 56, 24, 16, 40
    height = 260
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    months = max(24, pts[-1][0])
    y_max = max([s for _m, s in pts] + [target or 0, 0.1])
    y_max = min(1.0, (int(y_max * 10) + 1) / 10)

    def x_of(month: float) -> float:
        return left + plot_w * month / months

    def y_of(share: float) -> float:
        return top + plot_h * (1 - share / y_max)

    body = []
    for i in range(5):
        s = y_max * i / 4
        y = y_of(s)
        body.append(f'<line x1="{left}" y1="{y:g}" x2="{WIDTH - right}" y2="{y:g}" '
                    f'stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, pct(s), text_anchor="end", fill=MUTED,
                          font_size="11"))
    for m in range(0, months + 1, 3):
        body.append(_text(x_of(m), height - bottom + 16, str(m), text_anchor="middle",
                          fill=MUTED, font_size="11"))
    body.append(_text(left + plot_w / 2, height - 6, _("Months since enrollment"),
                      text_anchor="middle", fill=MUTED, font_size="11"))
    # A step function: the share holds until the end of the next month.
    d = [f"M{x_of(0):g},{y_of(0):g}"]
    prev = 0.0
    for month, share in pts:
        d.append(f"H{x_of(month - 1):g}" if month > 1 else "")
        d.append(f"V{y_of(prev):g}H{x_of(month):g}V{y_of(share):g}")
        prev = share
    d.append(f"H{x_of(months):g}")
    body.append(f'<path d="{"".join(d)}" fill="none" stroke="{ACCENT}" stroke-width="2.5"/>')
    last_m, last_s = pts[-1]
    body.append(_text(min(x_of(last_m), WIDTH - right - 4), y_of(last_s) - 8, pct(last_s),
                      text_anchor="end", font_weight="bold"))
    if target is not None:
        ty = y_of(min(target, y_max))
        body.append(f'<line x1="{left}" y1="{ty:g}" x2="{WIDTH - right}" y2="{ty:g}" '
                    f'stroke="{NEGATIVE}" stroke-width="1.5" stroke-dasharray="6 4"/>')
        body.append(_text(left + 6, ty - 6, _("Target %(share)s", share=pct(target)),
                          fill=NEGATIVE, font_size="12"))
    by_month = dict(pts)
    marks = [m for m in (6, 12, 24) if m in by_month]
    desc = "; ".join(_("month %(month)s: %(share)s", month=m, share=pct(by_month[m]))
                     for m in marks) or f"{last_m}: {pct(last_s)}"
    if target is not None:
        desc += "; " + _("Target %(share)s", share=pct(target))
    return _svg(uid, height, title, desc, body)


def funnel_chart(steps: Sequence[dict], *, enrolled: int | None = None,
                 title: str | None = None) -> Markup:
    """Per programme step: enrollments that reached it and that finished it."""
    title = title or _("Programme steps: reached and done")
    uid = _uid("funnel", title, tuple(tuple(sorted(s.items())) for s in steps), enrolled)
    if not steps:
        return _empty(uid, title, _("No step data yet."))
    top = max([enrolled or 0] + [s.get("reached") or 0 for s in steps]) or 1
    plot_w = WIDTH - LABEL_W - VALUE_W
    row_h = 40
    legend_h = 26
    height = legend_h + row_h * len(steps) + 6
    body = [
        f'<rect x="{LABEL_W}" y="6" width="14" height="10" fill="#b9cbe6"/>',
        _text(LABEL_W + 20, 15, _("Reached"), font_size="11"),
        f'<rect x="{LABEL_W + 110}" y="6" width="14" height="10" fill="{ACCENT}"/>',
        _text(LABEL_W + 130, 15, _("Done"), font_size="11"),
    ]
    parts = []
    for i, step in enumerate(steps):
        y = legend_h + i * row_h
        reached, done = step.get("reached") or 0, step.get("done") or 0
        name = f'{step.get("position")}. {step.get("name")}'
        body.append(_text(LABEL_W - 8, y + 20, name, text_anchor="end"))
        body.append(f'<rect x="{LABEL_W}" y="{y + 4}" width="{plot_w * reached / top:g}" '
                    f'height="14" fill="#b9cbe6"/>')
        body.append(f'<rect x="{LABEL_W}" y="{y + 20}" width="{plot_w * done / top:g}" '
                    f'height="14" fill="{ACCENT}"/>')
        body.append(_text(LABEL_W + plot_w * reached / top + 6, y + 15,
                          _("%(n)s reached", n=num(reached)), font_size="11"))
        body.append(_text(LABEL_W + plot_w * done / top + 6, y + 31,
                          _("%(n)s done", n=num(done)), font_size="11", font_weight="bold"))
        parts.append(_("%(step)s: %(reached)s reached, %(done)s done",
                       step=name, reached=num(reached), done=num(done)))
    return _svg(uid, height, title, "; ".join(parts), body)


def diverging_chart(rows: Sequence[dict], *, label_of=str, title: str | None = None) -> Markup:
    """Mean change in self-assessed score per area, bars left (worse) or right (better) of 0."""
    title = title or _("Distance travelled: mean change per area")
    uid = _uid("div", title, tuple(tuple(sorted(r.items())) for r in rows))
    usable = [r for r in rows if r.get("mean_change") is not None]
    if not usable:
        return _empty(uid, title, _("No participant has two assessments yet."))
    span = max([abs(r["mean_change"]) for r in usable] + [1.0])
    span = float(int(span) + 1)
    plot_w = WIDTH - LABEL_W - 60
    zero = LABEL_W + plot_w / 2
    height = PAD_TOP + ROW_H * len(usable) + 24
    body = [f'<line x1="{zero:g}" y1="{PAD_TOP - 4}" x2="{zero:g}" y2="{height - 20:g}" '
            f'stroke="{TEXT}" stroke-width="1"/>']
    for v in (-span, 0, span):
        label = ("+" if v > 0 else "") + num(v)
        body.append(_text(zero + plot_w / 2 * v / span, height - 6, label,
                          text_anchor="middle", fill=MUTED, font_size="11"))
    parts = []
    for i, row in enumerate(usable):
        y = PAD_TOP + i * ROW_H
        mid = y + ROW_H / 2
        change = row["mean_change"]
        w = plot_w / 2 * abs(change) / span
        x = zero if change >= 0 else zero - w
        colour = POSITIVE if change >= 0 else NEGATIVE
        label = label_of(row.get("area"))
        body.append(_text(LABEL_W - 8, mid + 4, label, text_anchor="end"))
        body.append(f'<rect x="{x:g}" y="{mid - BAR_H / 2:g}" width="{w:g}" height="{BAR_H}" '
                    f'fill="{colour}"/>')
        value = ("+" if change > 0 else "") + num(round(change, 1))
        if change >= 0:
            body.append(_text(zero + w + 6, mid + 4, value, font_weight="bold"))
        else:
            body.append(_text(zero - w - 6, mid + 4, value, text_anchor="end",
                              font_weight="bold"))
        parts.append(f"{label}: {value} (n = {num(row.get('n'))})")
    return _svg(uid, height, title, "; ".join(parts), body)
