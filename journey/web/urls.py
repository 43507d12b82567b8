"""Links for long lists: one ``url_for`` per kind of link instead of one per row."""

from flask import url_for

# A number no real id in a URL will be confused with (url_for percent-encodes nothing
# in a plain integer, so it appears in the URL exactly as written).
_MARKER = 987_654_321_987_654_321


def url_pattern(endpoint: str, open_arg: str, **values) -> str:
    """``url_for(endpoint, **values)`` with the integer ``open_arg`` left open as ``%d``.

    ``url_pattern(e, "item_id", enrollment_id=1) % 7 == url_for(e, enrollment_id=1,
    item_id=7)``: a list builds its rows' links with one ``url_for`` per kind of link
    instead of one per row (each costs a route build).
    """
    url = url_for(endpoint, **values, **{open_arg: _MARKER})
    head, marker, tail = url.partition(str(_MARKER))
    if not marker or str(_MARKER) in tail:
        raise ValueError(f"{endpoint}: cannot leave {open_arg} open in {url}")
    return head.replace("%", "%%") + "%d" + tail.replace("%", "%%")
