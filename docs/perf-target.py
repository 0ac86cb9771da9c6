# Synthetic scrape target for docs/performance.md (HTTP API comparison).
# Synthetic scrape target: 20 metric families x 100 series, counters that grow per scrape.
import http.server, sys
n = [0]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        n[0] += 1
        out = []
        for m in range(20):
            out.append(f"# TYPE bench_metric_{m}_total counter\n")
            for s in range(100):
                out.append(f'bench_metric_{m}_total{{path="/p{s}",code="{200 + s % 5}"}} {n[0] * (s + 1)}\n')
        b = "".join(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
