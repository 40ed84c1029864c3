package io.configguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.configguard.api.PolicyException;
import io.configguard.api.PolicySpec;
import io.configguard.api.Rule;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** spec.exceptions: compiled with reasons naming the field, honoured until they expire. */
class ExceptionsTest {
  static final PolicyCompiler COMPILER = new PolicyCompiler(Limits.DEFAULT);
  static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

  static PolicyException exception(
      List<String> namespaces, List<String> names, String reason, String expires) {
    PolicyException e = new PolicyException();
    e.namespaces = namespaces;
    e.names = names;
    e.reason = reason;
    e.expires = expires;
    return e;
  }

  static PolicySpec spec(PolicyException... exceptions) {
    PolicySpec spec = new PolicySpec();
    Rule rule = new Rule();
    rule.name = "no-keys";
    rule.maxKeys = 0L;
    spec.rules = List.of(rule);
    spec.exceptions = List.of(exceptions);
    return spec;
  }

  static Target configMap(String namespace, String name) {
    ObjectNode cm = new ObjectMapper().createObjectNode();
    cm.put("apiVersion", "v1").put("kind", "ConfigMap");
    cm.putObject("metadata").put("namespace", namespace).put("name", name);
    cm.putObject("data").put("a", "1");
    return Target.create(cm);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            exception(null, null, null, "2027-01-01T00:00:00Z"),
            "spec.exceptions[0].reason: required"),
        Arguments.of(
            exception(null, null, "migration", null), "spec.exceptions[0].expires: required"),
        Arguments.of(
            exception(null, null, "migration", "next tuesday"),
            "spec.exceptions[0].expires: \"next tuesday\" is not an RFC 3339 time"),
        Arguments.of(
            exception(null, null, "migration", "+999999999-12-31T23:59:59Z"),
            "spec.exceptions[0].expires: \"+999999999-12-31T23:59:59Z\" is not an RFC 3339 time"),
        Arguments.of(
            exception(null, null, "migration", "2027-01-01"),
            "spec.exceptions[0].expires: \"2027-01-01\" is not an RFC 3339 time"),
        Arguments.of(
            exception(List.of("edge/*"), null, "migration", "2027-01-01T00:00:00Z"),
            "spec.exceptions[0].namespaces[0]: \"edge/*\" has '/'"),
        Arguments.of(
            exception(null, List.of(""), "migration", "2027-01-01T00:00:00Z"),
            "spec.exceptions[0].names[0]: empty glob"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalid")
  void aMalformedExceptionIsAReasonNamingItsField(PolicyException e, String reason) {
    assertThatThrownBy(() -> COMPILER.compile(PolicyRef.cluster("p"), spec(e)))
        .isInstanceOfSatisfying(
            InvalidPolicyException.class,
            x -> assertThat(x.reasons()).anySatisfy(r -> assertThat(r).startsWith(reason)));
  }

  static Stream<Arguments> exemptions() {
    PolicyException legacy =
        exception(List.of("edge"), List.of("legacy-*"), "migration to v2", "2026-12-01T00:00:00Z");
    PolicyException expired =
        exception(List.of("edge"), null, "old incident", "2026-11-28T11:59:59Z");
    PolicyException offset =
        exception(null, List.of("tz"), "offset time", "2026-11-28T13:30:00+01:00");
    return Stream.of(
        // exceptions, namespace, name, now, exempted by index (-1: evaluated)
        Arguments.of(List.of(legacy), "edge", "legacy-routes", NOW, 0),
        Arguments.of(List.of(legacy), "edge", "routes", NOW, -1),
        Arguments.of(List.of(legacy), "payments", "legacy-routes", NOW, -1),
        Arguments.of(
            List.of(legacy), "edge", "legacy-routes", Instant.parse("2026-12-01T00:00:00Z"), -1),
        Arguments.of(List.of(expired), "edge", "routes", NOW, -1),
        Arguments.of(List.of(expired, legacy), "edge", "legacy-x", NOW, 1),
        Arguments.of(List.of(offset), "any", "tz", NOW, 0),
        Arguments.of(List.of(offset), "any", "tz", Instant.parse("2026-11-28T12:30:00Z"), -1));
  }

  @ParameterizedTest(name = "{1}/{2} at {3} -> {4}")
  @MethodSource("exemptions")
  void anUnexpiredExceptionExemptsAndAnExpiredOneDoesNot(
      List<PolicyException> exceptions, String ns, String name, Instant now, int index)
      throws Exception {
    Policy policy =
        COMPILER.compile(
            PolicyRef.cluster("guard"), spec(exceptions.toArray(PolicyException[]::new)));
    PolicySet set = PolicySet.of(List.of(policy));

    Verdict verdict = set.evaluate(configMap(ns, name), now);

    if (index < 0) {
      assertThat(verdict.exemptions()).isEmpty();
      assertThat(verdict.violations()).extracting(Violation::rule).containsExactly("no-keys");
    } else {
      assertThat(verdict.violations()).isEmpty();
      assertThat(verdict.exemptions())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.index()).isEqualTo(index);
                assertThat(e.line())
                    .startsWith("guard: exempted by spec.exceptions[" + index + "] until ")
                    .endsWith("(" + exceptions.get(index).reason + ")");
              });
    }
  }
}
