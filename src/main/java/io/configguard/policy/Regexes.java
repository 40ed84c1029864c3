package io.configguard.policy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Regular expressions of policies (CEL {@code matches}, schema {@code pattern}) on RE2J, bounded
 * twice. Statically: a pattern compiles to at most {@link #MAX_PROGRAM} RE2 instructions, since
 * RE2's time is program size times input length; and a pattern whose repetitions multiply past
 * {@link #MAX_ESTIMATE} is refused before it is compiled at all ({@code ((a{1000}){1000}){1000}}
 * exhausts any heap while compiling). At run time: matching reads the value through a view that
 * checks the evaluation's deadline every {@link #CHECK_EVERY} characters, so one call on a large
 * value cannot outlive the time budget.
 */
final class Regexes {
  /** Largest compiled program; validation patterns are tens to hundreds of instructions. */
  static final int MAX_PROGRAM = 1000;

  /** Largest syntactic estimate compiled (an overestimate: RE2 folds alternations of chars). */
  static final long MAX_ESTIMATE = 100L * MAX_PROGRAM;

  static final int CHECK_EVERY = 1024;

  private static final int CACHE = 512;
  private static final ConcurrentHashMap<String, Object> COMPILED = new ConcurrentHashMap<>();

  private Regexes() {}

  /** Why the pattern is refused, or null; compiles it only when its estimate is small enough. */
  static String problem(String regex) {
    Object compiled = compile(regex);
    return compiled instanceof String reason ? reason : null;
  }

  /** The compiled pattern, or throws {@link OverBudget} naming why it is refused. */
  static Pattern pattern(String regex) {
    Object compiled = compile(regex);
    if (compiled instanceof String reason) {
      throw new OverBudget("regex refused: " + reason);
    }
    return (Pattern) compiled;
  }

  private static Object compile(String regex) {
    Object cached = COMPILED.get(regex);
    if (cached != null) {
      return cached;
    }
    Object result;
    long estimate = estimate(regex);
    if (estimate > MAX_ESTIMATE) {
      result =
          "its repetitions multiply to more than "
              + MAX_ESTIMATE
              + " instructions (the limit is "
              + MAX_PROGRAM
              + ")";
    } else {
      try {
        Pattern p = Pattern.compile(regex);
        result =
            p.programSize() > MAX_PROGRAM
                ? "compiles to "
                    + p.programSize()
                    + " RE2 instructions, more than the limit of "
                    + MAX_PROGRAM
                : p;
      } catch (PatternSyntaxException e) {
        result = "not supported by the linear-time regex engine (RE2): " + e.getMessage();
      }
    }
    if (COMPILED.size() >= CACHE) {
      COMPILED.clear();
    }
    COMPILED.put(regex, result);
    return result;
  }

  /** Whether the pattern matches somewhere in the value, within the running evaluation's budget. */
  static boolean find(Pattern pattern, CharSequence value) {
    return pattern.matcher(Deadline.watch(value)).find();
  }

  /**
   * An upper bound, from the text alone, of the instructions a pattern compiles to: each atom one,
   * a group its content plus two, an alternation the sum, a repetition {n,m} its operand times
   * max(n, m) plus m. Saturates instead of overflowing.
   */
  static long estimate(String re) {
    java.util.ArrayDeque<long[]> stack = new java.util.ArrayDeque<>();
    long total = 0;
    long last = 0;
    int n = re.length();
    for (int i = 0; i < n; i++) {
      char c = re.charAt(i);
      switch (c) {
        case '\\' -> {
          if (i + 1 < n && re.charAt(i + 1) == 'Q') {
            // \Q...\E: every character up to \E (or the end) is a literal.
            int end = re.indexOf("\\E", i + 2);
            int stop = end < 0 ? n : end;
            long literals = Math.max(1, stop - (i + 2));
            last = 1;
            total = add(total, literals);
            i = end < 0 ? n : end + 1;
            continue;
          }
          i++;
          if (i + 1 < n && "pPx".indexOf(re.charAt(i)) >= 0 && re.charAt(i + 1) == '{') {
            int close = re.indexOf('}', i);
            i = close < 0 ? n : close;
          }
          last = 1;
          total = add(total, 1);
        }
        case '[' -> {
          int j = i + 1;
          if (j < n && re.charAt(j) == '^') {
            j++;
          }
          if (j < n && re.charAt(j) == ']') {
            j++;
          }
          while (j < n && re.charAt(j) != ']') {
            if (re.charAt(j) == '\\') {
              j++;
            } else if (re.charAt(j) == '[' && j + 1 < n && re.charAt(j + 1) == ':') {
              int close = re.indexOf(":]", j + 2);
              j = close < 0 ? j : close + 1;
            }
            j++;
          }
          i = j;
          last = 1;
          total = add(total, 1);
        }
        case '(' -> {
          stack.push(new long[] {total, last});
          total = 0;
          last = 0;
        }
        case ')' -> {
          long group = add(total, 2);
          long[] outer = stack.isEmpty() ? new long[] {0, 0} : stack.pop();
          total = add(outer[0], group);
          last = group;
        }
        case '|' -> {
          total = add(total, 1);
          last = 0;
        }
        case '*', '+', '?' -> total = add(total, 1);
        case '{' -> {
          int close = re.indexOf('}', i);
          long[] range = close < 0 ? null : range(re.substring(i + 1, close));
          if (range == null) {
            last = 1;
            total = add(total, 1);
          } else {
            long times = Math.max(1, Math.max(range[0], range[1]));
            long repeated = mul(last, times);
            total = add(add(total, repeated - last), times);
            last = repeated;
            i = close;
          }
        }
        default -> {
          last = 1;
          total = add(total, 1);
        }
      }
    }
    while (!stack.isEmpty()) {
      total = add(stack.pop()[0], total);
    }
    // Twice the count plus the program's own frame: RE2 spends up to two instructions per atom
    // (a capture, an alternation or a loop around it) and a few on the whole match.
    return add(mul(total, 2), 4);
  }

  /** {n}, {n,} or {n,m} as [n, m] (m = n + 1 when open), or null when it is a literal brace. */
  private static long[] range(String inside) {
    // As RE2 reads them: a leading zero ({1,01}) makes the braces literal text.
    if (!inside.matches("(0|[1-9][0-9]{0,8})(,(0|[1-9][0-9]{0,8})?)?")) {
      return null;
    }
    int comma = inside.indexOf(',');
    long min = Long.parseLong(comma < 0 ? inside : inside.substring(0, comma));
    long max =
        comma < 0
            ? min
            : comma == inside.length() - 1 ? min + 1 : Long.parseLong(inside.substring(comma + 1));
    return new long[] {min, max};
  }

  private static long add(long a, long b) {
    long s = a + b;
    return s < 0 || s > Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : s;
  }

  private static long mul(long a, long b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    return a > (Long.MAX_VALUE / 4) / b ? Long.MAX_VALUE / 4 : a * b;
  }
}
