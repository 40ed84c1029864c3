package io.configguard.admission;

import io.configguard.policy.Freeze;
import io.configguard.policy.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Denies a write a ConfigFreeze in force covers, unless its user may break the glass: then the
 * write passes with a note, and is logged as a warning.
 */
final class FreezeGate {
  // Logged under the handler's category, as before the chain was split into gates.
  private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);

  private final Supplier<List<Freeze>> freezes;

  FreezeGate(Supplier<List<Freeze>> freezes) {
    this.freezes = freezes;
  }

  Passage check(Review review, Target target) {
    List<String> breakGlass = new ArrayList<>();
    for (Freeze freeze : freezes.get()) {
      if (!freeze.freezes(target)) {
        continue;
      }
      String user = review.request().path("userInfo").path("username").asText("");
      if (!freeze.breaksGlass(review.request().path("userInfo"))) {
        LOG.infof(
            "denied %s %s %s: frozen by ConfigFreeze %s",
            review.operation(), review.kind().kind(), Passage.objectName(review), freeze.name());
        return Passage.deny(
            "ConfigFreeze "
                + freeze.name()
                + " denies "
                + review.operation()
                + " of "
                + review.kind().kind()
                + " "
                + Passage.objectName(review)
                + ": "
                + freeze.reason());
      }
      LOG.warnf(
          "break-glass: %s by %s of %s %s admitted through ConfigFreeze %s (%s)",
          review.operation(),
          user,
          review.kind().kind(),
          Passage.objectName(review),
          freeze.name(),
          freeze.reason());
      breakGlass.add(
          "break-glass: ConfigFreeze "
              + freeze.name()
              + " is in force ("
              + freeze.reason()
              + "); this write by "
              + user
              + " is admitted and logged");
    }
    return Passage.pass(breakGlass);
  }
}
