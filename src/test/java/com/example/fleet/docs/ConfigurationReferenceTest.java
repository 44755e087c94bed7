package com.example.fleet.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The configuration reference (the table of docs/configuration.md headed {@value #HEADER}) against the code: every
 * {@code fleet.*} property the code reads is documented, nothing else is, and where the code declares a default the
 * documented one starts with it. The parser is tried on a table with each kind of drift first.
 */
class ConfigurationReferenceTest {

    static final String HEADER = "| Property | Default | Meaning |";
    private static final Pattern FIRST_CODE = Pattern.compile("`([^`]+)`");

    /** Documented property to the text of its Default cell, in the order of the table. */
    static Map<String, String> documented(List<String> lines) {
        int header = lines.indexOf(HEADER);
        assertThat(header).as("a table headed %s", HEADER).isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : lines.subList(header + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            String[] cells = line.split("\\|", -1);
            Matcher property = FIRST_CODE.matcher(cells[1]);
            assertThat(property.find()).as("the property, in backticks, first in: %s", line).isTrue();
            assertThat(rows.put(property.group(1), cells[2].strip())).as("one row for %s", property.group(1)).isNull();
        }
        return rows;
    }

    /** Each disagreement of the table with the mapped properties and their declared defaults. */
    static List<String> disagreements(Map<String, String> documented, Map<String, Optional<String>> mapped) {
        List<String> problems = new ArrayList<>();
        mapped.forEach((property, declared) -> {
            if (!documented.containsKey(property)) {
                problems.add(property + " is read by the code but not documented");
            } else if (declared.isPresent() && !documented.get(property).startsWith("`" + declared.get() + "`")) {
                problems.add(property + " defaults to `" + declared.get() + "` in the code, but the reference says "
                        + documented.get(property));
            }
        });
        documented.keySet().stream().filter(property -> !mapped.containsKey(property))
                .forEach(property -> problems.add(property + " is documented but the code reads no such property"));
        return problems;
    }

    @Test
    void theReferenceDocumentsEveryMappedPropertyWithItsDefaultAndNothingElse() throws IOException {
        Map<String, Optional<String>> mapped = MappedProperties.read();
        assertThat(mapped).as("fleet.* properties found in target/classes").hasSizeGreaterThan(50)
                .containsKeys("fleet.consul.address", "fleet.registration.ttl", "fleet.sample.failure-rate");
        Map<String, String> documented = documented(Files.readAllLines(Path.of("docs", "configuration.md")));

        assertThat(disagreements(documented, mapped)).isEmpty();
    }

    @Test
    void aMissingAnExtraAndAWrongDefaultAreEachFound() {
        Map<String, String> documented = documented(List.of("text", HEADER, "| --- | --- | --- |",
                "| `fleet.a` (`FLEET_A`) | `3s`; dev mode: `1s` | right |",
                "| `fleet.b` | `5s` | wrong default |",
                "| `fleet.gone` | none | no longer read |",
                "| `fleet.c` | the bound port | no default declared |",
                "", "| `fleet.after` | after the table | not read |"));
        Map<String, Optional<String>> mapped = new LinkedHashMap<>();
        mapped.put("fleet.a", Optional.of("3s"));
        mapped.put("fleet.b", Optional.of("10s"));
        mapped.put("fleet.c", Optional.empty());
        mapped.put("fleet.new", Optional.of("1"));

        assertThat(disagreements(documented, mapped)).containsExactlyInAnyOrder(
                "fleet.b defaults to `10s` in the code, but the reference says `5s`",
                "fleet.new is read by the code but not documented",
                "fleet.gone is documented but the code reads no such property");
    }
}
