package org.pformer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The TCP sockets the local services listen on, read from Linux's /proc: every process of each service's session
 * (services.sh starts each daemon with setsid, so its session holds all its children), its socket inodes, and the
 * LISTEN entries of /proc/net/tcp and tcp6 with those inodes.
 */
final class ListeningSockets {

    private ListeningSockets() {}

    /** "address:port service(pid)" for every listening socket of the daemons whose pid files are in {@code runDir}. */
    static List<String> ofServices(Path runDir) throws IOException {
        Map<Long, String> listening = new HashMap<>(); // inode -> address:port
        readTable(Path.of("/proc/net/tcp"), listening);
        readTable(Path.of("/proc/net/tcp6"), listening);
        TreeSet<String> out = new TreeSet<>();
        List<Path> pidFiles;
        try (Stream<Path> s = Files.list(runDir)) {
            pidFiles = s.filter(p -> p.toString().endsWith(".pid")).toList();
        }
        for (Path pidFile : pidFiles) {
            String service = pidFile.getFileName().toString().replace(".pid", "");
            long session = Long.parseLong(Files.readString(pidFile).trim());
            for (long pid : sessionMembers(session)) {
                for (long inode : socketInodes(pid)) {
                    String addr = listening.get(inode);
                    if (addr != null) {
                        out.add(addr + " " + service + "(" + pid + ")");
                    }
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static List<Long> sessionMembers(long session) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // fields after the command (in parentheses): state ppid pgrp session ...
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[3]) == session) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return pids;
    }

    private static List<Long> socketInodes(long pid) {
        List<Long> inodes = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException gone) {
            // the process ended meanwhile
        }
        return inodes;
    }

    /** LISTEN rows (state 0A) of a /proc/net/tcp* table: inode -> "address:port". */
    private static void readTable(Path table, Map<Long, String> out) throws IOException {
        if (!Files.exists(table)) {
            return;
        }
        List<String> lines = Files.readAllLines(table);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f[3].equals("0A")) {
                String[] local = f[1].split(":");
                out.put(Long.parseLong(f[9]), address(local[0]) + ":" + Integer.parseInt(local[1], 16));
            }
        }
    }

    /** /proc's hex address (little-endian 32-bit words) in the usual notation. */
    static String address(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(word * 8 + (3 - i) * 2, word * 8 + (3 - i) * 2 + 2), 16);
            }
        }
        try {
            String s = java.net.InetAddress.getByAddress(b).getHostAddress();
            if (b.length == 16 && s.startsWith("0:0:0:0:0:ffff:")) {
                return "::ffff:" + java.net.InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)).getHostAddress();
            }
            return s.equals("0:0:0:0:0:0:0:1") ? "::1" : s.equals("0:0:0:0:0:0:0:0") ? "::" : s;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(hex, e);
        }
    }
}
