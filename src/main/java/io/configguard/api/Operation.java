package io.configguard.api;

/** An admission operation a policy can be matched on. */
public enum Operation {
  CREATE,
  UPDATE,
  DELETE
}
