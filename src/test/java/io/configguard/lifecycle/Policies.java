package io.configguard.lifecycle;

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

/** Policies for lifecycle tests, written as users write them: YAML. */
final class Policies {
  static final ObjectMapper YAML = new YAMLMapper();
  static final PolicyCompiler COMPILER = new PolicyCompiler(Limits.DEFAULT);

  private Policies() {}

  static PolicySpec spec(String yaml) {
    try {
      return YAML.readValue(yaml, PolicySpec.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Policy compile(PolicyRef ref, String specYaml) {
    try {
      return COMPILER.compile(ref, spec(specYaml));
    } catch (InvalidPolicyException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static ClusterConfigPolicy cluster(String name, String specYaml) {
    ClusterConfigPolicy p = new ClusterConfigPolicy();
    p.getMetadata().setName(name);
    p.setSpec(spec(specYaml));
    return p;
  }

  static ConfigPolicy namespaced(String namespace, String name, String specYaml) {
    ConfigPolicy p = new ConfigPolicy();
    p.getMetadata().setNamespace(namespace);
    p.getMetadata().setName(name);
    p.setSpec(spec(specYaml));
    return p;
  }
}
