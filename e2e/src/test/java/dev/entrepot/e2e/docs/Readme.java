package dev.entrepot.e2e.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A markdown file of the sources, read as a person reads it: fenced blocks, links, headings. */
final class Readme {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");

    private final Path file;
    private final List<String> lines;

    private Readme(Path file, List<String> lines) {
        this.file = file;
        this.lines = lines;
    }

    /** The checkout the tests run in: the e2e module's parent, or {@code entrepot.e2e.sourceRoot}. */
    static Path sourceRoot() {
        return Path.of(System.getProperty("entrepot.e2e.sourceRoot", "..")).toAbsolutePath().normalize();
    }

    static Readme read(Path file) {
        try {
            return new Readme(file, Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file() {
        return file;
    }

    /** The body of the first fenced block of {@code language} after the line containing {@code marker}. */
    String blockAfter(String marker, String language) {
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new AssertionError(file + " has no line with the marker '" + marker + "'");
        }
        for (int i = at + 1; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("```" + language)) {
                StringBuilder body = new StringBuilder();
                for (int j = i + 1; j < lines.size(); j++) {
                    if (lines.get(j).strip().equals("```")) {
                        return body.toString();
                    }
                    body.append(lines.get(j)).append('\n');
                }
                throw new AssertionError(file + ": the ```" + language + " block after '" + marker + "' never ends");
            }
        }
        throw new AssertionError(file + " has no ```" + language + " block after '" + marker + "'");
    }

    /** Link targets outside fenced blocks and inline code, in order. */
    List<String> links() {
        List<String> links = new ArrayList<>();
        boolean fenced = false;
        for (String line : lines) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
                while (m.find()) {
                    links.add(m.group(1));
                }
            }
        }
        return links;
    }

    /** The anchors GitHub gives this file's headings: lower case, punctuation dropped, spaces as dashes. */
    Set<String> anchors() {
        Set<String> anchors = new LinkedHashSet<>();
        boolean fenced = false;
        for (String line : lines) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced && line.startsWith("#")) {
                String title = line.replaceFirst("^#+\\s*", "").strip();
                String slug = title.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                String unique = slug;
                for (int n = 1; !anchors.add(unique); n++) {
                    unique = slug + "-" + n;
                }
            }
        }
        return anchors;
    }
}
