package com.example.fleet.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relative links of Markdown files, checked as GitHub renders them: a link leads to a file or directory that
 * exists, relative to the file that holds it, and an anchor ({@code page.md#part}, or {@code #part} in the same
 * page) names one of that page's headings, slugged as GitHub does. Links in fenced code blocks and to other sites
 * are not checked.
 */
final class MarkdownLinks {

    /** {@code [text](target)} and {@code ![alt](target)}, with an optional title after the target. */
    private static final Pattern LINK = Pattern.compile("!?\\[(?:[^\\]\\[]|\\[[^\\]]*])*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");

    private MarkdownLinks() {
    }

    /** Every broken link of {@code file}, each described as {@code file:line: target (why)}. */
    static List<String> broken(Path file) {
        List<String> problems = new ArrayList<>();
        List<String> lines = lines(file);
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher link = LINK.matcher(withoutCodeSpans(line));
            while (link.find()) {
                String target = link.group(1);
                Optional<String> why = problem(file, target);
                if (why.isPresent()) {
                    problems.add(file + ":" + (i + 1) + ": " + target + " (" + why.get() + ")");
                }
            }
        }
        return problems;
    }

    private static Optional<String> problem(Path file, String target) {
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            // http:, https:, mailto: ...: another site
            return Optional.empty();
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path linked = path.isEmpty() ? file : file.toAbsolutePath().getParent().resolve(path).normalize();
        if (!Files.exists(linked)) {
            return Optional.of("no such file or directory");
        }
        if (anchor == null) {
            return Optional.empty();
        }
        if (!linked.getFileName().toString().endsWith(".md")) {
            return Optional.of("an anchor into a file that is not Markdown");
        }
        return anchors(linked).contains(anchor) ? Optional.empty()
                : Optional.of("no heading of " + linked.getFileName() + " has that anchor");
    }

    /** The anchors GitHub gives the headings of {@code file}, and the HTML anchors it holds. */
    static Set<String> anchors(Path file) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : lines(file)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(1));
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
            Matcher html = HTML_ANCHOR.matcher(line);
            while (html.find()) {
                anchors.add(html.group(1));
            }
        }
        return anchors;
    }

    /**
     * GitHub's heading anchor: lower case; every character that is not a letter, digit, space, hyphen or
     * underscore removed (the text of links and code spans is kept); spaces become hyphens.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        StringBuilder slug = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }

    /** Code spans hold examples, not links. */
    private static String withoutCodeSpans(String line) {
        return line.replaceAll("`[^`]*`", "``");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
