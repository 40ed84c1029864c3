package io.configguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every x-kubernetes-validations rule of every committed CRD (crds/ and the chart's copy) passes
 * the static cost check kube-apiserver runs on CRD create/update, modelled by {@link CelRuleCost}.
 * The mock server accepts any CRD; a real API server v1.28 refused guardedrollouts with "estimated
 * rule cost exceeds budget by factor of more than 100x".
 *
 * <p>The limits, from k8s.io/apiextensions-apiserver
 * pkg/apis/apiextensions/validation/validation.go and k8s.io/apiserver pkg/apis/cel/config.go (the
 * Kubernetes docs, "Extend the Kubernetes API with CustomResourceDefinitions", section "Validation
 * rules" / "Resource use by validation functions", describe the same estimate: "estimated rule cost
 * exceeds budget ... adding maxItems, maxProperties, and maxLength"):
 *
 * <ul>
 *   <li>StaticEstimatedCostLimit = 10,000,000: one rule, its per-call estimate × cardinality;
 *   <li>StaticEstimatedCRDCostLimit = 100,000,000: the sum over all rules of a CRD;
 *   <li>PerCallLimit = 1,000,000: the runtime budget of one evaluation (a rule whose worst case
 *       exceeds it can fail at run time on a large object; checked here as the conservative side).
 * </ul>
 */
class CrdValidationRuleCostTest {
  static final long PER_CALL_LIMIT = 1_000_000;
  static final long STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
  static final long STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;

  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static Stream<Path> committedCrds() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path dir : List.of(Path.of("crds"), Path.of("helm/configguard/crds"))) {
      try (Stream<Path> list = Files.list(dir)) {
        list.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
            .sorted()
            .forEach(files::add);
      }
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(8);
    return files.stream();
  }

  /** One rule found in a schema, where it sits and what the API server would charge for it. */
  record Rule(
      String path, String rule, JSONSchemaProps node, long perCall, long cardinality, long cost) {}

  /** Every rule of every version of a CRD, with its estimated cost. */
  static List<Rule> rules(CustomResourceDefinition crd) {
    List<Rule> rules = new ArrayList<>();
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      walk(version.getSchema().getOpenAPIV3Schema(), "^", 1L, rules);
    }
    return rules;
  }

  /** {@code cardinality}: product of the ancestors' maxItems/maxProperties; null = unbounded. */
  static void walk(JSONSchemaProps node, String path, Long cardinality, List<Rule> rules) {
    if (node == null) {
      return;
    }
    List<ValidationRule> validations = node.getXKubernetesValidations();
    if (validations != null) {
      for (ValidationRule v : validations) {
        long perCall = CelRuleCost.perCall(v.getRule(), node);
        long card = CelRuleCost.cardinality(cardinality, node);
        rules.add(
            new Rule(
                path, v.getRule(), node, perCall, card, CelRuleCost.saturatingMul(perCall, card)));
        if (v.getMessageExpression() != null && !v.getMessageExpression().isBlank()) {
          // The API server adds a message expression's cost to the CRD total, not multiplied.
          long messageCost = CelRuleCost.perCall(v.getMessageExpression(), node);
          rules.add(new Rule(path, v.getMessageExpression(), node, messageCost, 1, messageCost));
        }
      }
    }
    Long elements = CelRuleCost.maxElements(node);
    Long childCardinality =
        cardinality == null || elements == null
            ? null
            : CelRuleCost.saturatingMul(cardinality, elements);
    if (node.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> e : node.getProperties().entrySet()) {
        walk(e.getValue(), path + "." + e.getKey(), childCardinality, rules);
      }
    }
    if (node.getItems() != null) {
      walk(node.getItems().getSchema(), path + "[*]", childCardinality, rules);
    }
    if (CelRuleCost.additionalProperties(node) != null) {
      walk(CelRuleCost.additionalProperties(node), path + "{*}", childCardinality, rules);
    }
  }

  /**
   * Nodes under a rule's field that have no bound: lists without maxItems, maps without
   * maxProperties, strings without maxLength (int-or-string and free-form objects cannot be
   * bounded). Conservative: a rule can reach anything under the field it is declared on.
   */
  static List<String> unbounded(JSONSchemaProps node, String path) {
    List<String> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (Boolean.TRUE.equals(node.getXKubernetesIntOrString())) {
      out.add(path + " (int-or-string: no bound applies)");
      return out;
    }
    String type = node.getType() == null ? "" : node.getType();
    switch (type) {
      case "string" -> {
        boolean formatBounded =
            List.of("date", "date-time", "duration").contains(String.valueOf(node.getFormat()));
        if (node.getMaxLength() == null && !formatBounded) {
          out.add(path + " (string without maxLength)");
        }
      }
      case "array" -> {
        if (node.getMaxItems() == null) {
          out.add(path + " (list without maxItems)");
        }
        if (node.getItems() != null) {
          out.addAll(unbounded(node.getItems().getSchema(), path + "[*]"));
        }
      }
      case "object" -> {
        if (Boolean.TRUE.equals(node.getXKubernetesPreserveUnknownFields())) {
          out.add(path + " (x-kubernetes-preserve-unknown-fields: no bound applies)");
        }
        JSONSchemaProps values = CelRuleCost.additionalProperties(node);
        if (values != null) {
          if (node.getMaxProperties() == null) {
            out.add(path + " (map without maxProperties)");
          }
          out.addAll(unbounded(values, path + "{*}"));
        }
        if (node.getProperties() != null) {
          node.getProperties().forEach((k, v) -> out.addAll(unbounded(v, path + "." + k)));
        }
      }
      default -> {}
    }
    return out;
  }

  static CustomResourceDefinition load(Path file) throws IOException {
    return SERIALIZATION.unmarshal(Files.readString(file), CustomResourceDefinition.class);
  }

  @ParameterizedTest
  @MethodSource("committedCrds")
  void everyFieldARuleReachesIsBounded(Path file) throws IOException {
    List<String> problems = new ArrayList<>();
    for (Rule rule : rules(load(file))) {
      for (String u : unbounded(rule.node(), rule.path())) {
        problems.add(u + " is reached by rule " + rule.rule());
      }
    }
    assertThat(problems)
        .as(
            "%s: bound every list (maxItems), map (maxProperties) and string (maxLength) a"
                + " validation rule reaches (io.fabric8.generator.annotation.Size in api/)",
            file)
        .isEmpty();
  }

  @ParameterizedTest
  @MethodSource("committedCrds")
  void estimatedRuleCostsStayWithinTheApiServersStaticLimits(Path file) throws IOException {
    List<Rule> rules = rules(load(file));
    long total = 0;
    for (Rule rule : rules) {
      assertThat(rule.cost())
          .as(
              "%s %s: %s estimated at %,d per call × cardinality %,d"
                  + " (StaticEstimatedCostLimit)",
              file, rule.path(), rule.rule(), rule.perCall(), rule.cardinality())
          .isLessThanOrEqualTo(STATIC_ESTIMATED_COST_LIMIT);
      assertThat(rule.perCall())
          .as("%s %s: estimated cost of one call (PerCallLimit)", file, rule.path())
          .isLessThanOrEqualTo(PER_CALL_LIMIT);
      total = CelRuleCost.saturatingAdd(total, rule.cost());
    }
    assertThat(total)
        .as("%s: total estimated cost of its rules (StaticEstimatedCRDCostLimit)", file)
        .isLessThanOrEqualTo(STATIC_ESTIMATED_CRD_COST_LIMIT);
  }

  /** The rule a real v1.28 API server refused, as it was: estimated far above 100× the limit. */
  @Test
  void theRefusedGuardedRolloutStepsRuleIsEstimatedAboveTheLimit() {
    JSONSchemaProps steps = stepsSchema(null, null);
    CustomResourceDefinition crd = crdWithSpec(steps);
    Rule rule = rules(crd).get(0);
    assertThat(rule.cost()).isGreaterThan(100 * STATIC_ESTIMATED_COST_LIMIT);
    assertThat(unbounded(rule.node(), rule.path()))
        .containsExactly(
            "^.spec.strategy.steps (list without maxItems)",
            "^.spec.strategy.steps[*] (string without maxLength)");
  }

  /** The same rule with the bounds the API now declares costs a few thousand. */
  @Test
  void boundsBringTheStepsRuleWellUnderTheLimit() {
    Rule rule = rules(crdWithSpec(stepsSchema(100L, 10L))).get(0);
    // 100 items × (matches: ceil((4 × 10 + 1) × 0.1) × ceil(34 × 0.25) = 45, plus 5 of loop),
    // plus reading self and the result.
    assertThat(rule.perCall()).isEqualTo(100L * 50 + 2);
    assertThat(rule.cardinality()).isEqualTo(1);
  }

  /**
   * What kube-apiserver v1.28.7 (built from source, with etcd, on this machine) answered to
   * `kubectl apply --dry-run=server` of crds/guardedrollouts with these bounds on steps, and the
   * factor by which it said a refused rule exceeded StaticEstimatedCostLimit. The model refuses
   * what the server refused and never estimates below it.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      nullValues = "none",
      value = {
        "100,    10,   accepted, 0",
        "100000, 10,   accepted, 0",
        "400000, 10,   refused,  2.0",
        "none,   10,   refused,  5.1",
        "100,    none, refused,  28.3",
        "none,   none, refused,  100",
      })
  void agreesWithARealApiServer(Long maxItems, Long maxLength, String answer, double factor) {
    Rule rule = rules(crdWithSpec(stepsSchema(maxItems, maxLength))).get(0);
    if (answer.equals("accepted")) {
      assertThat(rule.cost()).isLessThanOrEqualTo(STATIC_ESTIMATED_COST_LIMIT);
    } else {
      assertThat((double) rule.cost() / STATIC_ESTIMATED_COST_LIMIT)
          .as("estimated factor over the limit; the server said %sx", factor)
          .isGreaterThanOrEqualTo(factor * 0.95);
    }
  }

  /** A rule on a list item is multiplied by the maxItems of every list above it. */
  @Test
  void cardinalityIsTheProductOfTheAncestorsBounds() {
    String yaml =
        """
        type: object
        properties:
          spec:
            type: object
            properties:
              groups:
                type: array
                maxItems: 50
                items:
                  type: object
                  properties:
                    names:
                      type: array
                      maxItems: 20
                      items:
                        type: string
                        maxLength: 63
                        x-kubernetes-validations:
                          - rule: "self.startsWith('a')"
        """;
    JSONSchemaProps root = SERIALIZATION.unmarshal(yaml, JSONSchemaProps.class);
    List<Rule> rules = new ArrayList<>();
    walk(root, "^", 1L, rules);
    assertThat(rules).singleElement().satisfies(r -> assertThat(r.cardinality()).isEqualTo(1000));
    // Unbounded above: the API server's fallback, 3 MiB / (2 + 1) strings.
    root.getProperties().get("spec").getProperties().get("groups").setMaxItems(null);
    rules.clear();
    walk(root, "^", 1L, rules);
    assertThat(rules.get(0).cardinality()).isEqualTo(3L * 1024 * 1024 / 3);
  }

  static JSONSchemaProps stepsSchema(Long maxItems, Long maxLength) {
    String yaml =
        """
        type: array
        items:
          type: string
        x-kubernetes-validations:
          - rule: "self.all(s, s.matches('^([1-9][0-9]*|([1-9][0-9]?|100)%)$'))"
        """;
    JSONSchemaProps steps = SERIALIZATION.unmarshal(yaml, JSONSchemaProps.class);
    steps.setMaxItems(maxItems);
    steps.getItems().getSchema().setMaxLength(maxLength);
    return steps;
  }

  static CustomResourceDefinition crdWithSpec(JSONSchemaProps steps) {
    String yaml =
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: guardedrollouts.configguard.io
        spec:
          group: configguard.io
          names: {kind: GuardedRollout, plural: guardedrollouts}
          scope: Namespaced
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      properties:
                        strategy:
                          type: object
                          properties: {}
        """;
    CustomResourceDefinition crd = SERIALIZATION.unmarshal(yaml, CustomResourceDefinition.class);
    crd.getSpec()
        .getVersions()
        .get(0)
        .getSchema()
        .getOpenAPIV3Schema()
        .getProperties()
        .get("spec")
        .getProperties()
        .get("strategy")
        .getProperties()
        .put("steps", steps);
    return crd;
  }
}
