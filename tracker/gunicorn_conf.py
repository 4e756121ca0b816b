"""gunicorn settings for production: `gunicorn -c python:tracker.gunicorn_conf wsgi:app`.

Hides gunicorn's version banner (the Server header) and binds to loopback behind a TLS proxy by default.
"""
import os

import gunicorn

gunicorn.SERVER = "-"
bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TRACKER_WORKERS", "2"))
accesslog = "-"
