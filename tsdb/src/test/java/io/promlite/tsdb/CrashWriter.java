package io.promlite.tsdb;

import io.promlite.tsdb.model.Labels;
import java.nio.file.Path;

/**
 * The child process of {@link CrashRecoveryTest}: ingests forever and prints "ack N" after
 * commit N returned, until it is killed.
 */
public final class CrashWriter {
    static final int SERIES = 50;
    static final long STEP_MS = 1000;

    private CrashWriter() {
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "crash_test", "s", Integer.toString(s));
    }

    public static void main(String[] args) throws Exception {
        Tsdb db = Tsdb.open(TsdbOptions.defaults(Path.of(args[0])));
        long[] refs = new long[SERIES];
        // After an earlier crash, continue where the recovered store ends.
        long first = db.stats().isEmpty() ? 1 : db.stats().maxTime() / STEP_MS + 1;
        for (long n = first; ; n++) {
            Appender app = db.appender();
            for (int s = 0; s < SERIES; s++) {
                refs[s] = app.append(refs[s], labels(s), n * STEP_MS, n);
            }
            app.commit();
            // Checkpoints now and then, so a kill can land before, during or after one.
            if (n % 97 == 0) {
                db.checkpoint();
            }
            System.out.println("ack " + n);
            System.out.flush();
        }
    }
}
