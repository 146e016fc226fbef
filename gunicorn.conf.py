"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py``.

The access log never holds query strings (search terms from private entries),
invitation codes or reset tokens: ``RedactingLogger`` redacts every field, and the
format below leaves out the query string and the referer altogether.
"""
import os

wsgi_app = "journal:create_app()"
bind = os.environ.get("JOURNAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("JOURNAL_WORKERS", "4"))
accesslog = os.environ.get("JOURNAL_ACCESS_LOG", "-")
#: Address, time, method, path (no query), protocol, status, bytes, seconds.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'
logger_class = "journal.access_log.RedactingLogger"
