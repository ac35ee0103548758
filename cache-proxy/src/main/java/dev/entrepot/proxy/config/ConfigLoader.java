package dev.entrepot.proxy.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.entrepot.proxy.config.EntrepotConfig.Mode;
import dev.entrepot.proxy.config.EntrepotConfig.Remote;
import dev.entrepot.proxy.config.EntrepotConfig.Repository;
import dev.entrepot.proxy.config.EntrepotConfig.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Parses {@code entrepot.yaml}, fills defaults and validates; every problem is reported with its path. */
public final class ConfigLoader {
    public static final Duration DEFAULT_TAG_TTL = Duration.ofMinutes(5);
    /** How long "the upstream does not have it" is believed: short, a typo in a crash-looping pod is not a DoS. */
    public static final Duration DEFAULT_NOT_FOUND_TTL = Duration.ofSeconds(10);
    public static final Path DEFAULT_STORAGE = Path.of("data");
    public static final Duration DEFAULT_UPLOAD_EXPIRY = Duration.ofHours(1);
    public static final String DEFAULT_S3_REGION = "us-east-1";
    public static final ByteSize DEFAULT_S3_PART_SIZE = ByteSize.parse("16Mi");
    public static final ByteSize DEFAULT_S3_LOCAL_CACHE = ByteSize.parse("10Gi");
    /** distribution's S3 driver's default validity of a redirect URL. */
    public static final Duration DEFAULT_S3_REDIRECT_TTL = Duration.ofMinutes(20);
    public static final Duration DEFAULT_GC_INTERVAL = Duration.ofHours(6);
    public static final Duration DEFAULT_GC_GRACE = Duration.ofHours(1);
    private static final String EMBEDDED_DEFAULT = "/default-entrepot.yaml";
    private static final Pattern REPOSITORY_NAME = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\\d{1,5})?");
    /** The operator's CRDs allow the same range. */
    private static final int MAX_PRIORITY = 1000;
    public static final Duration DEFAULT_RESOLUTION_TTL = Duration.ofSeconds(5);

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .registerModule(new SimpleModule()
                    .addDeserializer(Duration.class, scalar("duration", GoDuration::parse))
                    .addDeserializer(ByteSize.class, scalar("size", ByteSize::parse)));

    private ConfigLoader() {
    }

    /** Parses and validates YAML text; throws {@link ConfigException} listing every problem. */
    public static EntrepotConfig parse(String yaml) {
        return parse(yaml, "(inline)");
    }

    public static EntrepotConfig load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
        }
    }

    /** The embedded default: a Docker Hub mirror with data in {@code ./data}. */
    public static EntrepotConfig embeddedDefault() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(EMBEDDED_DEFAULT)) {
            return parse(new String(Objects.requireNonNull(in, EMBEDDED_DEFAULT).readAllBytes(), StandardCharsets.UTF_8),
                    "embedded default");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #parse(String)}, naming {@code source} (a file path) in messages. */
    public static EntrepotConfig parse(String yaml, String source) {
        Node tree;
        try {
            tree = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            throw new ConfigException(source, List.of(syntax(e)));
        }
        if (tree == null) {
            throw new ConfigException(source, List.of("file is empty"));
        }
        List<String> shape = SchemaCheck.check(tree);
        if (!shape.isEmpty()) {
            throw new ConfigException(source, shape);
        }
        EntrepotConfig raw;
        try {
            raw = YAML.readValue(yaml, EntrepotConfig.class);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, List.of(describe(e)));
        }
        if (raw == null) {
            throw new ConfigException(source, List.of("file is empty"));
        }
        EntrepotConfig config = withDefaults(raw);
        List<String> problems = validate(config);
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return config;
    }

    private static EntrepotConfig withDefaults(EntrepotConfig raw) {
        Storage storage = raw.storage() == null ? new Storage(null, null, null, null) : raw.storage();
        EntrepotConfig.Gc gc = storage.gc() == null ? new EntrepotConfig.Gc(null, null) : storage.gc();
        gc = new EntrepotConfig.Gc(gc.interval() == null ? DEFAULT_GC_INTERVAL : gc.interval(),
                gc.gracePeriod() == null ? DEFAULT_GC_GRACE : gc.gracePeriod());
        EntrepotConfig.S3Storage s3 = storage.s3();
        if (s3 != null) {
            s3 = new EntrepotConfig.S3Storage(s3.bucket(), s3.endpoint(),
                    s3.region() == null || s3.region().isBlank() ? DEFAULT_S3_REGION : s3.region(),
                    s3.prefix() == null ? "" : s3.prefix(), s3.pathStyle() != null && s3.pathStyle(),
                    s3.accessKeyIdFile(), s3.secretAccessKeyFile(), s3.credentialsFile(),
                    s3.profile() == null ? "default" : s3.profile(),
                    s3.partSize() == null ? DEFAULT_S3_PART_SIZE : s3.partSize(),
                    s3.localCacheSize() == null ? DEFAULT_S3_LOCAL_CACHE : s3.localCacheSize(),
                    s3.redirect() != null && s3.redirect(),
                    s3.redirectTtl() == null ? DEFAULT_S3_REDIRECT_TTL : s3.redirectTtl());
        }
        storage = new Storage(storage.path() == null ? DEFAULT_STORAGE : storage.path(), storage.maxSize(),
                storage.uploadExpiry() == null ? DEFAULT_UPLOAD_EXPIRY : storage.uploadExpiry(), gc,
                storage.type() == null ? EntrepotConfig.StorageType.FILESYSTEM : storage.type(), s3);
        List<Repository> repositories = raw.repositories() == null ? List.of()
                : raw.repositories().stream().filter(Objects::nonNull).map(ConfigLoader::withDefaults).toList();
        return new EntrepotConfig(storage, repositories, SecurityConfig.withDefaults(raw.auth()), raw.tls(),
                NotificationsConfig.withDefaults(raw.notifications()));
    }

    private static Repository withDefaults(Repository r) {
        Remote remote = r.remote() == null ? null : new Remote(r.remote().url(), r.remote().credentials(),
                r.remote().tagTtl() == null ? DEFAULT_TAG_TTL : r.remote().tagTtl(), r.remote().retention(),
                r.remote().notFoundTtl() == null ? DEFAULT_NOT_FOUND_TTL : r.remote().notFoundTtl());
        List<String> mirrorOf = r.mirrorOf() == null ? List.of() : r.mirrorOf();
        EntrepotConfig.Standard standard = r.standard();
        if (standard == null && r.mode() == Mode.STANDARD) {
            standard = new EntrepotConfig.Standard(false, null);
        } else if (standard != null) {
            EntrepotConfig.Cleanup c = standard.cleanup();
            standard = new EntrepotConfig.Standard(standard.immutableTags() != null && standard.immutableTags(),
                    c == null ? null : new EntrepotConfig.Cleanup(c.dryRun() == null || c.dryRun(), c.keepRecent(),
                            c.deleteUntaggedOlderThan()));
        }
        EntrepotConfig.Virtual virtual = r.virtual() == null ? null : new EntrepotConfig.Virtual(r.virtual().upstreams(),
                r.virtual().pushTo(),
                r.virtual().resolutionTtl() == null ? DEFAULT_RESOLUTION_TTL : r.virtual().resolutionTtl(),
                r.virtual().equalPriority() == null ? EntrepotConfig.EqualPriority.FASTEST : r.virtual().equalPriority());
        return new Repository(r.name(), r.mode(), mirrorOf, remote, standard, virtual, r.anonymousPull());
    }

    private static List<String> validate(EntrepotConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.storage().maxSize() != null && config.storage().maxSize().bytes() <= 0) {
            problems.add("storage.maxSize: must be positive");
        }
        if (config.storage().uploadExpiry().isNegative() || config.storage().uploadExpiry().isZero()) {
            problems.add("storage.uploadExpiry: must be positive");
        }
        StorageCheck.check(config.storage(), problems);
        if (config.repositories().isEmpty()) {
            problems.add("repositories: at least one repository is required");
        }
        Map<String, Repository> byName = new HashMap<>();
        Map<String, String> mirrorOwners = new HashMap<>();
        for (int i = 0; i < config.repositories().size(); i++) {
            Repository r = config.repositories().get(i);
            String at = "repositories[" + i + "]";
            if (r.name() == null || !REPOSITORY_NAME.matcher(r.name()).matches()) {
                problems.add(at + ".name: required, lowercase letters, digits and . _ - (got " + r.name() + ")");
            } else if (byName.put(r.name(), r) != null) {
                problems.add(at + ".name: duplicate repository '" + r.name() + "'");
            }
            for (String host : r.mirrorOf()) {
                if (host == null || !HOST.matcher(host).matches()) {
                    problems.add(at + ".mirrorOf: invalid registry host '" + host + "'");
                } else if (mirrorOwners.putIfAbsent(host, r.name()) != null) {
                    problems.add(at + ".mirrorOf: host '" + host + "' is already mirrored by '" + mirrorOwners.get(host) + "'");
                }
            }
            validateMode(r, at, problems);
        }
        for (int i = 0; i < config.repositories().size(); i++) {
            Repository r = config.repositories().get(i);
            if (r.mode() == Mode.VIRTUAL && r.virtual() != null) {
                validateVirtualReferences(r, "repositories[" + i + "].virtual", byName, problems);
            }
        }
        SecurityConfig.validate(config, problems);
        NotificationsConfig.validate(config, problems);
        return problems;
    }

    private static void validateMode(Repository r, String at, List<String> problems) {
        if (r.mode() == null) {
            problems.add(at + ".mode: required (remote, standard or virtual)");
            return;
        }
        requireBlock(r.mode() == Mode.REMOTE, r.remote() != null, at + ".remote", problems);
        if (r.standard() != null && r.mode() != Mode.STANDARD) {
            problems.add(at + ".standard: only allowed with mode standard");
        } else if (r.standard() != null && r.standard().cleanup() != null) {
            EntrepotConfig.Cleanup c = r.standard().cleanup();
            if (c.keepRecent() != null && c.keepRecent() < 0) {
                problems.add(at + ".standard.cleanup.keepRecent: must not be negative");
            }
            if (c.deleteUntaggedOlderThan() == null) {
                problems.add(at + ".standard.cleanup.deleteUntaggedOlderThan: required (the rule that deletes; "
                        + "keepRecent only protects)");
            }
        }
        requireBlock(r.mode() == Mode.VIRTUAL, r.virtual() != null, at + ".virtual", problems);
        if (r.mode() == Mode.REMOTE && r.remote() != null) {
            Remote remote = r.remote();
            if (remote.url() == null || remote.url().getHost() == null
                    || !("http".equals(remote.url().getScheme()) || "https".equals(remote.url().getScheme()))) {
                problems.add(at + ".remote.url: required absolute http(s) URL (got " + remote.url() + ")");
            }
            if (remote.tagTtl().isNegative()) {
                problems.add(at + ".remote.tagTtl: must not be negative");
            }
            if (remote.retention() != null && (remote.retention().isNegative() || remote.retention().isZero())) {
                problems.add(at + ".remote.retention: must be positive");
            }
            if (remote.credentials() != null
                    && (remote.credentials().usernameFile() == null || remote.credentials().passwordFile() == null)) {
                problems.add(at + ".remote.credentials: usernameFile and passwordFile are both required");
            }
        }
    }

    private static void requireBlock(boolean modeWantsIt, boolean present, String at, List<String> problems) {
        if (modeWantsIt && !present) {
            problems.add(at + ": required for this mode");
        } else if (!modeWantsIt && present) {
            problems.add(at + ": not allowed for this mode");
        }
    }

    private static void validateVirtualReferences(Repository r, String at, Map<String, Repository> byName,
                                                  List<String> problems) {
        List<EntrepotConfig.Upstream> upstreams = r.virtual().upstreams() == null ? List.of() : r.virtual().upstreams();
        if (upstreams.isEmpty()) {
            problems.add(at + ".upstreams: at least one upstream is required");
        }
        Set<String> seen = new HashSet<>();
        for (int j = 0; j < upstreams.size(); j++) {
            EntrepotConfig.Upstream u = upstreams.get(j);
            Repository target = u == null ? null : byName.get(u.repository());
            if (u != null && u.repository() != null && !seen.add(u.repository())) {
                problems.add(at + ".upstreams[" + j + "].repository: '" + u.repository() + "' is listed twice");
            } else if (target == null) {
                problems.add(at + ".upstreams[" + j + "].repository: unknown repository '"
                        + (u == null ? null : u.repository()) + "'");
            } else if (target.mode() == Mode.VIRTUAL) {
                problems.add(at + ".upstreams[" + j + "].repository: '" + u.repository() + "' is virtual; nest none");
            }
            if (u != null && (u.priority() == null || u.priority() < 0 || u.priority() > MAX_PRIORITY)) {
                problems.add(at + ".upstreams[" + j + "].priority: required, 0 to " + MAX_PRIORITY);
            }
        }
        String pushTo = r.virtual().pushTo();
        if (pushTo != null) {
            Repository target = byName.get(pushTo);
            if (target == null || target.mode() != Mode.STANDARD) {
                problems.add(at + ".pushTo: '" + pushTo + "' must name a standard repository");
            } else if (upstreams.stream().filter(Objects::nonNull).noneMatch(u -> pushTo.equals(u.repository()))) {
                problems.add(at + ".pushTo: '" + pushTo + "' must also be one of the upstreams");
            }
        }
    }

    private static String syntax(MarkedYAMLException y) {
        // SnakeYAML's first line is only the context ("while scanning ..."); the problem says what is wrong.
        return y.getProblemMark() == null ? "YAML syntax error: " + y.getProblem()
                : "YAML syntax error: " + y.getProblem() + " (line " + (y.getProblemMark().getLine() + 1)
                + ", column " + (y.getProblemMark().getColumn() + 1) + ")";
    }

    private static String describe(JsonProcessingException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException y && y.getProblemMark() != null) {
                return syntax(y);
            }
        }
        String path = e instanceof JsonMappingException m ? m.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining()).replaceFirst("^\\.", "") : "";
        JsonLocation loc = e.getLocation();
        String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        String what = e instanceof UnrecognizedPropertyException u
                ? "unknown field '" + u.getPropertyName() + "'"
                : e.getOriginalMessage().split("\n", 2)[0];
        return (path.isEmpty() ? "" : path + ": ") + what + where;
    }

    private static <T> JsonDeserializer<T> scalar(String kind, java.util.function.Function<String, T> parser) {
        return new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                String text = p.getValueAsString();
                if (text == null) {
                    return ctx.reportInputMismatch(this, "expected a %s", kind);
                }
                try {
                    return parser.apply(text);
                } catch (IllegalArgumentException | ArithmeticException ex) {
                    return ctx.reportInputMismatch(this, "%s", ex.getMessage());
                }
            }
        };
    }
}
