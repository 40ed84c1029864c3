package io.configguard.api;

/** How a ConfigMap value is parsed before the checks of a rule look into it. */
public enum Format {
  json,
  yaml,
  properties,
  text
}
