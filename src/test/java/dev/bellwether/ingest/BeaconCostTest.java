package dev.bellwether.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BeaconCostTest {

    @ParameterizedTest(name = "{0} bytes at {1} a beacon count as {2}")
    @CsvSource({
            "0, 8192, 1",
            "1, 8192, 1",
            "8191, 8192, 1",
            "8192, 8192, 1",
            "8193, 8192, 2",
            "65536, 8192, 8",
            "1048576, 8192, 128",
            "1048577, 8192, 129",
            "1000, 1, 1000",
            "-5, 8192, 1",
            "2147483647, 1, 2147483647",
            "2147483647, 8192, 262144"})
    void aBeaconCountsOncePerStartedUnit(int jsonBytes, int bytesPerBeacon, int beacons) {
        assertThat(BeaconCost.beacons(jsonBytes, bytesPerBeacon)).isEqualTo(beacons);
    }

    @Test
    void aUnitOfNoBytesIsRefused() {
        assertThatThrownBy(() -> BeaconCost.beacons(100, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
