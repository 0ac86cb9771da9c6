"""A visitor of the image gallery that writes an access log and counts its lines by hostname.
Scale it (docker compose up -d --scale accesslog=3): every replica adds traffic to the gallery and
is found by promlite through Docker's DNS (dns_sd_configs, type A)."""

import argparse
import random
import socket
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler

from demo_metrics import CONTENT_TYPE, Counter, Registry, respond, serve

HOSTNAME = socket.gethostname()
ACCESS_LOG = Counter("access_log_total", "Access log lines written, by the hostname that wrote them.",
                     ("hostname",))
REGISTRY = Registry(ACCESS_LOG)


def visit(target, interval):
    paths = ["/"] + [f"/image/{i}" for i in range(12)]
    while True:
        path = random.choice(paths)
        start = time.monotonic()
        try:
            with urllib.request.urlopen(target + path, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as e:
            status = e.code
        except (urllib.error.URLError, OSError):
            status = "-"  # the gallery is down or unreachable: logged, not fatal
        took_ms = (time.monotonic() - start) * 1000
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
        print(f'{HOSTNAME} - - [{stamp}] "GET {path} HTTP/1.1" {status} {took_ms:.0f}ms', flush=True)
        ACCESS_LOG.inc(HOSTNAME)
        time.sleep(interval)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/metrics":
            code, content_type, body = 200, CONTENT_TYPE, REGISTRY.expose()
        elif self.path == "/healthz":
            code, content_type, body = 200, "text/plain; charset=utf-8", "ok\n"
        else:
            code, content_type, body = 404, "text/plain; charset=utf-8", "not found\n"
        respond(self, code, content_type, body)

    def log_message(self, format, *args):
        pass  # scrapes are not accesses worth logging


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--target", default="http://image-gallery:8080", help="gallery base URL to visit")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between visits; 0 disables visiting")
    args = parser.parse_args()
    ACCESS_LOG.inc(HOSTNAME, amount=0)
    if args.interval > 0:
        threading.Thread(target=visit, args=(args.target.rstrip("/"), args.interval), daemon=True).start()
    serve(args.port, Handler, f"accesslog {HOSTNAME} listening on :{args.port}, visiting {args.target}")


if __name__ == "__main__":
    main()
