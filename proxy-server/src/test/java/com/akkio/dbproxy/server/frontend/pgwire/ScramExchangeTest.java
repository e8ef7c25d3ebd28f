package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;

import com.akkio.dbproxy.server.config.ScramVerifier;
import org.junit.jupiter.api.Test;

/** SCRAM-SHA-256 against RFC 7677's test vector (user "user", password "pencil"), and its failure modes. */
class ScramExchangeTest {
    private static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static ScramVerifier pencil() {
        return ScramVerifier.create("pencil", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
    }

    @Test
    void rfc7677TestVector() {
        ScramExchange exchange = new ScramExchange(pencil(), () -> SERVER_NONCE);
        assertThat(exchange.serverFirst(CLIENT_FIRST)).isEqualTo(SERVER_FIRST);
        assertThat(exchange.serverFinal(CLIENT_FINAL)).isEqualTo(SERVER_FINAL);
    }

    @Test
    void theStoredVerifierRoundTripsThroughItsText() {
        ScramVerifier parsed = ScramVerifier.parse(pencil().encoded());
        ScramExchange exchange = new ScramExchange(parsed, () -> SERVER_NONCE);
        exchange.serverFirst(CLIENT_FIRST);
        assertThat(exchange.serverFinal(CLIENT_FINAL)).isEqualTo(SERVER_FINAL);
        assertThat(parsed.toString()).doesNotContain(pencil().encoded().substring(20));
    }

    @Test
    void aWrongProofOrNonceFails() {
        ScramExchange wrongPassword = new ScramExchange(
                ScramVerifier.create("pencil2", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096),
                () -> SERVER_NONCE);
        wrongPassword.serverFirst(CLIENT_FIRST);
        assertThatThrownBy(() -> wrongPassword.serverFinal(CLIENT_FINAL))
                .isInstanceOf(ScramExchange.AuthFailure.class);

        ScramExchange otherNonce = new ScramExchange(pencil(), () -> "other");
        otherNonce.serverFirst(CLIENT_FIRST);
        assertThatThrownBy(() -> otherNonce.serverFinal(CLIENT_FINAL)).isInstanceOf(ScramExchange.AuthFailure.class);

        ScramExchange bindingLie = new ScramExchange(pencil(), () -> SERVER_NONCE);
        bindingLie.serverFirst(CLIENT_FIRST);
        assertThatThrownBy(() -> bindingLie.serverFinal(CLIENT_FINAL.replace("c=biws", "c=eSws")))
                .isInstanceOf(ScramExchange.AuthFailure.class);
    }

    @Test
    void channelBindingAndGarbageAreRefused() {
        assertThatThrownBy(() -> new ScramExchange(pencil()).serverFirst("p=tls-server-end-point,,n=,r=abc"))
                .isInstanceOf(ScramExchange.AuthFailure.class).hasMessageContaining("channel binding");
        assertThatThrownBy(() -> new ScramExchange(pencil()).serverFirst("garbage"))
                .isInstanceOf(ScramExchange.AuthFailure.class);
        assertThatThrownBy(() -> new ScramExchange(pencil()).serverFinal(CLIENT_FINAL))
                .isInstanceOf(ScramExchange.AuthFailure.class);
    }

    @Test
    void malformedVerifiersAreRejectedWithoutEchoingThem() {
        for (String bad : new String[] {"", "SCRAM-SHA-256$", "SCRAM-SHA-256$0:AAAAAAAAAAA=$AA==:AA==",
                "SCRAM-SHA-256$4096:c2FsdA==$x:y", "sha256:abc:def"}) {
            assertThatThrownBy(() -> ScramVerifier.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("SCRAM-SHA-256$<iterations>");
        }
    }
}
