package io.kybern.cli;

import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the Kybern version and the Java runtime.")
final class VersionCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("kybern " + KybernVersion.version());
        System.out.println("java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
    }
}
