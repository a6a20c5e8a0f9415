package dev.weft.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.api.ValidationException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {
    @ParameterizedTest
    @CsvSource({"10s,PT10S", "500ms,PT0.5S", "1m30s,PT1M30S", "2h,PT2H", "1.5h,PT1H30M", "0,PT0S", "-5s,PT-5S",
            "100us,PT0.0001S", "1h2m3s4ms,PT1H2M3.004S", ".5s,PT0.5S"})
    void parsesGoDurations(String text, String iso) {
        assertThat(GoDuration.parse("ttl", text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "s", "10x", "1..5s", "abc", "10 s", "-", "1e3s", "9999999999h"})
    void rejectsOthersNamingTheField(String text) {
        assertThatThrownBy(() -> GoDuration.parse("checks[0].ttl", text))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("checks[0].ttl"));
    }

    @ParameterizedTest
    @CsvSource({"PT10S,10s", "PT0.5S,500ms", "PT1M,1m0s", "PT1H30M,1h30m0s", "PT0S,0s", "PT1.5S,1.5s"})
    void formatsAsGoDoes(String iso, String text) {
        assertThat(GoDuration.format(Duration.parse(iso))).isEqualTo(text);
        assertThat(GoDuration.parse("x", text)).isEqualTo(Duration.parse(iso));
    }
}
