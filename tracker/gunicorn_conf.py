"""gunicorn settings, for `make run` and production: `gunicorn -c python:tracker.gunicorn_conf wsgi:app`.

Threaded workers (gthread): a sync worker is held by one connection from its first byte to its last, so two
clients that open a connection and send half a request stall two sync workers until `timeout` kills them (30 s,
observed). A gthread worker's main loop keeps accepting, and a connection that sends nothing for a few seconds
goes back to the poller; one that trickles its headers holds only one of the worker's threads. In production a
buffering proxy in front (nginx, see README) reads whole requests before they reach gunicorn.

Binds to loopback (the proxy is in front), logs every request to stdout, and hides gunicorn's version banner:
the `Server` header says only "-". Each setting can be overridden from the environment (TRACKER_BIND,
TRACKER_WORKERS, TRACKER_THREADS, TRACKER_TIMEOUT).
"""
import os

import gunicorn

gunicorn.SERVER = "-"  # read when gunicorn.http.wsgi is imported, which happens after this file is loaded
bind = os.environ.get("TRACKER_BIND", "127.0.0.1:5000")
worker_class = "gthread"
workers = int(os.environ.get("TRACKER_WORKERS", "2"))
threads = int(os.environ.get("TRACKER_THREADS", "8"))
timeout = int(os.environ.get("TRACKER_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = "-"
# The app is imported once in the master and the workers are forked from it: start-up costs one import, not one
# per worker. create_app opens no connection and starts no thread, so nothing unsafe is shared by the fork.
preload_app = True
