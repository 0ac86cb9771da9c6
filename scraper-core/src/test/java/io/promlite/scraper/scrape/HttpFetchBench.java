package io.promlite.scraper.scrape;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.promlite.scraper.bench.BenchSupport;
import io.promlite.tsdb.model.Labels;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * CPU time and bytes allocated on the network thread per scrape by the HTTP client alone, against
 * one in-process target over a kept connection, at a chosen scrape rate. Not a test: run it by
 * hand from the repository root (classpath as for ScrapeCpuBench):
 * <pre>
 * java -cp "$(cat /tmp/cp.txt):scraper-core/target/classes:scraper-core/target/test-classes" \
 *     io.promlite.scraper.scrape.HttpFetchBench [series=1000] [scrapesPerSecond=20] [warmupScrapes=2000] [scrapes=1000] [gzip=false]
 * </pre>
 * The allocation figure does not depend on how busy the machine is; the CPU figure does, and at
 * low rates it also includes the cost of code the JIT has not compiled yet and of cold caches.
 */
public final class HttpFetchBench {
    private HttpFetchBench() {
    }

    public static void main(String[] args) throws Exception {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int scrapes = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        boolean gzip = args.length > 4 && Boolean.parseBoolean(args[4]);

        byte[] body = body(series, gzip);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            if (gzip) {
                exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.start();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-io", true),
                NioIoHandler.newFactory());
        HttpScraper http = new HttpScraper(group, "promlite/bench");
        int port = server.getAddress().getPort();
        ScrapeTarget target = new ScrapeTarget(Labels.of(), Labels.of(), "http", "127.0.0.1:" + port, "127.0.0.1", port,
                "/metrics", Duration.ofSeconds(1), Duration.ofSeconds(10));
        HttpScraper.Request request = http.request(target, 0, true, null, null, null);
        HttpScraper.Connection connection = new HttpScraper.Connection();
        InetAddress address = InetAddress.getLoopbackAddress();

        long bytes = 0;
        for (int i = 0; i < warmup; i++) {
            bytes += scrape(http, request, address, connection);
        }
        long cpu0 = BenchSupport.cpuNanos("bench-io");
        long alloc0 = BenchSupport.allocatedBytes("bench-io");
        long periodNanos = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (int i = 0; i < scrapes; i++) {
            next += periodNanos;
            bytes += scrape(http, request, address, connection);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        long cpu1 = BenchSupport.cpuNanos("bench-io");
        long alloc1 = BenchSupport.allocatedBytes("bench-io");
        System.out.printf("%d series (%d body bytes%s) at %d scrapes/s: network thread %.1f us CPU/scrape, %.0f B allocated/scrape"
                        + " (checksum %d)%n", series, body.length, gzip ? ", gzip" : "", rate,
                (cpu1 - cpu0) / 1e3 / scrapes, (alloc1 - alloc0) / (double) scrapes, bytes);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        server.stop(0);
        System.exit(0);
    }

    private static int scrape(HttpScraper http, HttpScraper.Request request, InetAddress address,
                              HttpScraper.Connection connection) throws Exception {
        ScrapeResponse r = http.fetch(request, address, connection).get();
        try {
            return r.body().readableBytes();
        } finally {
            r.release();
        }
    }

    /** The same lines as ScrapeCpuBench's targets. */
    private static byte[] body(int series, boolean gzip) throws Exception {
        byte[] text = BenchSupport.exposition(series);
        if (!gzip) {
            return text;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(text);
        }
        return out.toByteArray();
    }
}
