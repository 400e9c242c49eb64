package io.coedit.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * CPU time of this process and of the server beside it, read from Linux's {@code /proc}
 * (elsewhere the server's is simply unknown). On two cores the generator competes with the
 * server, so a run reports both.
 */
final class ProcessCpu {
    /** USER_HZ: the unit of the times in {@code /proc/PID/stat}; 100 on every Linux we meet. */
    private static final long TICKS_PER_SECOND = 100;

    private ProcessCpu() {}

    /** CPU time (user + system) this JVM has used. */
    static long selfNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /** CPU time (user + system) of process {@code pid}, if {@code /proc} tells. */
    static OptionalLong nanosOf(long pid) {
        try {
            return OptionalLong.of(parseStatTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))
                    * (1_000_000_000L / TICKS_PER_SECOND));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** utime + stime, in ticks, from the text of {@code /proc/PID/stat}. */
    static long parseStatTicks(String stat) {
        // The command name (field 2) is in parentheses and may contain spaces: count from after it.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state); utime and stime are fields 14 and 15.
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The process listening on TCP {@code port} on this machine, if {@code /proc} shows it. */
    static OptionalLong pidListeningOn(int port) {
        String inode = null;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                inode = listeningInode(Files.readAllLines(Path.of(table)), port);
            } catch (IOException | RuntimeException e) {
                // not Linux, or not readable
            }
            if (inode != null) {
                break;
            }
        }
        if (inode == null) {
            return OptionalLong.empty();
        }
        String socket = "socket:[" + inode + "]";
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (socket.equals(Files.readSymbolicLink(fd).toString())) {
                                return OptionalLong.of(Long.parseLong(proc.getFileName().toString()));
                            }
                        } catch (IOException | UnsupportedOperationException e) {
                            // gone, or not a link
                        }
                    }
                } catch (IOException e) {
                    // another user's process, or gone
                }
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /** The inode of the socket listening (state 0A) on {@code port} in a {@code /proc/net/tcp} table. */
    static String listeningInode(List<String> lines, int port) {
        String hexPort = ":" + String.format(Locale.ROOT, "%04X", port);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                return f[9];
            }
        }
        return null;
    }
}
