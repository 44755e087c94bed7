package com.example.fleet.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README and the pages of docs/ cannot drift from the tree: every relative link leads somewhere, every anchor to
 * a heading. The checker is tried on a page with broken links first, so that a checker that finds nothing fails.
 */
class DocsTest {

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.walk(Path.of("docs"))) {
            docs.filter(file -> file.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    @Test
    void everyRelativeLinkAndAnchorOfTheReadmeAndTheDocsLeadsSomewhere() throws IOException {
        List<Path> pages = pages();
        assertThat(pages).as("README.md and at least four pages in docs/").hasSizeGreaterThanOrEqualTo(5);
        List<String> broken = new ArrayList<>();
        pages.forEach(page -> broken.addAll(MarkdownLinks.broken(page)));
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void theReadmeIsAFrontPage() throws IOException {
        assertThat(Files.readAllLines(Path.of("README.md"))).as("README.md lines").hasSizeLessThanOrEqualTo(250)
                .contains("./mvnw quarkus:dev   # runs the service; starts a local Consul dev agent when"
                        + " CONSUL_HTTP_ADDR is not set");
    }

    @Test
    void theCheckerFindsAMissingFileAMissingAnchorAndAWrongSlug(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("other.md"), "# Other page\n\n## Start `here` (now)\n\n## Start here now\n");
        Path page = dir.resolve("page.md");
        Files.writeString(page, String.join("\n",
                "# A page",
                "[fine](other.md) [fine too](other.md#start-here-now) [the second](other.md#start-here-now-1)",
                "[own heading](#a-page) [a directory](.) ![picture](other.md)",
                "[gone](missing.md) [no such part](other.md#nowhere) [not the slug](other.md#Start-Here)",
                "`[in code](missing-in-code.md)` and https://example.org/ [site](https://example.org/x)",
                "```",
                "[in a fence](missing-in-fence.md)",
                "```",
                ""));

        List<String> broken = MarkdownLinks.broken(page);

        assertThat(broken).hasSize(3);
        assertThat(broken.get(0)).contains("page.md:4: missing.md (no such file or directory)");
        assertThat(broken.get(1)).contains("other.md#nowhere (no heading of other.md has that anchor)");
        assertThat(broken.get(2)).contains("other.md#Start-Here");
    }

    @Test
    void headingsAreSluggedAsGitHubDoes() {
        assertThat(MarkdownLinks.slug("Discovery and balancing (`FleetBenchmark`)"))
                .isEqualTo("discovery-and-balancing-fleetbenchmark");
        assertThat(MarkdownLinks.slug("Start → ready, 2.0x: a/b")).isEqualTo("start--ready-20x-ab");
        assertThat(MarkdownLinks.slug("See [the page](page.md)")).isEqualTo("see-the-page");
    }
}
