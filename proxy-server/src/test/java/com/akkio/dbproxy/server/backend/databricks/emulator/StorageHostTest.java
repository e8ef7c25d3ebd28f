package com.akkio.dbproxy.server.backend.databricks.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SelfSigned;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each cloud's presigned links as the emulated storage serves them: the link's shape, the customer key its headers
 * must carry, and the cloud's refusals of the workspace token, an expired link and a tampered one. Storage on
 * 127.0.1.43, on a free port.
 */
@LiveServerTest
class StorageHostTest {
    @TempDir
    static Path dir;
    static SelfSigned cert;
    static StorageHost storage;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        cert = SelfSigned.create(dir, "127.0.1.43");
        storage = new StorageHost(cert.keystore(), cert.keystorePassword(), "127.0.1.43");
        client = HttpClient.newBuilder().sslContext(EmulatorWithRealDriverTest.trusting(cert)).build();
    }

    @AfterAll
    static void stop() {
        storage.close();
    }

    @ParameterizedTest
    @EnumSource(StorageHost.Cloud.class)
    void eachCloudsLinkReadsItsObjectOnlyWithTheKeyItsHeadersCarryAndRefusesWhatItsCloudRefuses(
            StorageHost.Cloud cloud) throws Exception {
        storage.cloud(cloud, true);
        String key = storage.store("direct-" + cloud, List.of(new byte[] {1, 2, 3})).get(0);
        String link = storage.presign(key, Duration.ofMinutes(15));
        Map<String, String> headers = storage.headers(key);
        assertThat(link).contains(switch (cloud) {
            case AWS -> "X-Amz-Signature=";
            case AZURE -> "sr=b&sp=r&sig=";
            case GCP -> "X-Goog-Algorithm=GOOG4-RSA-SHA256";
        });
        assertThat(headers).containsKey(switch (cloud) {
            case AWS -> "x-amz-server-side-encryption-customer-key";
            case AZURE -> "x-ms-encryption-key";
            case GCP -> "x-goog-encryption-key";
        });

        HttpRequest.Builder withKey = HttpRequest.newBuilder(URI.create(link));
        headers.forEach(withKey::header);
        assertThat(client.send(withKey.build(), HttpResponse.BodyHandlers.ofByteArray()).body())
                .containsExactly(1, 2, 3);

        HttpResponse<String> withoutKey = get(HttpRequest.newBuilder(URI.create(link)));
        assertThat(withoutKey.statusCode()).isEqualTo(cloud == StorageHost.Cloud.AZURE ? 409 : 400);
        assertThat(withoutKey.body()).contains(switch (cloud) {
            case AWS -> "InvalidRequest";
            case AZURE -> "BlobUsesCustomerSpecifiedEncryption";
            case GCP -> "ResourceIsEncryptedWithCustomerEncryptionKey";
        });

        HttpRequest.Builder withToken = HttpRequest.newBuilder(URI.create(link))
                .header("Authorization", "Bearer workspace-token");
        headers.forEach(withToken::header);
        assertThat(get(withToken).statusCode()).isIn(400, 403);

        HttpRequest.Builder expired = HttpRequest.newBuilder(URI.create(storage.presign(key, Duration.ofSeconds(-120))));
        headers.forEach(expired::header);
        HttpResponse<String> late = get(expired);
        assertThat(late.statusCode()).isEqualTo(cloud == StorageHost.Cloud.GCP ? 400 : 403);
        assertThat(late.body()).contains(switch (cloud) {
            case AWS -> "Request has expired";
            case AZURE -> "has to be after current time";
            case GCP -> "ExpiredToken";
        });

        String tamperedLink = link.replaceFirst("(X-Amz-Expires|X-Goog-Expires)=900", "$1=9000")
                .replace("&sp=r&", "&sp=rw&");
        assertThat(tamperedLink).isNotEqualTo(link);
        HttpRequest.Builder tampered = HttpRequest.newBuilder(URI.create(tamperedLink));
        headers.forEach(tampered::header);
        HttpResponse<String> altered = get(tampered);
        assertThat(altered.statusCode()).isEqualTo(403);
        assertThat(altered.body()).containsAnyOf("SignatureDoesNotMatch", "AuthenticationFailed");
        storage.cloud(StorageHost.Cloud.AWS, false);
    }

    private static HttpResponse<String> get(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
