package dev.entrepot.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeTest {

    @Test
    void parsesRepeatedAndSpaceSeparatedScopes() {
        List<Scope> scopes = Scope.parseAll(List.of("repository:team/app:pull,push",
                "repository:library/nginx:pull registry:catalog:*", "repository(plugin):x/y:pull"));
        assertThat(scopes).containsExactly(
                new Scope("repository", "team/app", Set.of("pull", "push")),
                new Scope("repository", "library/nginx", Set.of("pull")),
                Scope.CATALOG,
                new Scope("repository", "x/y", Set.of("pull")));
    }

    @Test
    void skipsWhatIsNoScope() {
        assertThat(Scope.parseAll(List.of("", "nonsense", "repository:", "repository:x", ":x:pull"))).isEmpty();
    }

    @Test
    void writesActionsInAFixedOrderAndCoversOnlyItsName() {
        Scope scope = Scope.repository("team/app", EnumSet.of(Action.DELETE, Action.PULL));
        assertThat(scope).hasToString("repository:team/app:pull,delete");
        assertThat(scope.covers("team/app", Action.PULL)).isTrue();
        assertThat(scope.covers("team/app", Action.PUSH)).isFalse();
        assertThat(scope.covers("team/app2", Action.PULL)).isFalse();
        assertThat(new Scope("repository", "a", Set.of("*")).covers("a", Action.PUSH)).isTrue();
        assertThat(new Scope("registry", "team/app", Set.of("*")).covers("team/app", Action.PULL)).isFalse();
    }
}
