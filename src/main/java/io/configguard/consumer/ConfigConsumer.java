package io.configguard.consumer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The consuming pod's side of a GuardedRollout, as a small class to copy into a Java service. It
 * serves exactly the revision the pod is pointed at:
 *
 * <ol>
 *   <li>{@code want} = the contents of {@code <root>/revision} (the downward-API file of the pod's
 *       {@code configguard.io/revision} annotation); empty means "whatever stable holds";
 *   <li>serve from whichever of {@code <root>/stable} and {@code <root>/candidate} has {@code
 *       configguard-revision} = {@code want};
 *   <li>if neither does yet (kubelet refreshes each volume on its own schedule), keep serving what
 *       is loaded and look again on the next {@link #refresh()}.
 * </ol>
 *
 * A directory is read between two reads of its revision file that agree, so a kubelet swap in the
 * middle of a read is never served half-old, half-new.
 */
public final class ConfigConsumer {
  /** The key (file) holding a directory's revision number. */
  public static final String REVISION_FILE = "configguard-revision";

  private final Path root;
  private volatile Loaded loaded;

  /**
   * A loaded revision.
   *
   * @param revision its number
   * @param files every file of the directory it came from, except the revision file
   */
  public record Loaded(long revision, Map<String, byte[]> files) {}

  public ConfigConsumer(Path root) {
    this.root = root;
  }

  /** The config being served, if any revision has been loaded yet. */
  public Optional<Loaded> current() {
    return Optional.ofNullable(loaded);
  }

  /**
   * One turn of the loop: loads the wanted revision if a directory has it and it differs from what
   * is loaded. Returns whether the served config changed.
   */
  public boolean refresh() throws IOException {
    String want = readTrimmed(root.resolve("revision")).orElse("");
    Loaded next = null;
    if (want.isEmpty()) {
      next = load(root.resolve("stable"), null);
    } else {
      for (String dir : new String[] {"stable", "candidate"}) {
        next = load(root.resolve(dir), want);
        if (next != null) {
          break;
        }
      }
    }
    if (next == null || (loaded != null && loaded.revision() == next.revision())) {
      return false;
    }
    loaded = next;
    return true;
  }

  /** The directory's content if its revision is {@code want} (any revision when null). */
  private static Loaded load(Path dir, String want) throws IOException {
    Optional<String> before = readTrimmed(dir.resolve(REVISION_FILE));
    if (before.isEmpty() || (want != null && !want.equals(before.get()))) {
      return null;
    }
    long revision;
    try {
      revision = Long.parseLong(before.get());
    } catch (NumberFormatException e) {
      return null;
    }
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path file : (Iterable<Path>) entries::iterator) {
        String name = file.getFileName().toString();
        // kubelet's atomic writer keeps its versions in ..data and ..<timestamp> entries.
        if (name.startsWith("..") || name.equals(REVISION_FILE) || Files.isDirectory(file)) {
          continue;
        }
        files.put(name, Files.readAllBytes(file));
      }
    } catch (NoSuchFileException e) {
      return null;
    }
    Optional<String> after = readTrimmed(dir.resolve(REVISION_FILE));
    return after.equals(before) ? new Loaded(revision, Map.copyOf(files)) : null;
  }

  private static Optional<String> readTrimmed(Path file) throws IOException {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }
}
