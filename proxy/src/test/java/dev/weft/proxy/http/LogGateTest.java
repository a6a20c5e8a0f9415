package dev.weft.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogGateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void oneLineASecondAndTheRestCounted() {
        LogGate gate = new LogGate(SECOND);
        long t = 123_456_789L;
        assertThat(gate.admit(t)).isZero();
        for (int i = 1; i <= 500; i++) {
            assertThat(gate.admit(t + i * 1_000_000L)).as("line %d within the second", i).isEqualTo(-1);
        }
        assertThat(gate.admit(t + SECOND)).as("the next second's first line reports the 500 held back").isEqualTo(500);
        assertThat(gate.admit(t + SECOND + 1)).isEqualTo(-1);
        assertThat(gate.admit(t + 5 * SECOND)).isEqualTo(1);
        assertThat(gate.admit(t + 7 * SECOND)).isZero();
    }

    @Test
    void worksAcrossTheSignOfTheClock() {
        LogGate gate = new LogGate(SECOND);
        assertThat(gate.admit(-10)).isZero(); // System.nanoTime may be negative
        assertThat(gate.admit(-5)).isEqualTo(-1);
        assertThat(gate.admit(SECOND)).isEqualTo(1);
    }
}
