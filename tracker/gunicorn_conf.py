"""gunicorn settings, for `make run` and production: `gunicorn -c python:tracker.gunicorn_conf wsgi:app`.

Threaded workers (gthread): a sync worker is held by one connection from its first byte to its last, so two
clients that open a connection and send half a request stall two sync workers until `timeout` kills them (30 s,
observed). A gthread worker's main loop keeps accepting, and a connection that sends nothing for a few seconds
goes back to the poller; one that trickles its headers holds one of the worker's threads until it is done. 2
workers × 8 threads let 16 trickling clients time out 2 of 11 real requests (observed, issue 19), so each worker
has 32 threads: 64 slow clients before a real request waits, and a thread waiting on a socket costs a little
memory, no CPU. In production a buffering proxy in front (nginx, see README) reads whole requests before they
reach gunicorn, so no client is slow to gunicorn; `make run` says so where it prints its address.

Binds to loopback (the proxy is in front), logs every request to stdout, and hides gunicorn's version banner:
the `Server` header says only "-". Each setting can be overridden from the environment (TRACKER_BIND,
TRACKER_WORKERS, TRACKER_THREADS, TRACKER_TIMEOUT).

Live pages (issue 22) hold one long response per open browser tab: a stream thread waiting on a condition variable
for the worker's one listener (tracker/live_hub.py), with no database connection. Each worker therefore has
TRACKER_LIVE_STREAMS more threads than TRACKER_THREADS, the number of streams it accepts (the app refuses more,
asking the browser to retry later), so open streams never take the threads real requests are served by. Chosen
over a separate ASGI server beside gunicorn: no second server, process or dependency to install offline, the
same session and permission code, and a waiting stream costs about 0.1 MB of resident memory and no CPU
(bench/README.md: 200 open streams held while a unit moves cards, measured). gunicorn does not spread connections
evenly over its workers, so TRACKER_LIVE_STREAMS is best set to all the tabs expected, not divided by workers.
"""
import os
import signal
from typing import Any

import gunicorn

# Read when gunicorn.http.wsgi is imported, which happens after this file is loaded.
gunicorn.SERVER = "-"  # type: ignore[misc]  # the stubs call it Final: replacing it is the point
bind = os.environ.get("TRACKER_BIND", "127.0.0.1:5000")
worker_class = "gthread"
workers = int(os.environ.get("TRACKER_WORKERS", "2"))
threads = int(os.environ.get("TRACKER_THREADS", "32")) + int(os.environ.get("TRACKER_LIVE_STREAMS", "100"))
timeout = int(os.environ.get("TRACKER_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = "-"
# The app is imported once in the master and the workers are forked from it: start-up costs one import, not one
# per worker. create_app opens no connection and starts no thread, so nothing unsafe is shared by the fork.
preload_app = True


def when_ready(server: object) -> None:
    """Where `make run` serves, and what production puts in front of it."""
    print(f"督办看板已启动:http://{bind}/ (Ctrl-C 停止)。生产环境请置于 README 所述的反向代理(nginx)之后,"
          f"由它缓冲慢速客户端;直接对外提供服务时,少数慢速连接即可占满 {workers}×{threads} 个处理线程。", flush=True)


def post_worker_init(worker: Any) -> None:
    """A worker told to stop (SIGTERM: a restart, a deploy) first ends its open live streams, which would
    otherwise hold it for the whole graceful_timeout; the browsers reconnect to the next worker by themselves."""
    from tracker import live_hub

    stop = signal.getsignal(signal.SIGTERM)

    def end_streams_then_stop(signum: int, frame: Any) -> None:
        live_hub.close_all()
        if callable(stop):
            stop(signum, frame)

    signal.signal(signal.SIGTERM, end_streams_then_stop)
