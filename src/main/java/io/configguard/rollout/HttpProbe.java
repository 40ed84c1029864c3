package io.configguard.rollout;

import io.configguard.api.HttpGetCheck;
import io.configguard.rollout.PodHealth.ProbeResult;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/** Runs {@code healthCheck.httpGet} against pods' IPs. */
@FunctionalInterface
interface HttpProbe {
  /** One result per pod name; must return within about the check's timeout. */
  Map<String, ProbeResult> probe(List<Pod> pods, HttpGetCheck check);
}
