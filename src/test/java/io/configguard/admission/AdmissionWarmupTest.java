package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdmissionWarmupTest {
  /** The preload Main starts for serve runs the engine part of the rehearsal on its own thread. */
  @Test
  void preloadDecidesTheBuiltInReviewOffTheCallingThread() throws Exception {
    Thread caller = Thread.currentThread();
    Thread[] ranOn = new Thread[1];
    Review review =
        AdmissionWarmup.preload()
            .whenComplete((r, e) -> ranOn[0] = Thread.currentThread())
            .get(2, TimeUnit.MINUTES);
    assertThat(review.namespace()).isEqualTo(AdmissionWarmup.NAMESPACE);
    assertThat(review.name()).isEqualTo("configguard-warmup");
    assertThat(ranOn[0]).isNotSameAs(caller);
    assertThat(ranOn[0].getName()).isEqualTo("configguard-preload");
    assertThat(ranOn[0].isDaemon()).as("never holds the JVM up").isTrue();
  }
}
