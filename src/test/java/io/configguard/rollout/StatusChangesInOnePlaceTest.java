package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.GuardedRolloutStatus;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A GuardedRollout's status changes only through {@link RolloutState}'s named transitions (and
 * {@link StatusWriter}, which derives conditions from them): no other class of the operator's
 * package assigns a status field, so a new handler cannot edit the status behind the state
 * machine's back.
 */
class StatusChangesInOnePlaceTest {
  private static final Set<String> OWNERS = Set.of("RolloutState.java", "StatusWriter.java");

  @Test
  void noClassButRolloutStateAssignsAStatusField() throws IOException {
    String fields =
        Arrays.stream(GuardedRolloutStatus.class.getFields())
            .filter(f -> !Modifier.isStatic(f.getModifiers()))
            .map(Field::getName)
            .collect(Collectors.joining("|"));
    assertThat(fields).contains("heldFrom", "frozenBy", "candidateRevision");
    // "x.field = ...", "x.field += ...", "x.field++", "x.list.add(...)": a write, not a read.
    Pattern write =
        Pattern.compile(
            "\\.("
                + fields
                + ")\\s*(=(?!=)|\\+=|-=|\\+\\+|--|\\.(add|addAll|remove|removeIf|clear|set)\\()"
                + "|(\\+\\+|--)\\w+\\.("
                + fields
                + ")\\b");
    List<String> offending;
    try (Stream<Path> files = Files.list(Path.of("src/main/java/io/configguard/rollout"))) {
      offending =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> !OWNERS.contains(f.getFileName().toString()))
              .flatMap(
                  f -> {
                    try {
                      return Files.readAllLines(f).stream()
                          .filter(l -> write.matcher(l).find())
                          .map(l -> f.getFileName() + ": " + l.strip());
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .toList();
    }
    assertThat(offending).isEmpty();
  }
}
