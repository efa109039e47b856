package io.kybern.images.build;

/** A Dockerfile that cannot be built, with the line of the instruction at fault (1-based; 0 for the whole file). */
public final class DockerfileSyntaxException extends IllegalArgumentException {

    private final int line;

    public DockerfileSyntaxException(int line, String message) {
        super((line > 0 ? "dockerfile parse error on line " + line + ": " : "dockerfile parse error: ") + message);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
