package dev.bellwether.telemetry;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * A mergeable distribution of non-negative values (milliseconds, depths) kept in a DDSketch with 1 % relative
 * accuracy: quantiles are within 1 % of a true value, and sketches of any two rollups merge exactly.
 */
public final class Distribution {

    static final double RELATIVE_ACCURACY = 0.01;
    private static final int MAX_BINS = 2048;

    private final DDSketch sketch;

    public Distribution() {
        this(DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS));
    }

    private Distribution(DDSketch sketch) {
        this.sketch = sketch;
    }

    public static Distribution decode(byte[] encoded) {
        Distribution distribution = new Distribution();
        try {
            distribution.sketch.decodeAndMergeWith(ByteArrayInput.wrap(encoded));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt distribution sketch", e);
        }
        return distribution;
    }

    public byte[] encode() {
        GrowingByteArrayOutput output = GrowingByteArrayOutput.withDefaultInitialCapacity();
        try {
            sketch.encode(output, false);
        } catch (IOException e) {
            throw new UncheckedIOException("a sketch could not be encoded in memory", e);
        }
        return output.trimmedCopy();
    }

    public void add(double value) {
        sketch.accept(value);
    }

    public void merge(Distribution other) {
        sketch.mergeWith(other.sketch);
    }

    public long count() {
        return Math.round(sketch.getCount());
    }

    public boolean isEmpty() {
        return sketch.isEmpty();
    }

    /** The value at quantile q (0..1), or null when empty. */
    public Double quantile(double q) {
        return sketch.isEmpty() ? null : sketch.getValueAtQuantile(q);
    }

    public Double max() {
        return sketch.isEmpty() ? null : sketch.getMaxValue();
    }

    /**
     * How many values are at most {@code bound}, to the sketch's accuracy: a value within 1 % of the bound
     * may fall on either side. Used for "N % within T" objectives.
     */
    public long countAtMost(double bound) {
        if (sketch.isEmpty()) {
            return 0;
        }
        double below = sketch.getNegativeValueStore().getTotalCount();
        double zeroCount = sketch.getCount() - below - sketch.getPositiveValueStore().getTotalCount();
        double count = below + (bound >= 0 ? zeroCount : 0);
        for (Iterator<com.datadoghq.sketch.ddsketch.store.Bin> bins = sketch.getPositiveValueStore().getAscendingIterator();
                bins.hasNext(); ) {
            var bin = bins.next();
            if (sketch.getIndexMapping().value(bin.getIndex()) > bound) {
                break;
            }
            count += bin.getCount();
        }
        return Math.round(count);
    }
}
