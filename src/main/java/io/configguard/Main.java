package io.configguard;

import io.configguard.admission.AdmissionWarmup;
import io.configguard.serve.ServeTls;
import io.quarkus.picocli.runtime.PicocliRunner;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;
import java.util.Map;

/**
 * Entry point: settles, before Quarkus reads its configuration, what only the command line knows —
 * whether this run serves HTTPS at all, and which certificate it serves. A serving run also starts
 * loading the policy engine on another thread while Quarkus starts ({@link
 * AdmissionWarmup#preload}).
 */
@QuarkusMain
public final class Main {
  /** Commands other than serve run on files: no listening socket, stdout kept for reports. */
  static final Map<String, String> OFFLINE =
      Map.of(
          "quarkus.http.host-enabled", "false",
          "quarkus.log.console.stderr", "true",
          "quarkus.log.level", "WARN");

  public static void main(String... args) {
    if (isServe(args)) {
      AdmissionWarmup.preload();
      ServeTls.configure();
    } else {
      OFFLINE.forEach(
          (key, value) -> {
            if (System.getProperty(key) == null) {
              System.setProperty(key, value);
            }
          });
    }
    Quarkus.run(PicocliRunner.class, args);
  }

  /** Whether the command line runs the webhook: its first word that is not an option is serve. */
  static boolean isServe(String... args) {
    return Arrays.stream(args)
        .filter(a -> !a.startsWith("-"))
        .findFirst()
        .orElse("")
        .equals("serve");
  }
}
