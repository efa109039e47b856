package io.kybern.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version the jar was built as, read from the filtered {@code version.properties}. */
public final class KybernVersion implements IVersionProvider {

    public static String version() {
        Properties properties = new Properties();
        try (InputStream in = KybernVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"kybern " + version()};
    }
}
