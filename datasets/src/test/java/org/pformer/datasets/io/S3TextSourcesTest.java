package org.pformer.datasets.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.store.S3ArtifactStore;

/** The listing logic of {@link S3TextSources} without a server (the S3 round trips are in {@code S3SentenceIngestionIT}). */
class S3TextSourcesTest {

    /** Never contacted: the logic under test only keeps a reference to it. */
    private static final AmazonS3 CLIENT = S3ArtifactStore.newClient(
            new S3ArtifactStore.Settings("http://127.0.0.1:9", "us-east-1", true, 0, 64L << 20, 16L << 20, 100, 100),
            new AWSStaticCredentialsProvider(new BasicAWSCredentials("unused", "unused")));

    @AfterAll
    static void shutdown() {
        CLIENT.shutdown();
    }

    private static S3ObjectSummary summary(String key, long size, String etag) {
        S3ObjectSummary s = new S3ObjectSummary();
        s.setBucketName("corpora");
        s.setKey(key);
        s.setSize(size);
        s.setETag(etag);
        return s;
    }

    @Test
    void parsesBucketPrefixAndSingleKeyUris() {
        S3TextSources.Location prefix = S3TextSources.Location.parse("s3://corpora/cc/2023/");
        assertThat(prefix.bucket()).isEqualTo("corpora");
        assertThat(prefix.key()).isEqualTo("cc/2023/");
        assertThat(prefix.isPrefix()).isTrue();
        assertThat(prefix.lastSegment()).isEqualTo("2023");

        S3TextSources.Location bucket = S3TextSources.Location.parse("s3://corpora");
        assertThat(bucket.key()).isEmpty();
        assertThat(bucket.isPrefix()).isTrue();
        assertThat(bucket.lastSegment()).isEqualTo("corpora");
        assertThat(bucket.uri()).isEqualTo("s3://corpora/");

        S3TextSources.Location single = S3TextSources.Location.parse("s3://corpora/cc/part-0.txt.gz");
        assertThat(single.isPrefix()).isFalse();
        assertThat(single.lastSegment()).isEqualTo("part-0.txt.gz");
        assertThat(single.asPrefix().key()).isEqualTo("cc/part-0.txt.gz/");
        assertThat(S3TextSources.rootName("s3://corpora/cc/")).isEqualTo("cc");

        assertThatThrownBy(() -> S3TextSources.Location.parse("s3:///cc/")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3:///cc/ names no bucket");
        assertThatThrownBy(() -> S3TextSources.Location.parse("/data/cc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected an s3://bucket/prefix/ URI");
        assertThat(S3TextSources.isS3("s3://corpora/cc/")).isTrue();
        assertThat(S3TextSources.isS3("/data/s3://x")).isFalse();
    }

    @Test
    void selectsSortsAndNamesObjectsRelativeToThePrefix() {
        S3TextSources.Location prefix = S3TextSources.Location.parse("s3://corpora/cc/");
        List<S3ObjectSummary> listing = List.of(
                summary("cc/", 0, "d41d8cd98f00b204e9800998ecf8427e"),            // directory marker
                summary("cc/b/part-1.jsonl.gz", 30, "\"etag-b1\""),              // quoted as in some responses
                summary("cc/a.txt", 10, "etag-a"),
                summary("cc/b/", 0, "d41d8cd98f00b204e9800998ecf8427e"),          // nested marker
                summary("cc/.staging/part-9.txt", 5, "etag-hidden"),             // hidden directory
                summary("cc/b/.part-2.txt.crc", 5, "etag-crc"),                  // hidden file
                summary("cc/B.json", 20, "etag-B"),
                summary("cc/b/part-0.txt", 40, "etag-b0"),
                summary("ccx/other.txt", 1, "etag-x"));                          // a sibling prefix, not under cc/
        List<S3TextSources.S3File> files = S3TextSources.select(prefix, listing, CLIENT);
        // sorted by name (as LocalTextSources sorts relative paths), not in listing order
        assertThat(files).extracting(S3TextSources.S3File::name)
                .containsExactly("B.json", "a.txt", "b/part-0.txt", "b/part-1.jsonl.gz");
        assertThat(files).extracting(S3TextSources.S3File::key)
                .containsExactly("cc/B.json", "cc/a.txt", "cc/b/part-0.txt", "cc/b/part-1.jsonl.gz");
        assertThat(files).extracting(S3TextSources.S3File::size).containsExactly(20L, 10L, 40L, 30L);
        assertThat(files).extracting(S3TextSources.S3File::revision)
                .containsExactly("etag-B", "etag-a", "etag-b0", "etag-b1");
        assertThat(files.get(3).uri()).isEqualTo("s3://corpora/cc/b/part-1.jsonl.gz");
        assertThat(files.get(3).toString()).contains("s3://corpora/cc/b/part-1.jsonl.gz").doesNotContain("AmazonS3");
    }

    @Test
    void theWholeBucketIsAPrefixToo() {
        List<S3TextSources.S3File> files = S3TextSources.select(S3TextSources.Location.parse("s3://corpora"),
                List.of(summary("z.txt", 1, "e1"), summary("dir/", 0, "e0"), summary("dir/a.txt", 2, "e2")), CLIENT);
        assertThat(files).extracting(S3TextSources.S3File::name).containsExactly("dir/a.txt", "z.txt");
    }

    @Test
    void nothingButMarkersAndHiddenObjectsSelectsNothing() {
        assertThat(S3TextSources.select(S3TextSources.Location.parse("s3://corpora/cc/"),
                List.of(summary("cc/", 0, "e"), summary("cc/.keep", 0, "e")), CLIENT)).isEmpty();
    }

    @Test
    void theJobIdentityOfAnIngestionIncludesTheStoredVersion() {
        S3TextSources.S3File v1 = new S3TextSources.S3File("a.txt", "corpora", "cc/a.txt", 10, "etag-1", CLIENT);
        S3TextSources.S3File v2 = new S3TextSources.S3File("a.txt", "corpora", "cc/a.txt", 10, "etag-2", CLIENT);
        assertThat(v1.revision()).isNotEqualTo(v2.revision());
        assertThat(LocalTextSources.file(Path.of("a.txt")).revision()).isNull();
    }

    @Test
    void severalLocationsArePrefixedByTheirOwnNames(@TempDir Path tmp) throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus/sub"));
        Files.writeString(corpus.resolve("b.txt"), "b\n");
        Files.writeString(tmp.resolve("corpus/a.txt"), "a\n");
        Path single = Files.writeString(tmp.resolve("extra.jsonl"), "{\"caption\": \"x\"}\n");

        List<TextSource> one = TextSources.list(List.of(tmp.resolve("corpus").toString()), null);
        assertThat(one).extracting(TextSource::name).containsExactly("a.txt", "sub/b.txt");

        List<TextSource> two = TextSources.list(List.of(tmp.resolve("corpus").toString(), single.toString()), null);
        assertThat(two).extracting(TextSource::name).containsExactly("corpus/a.txt", "corpus/sub/b.txt", "extra.jsonl");
        assertThat(new String(two.get(1).open().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("b\n");
        assertThat(two).extracting(TextSource::name)
                .containsExactlyElementsOf(LocalTextSources.list(List.of(tmp.resolve("corpus"), single))
                        .stream().map(TextSource::name).toList());

        Path other = Files.createDirectories(tmp.resolve("other/corpus"));
        Files.writeString(other.resolve("c.txt"), "c\n");
        assertThatThrownBy(() -> TextSources.list(List.of(tmp.resolve("corpus").toString(), other.toString()), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both named 'corpus'");
        assertThatThrownBy(() -> TextSources.list(List.of("s3://corpora/cc/"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no S3 client");
    }
}
