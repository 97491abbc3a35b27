package org.pformer.activities.tracking;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of append-only JSON-lines segments plus a cursor (the last delivered {@code seq}), guarded by a file
 * lock while its owner lives. Each event is written with one write call before the tracking call returns, so a
 * killed process loses nothing; a later process that can take the lock adopts the spool and delivers the rest.
 */
final class Spool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final long SEGMENT_BYTES = 4L * 1024 * 1024;

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Deque<TrackingEvent> pending = new ArrayDeque<>();
    /** first seq of each segment file → last seq written to it. */
    private final TreeMap<Long, Long> segments = new TreeMap<>();
    private long nextSeq;
    private long delivered;
    private OutputStream active;
    private long activeFirstSeq = -1;
    private long activeBytes;

    private Spool(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Creates and locks a new spool directory. */
    static Spool create(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create tracking spool " + dir, e);
        }
        return tryLock(dir).orElseThrow(() -> new IllegalStateException("tracking spool " + dir + " is locked by another process"));
    }

    /** Locks an existing spool if its owner is gone, reading what it has not delivered yet. */
    static Optional<Spool> tryLock(Path dir) {
        try {
            FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                return Optional.empty();
            }
            Spool spool = new Spool(dir, ch, lock);
            spool.load();
            return Optional.of(spool);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock tracking spool " + dir, e);
        }
    }

    Path dir() {
        return dir;
    }

    private void load() throws IOException {
        Path cursor = dir.resolve("cursor");
        delivered = Files.exists(cursor) ? Long.parseLong(Files.readString(cursor).trim()) : 0;
        nextSeq = delivered + 1;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("events-\\d{20}\\.jsonl")).sorted().toList();
        }
        for (Path f : files) {
            long first = Long.parseLong(f.getFileName().toString().substring(7, 27));
            long last = first - 1;
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    TrackingEvent e;
                    try {
                        e = JSON.readValue(line, TrackingEvent.class);
                    } catch (IOException partial) {
                        // the owner died in the middle of this write: nothing after it was acknowledged
                        LOG.warn("tracking spool {}: ignoring an incomplete last record in {}", dir, f.getFileName());
                        break;
                    }
                    last = Math.max(last, e.seq());
                    if (e.seq() > delivered) {
                        pending.add(e);
                    }
                }
            }
            segments.put(first, last);
            nextSeq = Math.max(nextSeq, last + 1);
        }
    }

    /** Appends durably (one write per event) and queues the event for delivery. */
    synchronized void append(TrackingEvent event) {
        TrackingEvent e = event.withSeq(nextSeq++);
        try {
            byte[] line = (JSON.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8);
            if (active == null || activeBytes + line.length > SEGMENT_BYTES) {
                rotate(e.seq());
            }
            active.write(line);
            active.flush();
            activeBytes += line.length;
            segments.put(activeFirstSeq, e.seq());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write to tracking spool " + dir, ex);
        }
        pending.add(e);
    }

    private void rotate(long firstSeq) throws IOException {
        if (active != null) {
            active.close();
        }
        Path f = dir.resolve(String.format("events-%020d.jsonl", firstSeq));
        active = Files.newOutputStream(f, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        activeFirstSeq = firstSeq;
        activeBytes = Files.size(f);
        segments.put(firstSeq, firstSeq - 1);
    }

    /** The next undelivered events, oldest first (at most {@code max}). */
    synchronized List<TrackingEvent> peek(int max) {
        List<TrackingEvent> out = new ArrayList<>(Math.min(max, pending.size()));
        for (TrackingEvent e : pending) {
            if (out.size() == max) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    synchronized boolean isDrained() {
        return pending.isEmpty();
    }

    synchronized long lastAppended() {
        return nextSeq - 1;
    }

    synchronized long delivered() {
        return delivered;
    }

    /** Records that every event up to {@code seq} reached the server; drops segments that are fully delivered. */
    synchronized void markDelivered(long seq) {
        while (!pending.isEmpty() && pending.peekFirst().seq() <= seq) {
            pending.pollFirst();
        }
        delivered = Math.max(delivered, seq);
        try {
            Path tmp = dir.resolve("cursor.tmp");
            Files.writeString(tmp, Long.toString(delivered));
            Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            for (var it = segments.entrySet().iterator(); it.hasNext(); ) {
                var segment = it.next();
                if (segment.getValue() <= delivered && segment.getKey() != activeFirstSeq) {
                    Files.deleteIfExists(dir.resolve(String.format("events-%020d.jsonl", segment.getKey())));
                    it.remove();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update tracking spool cursor in " + dir, e);
        }
    }

    /** Releases the lock; with {@code removeIfDrained}, deletes the directory when nothing is left to deliver. */
    synchronized void close(boolean removeIfDrained) {
        try {
            if (active != null) {
                active.close();
                active = null;
            }
            boolean remove = removeIfDrained && pending.isEmpty();
            if (remove) {
                try (Stream<Path> s = Files.list(dir)) {
                    for (Path p : s.filter(p -> !p.getFileName().toString().equals("lock")).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            lock.release();
            lockChannel.close();
            if (remove) {
                Files.deleteIfExists(dir.resolve("lock"));
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            LOG.warn("tracking spool {}: cannot close cleanly: {}", dir, e.toString());
        }
    }

    @Override
    public void close() {
        close(true);
    }
}
