package io.configguard.rollout;

import io.configguard.api.ConfigPolicy;
import io.configguard.api.GuardedRollout;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Records core Events about a GuardedRollout the way kubelet's event correlator does: an Event
 * repeating one already recorded (same object, type, reason and message) is not a new object; the
 * existing one's {@code count} and {@code lastTimestamp} are bumped. The Event's name is derived
 * from what it says, so a rollout retrying the same thing for a day leaves one Event, not
 * thousands.
 */
final class Events {
  private Events() {}

  /** Creates the Event, or bumps the count of the identical one. */
  static void record(
      KubernetesClient client, GuardedRollout about, String type, String reason, String message) {
    String namespace = about.getMetadata().getNamespace();
    String text = StatusWriter.cap(message);
    String name = name(about, type, reason, text);
    String now = Instant.now().toString();
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(ConfigPolicy.GROUP + "/" + ConfigPolicy.VERSION)
            .withKind(GuardedRollout.KIND)
            .withName(about.getMetadata().getName())
            .withNamespace(namespace)
            .withUid(about.getMetadata().getUid())
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            .withMessage(text)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent("configguard")
            .endSource()
            .withReportingComponent("configguard.io/rollout")
            .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      Event existing = client.v1().events().inNamespace(namespace).withName(name).get();
      int count = existing == null || existing.getCount() == null ? 1 : existing.getCount();
      String bump =
          "{\"metadata\":{\"resourceVersion\":\""
              + (existing == null ? "" : existing.getMetadata().getResourceVersion())
              + "\"},\"count\":"
              + (count + 1)
              + ",\"lastTimestamp\":\""
              + now
              + "\"}";
      if (existing == null) {
        client.v1().events().inNamespace(namespace).resource(event).create();
      } else {
        // Conditional on the version read: two bumps at once lose one count, never invent one.
        client
            .v1()
            .events()
            .inNamespace(namespace)
            .withName(name)
            .patch(PatchContext.of(PatchType.JSON_MERGE), bump);
      }
    }
  }

  /**
   * {@code <rollout>.<hash>}: the hash of the rollout's uid, the type, the reason and the message,
   * so identical Events share one name and different ones never do.
   */
  static String name(GuardedRollout about, String type, String reason, String message) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String part :
          new String[] {String.valueOf(about.getMetadata().getUid()), type, reason, message}) {
        byte[] bytes = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
        digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        digest.update(bytes);
      }
      String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
      String rollout = about.getMetadata().getName();
      // An Event's name is a DNS subdomain (253 characters).
      return (rollout.length() > 200 ? rollout.substring(0, 200) : rollout) + "." + hash;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
