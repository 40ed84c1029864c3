package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DenialMessageTest {
  static List<String> lines(int count, int length) {
    return IntStream.range(0, count)
        .mapToObj(i -> ("p/r: key $.a[" + i + "]: " + "x".repeat(length)).substring(0, length))
        .toList();
  }

  @ParameterizedTest(name = "{0} lines of {1} chars -> {2} shown")
  @CsvSource({
    "1, 40, 1, false",
    "10, 40, 10, false",
    "100, 40, 99, true", // 100 lines need 4099 chars: the last gives way to "... and 1 more"
    "3, 5000, 3, false", // a single huge line is cut, the others still fit
    "20, 1000, 4, true",
  })
  void messageKeepsWholeLinesUpToTheCap(int count, int length, int shown, boolean cut) {
    String message = AdmissionHandler.message(lines(count, length));
    assertThat(message.length()).isLessThanOrEqualTo(AdmissionHandler.MAX_MESSAGE);
    List<String> out = message.lines().toList();
    if (cut) {
      assertThat(out).hasSize(shown + 1);
      assertThat(out.get(shown)).isEqualTo("... and " + (count - shown) + " more");
    } else {
      assertThat(out).hasSize(count);
    }
    assertThat(out.get(0)).startsWith("p/r: key $.a[0]");
  }

  @ParameterizedTest(name = "{0} warnings -> {1}")
  @CsvSource({"0, 0", "1, 1", "16, 16", "17, 16", "100, 16"})
  void warningsAreCappedInCountAndLength(int count, int expected) {
    List<String> warnings = AdmissionHandler.warnings(lines(count, 600));
    assertThat(warnings).hasSize(expected);
    assertThat(warnings).allSatisfy(w -> assertThat(w.length()).isLessThanOrEqualTo(256));
    if (count > 16) {
      assertThat(warnings.get(15)).isEqualTo("... and " + (count - 15) + " more");
    }
  }
}
