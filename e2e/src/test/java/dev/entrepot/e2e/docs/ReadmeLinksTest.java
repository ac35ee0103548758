package dev.entrepot.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every relative link of the READMEs leads somewhere: the file exists, and so does the heading an anchor names. */
class ReadmeLinksTest {

    @ParameterizedTest
    @ValueSource(strings = {"README.md", "operator/README.md", "e2e/README.md", "e2e/bench/RESULTS.md"})
    void relativeLinksExist(String name) {
        Readme readme = Readme.read(Readme.sourceRoot().resolve(name));
        List<String> dead = new ArrayList<>();
        for (String link : readme.links()) {
            if (link.matches("^[a-z][a-z0-9+.-]*:.*")) {
                continue; // https:, mailto: ... not ours to check offline
            }
            int hash = link.indexOf('#');
            String path = hash < 0 ? link : link.substring(0, hash);
            String anchor = hash < 0 ? null : link.substring(hash + 1);
            Path target = path.isEmpty() ? readme.file() : readme.file().getParent().resolve(path).normalize();
            if (!Files.exists(target)) {
                dead.add(link + " (no " + target + ")");
            } else if (anchor != null && target.toString().endsWith(".md")
                    && !Readme.read(target).anchors().contains(anchor)) {
                dead.add(link + " (no heading for #" + anchor + " in " + target.getFileName() + ")");
            }
        }
        assertThat(dead).as("dead relative links in %s", name).isEmpty();
    }
}
