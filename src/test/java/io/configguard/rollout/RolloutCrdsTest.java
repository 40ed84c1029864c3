package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.api.ConfigFreeze;
import io.configguard.api.GuardedRollout;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed GuardedRollout and ConfigFreeze CRDs are what the generator makes of api/. */
class RolloutCrdsTest {
  @TempDir Path out;

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    new CRDGenerator()
        .customResourceClasses(GuardedRollout.class, ConfigFreeze.class)
        .forCRDVersions("v1")
        .inOutputDir(out.toFile())
        .generate();
    for (String crd :
        new String[] {
          "guardedrollouts.configguard.io-v1.yml", "configfreezes.configguard.io-v1.yml"
        }) {
      assertThat(Files.readString(Path.of("crds", crd)))
          .as(
              "crds/%s is stale: run mvn package -DskipTests and copy target/kubernetes/%s",
              crd, crd)
          .isEqualTo(Files.readString(out.resolve(crd)));
    }
  }
}
