package dev.entrepot.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.repository.Page;
import dev.entrepot.proxy.repository.Repositories;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.StubRepository;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code _catalog} and {@code tags/list} over real HTTP, with repositories that answer fixed lists. */
class ListHandlerTest {
    private Vertx vertx;
    private HttpServer server;
    private HttpClient client;
    private final Listing alpha = new Listing("alpha", List.of("y", "z"), null);
    private final Listing beta = new Listing("beta", List.of("x"), null);
    private volatile Page tagPage = new Page(List.of(), false);
    private final Listing tagged = new Listing("dockerhub", List.of(), () -> tagPage);

    private record Answer(int status, MultiMap headers, String body) {
    }

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        ListHandler lists = new ListHandler(vertx);
        Map<String, Repository> byName = new LinkedHashMap<>();
        byName.put("beta", beta);
        byName.put("alpha", alpha);
        byName.put("dockerhub", tagged);
        Repositories repositories = new Repositories(byName, Map.of());
        server = vertx.createHttpServer().requestHandler(request -> route(request, lists, repositories));
        Await.result(server.listen(0, "127.0.0.1"));
        client = vertx.createHttpClient();
    }

    private static void route(HttpServerRequest request, ListHandler lists, Repositories repositories) {
        try {
            if (request.path().equals("/v2/_catalog")) {
                lists.catalog(request, repositories.all());
            } else {
                lists.tags(request, repositories.named("dockerhub"), new ImageName("library/nginx"),
                        "dockerhub/library/nginx");
            }
        } catch (RuntimeException e) {
            OciErrors.send(request.response(), request.method(), e);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        Await.result(vertx.close());
    }

    /** Sent from a Vert.x context: from a plain thread the body may arrive before {@code body()} is asked for. */
    private Answer call(HttpMethod method, String uri) throws Exception {
        Promise<Answer> answer = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> client.request(method, server.actualPort(), "127.0.0.1", uri)
                .compose(request -> request.send())
                .compose(response -> response.body()
                        .map(body -> new Answer(response.statusCode(), response.headers(), body.toString())))
                .onComplete(answer));
        return Await.result(answer.future());
    }

    private Answer get(String uri) throws Exception {
        return call(HttpMethod.GET, uri);
    }

    // ---- _catalog ----

    @Test
    void theCatalogIsEveryCachedNameUnderItsRepositorySorted() throws Exception {
        Answer answer = get("/v2/_catalog");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(answer.body()).isEqualTo("{\"repositories\":[\"alpha/y\",\"alpha/z\",\"beta/x\"]}");
        assertThat(answer.headers().get("Link")).isNull();
    }

    @Test
    void theCatalogIsPaginatedWithLink() throws Exception {
        Answer first = get("/v2/_catalog?n=2");

        assertThat(first.body()).isEqualTo("{\"repositories\":[\"alpha/y\",\"alpha/z\"]}");
        assertThat(first.headers().get("Link")).isEqualTo("</v2/_catalog?n=2&last=alpha%2Fz>; rel=\"next\"");

        Answer second = get("/v2/_catalog?n=2&last=alpha%2Fz");

        assertThat(second.body()).isEqualTo("{\"repositories\":[\"beta/x\"]}");
        assertThat(second.headers().get("Link")).isNull();
    }

    @Test
    void aCatalogPageOfZeroIsEmptyWithoutLink() throws Exception {
        Answer answer = get("/v2/_catalog?n=0");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"repositories\":[]}");
        assertThat(answer.headers().get("Link")).isNull();
    }

    @Test
    void aBadPageSizeIsPaginationNumberInvalid() throws Exception {
        for (String n : List.of("-1", "abc", "99999999999", "1.5")) {
            Answer answer = get("/v2/_catalog?n=" + n);

            assertThat(answer.status()).as(n).isEqualTo(400);
            assertThat(answer.body()).as(n).contains("\"PAGINATION_NUMBER_INVALID\"");
        }
    }

    @Test
    void anErrorEchoingNonAsciiInputHasItsByteLengthAsContentLength() throws Exception {
        Answer answer = get("/v2/_catalog?n=%C3%A9t%C3%A9");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("got '\u00e9t\u00e9'").endsWith("}]}");
        assertThat(answer.headers().get("Content-Length"))
                .isEqualTo(Integer.toString(answer.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(get("/v2/_catalog").status()).as("the connection is still usable").isEqualTo(200);
    }

    @Test
    void headOfTheCatalogHasNoBody() throws Exception {
        Answer answer = call(HttpMethod.HEAD, "/v2/_catalog");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEmpty();
        assertThat(answer.headers().get("Content-Length"))
                .isEqualTo(Integer.toString("{\"repositories\":[\"alpha/y\",\"alpha/z\",\"beta/x\"]}".length()));
    }

    // ---- tags/list ----

    @Test
    void tagsEchoTheRequestedNameAndLinkTheNextPage() throws Exception {
        tagPage = new Page(List.of("1.0", "1.1"), true);

        Answer answer = get("/v2/dockerhub/library/nginx/tags/list?n=2");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"name\":\"dockerhub/library/nginx\",\"tags\":[\"1.0\",\"1.1\"]}");
        assertThat(answer.headers().get("Link"))
                .isEqualTo("</v2/dockerhub/library/nginx/tags/list?n=2&last=1.1>; rel=\"next\"");
    }

    @Test
    void anEmptyTagPageHasNoLink() throws Exception {
        tagPage = new Page(List.of(), true);

        Answer answer = get("/v2/dockerhub/library/nginx/tags/list?n=0");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"name\":\"dockerhub/library/nginx\",\"tags\":[]}");
        assertThat(answer.headers().get("Link")).isNull();
    }

    /** A repository that only lists: its catalog is fixed, its tags come from {@code tags}. */
    private record Listing(String name, List<String> names, Supplier<Page> tags) implements StubRepository {
        @Override
        public Future<List<String>> catalog() {
            return Future.succeededFuture(names);
        }

        @Override
        public Future<Page> tags(ImageName name, Integer n, String last) {
            return Future.succeededFuture(tags.get());
        }
    }
}
