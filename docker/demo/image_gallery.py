"""The demo app: an image gallery whose requests take a while and sometimes fail, instrumented
with the four golden signals (traffic, errors, latency, saturation) on /metrics."""

import argparse
import random
import time
from http.server import BaseHTTPRequestHandler

from demo_metrics import CONTENT_TYPE, Counter, Gauge, Histogram, Registry, respond, serve

REQUESTS = Counter("image_gallery_requests_total", "Requests served, by HTTP status code and method.",
                   ("code", "method"))
IN_FLIGHT = Gauge("image_gallery_in_flight_requests", "Requests being served right now.")
DURATION = Histogram("image_gallery_request_duration_seconds", "Time taken to serve a request.")
REGISTRY = Registry(REQUESTS, IN_FLIGHT, DURATION)

IMAGES = 12


class Handler(BaseHTTPRequestHandler):
    server_version = "image-gallery/1.0"
    error_rate = 0.05

    def do_GET(self):
        if self.path == "/metrics":
            respond(self, 200, CONTENT_TYPE, REGISTRY.expose())
        elif self.path == "/healthz":
            respond(self, 200, "text/plain; charset=utf-8", "ok\n")
        else:
            self._serve_gallery()

    def _serve_gallery(self):
        IN_FLIGHT.add(1)
        start = time.monotonic()
        code = 500
        try:
            code, content_type, body = self._render()
            # A gallery page waits on a thumbnail store: log-normal latency with a long tail.
            time.sleep(min(random.lognormvariate(-3.0, 0.8), 5.0))
            if random.random() < self.error_rate:
                code, content_type, body = 500, "text/plain; charset=utf-8", "thumbnail store timed out\n"
            respond(self, code, content_type, body)
        finally:
            DURATION.observe(time.monotonic() - start)
            REQUESTS.inc(str(code), self.command)
            IN_FLIGHT.add(-1)

    def _render(self):
        if self.path in ("/", "/index.html"):
            items = "".join(f'<li><a href="/image/{i}">image {i}</a></li>' for i in range(IMAGES))
            return 200, "text/html; charset=utf-8", f"<html><body><h1>Gallery</h1><ul>{items}</ul></body></html>\n"
        if self.path.startswith("/image/") and self.path[len("/image/"):].isdigit():
            n = int(self.path[len("/image/"):])
            if n < IMAGES:
                hue = n * 360 // IMAGES
                return 200, "image/svg+xml", (
                    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
                    f'<rect width="64" height="64" fill="hsl({hue},70%,50%)"/></svg>\n')
        return 404, "text/plain; charset=utf-8", "no such image\n"

    def log_message(self, format, *args):
        pass  # the accesslog visitors write the access log


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--error-rate", type=float, default=0.05, help="share of requests that fail with 500")
    args = parser.parse_args()
    Handler.error_rate = args.error_rate
    # Both series exist from the first scrape, so error ratios are 0 rather than empty.
    for code in ("200", "500"):
        REQUESTS.inc(code, "GET", amount=0)
    serve(args.port, Handler, f"image-gallery listening on :{args.port}")


if __name__ == "__main__":
    main()
