package dev.entrepot.proxy.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PagesTest {
    private static final List<String> TAGS = List.of("1.0", "1.1", "2.0", "latest");

    @Test
    void noLimitIsEverything() {
        assertThat(Pages.page(TAGS, null, null)).isEqualTo(new Page(TAGS, false));
    }

    @Test
    void firstPageSaysThereIsMore() {
        assertThat(Pages.page(TAGS, 2, null)).isEqualTo(new Page(List.of("1.0", "1.1"), true));
    }

    @Test
    void lastPageContinuesAfterTheGivenTag() {
        assertThat(Pages.page(TAGS, 2, "1.1")).isEqualTo(new Page(List.of("2.0", "latest"), false));
    }

    @Test
    void pageThatExactlyFillsTheRestHasNoMore() {
        assertThat(Pages.page(TAGS, 4, null)).isEqualTo(new Page(TAGS, false));
        assertThat(Pages.page(TAGS, 3, "1.0")).isEqualTo(new Page(List.of("1.1", "2.0", "latest"), false));
    }

    @Test
    void lastNeedNotBeATag() {
        assertThat(Pages.page(TAGS, null, "1.5")).isEqualTo(new Page(List.of("2.0", "latest"), false));
        assertThat(Pages.page(TAGS, 1, "0")).isEqualTo(new Page(List.of("1.0"), true));
    }

    @Test
    void nothingAfterTheLastTag() {
        assertThat(Pages.page(TAGS, 10, "latest")).isEqualTo(new Page(List.of(), false));
        assertThat(Pages.page(TAGS, null, "zzz")).isEqualTo(new Page(List.of(), false));
    }

    @Test
    void zeroIsAnEmptyPageWithMore() {
        assertThat(Pages.page(TAGS, 0, null)).isEqualTo(new Page(List.of(), true));
    }

    @Test
    void emptyList() {
        assertThat(Pages.page(List.of(), 5, null)).isEqualTo(new Page(List.of(), false));
        assertThat(Pages.page(List.of(), 0, null)).isEqualTo(new Page(List.of(), false));
    }

    @Test
    void walkingAllPagesVisitsEveryTagOnce() {
        List<String> seen = new ArrayList<>();
        String last = null;
        for (int guard = 0; guard < 10; guard++) {
            Page page = Pages.page(TAGS, 3, last);
            seen.addAll(page.items());
            if (!page.more()) {
                break;
            }
            last = page.items().get(page.items().size() - 1);
        }
        assertThat(seen).isEqualTo(TAGS);
    }
}
