package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Globs of * and ?: matching, refusal of unsupported syntax, and no exponential backtracking. */
class GlobTest {
  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          bot-features*      | bot-features            | true
          bot-features*      | bot-features-stable     | true
          bot-features*      | bot-feature             | false
          *                  | ''                      | true
          *                  | anything                | true
          ?                  | ''                      | false
          ?                  | a                       | true
          a?c                | abc                     | true
          a?c                | ac                      | false
          *.json             | features.json           | true
          *.json             | features.json.bak       | false
          *-*-*              | a-b-c                   | true
          *-*-*              | a-b                     | false
          a*b*c              | aXXbYYc                 | true
          a*b*c              | aXXbYY                  | false
          exact              | exact                   | true
          exact              | exactly                 | false
          **a                | ba                      | true
          """)
  void matches(String glob, String text, boolean expected) {
    assertThat(Glob.of(glob).matches(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          bot-[ab]*   | "bot-[ab]*" has '[' at position 4, which cannot appear in an object name (globs support only * and ?)
          Bot*        | "Bot*" has 'B' at position 0, which cannot appear in an object name (globs support only * and ?)
          a b         | "a b" has ' ' at position 1, which cannot appear in an object name (globs support only * and ?)
          ''          | empty glob
          """)
  void refusesWhatIsNotANameGlob(String glob, String problem) {
    assertThat(Glob.problem(glob, "an object name", Glob.CharClass.OBJECT_NAME)).isEqualTo(problem);
  }

  @Test
  void acceptsKeyGlobs() {
    assertThat(Glob.problem("App_Settings.*.yaml", "a key", Glob.CharClass.CONFIG_KEY)).isNull();
  }

  @Test
  void pathologicalPatternsStayFast() {
    String text = "a".repeat(253);
    String glob = "*a".repeat(60) + "b";
    // At most O(pattern x text) steps: relative to this run's speed, not a wall-clock bound.
    Timing.Timed<Boolean> timed = Timing.bestOf(2, 3, () -> Glob.of(glob).matches(text));
    assertThat(timed.result()).isFalse();
    Timing.assertWithin("pathological glob", timed, text.length() + glob.length(), 20);
  }
}
