package io.configguard.policy;

import static io.configguard.policy.Fixtures.lines;
import static io.configguard.policy.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.api.Enforcement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The 2025-11-18 Cloudflare outage at engine level: a generated feature file that doubled and broke
 * a hard limit of 200 features, run against the shipped fixtures in cloudflare/.
 */
class CloudflareScenarioTest {
  static PolicySet policies;
  static JsonNode normal;

  @BeforeAll
  static void load() throws InvalidPolicyException {
    policies = PolicySet.of(List.of(Fixtures.manifest(resource("cloudflare/policy.yaml"))));
    normal = resource("cloudflare/features-60.yaml");
  }

  @Test
  void theNormalFilePasses() {
    assertThat(policies.evaluate(Target.create(normal)).violations()).isEmpty();
    assertThat(policies.evaluate(Target.update(normal, normal)).violations()).isEmpty();
  }

  @Test
  void theDoubledFileIsDeniedNamingTheFirstDuplicateAndTheGrowth() {
    Verdict verdict =
        policies.evaluate(Target.update(resource("cloudflare/features-doubled.yaml"), normal));

    assertThat(verdict.denied()).isTrue();
    List<String> lines = lines(verdict.violations());
    assertThat(lines.get(0))
        .isEqualTo(
            "bot-features/features-file: features.json: duplicate \"bot_score\" at"
                + " $.features[60].name (first at $.features[0].name)");
    // 60 duplicates: the first 20, then a summary, then the growth.
    assertThat(lines).hasSize(22);
    assertThat(lines.get(20))
        .isEqualTo("bot-features/features-file: features.json: ... and 40 more like the above");
    assertThat(lines.get(21))
        .isEqualTo(
            "bot-features/growth: features.json: $.features grew from 60 to 120 items (ratio 2.00"
                + " > 1.5)");
    assertThat(verdict.violations()).allMatch(v -> v.enforcement() == Enforcement.Deny);
  }

  @Test
  void a201FeatureFileIsDeniedNamingTheLimit() {
    Verdict verdict = policies.evaluate(Target.create(resource("cloudflare/features-201.yaml")));

    assertThat(lines(verdict.violations()))
        .containsExactly(
            "bot-features/features-file: features.json: 201 items at $.features exceeds maxItems"
                + " 200");
  }

  @Test
  void invalidJsonIsDeniedWithItsLocation() {
    Verdict verdict = policies.evaluate(Target.update(resource("cloudflare/invalid.yaml"), normal));

    assertThat(lines(verdict.violations()))
        .containsExactly(
            "bot-features/features-file: features.json: invalid JSON at line 21, column 1:"
                + " Unexpected end-of-input within/between Array entries");
  }

  @Test
  void aDuplicatedKeyIsDeniedWithItsLocation() {
    Verdict verdict = policies.evaluate(Target.create(resource("cloudflare/dupkey.yaml")));

    assertThat(lines(verdict.violations()))
        .containsExactly(
            "bot-features/features-file: features.json: duplicate key \"name\" at line 6, column"
                + " 66 in JSON");
  }

  @Test
  void otherConfigMapsAreNotMatched() {
    JsonNode other = normal.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) other.get("metadata")).put("name", "web");
    assertThat(policies.matching(Target.create(other))).isEmpty();
  }
}
