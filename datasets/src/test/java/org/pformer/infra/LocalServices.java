package org.pformer.infra;

import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.ClientConfiguration;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The local services of {@code infra/local} as integration tests see them: endpoints and credentials from the
 * environment that {@code make test} exports ({@code infra/local/env.sh}), and a test failure (never a skip) that
 * says how to start them when they are not there. Shared with the ITs of later modules as the datasets test-jar.
 */
public final class LocalServices {

    /** The advice every failure carries. */
    public static final String START_HINT = "start the services: make services-up";

    private LocalServices() {}

    /** The value of an environment variable that {@code infra/local/env.sh} exports; fails the test when unset. */
    public static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            fail("environment variable " + name + " is not set: " + START_HINT
                    + " and run the tests through `make test` (it exports infra/local/env.sh)");
        }
        return value;
    }

    /** Fails the test unless {@code service} accepts TCP connections at {@code hostPort} ("host:port"). */
    public static void requireReachable(String service, String hostPort) {
        URI uri = URI.create("tcp://" + hostPort);
        if (uri.getHost() == null || uri.getPort() < 0) {
            fail("the address of " + service + " is not host:port: '" + hostPort + "'");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 3000);
        } catch (IOException e) {
            fail(service + " is not reachable at " + hostPort + " (" + e.getMessage() + "): " + START_HINT);
        }
    }

    /** Fails the test unless the server of an http(s) URL accepts connections; returns the URL. */
    public static String requireReachableUrl(String service, String url) {
        URI uri = URI.create(url);
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        requireReachable(service, uri.getHost() + ":" + port);
        return url;
    }

    /** The local S3 endpoint (PFORMER_S3_ENDPOINT), reachable. */
    public static String s3Endpoint() {
        return requireReachableUrl("the S3 store (s3proxy)", env("PFORMER_S3_ENDPOINT"));
    }

    /**
     * A client of the local S3 store as the pipeline configures one: custom endpoint, path-style addressing,
     * SigV4 in {@code AWS_REGION}, the credentials of the environment.
     */
    public static AmazonS3 s3Client() {
        return s3Client(env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"));
    }

    /** The same client with other credentials (to prove the store checks signatures). */
    public static AmazonS3 s3Client(String accessKey, String secretKey) {
        String region = System.getenv().getOrDefault("AWS_REGION", "us-east-1");
        return AmazonS3ClientBuilder.standard()
                .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(s3Endpoint(), region))
                .withPathStyleAccessEnabled(true)
                .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(accessKey, secretKey)))
                .withClientConfiguration(new ClientConfiguration().withSignerOverride("AWSS3V4SignerType").withMaxErrorRetry(2))
                .build();
    }

    /** The repository root: {@code -Dpformer.repo.root} (the parent pom passes the multi-module directory). */
    public static Path repoRoot() {
        Path root = Path.of(System.getProperty("pformer.repo.root", "..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("infra/local/services.sh"))) {
            fail("cannot find infra/local/services.sh under " + root + " (set -Dpformer.repo.root to the checkout)");
        }
        return root;
    }

    /** Runs {@code infra/local/services.sh VERB SERVICE}, its output going to the test's output; fails on error. */
    public static void services(String verb, String service) {
        try {
            Process p = new ProcessBuilder("bash", repoRoot().resolve("infra/local/services.sh").toString(), verb, service)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("infra/local/services.sh " + verb + " " + service + " did not finish within 240 s");
            }
            if (p.exitValue() != 0) {
                fail("infra/local/services.sh " + verb + " " + service + " failed with exit code " + p.exitValue());
            }
        } catch (IOException e) {
            fail("cannot run infra/local/services.sh: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while running infra/local/services.sh " + verb + " " + service);
        }
    }
}
