package io.configguard.policy.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.configguard.policy.Fixtures;
import io.configguard.policy.parse.JsonCount;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The RFC 9535 subset: what parses, what it selects (with concrete paths), what is refused. */
class JsonPathTest {
  static final JsonNode DOC =
      Fixtures.yaml(
          """
          features:
            - {name: a, tags: [x, y]}
            - {name: b, tags: []}
            - {name: c}
          "odd key": {"it's": 1}
          meta: {version: 3, owner: {team: edge}}
          """);

  @ParameterizedTest(name = "{0} selects {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          $                        | $
          $.meta.version           | $.meta.version=3
          $['meta']['version']     | $.meta.version=3
          $["meta"].owner.team     | $.meta.owner.team="edge"
          $.features[0].name       | $.features[0].name="a"
          $.features[-1].name      | $.features[2].name="c"
          $.features[ 1 ].name     | $.features[1].name="b"
          $.features[*].name       | $.features[0].name="a" $.features[1].name="b" $.features[2].name="c"
          $.features.*.name        | $.features[0].name="a" $.features[1].name="b" $.features[2].name="c"
          $.features[*].tags[*]    | $.features[0].tags[0]="x" $.features[0].tags[1]="y"
          $.meta[*]                | $.meta.version=3 $.meta.owner={"team":"edge"}
          $['odd key']['it\\'s']   | $['odd key']['it\\'s']=1
          $.features[3].name       | ''
          $.missing.deeper         | ''
          $.meta.version.deeper    | ''
          $.meta[0]                | ''
          $.features.name          | ''
          """)
  void selects(String path, String expected) {
    List<JsonPath.Match> matches = JsonPath.parse(path).select(DOC);
    String rendered =
        String.join(
            " ",
            matches.stream()
                .map(
                    m ->
                        path.equals("$")
                            ? m.location().toString()
                            : m.location() + "=" + m.node().toString())
                .toList());
    assertThat(rendered).isEqualTo(expected);
    for (JsonPath.Match m : matches) {
      assertThat(m.location().resolve(DOC)).isSameAs(m.node());
    }
  }

  @ParameterizedTest(name = "{0} counts {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          $.features            | 3
          $.features[*]         | 3
          $.features[*].tags    | 2
          $.features[0].tags    | 2
          $.meta                | 2
          $.meta.version        | 1
          $.missing             | 0
          $.features[*].missing | 0
          """)
  void counts(String path, long expected) {
    assertThat(JsonPath.parse(path).count(DOC)).isEqualTo(expected);
    // The text scan used for old documents agrees with the tree, however the JSON is laid out.
    assertThat(JsonCount.count(DOC.toString(), JsonPath.parse(path), 64)).isEqualTo(expected);
    assertThat(JsonCount.count(DOC.toPrettyString(), JsonPath.parse(path), 64)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{1} in {0} = {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
          {"a": ["]", "[", "\\\"]", {"b": "}"}]}        | $.a          | 4
          {"a\u0062": [1, 2], "b": [1]}                   | $.ab         | 2
          {"x": {"a": [1]}, "a": [1, 2, 3]}                | $.a          | 3
          {"a": [[1, 2], [3], []]}                         | $.a[*][*]    | 3
          {"a": [[1, 2], [3], []]}                         | $.a[0]       | 2
          {"a": null}                                      | $.a          | 0
          {"a": 5}                                         | $.a          | 1
          {"a": {}}                                        | $.a          | 0
          [ ]                                              | $            | 0
          {"a": [1, 2}                                     | $.a          | -1
          {"a": [1, 2]} trailing                           | $.a          | -1
          {"a": "unterminated}                             | $.a          | -1
          {"a" [1]}                                        | $.a          | -1
          {"a": [1, 2]}                                    | $.a[-1]      | -1
          """)
  void countsFromText(String json, String path, long expected) {
    assertThat(JsonCount.count(json, JsonPath.parse(path), 64)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void countingFromTextStopsAtTheDepthLimit() {
    String deep = "{\"a\": " + "[".repeat(100) + "]".repeat(100) + "}";
    assertThat(JsonCount.count(deep, JsonPath.parse("$.a"), 64)).isEqualTo(-1);
    assertThat(JsonCount.count(deep, JsonPath.parse("$.a"), 200)).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ''                  | at position 0: empty path, expected '$'
          features            | at position 0: a path starts with '$'
          $features           | at position 1: expected '.' or '[', found 'f'
          $.                  | at position 2: expected a member name after '.'
          $..name             | at position 1: descendant segments (..) are not supported
          $.1abc              | at position 2: a member name starts with a letter or '_', found '1'
          $.a[                | at position 4: unclosed '['
          $.a[0               | at position 5: expected ']'
          $.a[01]             | at position 4: index 01 has a leading zero or is -0
          $.a[-0]             | at position 4: index -0 has a leading zero or is -0
          $.a[-]              | at position 5: expected digits after '-'
          $.a[99999999999]    | at position 4: index 99999999999 is out of range
          $.a[1:2]            | at position 5: array slices are not supported
          $.a[0,1]            | at position 5: several selectors in one bracket are not supported
          $.a[?@.x]           | at position 4: filter selectors (?) are not supported
          $.a['x              | at position 4: unterminated quoted name
          $.a['\\q']          | at position 5: invalid escape \\q
          $.a[name]           | at position 4: expected a quoted name, an index or '*', found 'n'
          """)
  void refuses(String path, String error) {
    assertThatThrownBy(() -> JsonPath.parse(path))
        .isInstanceOf(JsonPath.SyntaxError.class)
        .hasMessage(error);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          $.a.b      | true
          $.a[3]     | true
          $.a[*]     | false
          $.a.*.b    | false
          """)
  void singular(String path, boolean singular) {
    assertThat(JsonPath.parse(path).isSingular()).isEqualTo(singular);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          $.spec          | $.routes[*].host | $.spec.routes[*].host
          $               | $.features       | $.features
          """)
  void rendersUnderABase(String base, String path, String expected) {
    Location at = JsonPath.parse(base).select(Fixtures.yaml("spec: {}")).get(0).location();
    assertThat(JsonPath.parse(path).under(at)).isEqualTo(expected);
  }
}
