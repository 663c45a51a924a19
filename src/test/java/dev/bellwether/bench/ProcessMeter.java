package dev.bellwether.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The memory and CPU time of a packaged service and of its embedded PostgreSQL, read from /proc (Linux only), for the
 * benchmarks that run them side by side with their load generator.
 */
final class ProcessMeter {

    private ProcessMeter() {
    }

    /**
     * CPU time spent during a round by the service, by its PostgreSQL and by this JVM (the load generator): where a
     * round's two cores went, and so what each request costs whatever the machine's other load.
     */
    record Cpu(Duration service, Duration postgres, Duration generator) {
    }

    /** CPU used so far by each process; PostgreSQL's by pid, as its backends and workers come and go. */
    record CpuReading(Duration service, Map<Long, Duration> postgres, Duration generator) {

        /**
         * Since {@code before}. A PostgreSQL process that started since counts from zero; one that ended since is left
         * out (its last work with it), so the figure may fall short, never below zero.
         */
        Cpu since(CpuReading before) {
            Duration postgresSince = Duration.ZERO;
            for (var process : postgres.entrySet()) {
                postgresSince = postgresSince.plus(process.getValue().minus(
                        before.postgres.getOrDefault(process.getKey(), Duration.ZERO)));
            }
            return new Cpu(service.minus(before.service), postgresSince, generator.minus(before.generator));
        }
    }

    /**
     * One reading, in kB. {@code postgresKb} is the sum of Pss over the PostgreSQL processes when {@code postgresPss},
     * else (smaps_rollup unreadable) the sum of their VmRSS, which counts shared buffers once per backend that touched
     * them and so overstates the total, by up to shared_buffers times the number of processes.
     */
    record MemorySample(long serviceRssKb, long serviceHwmKb, long postgresKb, boolean postgresPss, int postgresProcesses) {
    }

    /** What the samples of one round saw, in kB; VmHWM (the service's peak RSS since it started) as of the round's end. */
    record Memory(long serviceRssMaxKb, double serviceRssMeanKb, long serviceHwmKb, long postgresMaxKb,
            double postgresMeanKb, boolean postgresPss, int samples) {
    }

    /** Reads the memory and CPU time of the service and of its embedded PostgreSQL from /proc. */
    record MemoryProbe(long servicePid, Path postmasterPidFile) {

        MemorySample sample() throws Exception {
            Path status = Path.of("/proc", String.valueOf(servicePid), "status");
            long rss = procKb(status, "VmRSS:");
            long hwm = procKb(status, "VmHWM:");
            // Pss splits each shared page (shared buffers above all) among the processes mapping it, so the sum over the
            // postmaster and its backends is a fair total; summing RSS would count shared buffers once per backend.
            long pss = 0;
            long rssSum = 0;
            boolean pssReadable = true;
            int processes = 0;
            for (ProcessHandle process : postgresProcesses()) {
                Path proc = Path.of("/proc", String.valueOf(process.pid()));
                try {
                    long processRss = procKb(proc.resolve("status"), "VmRSS:");
                    if (processRss < 0) {
                        continue; // exited between listing and reading
                    }
                    rssSum += processRss;
                    processes++;
                    long processPss = pssReadable ? pssKb(proc) : -1;
                    pssReadable = processPss >= 0;
                    pss += Math.max(processPss, 0);
                } catch (java.io.IOException exited) {
                    // a backend that ended between listing and reading: it holds no memory any more
                }
            }
            return new MemorySample(rss, hwm, pssReadable ? pss : rssSum, pssReadable, processes);
        }

        /** CPU used so far by the service, by the PostgreSQL processes alive now, and by this JVM. */
        CpuReading cpu() {
            Map<Long, Duration> postgres = new TreeMap<>();
            for (ProcessHandle process : postgresProcesses()) {
                postgres.put(process.pid(), cpuTime(process));
            }
            return new CpuReading(ProcessHandle.of(servicePid).map(MemoryProbe::cpuTime).orElse(Duration.ZERO), postgres,
                    cpuTime(ProcessHandle.current()));
        }

        private static Duration cpuTime(ProcessHandle process) {
            return process.info().totalCpuDuration().orElse(Duration.ZERO);
        }

        /**
         * The postmaster and its backends. pg_ctl starts the postmaster as a daemon that outlives pg_ctl, so it is
         * reparented away from the service and is not among the service's descendants: its pid comes from
         * postmaster.pid. The service's descendants are searched as well, in case a future start keeps it a child.
         */
        private List<ProcessHandle> postgresProcesses() {
            Map<Long, ProcessHandle> found = new TreeMap<>();
            ProcessHandle.of(servicePid).ifPresent(service -> service.descendants().filter(MemoryProbe::isPostgres)
                    .forEach(p -> found.put(p.pid(), p)));
            postmaster().ifPresent(postmaster -> {
                found.put(postmaster.pid(), postmaster);
                postmaster.descendants().filter(MemoryProbe::isPostgres).forEach(p -> found.put(p.pid(), p));
            });
            return new ArrayList<>(found.values());
        }

        private Optional<ProcessHandle> postmaster() {
            try {
                List<String> lines = Files.readAllLines(postmasterPidFile);
                return lines.isEmpty() || lines.get(0).isBlank() ? Optional.empty()
                        : ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(MemoryProbe::isPostgres);
            } catch (java.io.IOException | NumberFormatException none) {
                return Optional.empty();
            }
        }

        private static boolean isPostgres(ProcessHandle process) {
            return process.info().command().map(c -> c.endsWith("/postgres")).orElse(false);
        }

        /** Pss from smaps_rollup (Linux 4.14+), or -1 when it is absent or not ours to read. */
        private static long pssKb(Path proc) {
            try {
                return procKb(proc.resolve("smaps_rollup"), "Pss:");
            } catch (java.io.IOException | SecurityException unreadable) {
                return -1;
            }
        }

        /** A "Name:   123 kB" field of a /proc file, or -1 when absent. */
        private static long procKb(Path file, String field) throws java.io.IOException {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        }
    }

    /**
     * Samples a {@link MemoryProbe} on its own thread while a round runs (every {@code every}), so
     * that the figures are those under load rather than after it. A sample costs a few /proc reads per process.
     */
    static final class MemorySampler {

        private final MemoryProbe probe;
        private final List<MemorySample> samples = Collections.synchronizedList(new ArrayList<>());
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "memory-sampler");
            thread.setDaemon(true);
            return thread;
        });

        MemorySampler(MemoryProbe probe, Duration every) {
            this.probe = probe;
            timer.scheduleAtFixedRate(this::sampleQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Stops sampling, takes one last sample (so that even a short round has its end) and sums up. */
        Memory stop() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(10, TimeUnit.SECONDS);
            sampleQuietly();
            List<MemorySample> taken = List.copyOf(samples);
            if (taken.isEmpty()) {
                return new Memory(-1, -1, -1, -1, -1, false, 0);
            }
            MemorySample last = taken.get(taken.size() - 1);
            return new Memory(taken.stream().mapToLong(MemorySample::serviceRssKb).max().orElse(-1),
                    taken.stream().mapToLong(MemorySample::serviceRssKb).average().orElse(-1), last.serviceHwmKb(),
                    taken.stream().mapToLong(MemorySample::postgresKb).max().orElse(-1),
                    taken.stream().mapToLong(MemorySample::postgresKb).average().orElse(-1),
                    taken.stream().allMatch(MemorySample::postgresPss), taken.size());
        }

        // a task that throws is never run again by the timer: a failed reading is skipped, not fatal
        private void sampleQuietly() {
            try {
                samples.add(probe.sample());
            } catch (Exception unreadable) {
                // the service is gone or /proc is not there; the round reports what was read
            }
        }
    }
}
