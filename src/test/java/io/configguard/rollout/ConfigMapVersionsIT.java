package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.configguard.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConfigMapVersions} against the CRUD mock made to answer metadata-only requests as a real
 * API server does ({@link MockCluster}): no ConfigMap content crosses the wire, a change to a
 * source triggers the rollouts it sources and nothing else, and a watch that expires ({@code 410
 * Gone}) is followed by a fresh list that finds what the watch missed.
 */
class ConfigMapVersionsIT {
  static final String NS = "team";
  static final ResourceID SOURCE = new ResourceID("bot-features", NS);
  static final ResourceID ROLLOUT = new ResourceID("bot-rollout", NS);
  static final int PAYLOAD = 25 * 1024;

  MockCluster cluster;
  KubernetesClient client;
  ConfigMapVersions versions;
  final List<ResourceID> triggered = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    client = cluster.client;
    for (int i = 0; i < 5; i++) {
      put("unrelated-" + i, "x");
    }
    put(SOURCE.getName(), "v1");
    versions =
        new ConfigMapVersions(
            client, "sources", id -> id.equals(SOURCE) ? Set.of(ROLLOUT) : Set.of(), 2);
    versions.setEventHandler((Event event) -> triggered.add(event.getRelatedCustomResourceID()));
    versions.start();
  }

  @AfterEach
  void stop() {
    versions.stop();
    cluster.close();
  }

  @Test
  void listsAndWatchesMetadataOnlyAndTriggersTheSourcesRollouts() {
    assertThat(versions.size()).isEqualTo(6);
    assertThat(versions.version(SOURCE)).hasValue(version(SOURCE.getName()));
    // Paged (limit 2: three pages), metadata-only: none of the 6 x 25 KiB crossed the wire.
    assertThat(cluster.metadataLists()).isEqualTo(3);
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.metadataWatches() >= 1);

    put("unrelated-0", "y");
    put("unrelated-new", "y");
    put(SOURCE.getName(), "v2");
    await().atMost(Duration.ofSeconds(30)).until(() -> triggered.size() == 1);
    assertThat(versions.version(SOURCE)).hasValue(version(SOURCE.getName()));
    assertThat(versions.version(new ResourceID("unrelated-new", NS))).isPresent();

    client.configMaps().inNamespace(NS).withName(SOURCE.getName()).delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> triggered.size() == 2);
    assertThat(versions.version(SOURCE)).isEmpty();
    assertThat(triggered).containsOnly(ROLLOUT);
    assertThat(cluster.metadataBytes()).isLessThan(PAYLOAD);
    assertThat(versions.lists()).isEqualTo(1);
  }

  @Test
  void aWatchThatExpiresIsFollowedByAListThatFindsWhatItMissed() {
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.metadataWatches() >= 1);
    String before = version(SOURCE.getName());
    cluster.deafenMetadataWatches();
    put(SOURCE.getName(), "v2"); // the watch misses this
    client.configMaps().inNamespace(NS).withName("unrelated-1").delete();
    assertThat(versions.version(SOURCE)).hasValue(before);

    assertThat(triggered).isEmpty();

    cluster.expireMetadataWatches();
    await().atMost(Duration.ofSeconds(30)).until(() -> triggered.size() == 1);
    assertThat(versions.lists()).isEqualTo(2);
    assertThat(versions.version(SOURCE)).hasValue(version(SOURCE.getName()));
    assertThat(versions.version(new ResourceID("unrelated-1", NS))).isEmpty();

    // and it watches again from the new list: later changes arrive as events
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.metadataWatches() >= 2);
    put(SOURCE.getName(), "v3");
    await().atMost(Duration.ofSeconds(30)).until(() -> triggered.size() == 2);
    assertThat(versions.version(SOURCE)).hasValue(version(SOURCE.getName()));
    assertThat(triggered).containsOnly(ROLLOUT);
    assertThat(versions.lists()).isEqualTo(2);
  }

  private void put(String name, String value) {
    ConfigMap map =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .endMetadata()
            .addToData("payload", value.repeat(PAYLOAD / value.length()))
            .build();
    client.configMaps().inNamespace(NS).resource(map).createOr(NonDeletingOperation::update);
  }

  private String version(String name) {
    return client
        .configMaps()
        .inNamespace(NS)
        .withName(name)
        .get()
        .getMetadata()
        .getResourceVersion();
  }
}
