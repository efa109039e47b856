package io.kybern.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LogConfiguratorTest {

    @Test
    void eventsAreOneKeyValueLineOnStderr() {
        LoggerContext context = new LoggerContext();
        LogConfigurator.apply(context, null);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDERR");
        assertThat(stderr.isStarted()).isTrue();
        assertThat(stderr.getTarget()).isEqualTo("System.err");

        Logger logger = context.getLogger("io.kybern.cli.Server");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "server ready url={}", null,
                new Object[] {"https://127.0.0.1:6443"});
        String line = new String(((PatternLayoutEncoder) stderr.getEncoder()).encode(event), StandardCharsets.UTF_8);
        assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) level=INFO"
                + " logger=Server msg=\"server ready url=https://127.0.0.1:6443\"\\R");
    }

    @Test
    void theLevelComesFromTheVariableAndLibrariesAreQuieter() {
        LoggerContext context = new LoggerContext();
        LogConfigurator.apply(context, "debug");
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("io.grpc.internal.ManagedChannelImpl").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap").getEffectiveLevel())
                .isEqualTo(Level.ERROR);
        assertThat(context.getLogger("io.kybern.kubelet.agent.PodWorker").getEffectiveLevel()).isEqualTo(Level.DEBUG);
    }

    @Test
    void anUnsetOrUnknownLevelIsInfo() {
        assertThat(LogConfigurator.level(null)).isEqualTo(Level.INFO);
        assertThat(LogConfigurator.level(" ")).isEqualTo(Level.INFO);
        assertThat(LogConfigurator.level("loud")).isEqualTo(Level.INFO);
        assertThat(LogConfigurator.level(" WARN ")).isEqualTo(Level.WARN);
    }

    @Test
    void aConfigurationFileOnTheClassPathWins() {
        // The tests' logback-test.xml is on this class path: the configurator leaves the context to it.
        LoggerContext context = new LoggerContext();
        LogConfigurator configurator = new LogConfigurator();
        configurator.setContext(context);
        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
    }

    @Test
    void logbackFindsItAsAService() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
                .contains(LogConfigurator.class);
    }
}
