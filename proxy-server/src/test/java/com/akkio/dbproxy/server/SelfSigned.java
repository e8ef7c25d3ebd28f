package com.akkio.dbproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A self-signed certificate for 127.0.0.1 made with the JDK's keytool: a PKCS12 keystore and a trust store. */
public record SelfSigned(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {

    public static SelfSigned create(Path dir) throws Exception {
        return create(dir, "127.0.0.1");
    }

    /** A certificate for the given loopback address (and 127.0.0.1, localhost). */
    public static SelfSigned create(Path dir, String ip) throws Exception {
        return create(dir, ip, new String[0]);
    }

    /** A certificate for the given loopback address and host names (and 127.0.0.1, localhost). */
    public static SelfSigned create(Path dir, String ip, String... names) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path truststore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "ks-pass",
                "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:" + ip + ",ip:127.0.0.1,dns:localhost"
                        + java.util.Arrays.stream(names).map(n -> ",dns:" + n).collect(
                                java.util.stream.Collectors.joining()));
        keytool("-exportcert", "-keystore", keystore.toString(), "-storepass", "ks-pass", "-alias", "server",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-keystore", truststore.toString(), "-storetype", "PKCS12",
                "-storepass", "trust-pass", "-alias", "server", "-file", cert.toString());
        return new SelfSigned(keystore, "ks-pass", truststore, "trust-pass");
    }

    /** Adds {@code other}'s certificate to this trust store, so one trust store trusts both servers. */
    public SelfSigned trusting(SelfSigned other) throws Exception {
        keytool("-importcert", "-noprompt", "-keystore", truststore.toString(), "-storetype", "PKCS12",
                "-storepass", truststorePassword, "-alias", "server-" + other.keystore().getParent().getFileName(),
                "-file", other.keystore().resolveSibling("server.crt").toString());
        return this;
    }

    private static void keytool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }
}
