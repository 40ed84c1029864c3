package io.configguard;

import io.configguard.admission.ServeTls;
import io.quarkus.picocli.runtime.PicocliRunner;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * Entry point: settles, before Quarkus reads its configuration, what only the command line knows —
 * whether this run serves HTTPS at all, and which certificate it serves.
 */
@QuarkusMain
public final class Main {
  public static void main(String... args) {
    if (isServe(args)) {
      ServeTls.configure();
    } else {
      // check/test run on files: no listening socket, and stdout stays clean for --output json.
      setIfAbsent("quarkus.http.host-enabled", "false");
      setIfAbsent("quarkus.log.console.stderr", "true");
      setIfAbsent("quarkus.log.level", "WARN");
    }
    Quarkus.run(PicocliRunner.class, args);
  }

  static boolean isServe(String... args) {
    return Arrays.stream(args)
        .filter(a -> !a.startsWith("-"))
        .findFirst()
        .orElse("")
        .equals("serve");
  }

  static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
