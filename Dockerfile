# akkio-dbproxy server image. Build the jar first (mvn -B package -DskipTests), then: docker build -t akkio-dbproxy .
# Java 25 (LTS) for its AOT cache: the proxy builds for Java 17 and runs on both (README, Warm-up at start)
FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 --home-dir /opt/akkio akkio \
 && mkdir -p /opt/akkio/logs /opt/akkio/conf /opt/akkio/tmp && chown -R akkio /opt/akkio
WORKDIR /opt/akkio
COPY proxy-server/target/akkio-proxy.jar /opt/akkio/akkio-proxy.jar
USER akkio
# JDK 25's AOT cache (README, Warm-up at start): a training run of this jar at this path, with the ENTRYPOINT's JVM
# options (a cache made under others is used only in part), of the demo on free loopback ports with the warm-up,
# stopped once ready, writes the classes it loaded and linked and its methods' profiles to the cache the ENTRYPOINT
# maps, so that the JIT compiles the hot path without profiling it first (a fresh replica at full speed after a short
# warm-up). A training run that fails fails the build, with its log: an image without its cache would start slowly.
COPY --chown=akkio conf/cds-training.yaml conf/demo-seed.sql /opt/akkio/training/
COPY --chown=akkio conf/policies/acme.yaml /opt/akkio/training/policies/
RUN AKKIO_TRAINING_AUDIT=/opt/akkio/training/audit.jsonl java --add-opens=java.base/java.nio=ALL-UNNAMED \
      --sun-misc-unsafe-memory-access=allow -XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/opt/akkio/tmp \
      -XX:AOTCacheOutput=/opt/akkio/akkio-proxy.aot \
      -jar /opt/akkio/akkio-proxy.jar serve --config /opt/akkio/training/cds-training.yaml --exit-when-ready \
 && test -s /opt/akkio/akkio-proxy.aot && rm -rf /opt/akkio/training
EXPOSE 8765 5433 8815
# the image listens on all interfaces of its container (AKKIO_HOST); publish the port only where clients live. The
# admin endpoint stays on the container's loopback (server.admin_host), where the health check reaches it.
ENV AKKIO_HOST=0.0.0.0
# with the AOT cache a 2 s warm-up is enough, the default (a proxy.yaml that sets warmup.seconds to
# "${AKKIO_WARMUP_SECONDS:-2}", as conf/proxy.yaml does, takes this), run on to AKKIO_WARMUP_MAX_SECONDS (10) where
# other work or the container's CPU quota starved it (README)
ENV AKKIO_WARMUP_SECONDS=2
# DuckDB unpacks its native library into java.io.tmpdir and loads it from there: that directory must allow
# executables, which a container's tmpfs /tmp does not (compose mounts /opt/akkio/tmp with exec)
ENTRYPOINT ["java", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/opt/akkio/tmp", "-XX:AOTCache=/opt/akkio/akkio-proxy.aot", "-jar", "/opt/akkio/akkio-proxy.jar"]
CMD ["serve", "--config", "/opt/akkio/conf/proxy.yaml"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8766 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
