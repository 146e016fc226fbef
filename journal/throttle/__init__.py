"""Rate limits shared by every process: Redis when configured, the app's database otherwise.

Flask-Limiter (``journal.extensions.limiter``) throttles whole requests, such as
registrations per client; ``journal.auth.throttle`` uses the same storage for log-in
attempts per account and per client.
"""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from journal.throttle.storage import SCHEME


def init_app(app: Flask) -> None:
    from journal.extensions import limiter

    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or f"{SCHEME}://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "journal")
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        # Behind N reverse proxies the client is N hops back in X-Forwarded-For; without
        # this every request would look like it came from the proxy, one shared budget.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    limiter.init_app(app)
