# akkio-dbproxy server image. Build the jar first (mvn -B package -DskipTests), then: docker build -t akkio-dbproxy .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /opt/akkio akkio \
 && mkdir -p /opt/akkio/logs /opt/akkio/conf /opt/akkio/tmp && chown -R akkio /opt/akkio
WORKDIR /opt/akkio
COPY proxy-server/target/akkio-proxy.jar /opt/akkio/akkio-proxy.jar
USER akkio
EXPOSE 8765 5433 8815
# the image listens on all interfaces of its container (AKKIO_HOST); publish the port only where clients live. The
# admin endpoint stays on the container's loopback (server.admin_host), where the health check reaches it.
ENV AKKIO_HOST=0.0.0.0
# DuckDB unpacks its native library into java.io.tmpdir and loads it from there: that directory must allow
# executables, which a container's tmpfs /tmp does not (compose mounts /opt/akkio/tmp with exec)
ENTRYPOINT ["java", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/opt/akkio/tmp", "-jar", "/opt/akkio/akkio-proxy.jar"]
CMD ["serve", "--config", "/opt/akkio/conf/proxy.yaml"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8766 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
