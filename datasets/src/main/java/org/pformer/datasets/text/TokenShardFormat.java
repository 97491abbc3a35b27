package org.pformer.datasets.text;

import java.nio.charset.StandardCharsets;

/**
 * The binary token shard, version 1. All integers little-endian; ids are int32.
 *
 * <pre>
 * header, 32 bytes
 *   magic     8 bytes   "PFSHARD" followed by a zero byte
 *   version   u32       1
 *   flags     u32       0 (reserved)
 *   count     u64       number of sentences
 *   index     u64       byte offset of the index
 * records, one per sentence, in corpus order, starting at byte 32
 *   u32 n   then n x i32   P-Former (WordPiece) ids: [CLS] ... [SEP]
 *   u32 m   then m x i32   LLM ids: BOS ... "\n" (the clean caption with "\n" appended)
 *   u32 b   then b bytes   the clean caption, UTF-8
 * index
 *   count x u64            byte offset of each record (random access for shuffled reading)
 * </pre>
 *
 * A writer fills the header last, so a file whose header says count 0 / index 0 was never finished.
 */
public final class TokenShardFormat {

    public static final byte[] MAGIC = "PFSHARD\0".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 32;

    private TokenShardFormat() {}

    /** The file name of shard {@code index}: {@code shard-00000.bin}. */
    public static String fileName(int index) {
        return String.format("shard-%05d.bin", index);
    }
}
