package io.configguard.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.configguard.api.ClusterConfigPolicy;
import io.configguard.api.ConfigPolicy;
import io.configguard.api.PolicySpec;
import io.configguard.policy.InvalidPolicyException;
import io.configguard.policy.Limits;
import io.configguard.policy.Policy;
import io.configguard.policy.PolicyCompiler;
import io.configguard.policy.PolicyRef;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Policies for tests of the policy lifecycle, webhook configuration and audit, written as users
 * write them: YAML.
 */
public final class Policies {
  public static final ObjectMapper YAML = new YAMLMapper();
  public static final PolicyCompiler COMPILER = new PolicyCompiler(Limits.DEFAULT);

  private Policies() {}

  public static PolicySpec spec(String yaml) {
    try {
      return YAML.readValue(yaml, PolicySpec.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Policy compile(PolicyRef ref, String specYaml) {
    try {
      return COMPILER.compile(ref, spec(specYaml));
    } catch (InvalidPolicyException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public static ClusterConfigPolicy cluster(String name, String specYaml) {
    ClusterConfigPolicy p = new ClusterConfigPolicy();
    p.getMetadata().setName(name);
    p.setSpec(spec(specYaml));
    return p;
  }

  public static ConfigPolicy namespaced(String namespace, String name, String specYaml) {
    ConfigPolicy p = new ConfigPolicy();
    p.getMetadata().setNamespace(namespace);
    p.getMetadata().setName(name);
    p.setSpec(spec(specYaml));
    return p;
  }
}
