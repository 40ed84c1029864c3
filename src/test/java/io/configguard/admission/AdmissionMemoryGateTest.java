package io.configguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The gate's accounting: charge, room, waiting, refusal after the wait. */
class AdmissionMemoryGateTest {
  static final long MIB = 1024 * 1024;

  @Test
  void aRequestIsChargedItsBodyTimesTheAmplification() {
    AdmissionMemoryGate gate = new AdmissionMemoryGate(200 * MIB, Duration.ofSeconds(1));
    assertThat(gate.charge(MIB)).isEqualTo(MIB * AdmissionMemoryGate.AMPLIFICATION);
    assertThat(gate.charge(0)).isEqualTo(4096L * AdmissionMemoryGate.AMPLIFICATION);
    // Larger than the whole budget: runs alone rather than never.
    assertThat(gate.charge(100 * MIB)).isEqualTo(200 * MIB);
  }

  @Test
  void aRequestWaitsForRoomAndGetsItWhenReleased() throws Exception {
    AdmissionMemoryGate gate = new AdmissionMemoryGate(150 * MIB, Duration.ofMinutes(1));
    AdmissionMemoryGate.Permit first = gate.acquire(3 * MIB).get();
    CompletableFuture<AdmissionMemoryGate.Permit> second = gate.acquire(3 * MIB);
    assertThat(second).isNotDone();
    first.close();
    first.close();
    assertThat(second.get().bytes()).isEqualTo(3 * MIB * AdmissionMemoryGate.AMPLIFICATION);
    assertThat(gate.inUse()).isEqualTo(3 * MIB * AdmissionMemoryGate.AMPLIFICATION);
  }

  @Test
  void smallRequestsPassALargeOneWaiting() throws Exception {
    AdmissionMemoryGate gate = new AdmissionMemoryGate(150 * MIB, Duration.ofMinutes(1));
    AdmissionMemoryGate.Permit large = gate.acquire(3 * MIB).get();
    CompletableFuture<AdmissionMemoryGate.Permit> waiting = gate.acquire(3 * MIB);
    AdmissionMemoryGate.Permit small = gate.acquire(1024 * 1024 / 4).get(); // room left: 42 MiB
    small.close();
    assertThat(waiting).isNotDone();
    large.close();
    assertThat(waiting.get()).isNotNull();
  }

  @Test
  void noRoomWithinTheWaitIsRefused() {
    AdmissionMemoryGate gate = new AdmissionMemoryGate(150 * MIB, Duration.ofMillis(50));
    gate.acquire(3 * MIB).join();
    assertThatThrownBy(() -> gate.acquire(3 * MIB).get())
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(AdmissionMemoryGate.BusyException.class)
        .hasMessageContaining("admission memory budget in use");
    assertThat(gate.inUse()).isEqualTo(3 * MIB * AdmissionMemoryGate.AMPLIFICATION);
  }
}
