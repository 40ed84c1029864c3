package io.configguard.policy;

import java.util.List;

/**
 * Run in a JVM of its own by {@link PolicyBombHeapTest}: a tenant's attack policy goes the way a
 * policy goes (compiled, then evaluated if it compiled) under a small heap, and the drill says
 * which of the two happened. Before static policy cost, both attacks compiled and their evaluation
 * ended the JVM with OutOfMemoryError.
 */
public final class PolicyBombDrill {
  private PolicyBombDrill() {}

  /** Issue 13 item 4: 2.6 KB that builds 216 million characters. */
  static final String REPLACE_BOMB =
      "'"
          + "a".repeat(1200)
          + "'.replace('a', '"
          + "a".repeat(1200)
          + "').replace('a', '"
          + "a".repeat(150)
          + "').size() > 0";

  /** Issue 13 item 3: level n is anyOf of two $refs to level n-1. */
  static String chainedDefs(int levels) {
    StringBuilder defs = new StringBuilder("{l0: {type: integer}");
    for (int n = 1; n <= levels; n++) {
      defs.append(", l").append(n).append(": {anyOf: [{$ref: '#/$defs/l").append(n - 1);
      defs.append("'}, {$ref: '#/$defs/l").append(n - 1).append("'}]}");
    }
    return "{$defs: " + defs + "}, $ref: '#/$defs/l" + levels + "'}";
  }

  public static void main(String[] args) throws Exception {
    String rule =
        switch (args[0]) {
          case "schema" -> "key: a.json\nformat: json\njsonSchema: " + chainedDefs(22);
          case "cel" -> "cel: \"" + REPLACE_BOMB + "\"";
          default -> throw new IllegalArgumentException(args[0]);
        };
    Policy policy;
    try {
      policy = Fixtures.rule(rule);
    } catch (InvalidPolicyException e) {
      System.out.println("refused: " + e.getMessage().lines().findFirst().orElse(""));
      return;
    }
    List<Violation> violations =
        policy.evaluate(
            Target.create(
                Fixtures.yaml(
                    "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: n},"
                        + " data: {a.json: '\"42\"'}}")));
    System.out.println("evaluated: " + violations.size() + " violations");
  }
}
