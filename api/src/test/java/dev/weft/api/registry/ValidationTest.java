package dev.weft.api.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.api.ValidationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ValidationTest {
    static Instance instance(String service, String address, int port) {
        return new Instance(service, "i-1", address, port, 0, List.of(), Map.of(), "", 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Catalog", "cat_alog", "-catalog", "catalog-", "", "a.b",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void badServiceNamesNameTheField(String name) {
        assertThatThrownBy(() -> instance(name, "127.0.0.1", 80))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("service"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536, 100000})
    void portsOutOfRange(int port) {
        assertThatThrownBy(() -> instance("catalog", "127.0.0.1", port))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("port: must be between 1 and 65535");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.com", "256.1.1.1", "1.2.3", "::g", "1.2.3.4.5", ""})
    void addressesMustBeIpLiterals(String address) {
        assertThatThrownBy(() -> instance("catalog", address, 80))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("address"));
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1,127.0.0.1", "::1,::1", "0:0:0:0:0:0:0:1,::1", "2001:db8:0:0:1:0:0:1,2001:db8::1:0:0:1",
            "fe80::1,fe80::1"})
    void addressesAreCanonical(String given, String canonical) {
        assertThat(instance("catalog", given, 80).address()).isEqualTo(canonical);
    }

    @Test
    void tagsAreDeduplicatedAndValidated() {
        Instance i = new Instance("catalog", "c1", "127.0.0.1", 80, 0, List.of("v1", "v1", "canary"), Map.of(), "", 1);
        assertThat(i.tags()).containsExactly("v1", "canary");
        assertThatThrownBy(() -> new Instance("catalog", "c1", "127.0.0.1", 80, 0, List.of("ok", "Not OK"), Map.of(), "", 1))
                .hasMessageStartingWith("tags[1]:");
    }

    @Test
    void checksNeedTheirDrivingField() {
        assertThatThrownBy(() -> new CheckSpec("c", null, CheckType.TTL, null, null, null, null, null, null, null))
                .hasMessage("ttl: is required for a TTL check");
        assertThatThrownBy(() -> new CheckSpec("c", null, CheckType.TTL, Duration.ofSeconds(-1), null, null, null, null, null, null))
                .hasMessage("ttl: must be positive");
        assertThatThrownBy(() -> new CheckSpec("c", null, CheckType.HTTP, null, "ftp://x/", null, null, null, null, null))
                .hasMessage("http: must be an http:// or https:// URL");
        assertThatThrownBy(() -> new CheckSpec("c", null, CheckType.TCP, null, null, "127.0.0.1", null, null, null, null))
                .hasMessage("tcp: must be host:port");
        assertThatThrownBy(() -> new CheckSpec("c", null, CheckType.HTTP, null, "http://x/", null, Duration.ofMillis(10), null, null, null))
                .hasMessage("interval: must be at least 100ms");
        CheckSpec ok = new CheckSpec("c", null, CheckType.HTTP, null, "http://127.0.0.1/h", null, null, null, null, null);
        assertThat(ok.interval()).isEqualTo(CheckSpec.DEFAULT_INTERVAL);
        assertThat(ok.initialStatus()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(ok.name()).isEqualTo("c");
    }

    @Test
    void duplicateCheckIdsAreRefused() {
        CheckSpec c = new CheckSpec("same", null, CheckType.TTL, Duration.ofSeconds(5), null, null, null, null, null, null);
        assertThatThrownBy(() -> new Registration(instance("catalog", "127.0.0.1", 80), List.of(c, c)))
                .hasMessageStartingWith("checks[1].id: duplicate check id 'same'");
    }

    @Test
    void fieldPathsNestUnderTheirParent() {
        ValidationException e = new ValidationException("ttl", "must be positive").under("checks[0]");
        assertThat(e.field()).isEqualTo("checks[0].ttl");
        assertThat(e.getMessage()).isEqualTo("checks[0].ttl: must be positive");
    }
}
