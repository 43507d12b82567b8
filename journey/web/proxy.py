"""Behind a reverse proxy: trust its X-Forwarded-* headers, and only as many as it sets.

``JOURNEY_PROXY_HOPS`` (or ``PROXY_HOPS`` in the config) is the number of proxies in
front of the app that append to X-Forwarded-For/-Proto/-Host (usually 1: nginx or a
load balancer). With 0 (the default) the headers are ignored: a client could write
them itself, and the audit trail and login throttling would record a forged address.
"""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = app.config.get("PROXY_HOPS")
    if hops is None:
        hops = os.environ.get("JOURNEY_PROXY_HOPS", "0")
    try:
        hops = int(hops)
    except ValueError as exc:
        raise ValueError("JOURNEY_PROXY_HOPS must be a whole number (0 = no proxy)") from exc
    app.config["PROXY_HOPS"] = hops
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)
