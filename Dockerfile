# akkio-dbproxy server image. Build the jar first (mvn -B package -DskipTests), then: docker build -t akkio-dbproxy .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /opt/akkio akkio \
 && mkdir -p /opt/akkio/logs /opt/akkio/conf /opt/akkio/tmp && chown -R akkio /opt/akkio
WORKDIR /opt/akkio
COPY proxy-server/target/akkio-proxy.jar /opt/akkio/akkio-proxy.jar
USER akkio
# AppCDS (README, Performance): a training run of this jar at this path (the demo on free loopback ports with the
# warm-up, stopped once ready) writes the archive the entrypoint maps; an archive must be built where the jar lives.
# If the training fails the image still works: -Xshare:auto without the archive loads classes as usual.
COPY --chown=akkio conf/cds-training.yaml conf/demo-seed.sql /opt/akkio/training/
COPY --chown=akkio conf/policies/acme.yaml /opt/akkio/training/policies/
RUN AKKIO_TRAINING_AUDIT=/opt/akkio/training/audit.jsonl java --add-opens=java.base/java.nio=ALL-UNNAMED \
      -Djava.io.tmpdir=/opt/akkio/tmp -XX:ArchiveClassesAtExit=/opt/akkio/akkio-proxy.jsa \
      -jar /opt/akkio/akkio-proxy.jar serve --config /opt/akkio/training/cds-training.yaml --exit-when-ready \
    || echo "AppCDS training run failed: the image starts without the archive"; rm -rf /opt/akkio/training
EXPOSE 8765 5433 8815
# the image listens on all interfaces of its container (AKKIO_HOST); publish the port only where clients live. The
# admin endpoint stays on the container's loopback (server.admin_host), where the health check reaches it.
ENV AKKIO_HOST=0.0.0.0
# DuckDB unpacks its native library into java.io.tmpdir and loads it from there: that directory must allow
# executables, which a container's tmpfs /tmp does not (compose mounts /opt/akkio/tmp with exec)
ENTRYPOINT ["java", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/opt/akkio/tmp", "-XX:SharedArchiveFile=/opt/akkio/akkio-proxy.jsa", "-Xshare:auto", "-jar", "/opt/akkio/akkio-proxy.jar"]
CMD ["serve", "--config", "/opt/akkio/conf/proxy.yaml"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8766 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
