package io.configguard;

import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.IVersionProvider;

/** Reports the application version that Quarkus recorded at build time. */
public class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {
      "configguard "
          + ConfigProvider.getConfig()
              .getOptionalValue("quarkus.application.version", String.class)
              .orElse("unknown")
    };
  }
}
