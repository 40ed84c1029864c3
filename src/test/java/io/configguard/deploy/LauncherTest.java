package io.configguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./configguard} launcher loads classes from the archive {@code ./configguard archive}
 * wrote, only when this JDK build made it from the jars there now, and starts plainly otherwise.
 * Runs the real script against a stand-in JDK whose java prints its arguments.
 */
class LauncherTest {
  @TempDir Path root;
  private Path app;
  private Path jdk;

  @BeforeEach
  void layout() throws IOException {
    Files.copy(
        Path.of("configguard"), root.resolve("configguard"), StandardCopyOption.COPY_ATTRIBUTES);
    app = Files.createDirectories(root.resolve("target/quarkus-app"));
    Files.createDirectories(app.resolve("lib/main"));
    Files.writeString(app.resolve("quarkus-run.jar"), "jar");
    Files.writeString(app.resolve("lib/main/dependency.jar"), "jar");
    jdk = Files.createDirectories(root.resolve("jdk/bin"));
    Path java = jdk.resolve("java");
    Files.writeString(java, "#!/usr/bin/env bash\necho \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    jdk = jdk.getParent();
  }

  @Test
  void withoutAnArchiveStartsPlainly() throws Exception {
    release("17.0.15+6");
    assertThat(launch()).isEqualTo("-jar " + app.resolve("quarkus-run.jar") + " serve");
  }

  @Test
  void java17UsesItsAppCdsArchive() throws Exception {
    release("17.0.15+6-Debian-1deb12u1");
    Path archive = archive("configguard-java-17.0.15_6-Debian-1deb12u1.jsa");
    assertThat(launch())
        .isEqualTo(
            "-XX:SharedArchiveFile="
                + archive
                + " -Xshare:auto -jar "
                + app.resolve("quarkus-run.jar")
                + " serve");
  }

  @Test
  void java25UsesItsAotCache() throws Exception {
    release("25.0.3+9-LTS");
    Path archive = archive("configguard-java-25.0.3_9-LTS.aot");
    assertThat(launch()).startsWith("-XX:AOTCache=" + archive + " -jar ");
  }

  @Test
  void anArchiveOfAnotherJdkBuildIsLeftAside() throws Exception {
    release("17.0.16+8");
    archive("configguard-java-17.0.15_6-Debian-1deb12u1.jsa");
    assertThat(launch()).startsWith("-jar ");
  }

  @Test
  void anArchiveOlderThanAJarIsLeftAside() throws Exception {
    release("25.0.3+9-LTS");
    archive("configguard-java-25.0.3_9-LTS.aot");
    Files.setLastModifiedTime(
        app.resolve("lib/main/dependency.jar"), FileTime.from(Instant.now().plusSeconds(60)));
    assertThat(launch()).startsWith("-jar ");
  }

  @Test
  void aJdkWithoutAReleaseFileStartsPlainly() throws Exception {
    archive("configguard-java-17.0.15_6-Debian-1deb12u1.jsa");
    assertThat(launch()).startsWith("-jar ");
  }

  private void release(String version) throws IOException {
    Files.writeString(
        jdk.resolve("release"), "JAVA_VERSION=\"x\"\nJAVA_RUNTIME_VERSION=\"" + version + "\"\n");
  }

  /** An archive written after the jars, as {@code ./configguard archive} does. */
  private Path archive(String name) throws IOException {
    Path archive = Files.writeString(app.resolve(name), "archive");
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(30)));
    return archive;
  }

  private String launch() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("configguard").toString(), "serve");
    pb.environment().put("JAVA_HOME", jdk.toString());
    pb.environment().remove("JAVA_OPTS");
    pb.redirectErrorStream(true);
    Process process = pb.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(out).isZero();
    return out.strip();
  }
}
