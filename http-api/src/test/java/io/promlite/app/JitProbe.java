package io.promlite.app;

/**
 * A program JvmOptionsTest starts in a JVM with promlite's options and {@code -Xbatch} (each
 * compilation finishes before the code that asked for it goes on, so what gets compiled depends
 * on counts only, not on timing) to see which of its methods the JIT compiles, and at what tier.
 * <ul>
 * <li>{@code calls N}: calls {@link #perScrape} N times from an interpreted loop, like code that
 * runs once per scrape.</li>
 * <li>{@code loop N}: enters {@link #eventLoop} once and runs its loop N times, like an event
 * loop or an executor's worker loop, which is entered once and never left.</li>
 * </ul>
 */
final class JitProbe {
    private static long sink;

    private JitProbe() {
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "calls" -> {
                for (int i = 0; i < n; i++) {
                    sink += perScrape(i);
                }
            }
            case "loop" -> sink += eventLoop(n);
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("done " + sink);
    }

    static long perScrape(long x) {
        return x * 31 + (x >>> 3);
    }

    static long eventLoop(int iterations) {
        long acc = 0;
        for (int i = 0; i < iterations; i++) {
            acc = acc * 17 + task(i);
        }
        return acc;
    }

    private static long task(int i) {
        return i ^ (i << 7);
    }
}
