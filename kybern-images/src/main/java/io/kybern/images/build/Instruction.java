package io.kybern.images.build;

import java.util.List;
import java.util.Map;

/**
 * One Dockerfile instruction after parsing, before variables are expanded.
 *
 * @param line     its first line in the Dockerfile (1-based)
 * @param keyword  the instruction, upper case ({@code COPY})
 * @param flags    its {@code --name=value} flags
 * @param args     its arguments: the words of the shell form, or the strings of the JSON (exec) form
 * @param execForm whether the arguments came as a JSON array
 * @param raw      the argument text as written (the shell form of CMD and ENTRYPOINT runs it with /bin/sh -c)
 */
public record Instruction(int line, String keyword, Map<String, String> flags, List<String> args, boolean execForm,
        String raw) {

    public Instruction {
        flags = Map.copyOf(flags);
        args = List.copyOf(args);
    }

    /** The instruction as docker records it in the image history. */
    public String createdBy() {
        return keyword + " " + raw;
    }
}
