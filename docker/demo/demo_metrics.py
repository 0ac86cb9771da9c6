"""Just enough of the Prometheus text exposition format (0.0.4) for the demo apps: stdlib only,
so the services run on an unmodified python image."""

import os
import resource
import signal
import sys
import threading
import time
from http.server import ThreadingHTTPServer

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_START_TIME = time.time()


def _escape(value):
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _format_labels(names, values):
    if not names:
        return ""
    return "{" + ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values)) + "}"


def _format_value(value):
    if value == float("inf"):
        return "+Inf"
    if value == float("-inf"):
        return "-Inf"
    return repr(float(value))


class _Metric:
    kind = ""

    def __init__(self, name, help_text, label_names=()):
        self.name = name
        self.help = help_text
        self.label_names = tuple(label_names)
        self._lock = threading.Lock()

    def header(self):
        return f"# HELP {self.name} {self.help}\n# TYPE {self.name} {self.kind}\n"


class Counter(_Metric):
    kind = "counter"

    def __init__(self, name, help_text, label_names=()):
        super().__init__(name, help_text, label_names)
        self._values = {}

    def inc(self, *label_values, amount=1.0):
        with self._lock:
            self._values[label_values] = self._values.get(label_values, 0.0) + amount

    def expose(self):
        with self._lock:
            items = sorted(self._values.items())
        return self.header() + "".join(
            f"{self.name}{_format_labels(self.label_names, k)} {_format_value(v)}\n" for k, v in items)


class Gauge(_Metric):
    kind = "gauge"

    def __init__(self, name, help_text):
        super().__init__(name, help_text)
        self._value = 0.0

    def add(self, amount):
        with self._lock:
            self._value += amount

    def expose(self):
        with self._lock:
            value = self._value
        return self.header() + f"{self.name} {_format_value(value)}\n"


class Histogram(_Metric):
    kind = "histogram"
    # client_golang's and client_python's default buckets, in seconds.
    DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

    def __init__(self, name, help_text, buckets=DEFAULT_BUCKETS):
        super().__init__(name, help_text)
        self._bounds = tuple(buckets) + (float("inf"),)
        self._counts = [0] * len(self._bounds)
        self._sum = 0.0

    def observe(self, value):
        with self._lock:
            for i, bound in enumerate(self._bounds):
                if value <= bound:
                    self._counts[i] += 1
            self._sum += value

    def expose(self):
        with self._lock:
            counts, total = list(self._counts), self._sum
        lines = [f'{self.name}_bucket{{le="{_format_value(b)}"}} {c}\n' for b, c in zip(self._bounds, counts)]
        lines.append(f"{self.name}_sum {_format_value(total)}\n")
        lines.append(f"{self.name}_count {counts[-1]}\n")
        return self.header() + "".join(lines)


def _process_metrics():
    """The standard process_* metrics of the Prometheus client libraries, read from Linux's /proc."""
    times = os.times()
    out = [
        "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
        "# TYPE process_cpu_seconds_total counter\n"
        f"process_cpu_seconds_total {_format_value(times.user + times.system)}\n",
        "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
        "# TYPE process_start_time_seconds gauge\n"
        f"process_start_time_seconds {_format_value(_START_TIME)}\n",
        "# HELP process_max_fds Maximum number of open file descriptors.\n"
        "# TYPE process_max_fds gauge\n"
        f"process_max_fds {_format_value(resource.getrlimit(resource.RLIMIT_NOFILE)[0])}\n",
    ]
    try:
        with open("/proc/self/statm") as f:
            vm_pages, rss_pages = (int(x) for x in f.read().split()[:2])
        page = os.sysconf("SC_PAGE_SIZE")
        out.append("# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
                   "# TYPE process_virtual_memory_bytes gauge\n"
                   f"process_virtual_memory_bytes {_format_value(vm_pages * page)}\n")
        out.append("# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                   "# TYPE process_resident_memory_bytes gauge\n"
                   f"process_resident_memory_bytes {_format_value(rss_pages * page)}\n")
        out.append("# HELP process_open_fds Number of open file descriptors.\n"
                   "# TYPE process_open_fds gauge\n"
                   f"process_open_fds {_format_value(len(os.listdir('/proc/self/fd')))}\n")
    except OSError:
        pass  # not Linux: the portable metrics above still describe the process
    return "".join(out)


class Registry:
    def __init__(self, *metrics):
        self._metrics = metrics

    def expose(self):
        return "".join(m.expose() for m in self._metrics) + _process_metrics()


def respond(handler, code, content_type, body):
    """Writes a whole text response from an http.server request handler."""
    data = body.encode("utf-8")
    handler.send_response(code)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def serve(port, handler, banner):
    """Serves requests on every address until SIGTERM, printing the banner once listening."""
    # A container's PID 1 ignores SIGTERM unless it installs a handler.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = ThreadingHTTPServer(("", port), handler)
    server.daemon_threads = True
    print(banner, flush=True)
    server.serve_forever()
