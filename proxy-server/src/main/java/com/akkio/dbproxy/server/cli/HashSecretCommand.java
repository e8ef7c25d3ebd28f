package com.akkio.dbproxy.server.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import com.akkio.dbproxy.server.config.ScramVerifier;
import com.akkio.dbproxy.server.config.SecretHash;
import picocli.CommandLine.Command;

/** Reads a tenant secret from standard input (never from the command line, where it would reach shell history). */
@Command(name = "hash-secret", mixinStandardHelpOptions = true,
        description = "Read a tenant secret on standard input and print its secret_hash and"
        + " scram_sha256 (for the PostgreSQL front end), as lines for tenants.X in proxy.yaml.")
final class HashSecretCommand implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
        String secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (secret == null || secret.isEmpty()) {
            System.err.println("error: no secret on standard input");
            return AkkioProxy.USAGE_ERROR;
        }
        System.out.println("secret_hash: \"" + SecretHash.create(secret).encoded() + "\"");
        System.out.println("scram_sha256: \"" + ScramVerifier.create(secret).encoded() + "\"");
        return 0;
    }
}
