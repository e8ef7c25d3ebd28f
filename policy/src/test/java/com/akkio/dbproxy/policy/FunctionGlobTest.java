package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * A function rule with stars ({@code read_*}) is matched on its parts, without a regular expression; it must answer
 * as the regular expression it replaced ({@code .*} for each star, anchored at both ends) for every name.
 */
class FunctionGlobTest {
    private static final String[] EXTRA_RULES = {"*", "a*b*c", "*_privilege", "x**y", "pre*mid*mid*suf", "ab*ba",
        "x*yz*z", "*ab*b"};

    @Test
    void everyDenyListGlobAnswersAsItsRegularExpressionForNamesBuiltFromItsPartsAndForRandomNames() {
        List<String> rules = new ArrayList<>(List.of(EXTRA_RULES));
        FunctionRules.BUILT_IN_DENIALS.stream().filter(r -> r.indexOf('*') >= 0).forEach(rules::add);
        Random random = new Random(20261207);
        int compared = 0;
        for (String rule : rules) {
            Pattern regex = Pattern.compile(Pattern.quote(rule).replace("*", "\\E.*\\Q"));
            FunctionRules.Glob glob = new FunctionRules.Glob(rule);
            for (String name : candidates(rule, random)) {
                assertThat(glob.matches(name)).as("rule %s, name %s", rule, name.replace("\n", "\\n"))
                        .isEqualTo(regex.matcher(name).matches());
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(20_000);
    }

    /** Names made of the rule's parts with runs of other characters (line ends too) put in, cut, and random names. */
    private static List<String> candidates(String rule, Random random) {
        String alphabet = "abcdeimprstuvxy_*\n\r\u2028";
        List<String> names = new ArrayList<>();
        String[] parts = rule.split("\\*", -1);
        for (int n = 0; n < 1000; n++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < parts.length; i++) {
                if (random.nextInt(8) > 0) {
                    b.append(parts[i]);
                }
                if (i < parts.length - 1) {
                    for (int k = random.nextInt(4); k > 0; k--) {
                        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                }
            }
            String name = b.toString();
            names.add(name);
            if (!name.isEmpty()) {
                names.add(name.substring(random.nextInt(name.length())));
                names.add(name.substring(0, random.nextInt(name.length())));
            }
            StringBuilder any = new StringBuilder();
            for (int k = random.nextInt(12); k > 0; k--) {
                any.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            names.add(any.toString());
        }
        names.add(rule);
        names.add(rule.replace("*", ""));
        return names;
    }
}
