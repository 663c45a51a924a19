package dev.bellwether.telemetry;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Which partitions of the event table to create and which to drop. Events are partitioned by the UTC day of their
 * {@code at}; a partition may also be wider (the one holding the events stored before partitioning).
 */
public final class PartitionPlan {

    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'event_p'yyyyMMdd");

    /** A partition of the event table: events with {@code from <= at < to}; {@code from} null means unbounded below. */
    public record Partition(String name, Instant from, Instant to) {

        boolean overlaps(Instant start, Instant end) {
            return (from == null || from.isBefore(end)) && to.isAfter(start);
        }
    }

    private PartitionPlan() {
    }

    /** The partition of one UTC day. */
    public static Partition day(LocalDate day) {
        return new Partition(NAME.format(day), day.atStartOfDay(ZoneOffset.UTC).toInstant(),
                day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** The day partitions still missing for events with {@code earliest <= at <= latest}. */
    public static List<Partition> toCreate(List<Partition> existing, Instant earliest, Instant latest) {
        List<Partition> missing = new ArrayList<>();
        LocalDate last = LocalDate.ofInstant(latest, ZoneOffset.UTC);
        for (LocalDate d = LocalDate.ofInstant(earliest, ZoneOffset.UTC); !d.isAfter(last); d = d.plusDays(1)) {
            Partition candidate = day(d);
            if (existing.stream().noneMatch(p -> p.overlaps(candidate.from(), candidate.to()))) {
                missing.add(candidate);
            }
        }
        return missing;
    }

    /** The partitions whose every event is older than {@code keepFrom}. */
    public static List<Partition> toDrop(List<Partition> existing, Instant keepFrom) {
        return existing.stream().filter(p -> !p.to().isAfter(keepFrom)).toList();
    }
}
