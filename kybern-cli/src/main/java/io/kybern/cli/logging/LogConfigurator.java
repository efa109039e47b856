package io.kybern.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * Kybern's logging, set up in code through logback's configurator service rather than from an XML file: one
 * line per event with key=value fields, on stderr so that stdout stays for command output, at the level
 * {@code KYBERN_LOG_LEVEL} names (INFO by default).
 *
 * <p>Why not {@code logback.xml}: reading it loads logback's XML configuration machinery and the JDK's XML
 * parser, about 600 classes, on the critical path of every start (about 90 ms of a server's start in a JFR
 * profile) and in the node agent's resident memory. A {@code logback.xml} or {@code logback-test.xml} on the
 * class path, or {@code -Dlogback.configurationFile}, still wins: this configurator then steps aside.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} level=%level logger=%logger{0} msg=\"%msg\"%n";
    static final String LEVEL_VARIABLE = "KYBERN_LOG_LEVEL";

    /**
     * Libraries whose INFO lines are not the user's business. grpc sets SO_KEEPALIVE on every channel, and its
     * Netty warns once per CRI connection that a Unix socket has no such option: harmless, and not the user's
     * to fix.
     */
    static final Map<String, Level> QUIETER = Map.of(
            "io.grpc", Level.WARN,
            "io.netty", Level.WARN,
            "io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap", Level.ERROR,
            "io.etcd", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null || hasResource("logback-test.xml")
                || hasResource("logback.xml")) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, System.getenv(LEVEL_VARIABLE));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Sets {@code context} up: the stderr appender, the root level {@code levelName} names, quieter libraries. */
    static void apply(LoggerContext context, String levelName) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level(levelName));
        root.addAppender(stderr);
        QUIETER.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }

    /** The root level a {@code KYBERN_LOG_LEVEL} value names; INFO when unset or not a level's name. */
    static Level level(String name) {
        return name == null || name.isBlank() ? Level.INFO : Level.toLevel(name.strip(), Level.INFO);
    }

    private static boolean hasResource(String name) {
        return LogConfigurator.class.getClassLoader().getResource(name) != null;
    }
}
