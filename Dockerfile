# akkio-dbproxy server image. Build the jar first (mvn -B package -DskipTests), then: docker build -t akkio-dbproxy .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /opt/akkio akkio \
 && mkdir -p /opt/akkio/logs /opt/akkio/conf && chown -R akkio /opt/akkio
WORKDIR /opt/akkio
COPY proxy-server/target/akkio-proxy.jar /opt/akkio/akkio-proxy.jar
USER akkio
EXPOSE 8765 5433
# the image listens on all interfaces of its container (AKKIO_HOST); publish the port only where clients live
ENV AKKIO_HOST=0.0.0.0
ENTRYPOINT ["java", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-jar", "/opt/akkio/akkio-proxy.jar"]
CMD ["serve", "--config", "/opt/akkio/conf/proxy.yaml"]
