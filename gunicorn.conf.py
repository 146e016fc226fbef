"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py``.

Processes: a request is short, mostly CPU in Python (the ORM, a template) with waits on
the database (its round trips, the commit's flush to disk). Two processes per core keep
each core busy while another process waits; more only add memory and switching. Measured
on the 2-core machine of ``bench/README.md`` ("gunicorn settings"). A process serves one
request at a time (sync workers): nothing shares Python's lock, and its database pool
needs one connection. ``JOURNAL_THREADS`` > 1 switches to threads (gthread workers) for
deployments whose database is far away, where requests mostly wait.

The access log never holds query strings (search terms from private entries),
invitation codes or reset tokens: ``RedactingLogger`` redacts every field, and the
format below leaves out the query string and the referer altogether.
"""
import multiprocessing
import os

wsgi_app = "journal:create_app()"
bind = os.environ.get("JOURNAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("JOURNAL_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("JOURNAL_THREADS", "1"))
# Read by the app (journal/config.py) to size its PostgreSQL pool: a connection per thread.
os.environ["JOURNAL_THREADS"] = str(threads)
#: A request that takes this long is stuck: the worker is replaced.
timeout = 30
graceful_timeout = 20
#: Replace each worker after about this many requests, so slow leaks cannot grow.
max_requests = 10_000
max_requests_jitter = 1_000
accesslog = os.environ.get("JOURNAL_ACCESS_LOG", "-")
#: Address, time, method, path (no query), protocol, status, bytes, seconds.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'
logger_class = "journal.access_log.RedactingLogger"
