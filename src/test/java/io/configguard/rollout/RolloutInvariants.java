package io.configguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configguard.testing.RequestLog;
import io.configguard.testing.RequestLog.Request;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What must hold whatever fails, checked over every operator lifetime's request log and the
 * cluster: pods only ever point at the stable or the current candidate revision, no pod is moved
 * twice to the same revision, and the stable ConfigMap gets only the revisions that passed.
 */
final class RolloutInvariants {
  private RolloutInvariants() {}

  /** A pod patch the API server applied: the pod, and the revision it now points at. */
  record Move(String pod, String revision) {}

  static List<Move> moves(String namespace, RequestLog... logs) {
    List<Move> moves = new ArrayList<>();
    for (RequestLog log : logs) {
      for (Request r : log.requests(Request::applied)) {
        if (r.is("PATCH", r.objectName())
            && r.path().startsWith("/api/v1/namespaces/" + namespace + "/pods/")
            && r.podRevision() != null) {
          moves.add(new Move(r.objectName(), r.podRevision()));
        }
      }
    }
    return moves;
  }

  /** Across all logs, no pod was pointed at the same revision twice; all moves were to these. */
  static void assertEachPodMovedOnceTo(
      String namespace, List<String> revisions, RequestLog... logs) {
    List<Move> moves = moves(namespace, logs);
    assertThat(moves).as("pod moves applied").doesNotHaveDuplicates();
    assertThat(moves).extracting(Move::revision).isSubsetOf(revisions);
  }

  /** Every pod's revision annotation is one of {@code allowed} (null: never moved). */
  static void assertPodsOn(
      KubernetesClient client, String namespace, List<String> pods, String... allowed) {
    for (String pod : pods) {
      assertThat(OperatorHarness.revisionOf(client, namespace, pod))
          .as("revision of pod %s", pod)
          .isIn(Arrays.asList(allowed));
    }
  }

  /** The revisions the API server accepted into ConfigMap {@code name}, in order. */
  static List<String> revisionsWritten(String namespace, String name, RequestLog... logs) {
    List<String> out = new ArrayList<>();
    for (RequestLog log : logs) {
      for (Request r : log.requests(Request::applied)) {
        if (r.writesConfigMap(namespace, name)) {
          out.add(r.configRevision());
        }
      }
    }
    return out;
  }

  /** The stable ConfigMap holds {@code revision} with exactly this features.json. */
  static void assertStableHolds(
      KubernetesClient client, String namespace, String rollout, long revision, String features) {
    Map<String, String> data =
        client.configMaps().inNamespace(namespace).withName(rollout + "-stable").get().getData();
    assertThat(data)
        .containsEntry(DerivedConfigMaps.REVISION_KEY, Long.toString(revision))
        .containsEntry("features.json", features);
  }
}
