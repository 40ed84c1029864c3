package io.configguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code --output junit|github} of check and test: parseable XML, annotations at the object. */
class OutputFormatsTest {
  static final String CF = "src/test/resources/cloudflare/";

  static Document xml(String text) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  static List<Element> elements(Document doc, String tag) {
    NodeList list = doc.getElementsByTagName(tag);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < list.getLength(); i++) {
      out.add((Element) list.item(i));
    }
    return out;
  }

  @Test
  void checkJunitHasOneCasePerObjectAndPolicyWithTheDenialsAsFailures() throws Exception {
    Cli cli =
        Cli.check(
            "--policies=deploy/examples/policies",
            "--output=junit",
            "--old=deploy/examples/configmaps/good",
            "deploy/examples/configmaps/good",
            "deploy/examples/configmaps/bad/bot-features-doubled.yaml");
    assertThat(cli.exit()).as(cli.err()).isEqualTo(1);
    Document doc = xml(cli.out());
    List<Element> cases = elements(doc, "testcase");
    // three ConfigMaps, each matched by its own policy and by strict-formats
    assertThat(cases).hasSize(6);
    Element doubled =
        cases.stream()
            .filter(c -> c.getAttribute("classname").equals("bot-features"))
            .filter(c -> c.getAttribute("name").contains("bot-features-doubled.yaml"))
            .findFirst()
            .orElseThrow();
    assertThat(doubled.getAttribute("name")).startsWith("ConfigMap edge/bot-features (");
    Element failure = (Element) doubled.getElementsByTagName("failure").item(0);
    assertThat(failure.getAttribute("message"))
        .isEqualTo(
            "bot-features/features-file: features.json: duplicate \"bot_score\" at"
                + " $.features[60].name (first at $.features[0].name)");
    assertThat(failure.getTextContent())
        .contains("bot-features/growth: features.json: $.features grew from 60 to 120 items");
    assertThat(elements(doc, "failure")).hasSize(1);
    Element suite = elements(doc, "testsuites").get(0);
    assertThat(suite.getAttribute("tests")).isEqualTo("6");
    assertThat(suite.getAttribute("failures")).isEqualTo("1");
  }

  @Test
  void junitEscapesMarkupAndControlCharacters(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(
        policy,
        """
        apiVersion: configguard.io/v1alpha1
        kind: ClusterConfigPolicy
        metadata: {name: tricky}
        spec:
          rules:
            - name: no-markup
              cel: "!object.data.exists(k, k.contains('<'))"
              message: "keys must not hold <, & or \\"quotes\\"\\u0001 ]]>"
        """);
    Path cm = dir.resolve("cm.yaml");
    Files.writeString(
        cm, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a&b}\ndata: {'<k>': v}\n");
    Cli cli = Cli.check("--policies", policy.toString(), "--output=junit", cm.toString());
    assertThat(cli.exit()).as(cli.err()).isEqualTo(1);
    Element failure = elements(xml(cli.out()), "failure").get(0);
    assertThat(failure.getAttribute("message"))
        .contains("keys must not hold <, & or \"quotes\" ]]>");
    assertThat(elements(xml(cli.out()), "testcase").get(0).getAttribute("name"))
        .startsWith("ConfigMap default/a&b");
  }

  @Test
  void githubAnnotationsPointAtTheLineWhereTheObjectStarts(@TempDir Path dir) throws Exception {
    String good = Files.readString(Path.of(CF + "features-60.yaml"));
    String doubled = Files.readString(Path.of(CF + "features-doubled.yaml"));
    Path manifests = dir.resolve("all.yaml");
    Files.writeString(manifests, "# generated\n---\n" + good + "\n---\n# the bad one\n" + doubled);
    int line = (int) ("# generated\n---\n" + good + "\n---\n# the bad one\n").lines().count() + 1;
    while (!Files.readAllLines(manifests).get(line - 1).startsWith("apiVersion")) {
      line++; // the object starts at its first key, after any comment of its own
    }
    Path otherName = dir.resolve("other.yaml");
    Files.writeString(otherName, doubled.replace("name: bot-features", "name: bot-features-2"));
    Cli cli =
        Cli.check("--policies=" + CF + "policy.yaml", "--output=github", manifests.toString());
    assertThat(cli.exit()).isEqualTo(1);
    assertThat(cli.out())
        .contains(
            "::error file="
                + manifests
                + ",line="
                + line
                + ",title=bot-features/features-file::ConfigMap edge/bot-features:"
                + " bot-features/features-file: features.json: duplicate \"bot_score\"")
        .doesNotContain(",line=1,");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "warn | ::warning file=src/test/resources/admission/manifests/edge-routes-30.yaml,line=",
        "summary | 1 objects checked against 6 policies: 0 denied, 1 with warnings or audit findings",
      })
  void githubWarningsAreWarnings(String name, String line) {
    Cli cli =
        Cli.check(
            "--policies=src/test/resources/admission/policies",
            "--namespace=edge",
            "--output=github",
            "src/test/resources/admission/manifests/edge-routes-30.yaml");
    assertThat(cli.exit()).as(cli.err()).isEqualTo(0);
    assertThat(cli.out()).contains(line).doesNotContain("::error");
  }

  @Test
  void annotationEscapesNewlinesAndPropertySeparators() {
    assertThat(Output.annotation("error", "a,b:c.yaml", 3, "p/r", "one\ntwo 100%"))
        .isEqualTo("::error file=a%2Cb%3Ac.yaml,line=3,title=p/r::one%0Atwo 100%25");
  }

  @Test
  void testJunitAndGithubReportEachExpectation(@TempDir Path dir) throws Exception {
    Path suite =
        TestCommandTest.suite(
            dir,
            "expect:\n  - {file: "
                + TestCommandTest.CF
                + "features-doubled.yaml, kind: ConfigMap, name: bot-features, result: allow}\n"
                + "  - {file: "
                + TestCommandTest.CF
                + "features-60.yaml, kind: ConfigMap, name: bot-features, result: allow}\n");
    Cli junit = Cli.test("--output=junit", suite.toString());
    assertThat(junit.exit()).isEqualTo(1);
    Document doc = xml(junit.out());
    assertThat(elements(doc, "testcase")).hasSize(2);
    assertThat(elements(doc, "failure")).hasSize(1);
    assertThat(elements(doc, "failure").get(0).getAttribute("message"))
        .startsWith("result deny, expected allow");

    Cli github = Cli.test("--output=github", suite.toString());
    assertThat(github.exit()).isEqualTo(1);
    assertThat(github.out())
        .contains("::error file=" + TestCommandTest.CF + "features-doubled.yaml,line=")
        .contains("1 passed, 1 failed");
    assertThat(Cli.test("--output=json", "deploy/examples").out()).contains("\"failed\" : 0");
  }
}
