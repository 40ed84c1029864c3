package io.configguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.NullValue;
import io.configguard.api.Format;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;

/**
 * JSON as CEL values without copying: objects and arrays are read-only Map and List views that
 * convert a child only when the expression touches it, so an expression reading one field of a
 * large document costs one lookup, not a conversion of the whole tree.
 */
final class CelValues {
  private CelValues() {}

  static Object of(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    } else if (node.isObject()) {
      return new ObjectView(node);
    } else if (node.isArray()) {
      return new ArrayView(node);
    } else if (node.isTextual()) {
      return node.textValue();
    } else if (node.isBoolean()) {
      return node.booleanValue();
    } else if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    } else if (node.isNumber()) {
      return node.doubleValue();
    }
    return node.asText();
  }

  /** object, oldObject, request and parsed (every key with a format, parsed on first use). */
  static Map<String, Object> variables(Evaluation ev) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("object", of(ev.target().object()));
    vars.put("oldObject", of(ev.target().oldObject()));
    JsonNode request = ev.target().request();
    vars.put("request", request == null ? Map.of() : of(request));
    vars.put("parsed", new ParsedView(ev));
    return vars;
  }

  private static final class ObjectView extends AbstractMap<String, Object> {
    private final JsonNode node;

    ObjectView(JsonNode node) {
      this.node = node;
    }

    @Override
    public Object get(Object key) {
      JsonNode child = key instanceof String s ? node.get(s) : null;
      return child == null ? null : of(child);
    }

    @Override
    public boolean containsKey(Object key) {
      return key instanceof String s && node.has(s);
    }

    @Override
    public int size() {
      return node.size();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return node.size();
        }

        @Override
        public Iterator<Entry<String, Object>> iterator() {
          Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return fields.hasNext();
            }

            @Override
            public Entry<String, Object> next() {
              Map.Entry<String, JsonNode> f = fields.next();
              return new SimpleImmutableEntry<>(f.getKey(), of(f.getValue()));
            }
          };
        }
      };
    }
  }

  private static final class ArrayView extends AbstractList<Object> implements RandomAccess {
    private final JsonNode node;

    ArrayView(JsonNode node) {
      this.node = node;
    }

    @Override
    public Object get(int index) {
      if (index < 0 || index >= node.size()) {
        throw new IndexOutOfBoundsException(index);
      }
      return of(node.get(index));
    }

    @Override
    public int size() {
      return node.size();
    }
  }

  /** Data keys with a format in the policy, mapped to their parsed documents on first access. */
  private static final class ParsedView extends AbstractMap<String, Object> {
    private final Evaluation ev;

    ParsedView(Evaluation ev) {
      this.ev = ev;
    }

    @Override
    public Object get(Object key) {
      if (!(key instanceof String k)) {
        return null;
      }
      ConfigValue entry = ev.documents().entries(false).get(k);
      Format format = entry == null ? null : ev.formatOf(k);
      if (format == null) {
        return null;
      }
      Parsed parsed = ev.parse(entry, format);
      return parsed.ok() ? of(parsed.node()) : null;
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      Map<String, Object> all = new HashMap<>();
      for (String key : ev.documents().entries(false).keySet()) {
        Object value = get(key);
        if (value != null) {
          all.put(key, value);
        }
      }
      return all.entrySet();
    }
  }
}
