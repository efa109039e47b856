package io.kybern.store.sqlite;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.kybern.store.WriteResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child process of {@link SqliteCrashTest}: writes as fast as it can from several threads and prints
 * one line per acknowledged write, {@code ack <key> <revision> <value>}, until it is killed.
 */
public final class CrashWriter {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String generation = args[1];
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, UTF_8);
        SqliteStore store = SqliteStore.open(SqliteOptions.defaults(file).withCompactInterval(Duration.ZERO));
        out.println("ready " + store.currentRevision());
        out.flush();
        int writers = 8;
        Thread[] threads = new Thread[writers];
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads[w] = Thread.ofPlatform().start(() -> {
                for (long i = 0; ; i++) {
                    // Mostly new keys, and every fourth write an update of a key this writer made before.
                    String key = i % 4 == 3
                            ? "/crash/" + generation + "/" + writer + "/" + (i - 3)
                            : "/crash/" + generation + "/" + writer + "/" + i;
                    String value = generation + "-" + writer + "-" + i;
                    WriteResult result = store.put(key, value.getBytes(UTF_8));
                    synchronized (out) {
                        out.println("ack " + key + " " + result.revision() + " " + value);
                        out.flush();
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
