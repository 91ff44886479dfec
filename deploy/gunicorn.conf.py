"""gunicorn settings for syndicate's web tier: ``gunicorn -c deploy/gunicorn.conf.py``.

Threaded workers with keep-alive: partners poll feeds over persistent connections, and a
sync worker would close every connection after one answer. Put nginx in front (deploy/nginx.conf)
so the feed files themselves never reach Python. (No SYNDICATE_* variables here: the service
rejects unknown ones at start.)
"""

import multiprocessing

wsgi_app = "syndicate.wsgi:app"
bind = "127.0.0.1:8000"  # command-line options win: `--bind`, `--workers`
workers = multiprocessing.cpu_count() * 2
worker_class = "gthread"
threads = 4
keepalive = 15
timeout = 60
graceful_timeout = 30
max_requests = 20000  # recycle workers now and then; jitter keeps them from all going at once
max_requests_jitter = 2000
