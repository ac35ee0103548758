#!/usr/bin/env bash
# Entrepot S3 store benchmark (issue 20): everything on 127.0.0.1 in a temp dir, a markdown report on stdout,
# progress on stderr.
#
#   e2e/bench/s3.sh                      # builds what is missing or stale, then runs (defaults: ~5 min)
#   S3BENCH_SECTIONS=cold e2e/bench/s3.sh
#
# Measures (driven by dev.entrepot.e2e.bench.S3Bench, on the e2e test classpath: s3proxy embedded on jclouds'
# filesystem backend, the packaged proxy as separate JVMs, docker-registry as the upstream):
#   warm  1. warm blob GETs of a standard repository, wrk -t2 over one big blob and over many small ones, from
#            (a) the filesystem store, (b) the S3 store with the blob in its local tier (pushed through that proxy),
#            (c) the S3 store with a local tier of S3BENCH_MISS_TIER bytes on the same bucket: each request asks for
#            another blob than the ones in flight, so it is not in the tier (the big case walks 2x connections big
#            blobs). Each round runs every case against each store in turn; medians and ranges; bucket requests per
#            GET counted inside s3proxy.
#         2. single curl GETs of the big blob per store and round: time to first byte and total; for (c) a blob not
#            in the tier (a small GET first evicts it).
#   cold  3. S3BENCH_REPLICAS proxies with the S3 store on one bucket, a remote repository each in front of one
#            docker-registry behind a request counter; M clients (S3BENCH_CLIENTS) at once, round-robin over the
#            replicas, pull one fresh image: wall time, upstream GETs per blob, errors, digests checked by each client.
#            With S3BENCH_COLD_BASELINE=1 the same through replicas with their own filesystem stores (no sharing).
#
# Knobs (env; defaults in brackets):
#   S3BENCH_SECTIONS ["warm cold"]   S3BENCH_ROUNDS [3]
#   S3BENCH_DURATION [3]             wrk seconds per case of the small blobs   S3BENCH_BIG_DURATION [6] of the big one
#   S3BENCH_WRK_THREADS [2]          S3BENCH_CONNECTIONS ["4 32"]
#   S3BENCH_BIG_MIB [256]            S3BENCH_SMALL_MIB [1]  S3BENCH_SMALL_COUNT [256]
#   S3BENCH_MISS_BIG_CONNECTIONS ["4"] connections of the big local-tier-miss case (2x as many big blobs are pushed)
#   S3BENCH_MISS_TIER [1]            storage.s3.localCacheSize of proxy (c), bytes or 64Mi etc.
#   S3BENCH_TTFB_GETS [1]            curl GETs of the big blob per store and round
#   S3BENCH_REPLICAS [3]             S3BENCH_CLIENTS ["20 60"]   S3BENCH_COLD_ROUNDS [1]
#   S3BENCH_LAYER_MIB ["24 16 8 1"]  layer sizes of the cold image   S3BENCH_CLIENT_PARALLEL [3] blobs per client at once
#   S3BENCH_UPSTREAM_MIBPS [0]       throttle each upstream blob GET to this (0: unthrottled)
#   S3BENCH_COLD_BASELINE [1]        also pull through replicas with their own filesystem stores
#   S3BENCH_PROXY_JVM [""]           extra JVM options of every proxy, e.g. "-XX:MaxRAMPercentage=50 -XX:+UseSerialGC";
#                                    "-Dquarkus.http.access-log.enabled=true" logs every request (which status wrk's
#                                    "status" errors were) in the proxies' logs (with S3BENCH_KEEP=1)
#   S3BENCH_WORK_DIR [mktemp]        S3BENCH_KEEP [] non-empty: keep the work dir (proxy logs)
#   ENTREPOT_JAR [cache-proxy/target/quarkus-app/quarkus-run.jar]
# Needs: java 17, mvn (Maven Central reachable or ~/.m2 filled), wrk, curl, docker-registry (distribution 2.8), skopeo.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${ENTREPOT_JAR:-$ROOT/cache-proxy/target/quarkus-app/quarkus-run.jar}
CLASSPATH_FILE=$ROOT/e2e/target/s3bench.classpath

log() { printf '[s3bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
for tool in java mvn wrk curl docker-registry skopeo git; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install wrk curl docker-registry skopeo)"
done

WORK=${S3BENCH_WORK_DIR:-$(mktemp -d /tmp/entrepot-s3bench.XXXXXX)}
mkdir -p "$WORK"
DRIVER=
cleanup() {
    if [[ -n $DRIVER ]]; then
        kill "$DRIVER" 2>/dev/null || true
        wait "$DRIVER" 2>/dev/null || true
    fi
    if [[ -z ${S3BENCH_KEEP:-} ]]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

newer_than() { # newer_than FILE PATH...: whether FILE is missing or any PATH holds something newer
    local file=$1
    shift
    [[ ! -f $file ]] || [[ -n $(find "$@" -newer "$file" -print -quit 2>/dev/null) ]]
}

if [[ -z ${ENTREPOT_JAR:-} ]] && newer_than "$JAR" "$ROOT/cache-proxy/src/main" "$ROOT/cache-proxy/pom.xml"; then
    log "building the proxy (mvn -B -pl cache-proxy -am package -DskipTests)"
    (cd "$ROOT" && mvn -B -pl cache-proxy -am package -DskipTests >"$WORK/build-proxy.log" 2>&1) \
        || { cp "$WORK/build-proxy.log" /tmp/entrepot-s3bench-build.log; die "build failed: /tmp/entrepot-s3bench-build.log"; }
fi
[[ -f $JAR ]] || die "no proxy jar at $JAR"
if newer_than "$CLASSPATH_FILE" "$ROOT/e2e/src/test" "$ROOT/e2e/pom.xml" "$ROOT/pom.xml"; then
    log "compiling the e2e classes (mvn -B -pl e2e -am test-compile dependency:build-classpath)"
    (cd "$ROOT" && mvn -B -pl e2e -am test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/s3bench.classpath >"$WORK/build-e2e.log" 2>&1) \
        || { cp "$WORK/build-e2e.log" /tmp/entrepot-s3bench-build.log; die "build failed: /tmp/entrepot-s3bench-build.log"; }
fi

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no -- cache-proxy e2e | head -1)
cat <<EOF
## S3 store benchmark (\`e2e/bench/s3.sh\`)

- Commit: \`$COMMIT\`${DIRTY:+ (with uncommitted changes)}, proxy jar \`${JAR#"$ROOT"/}\` of $(date -u -r "$JAR" '+%Y-%m-%d %H:%M UTC'); run $(date -u '+%Y-%m-%d %H:%M UTC').
- Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM; $(java -version 2>&1 | head -1); wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}'); s3proxy 2.9.0 (jclouds filesystem backend) in the benchmark JVM; docker-registry $(docker-registry --version 2>/dev/null | awk '{print $3}'). Load generator, proxies, s3proxy and upstream share these cores.
- Load at start: \`$(uptime)\`
- Knobs: $(env | grep '^S3BENCH_' | sort | tr '\n' ' ' || true)(others default)

EOF

log "running (work dir $WORK)"
rm -rf "$WORK/run" # a kept work dir of an earlier run: its stores would not be cold
(cd "$ROOT/e2e" && exec java -cp "$ROOT/e2e/target/test-classes:$(cat "$CLASSPATH_FILE")" \
    -Dentrepot.proxy.jar="$JAR" dev.entrepot.e2e.bench.S3Bench "$WORK/run") &
DRIVER=$!
status=0
wait "$DRIVER" || status=$?
DRIVER=
echo "- Load at end: \`$(uptime)\`"
((status == 0)) || die "the benchmark failed (exit $status); S3BENCH_KEEP=1 keeps the proxies' logs"
