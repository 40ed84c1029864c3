package io.configguard.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.api.GuardedRollout;
import io.configguard.rollout.DerivedConfigMaps;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The delivery tracks ({@code <rollout>-stable}, {@code -candidate}) are the operator's alone:
 * anyone else's CREATE, UPDATE or DELETE of one is denied, except the garbage collector's and
 * break-glass users' (passed with a note). Off while the operator's identity is not configured,
 * since the operator's own writes could then not be told apart.
 */
final class TrackGate {
  // Logged under the handler's category, as before the chain was split into gates.
  private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);

  private final Supplier<String> operatorServiceAccount;
  private final Function<String, List<GuardedRollout>> rolloutsIn;
  private volatile Set<String> breakGlassUsers = Set.of();
  private volatile Set<String> breakGlassGroups = Set.of();

  TrackGate(
      Supplier<String> operatorServiceAccount, Function<String, List<GuardedRollout>> rolloutsIn) {
    this.operatorServiceAccount = operatorServiceAccount;
    this.rolloutsIn = rolloutsIn;
  }

  /** Users and groups who may still write a track, admitted with a warning and logged. */
  void breakGlass(List<String> users, List<String> groups) {
    this.breakGlassUsers = users == null ? Set.of() : Set.copyOf(users);
    this.breakGlassGroups = groups == null ? Set.of() : Set.copyOf(groups);
  }

  Passage check(Review review) {
    String operator = operatorServiceAccount.get();
    if (operator.isEmpty()
        || !review.kind().isConfigMap()
        || review.operation().equals("CONNECT")) {
      return Passage.pass(List.of());
    }
    Optional<String> rollout =
        DerivedConfigMaps.trackWritten(
            review.operation(),
            meta(review.object()),
            meta(review.oldObject()),
            name ->
                rolloutsIn.apply(review.namespace()).stream()
                    .anyMatch(r -> name.equals(r.getMetadata().getName())));
    if (rollout.isEmpty()) {
      return Passage.pass(List.of());
    }
    JsonNode userInfo = review.request().path("userInfo");
    String user = userInfo.path("username").asText("");
    if (user.equals(operator) || user.equals(DerivedConfigMaps.GARBAGE_COLLECTOR)) {
      return Passage.pass(List.of());
    }
    boolean glass = breakGlassUsers.contains(user);
    for (JsonNode group : userInfo.path("groups")) {
      glass |= breakGlassGroups.contains(group.asText());
    }
    String objectName = Passage.objectName(review);
    if (glass) {
      LOG.warnf(
          "break-glass: %s by %s of ConfigMap %s, a delivery track of GuardedRollout %s",
          review.operation(), user, objectName, rollout.get());
      return Passage.pass(
          List.of(
              "break-glass: ConfigMap "
                  + review.name()
                  + " is a delivery track of GuardedRollout "
                  + rollout.get()
                  + "; this "
                  + review.operation()
                  + " by "
                  + user
                  + " is admitted and logged, and the operator restores what it staged"));
    }
    LOG.infof(
        "denied %s of ConfigMap %s by %s: a delivery track of GuardedRollout %s",
        review.operation(), objectName, user, rollout.get());
    return Passage.deny(
        "ConfigMap "
            + review.name()
            + " is a delivery track of GuardedRollout "
            + rollout.get()
            + ": only configguard's operator writes it (pods load exactly the revision it"
            + " holds). Change the source ConfigMap instead; to remove the rollout, delete the"
            + " GuardedRollout.");
  }

  private static ObjectMeta meta(JsonNode object) {
    if (object == null || !object.isObject()) {
      return null;
    }
    try {
      return Passage.LENIENT.treeToValue(object.path("metadata"), ObjectMeta.class);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }
}
