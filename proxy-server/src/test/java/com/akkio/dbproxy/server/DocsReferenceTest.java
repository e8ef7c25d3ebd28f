package com.akkio.dbproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * SECURITY.md proves each guarantee by naming the test that fails if it is broken, and the READMEs name tests too. A
 * test renamed, moved into a nested class or deleted must not leave a citation pointing at nothing, so this reads
 * every citation from the documents and looks for it in the test sources of every module ({@code
 * <module>/src/test/java}), as text: no test class is loaded or run.
 *
 * <p>A citation is a code span (or a fenced code block) naming a test class, optionally with members: {@code
 * ProxyEndToEndTest}, {@code ProxyEndToEndTest.someMethod}, {@code PolicyEngineTest.Databricks.someMethod} (a nested
 * class, then a method of it), {@code PolicyJazzerFuzzTest#decideLong} (as in {@code -Dtest=}), and {@code
 * .someMethod} alone, which continues the class cited before it in the same table row, bullet or paragraph. A test
 * class is a name ending in {@code Test}, {@code Tests} or {@code IT}; in a table column headed "proved by", any
 * class name counts (helpers such as {@code FuzzOracle} prove things too). A class exists when some module has a
 * test source file of that name; a member exists when the class (or the named nested class) declares a method or a
 * nested class of that name, comments and string literals left out.
 */
class DocsReferenceTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyTestSecurityMdCitesExists() throws IOException {
        Path securityMd = ROOT.resolve("SECURITY.md");
        List<Citation> citations = citations("SECURITY.md", Files.readString(securityMd));

        // the table of guarantees cites some eighty tests; far fewer means the reading broke, not the docs
        assertThat(citations).as("citations read from SECURITY.md").hasSizeGreaterThan(30);
        assertNoneDangle(citations, TestSources.under(ROOT));
    }

    @Test
    void everyTestTheReadmesCiteExists() throws IOException {
        List<Path> docs = otherDocuments(ROOT);
        assertThat(docs).contains(ROOT.resolve("README.md"), ROOT.resolve("bench/README.md"));
        List<Citation> citations = new ArrayList<>();
        for (Path doc : docs) {
            citations.addAll(citations(ROOT.relativize(doc).toString(), Files.readString(doc)));
        }

        assertThat(citations).as("citations read from " + docs).hasSizeGreaterThan(5);
        assertNoneDangle(citations, TestSources.under(ROOT));
    }

    @Test
    void citationsAreReadInEveryFormTheDocumentsUse() {
        String doc = String.join("\n",
                "| guarantee | proved by |",
                "|---|---|",
                "| one | `AlphaTest.first`, `.secondMethod`, `Helper` (live) |",
                "| two | `BetaTest.Inner.third`, `.fourthMethod`, `.json` |",
                "| three | `.orphanMethod` |",
                "",
                "A paragraph on `PolicyEngine.decide`, `LIMIT` and `GammaTest` (`ServerLoadHarness`), wrapped over",
                "lines: `mvn test -Dtest=DeltaTest#fifth",
                "-Dx=y`, with ``delta.`/mnt/x` `` and `EpsilonTests`, `ZetaTest.java`.",
                "- a bullet with `.sixthMethod` continues nothing",
                "",
                "```bash",
                "mvn -pl policy test -Dtest=EtaTest#seventh",
                "```");

        assertThat(citations("doc.md", doc)).extracting(Citation::toString).containsExactly(
                "doc.md:3: `AlphaTest.first`", "doc.md:3: `AlphaTest.secondMethod`", "doc.md:3: `Helper`",
                "doc.md:4: `BetaTest.Inner.third`", "doc.md:4: `BetaTest.Inner.fourthMethod`",
                "doc.md:5: `.orphanMethod` (continues no test class cited before it)",
                "doc.md:7: `GammaTest`", "doc.md:8: `DeltaTest#fifth`", "doc.md:9: `EpsilonTests`",
                "doc.md:9: `ZetaTest.java`",
                "doc.md:10: `.sixthMethod` (continues no test class cited before it)",
                "doc.md:13: `EtaTest#seventh`");
    }

    @Test
    void aCitationOfAMissingClassMethodOrNestedClassIsReported() {
        TestSources sources = TestSources.of(Map.of(
                "AlphaTest", """
                        class AlphaTest {
                            // void gone() {} is only a comment
                            String text = "void alsoGone() { class Ghost {";
                            @Test
                            void present() {
                                assertThat(helper()).isTrue();
                            }
                            private boolean helper() { return true; }
                            @Nested
                            class Inner {
                                @Test
                                void nestedMethod() {
                                }
                            }
                            @TestFactory
                            Stream<DynamicTest> factory() {
                                return Stream.of();
                            }
                        }
                        """));
        String doc = String.join("\n",
                "`AlphaTest.present`, `.nestedMethod`, `AlphaTest.Inner`, `AlphaTest.Inner.nestedMethod`,",
                "`AlphaTest#factory`, `AlphaTest.java`.",
                "",
                "`AlphaTest.gone`, `.alsoGone`, `AlphaTest.Ghost`, `AlphaTest.Inner.present`,",
                "`AlphaTest.Missing.present`, `NoSuchTest`, `NoSuchTest.anything`.",
                "",
                "`.orphanMethod`");

        List<String> problems = citations("doc.md", doc).stream()
                .flatMap(c -> sources.problem(c).map(p -> c + ": " + p).stream())
                .toList();

        assertThat(problems).containsExactly(
                "doc.md:4: `AlphaTest.gone`: AlphaTest declares no method or nested class gone",
                "doc.md:4: `AlphaTest.alsoGone`: AlphaTest declares no method or nested class alsoGone",
                "doc.md:4: `AlphaTest.Ghost`: AlphaTest declares no method or nested class Ghost",
                "doc.md:4: `AlphaTest.Inner.present`: AlphaTest.Inner declares no method or nested class present",
                "doc.md:5: `AlphaTest.Missing.present`: AlphaTest has no nested class Missing",
                "doc.md:5: `NoSuchTest`: no test source file NoSuchTest.java in any module",
                "doc.md:5: `NoSuchTest.anything`: no test source file NoSuchTest.java in any module",
                "doc.md:7: `.orphanMethod` (continues no test class cited before it): "
                        + "a continuation needs a test class cited before it in the same row, bullet or paragraph");
    }

    private static void assertNoneDangle(List<Citation> citations, TestSources sources) {
        List<String> dangling = new ArrayList<>();
        for (Citation c : citations) {
            sources.problem(c).ifPresent(p -> dangling.add(c + ": " + p));
        }
        assertThat(dangling)
                .withFailMessage("%d cited test(s) do not exist; point each citation at the test that proves it:%n%s",
                        dangling.size(), String.join("\n", dangling))
                .isEmpty();
    }

    /** The Markdown documents besides SECURITY.md: those at the root and each module's README.md. */
    private static List<Path> otherDocuments(Path root) throws IOException {
        List<Path> docs = new ArrayList<>();
        try (Stream<Path> top = Files.list(root)) {
            for (Path p : top.sorted().toList()) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && name.toLowerCase(Locale.ROOT).endsWith(".md")
                        && !name.equals("SECURITY.md")) {
                    docs.add(p);
                } else if (Files.isDirectory(p) && !name.startsWith(".") && Files.isRegularFile(p.resolve("README.md"))) {
                    docs.add(p.resolve("README.md"));
                }
            }
        }
        return docs;
    }

    // ---- reading citations from Markdown ----

    /**
     * A cited test: {@code members} are the names after the class (nested classes, then a method or nested class),
     * {@code owner} null for a continuation ({@code .name}) with no test class before it.
     */
    record Citation(String document, int line, String text, String owner, List<String> members) {
        @Override
        public String toString() {
            return document + ":" + line + ": `" + text + "`"
                    + (owner == null ? " (continues no test class cited before it)" : "");
        }
    }

    private static final Pattern CLASS_REFERENCE = Pattern.compile(
            "(?<![\\w.$#/-])([A-Z][A-Za-z0-9_$]*)((?:[.#][A-Za-z_][A-Za-z0-9_$]*)*)");
    /** Upper camel case, so that SQL such as {@code LIMIT} or {@code COMMIT} is not a class ending in IT. */
    private static final Pattern TEST_CLASS = Pattern.compile("[A-Z][a-z0-9]\\w*(?:Test|Tests|IT)");
    private static final Pattern ANY_CLASS = Pattern.compile("[A-Z][a-z0-9]\\w*");
    /**
     * A method name alone, as a continuation: lower camel case with at least one capital (test names read as
     * sentences), so a file extension such as {@code .json} is not one.
     */
    private static final Pattern CONTINUATION = Pattern.compile("[.#]([a-z][A-Za-z0-9_]*[A-Z][A-Za-z0-9_]*)");
    private static final Pattern BLOCK_START = Pattern.compile("\\s*(?:[-*+]|\\d+\\.)\\s.*|#.*|\\|.*");

    static List<Citation> citations(String document, String markdown) {
        List<Citation> out = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        int provedByColumn = -1;
        int i = 0;
        while (i < lines.length) {
            String line = lines[i];
            if (line.strip().startsWith("```")) { // a fenced block: one block, direct citations only
                int start = i + 1;
                int end = start;
                while (end < lines.length && !lines[end].strip().startsWith("```")) {
                    end++;
                }
                readCode(document, start + 1, String.join("\n", List.of(lines).subList(start, end)), false, out);
                i = end + 1;
                provedByColumn = -1;
                continue;
            }
            if (line.isBlank()) {
                i++;
                provedByColumn = -1;
                continue;
            }
            if (line.startsWith("|")) { // a table row is a block of its own; cells split outside code spans
                List<String> cells = cells(line);
                boolean header = i + 1 < lines.length && lines[i + 1].matches("\\|\\s*:?-+.*");
                if (header) {
                    provedByColumn = -1;
                    for (int c = 0; c < cells.size(); c++) {
                        if (cells.get(c).strip().equalsIgnoreCase("proved by")) {
                            provedByColumn = c;
                        }
                    }
                    i += 2;
                    continue;
                }
                Context context = new Context();
                for (int c = 0; c < cells.size(); c++) {
                    readProse(document, i + 1, cells.get(c), c == provedByColumn, context, out);
                }
                i++;
                continue;
            }
            // a paragraph, bullet or heading: up to a blank line, a table, a fence or the start of the next one
            int start = i;
            StringBuilder block = new StringBuilder(line);
            boolean heading = line.startsWith("#");
            i++;
            while (!heading && i < lines.length && !lines[i].isBlank() && !lines[i].strip().startsWith("```")
                    && !BLOCK_START.matcher(lines[i]).matches()) {
                block.append('\n').append(lines[i]);
                i++;
            }
            readProse(document, start + 1, block.toString(), false, new Context(), out);
            provedByColumn = -1;
        }
        return out;
    }

    /** The test class (and nested classes) the last citation of a row, bullet or paragraph was in. */
    private static final class Context {
        String owner;
    }

    /** Reads the code spans of Markdown prose (CommonMark: a run of n backticks closes at the next run of n). */
    private static void readProse(String document, int firstLine, String text, boolean anyClass, Context context,
            List<Citation> out) {
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) != '`') {
                i++;
                continue;
            }
            int n = run(text, i);
            int close = i + n;
            while (close < text.length()) {
                if (text.charAt(close) == '`') {
                    int m = run(text, close);
                    if (m == n) {
                        break;
                    }
                    close += m;
                } else {
                    close++;
                }
            }
            if (close >= text.length()) { // no closing run: the backticks are literal
                i += n;
                continue;
            }
            String code = text.substring(i + n, close);
            int line = firstLine + (int) text.substring(0, i).chars().filter(ch -> ch == '\n').count();
            Matcher continuation = CONTINUATION.matcher(code.strip());
            if (continuation.matches()) {
                String name = continuation.group(1);
                out.add(context.owner == null
                        ? new Citation(document, line, code.strip(), null, List.of(name))
                        : new Citation(document, line, context.owner + "." + name, context.owner, List.of(name)));
            } else {
                String owner = readCode(document, line, code, anyClass, out);
                if (owner != null) {
                    context.owner = owner;
                }
            }
            i = close + n;
        }
    }

    private static int run(String text, int at) {
        int n = 0;
        while (at + n < text.length() && text.charAt(at + n) == '`') {
            n++;
        }
        return n;
    }

    /** Adds the citations in one piece of code; returns the owner a continuation after it refers to, if any. */
    private static String readCode(String document, int firstLine, String code, boolean anyClass,
            List<Citation> out) {
        String owner = null;
        Matcher m = CLASS_REFERENCE.matcher(code);
        while (m.find()) {
            String cls = m.group(1);
            if (!TEST_CLASS.matcher(cls).matches() && !(anyClass && ANY_CLASS.matcher(cls).matches())) {
                continue;
            }
            List<String> members = m.group(2).isEmpty() ? List.of()
                    : new ArrayList<>(List.of(m.group(2).substring(1).split("[.#]")));
            if (!members.isEmpty() && members.get(members.size() - 1).equals("java")) { // a file name
                members.remove(members.size() - 1);
            }
            int line = firstLine + (int) code.substring(0, m.start()).chars().filter(ch -> ch == '\n').count();
            out.add(new Citation(document, line, m.group(), cls, List.copyOf(members)));
            List<String> path = new ArrayList<>();
            path.add(cls);
            if (!members.isEmpty()) {
                path.addAll(members.subList(0, members.size() - 1));
            }
            owner = String.join(".", path);
        }
        return owner;
    }

    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean inCode = false;
        String body = row.strip();
        body = body.substring(1, body.endsWith("|") && body.length() > 1 ? body.length() - 1 : body.length());
        for (char ch : body.toCharArray()) {
            if (ch == '`') {
                inCode = !inCode;
            }
            if (ch == '|' && !inCode) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    // ---- looking citations up in the test sources ----

    /** Test source files by simple class name, with comments and literals blanked out. */
    static final class TestSources {
        private final Map<String, List<String>> byClass;

        private TestSources(Map<String, List<String>> byClass) {
            this.byClass = byClass;
        }

        static TestSources under(Path root) throws IOException {
            Map<String, List<String>> byClass = new HashMap<>();
            try (Stream<Path> modules = Files.list(root)) {
                for (Path testJava : modules.map(m -> m.resolve("src/test/java")).filter(Files::isDirectory).toList()) {
                    try (Stream<Path> files = Files.walk(testJava)) {
                        for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                            String name = f.getFileName().toString();
                            byClass.computeIfAbsent(name.substring(0, name.length() - ".java".length()),
                                    k -> new ArrayList<>()).add(blankCommentsAndLiterals(read(f)));
                        }
                    }
                }
            }
            assertThat(byClass).as("test sources under " + root).hasSizeGreaterThan(10);
            return new TestSources(byClass);
        }

        static TestSources of(Map<String, String> sources) {
            return new TestSources(sources.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                    e -> List.of(blankCommentsAndLiterals(e.getValue())))));
        }

        /** Why the citation points at nothing, or empty when it points at a test. */
        Optional<String> problem(Citation c) {
            if (c.owner() == null) {
                return Optional.of("a continuation needs a test class cited before it in the same row, bullet or "
                        + "paragraph");
            }
            String[] ownerPath = c.owner().split("\\.");
            List<String> files = byClass.get(ownerPath[0]);
            if (files == null) {
                return Optional.of("no test source file " + ownerPath[0] + ".java in any module");
            }
            List<String> path = new ArrayList<>(List.of(ownerPath));
            path.addAll(c.members());
            String last = null;
            for (String file : files) { // a name in several packages: any file that has it will do
                Optional<String> p = problemIn(file, path);
                if (p.isEmpty()) {
                    return p;
                }
                last = p.get();
            }
            return Optional.of(last);
        }

        private static Optional<String> problemIn(String source, List<String> path) {
            String scope = source;
            String named = path.get(0);
            for (int i = 1; i < path.size(); i++) {
                String name = path.get(i);
                Optional<String> nested = typeBody(scope, name);
                if (i < path.size() - 1) {
                    if (nested.isEmpty()) {
                        return Optional.of(named + " has no nested class " + name);
                    }
                    scope = nested.get();
                    named += "." + name;
                } else if (nested.isEmpty() && !declaresMethod(scope, name)) {
                    return Optional.of(named + " declares no method or nested class " + name);
                }
            }
            return Optional.empty();
        }

        private static final List<String> NOT_A_TYPE = List.of("return", "new", "throw", "else", "case", "yield",
                "assert");

        private static boolean declaresMethod(String scope, String name) {
            Matcher m = Pattern.compile("([\\w$]+|>|\\])\\s+" + Pattern.quote(name) + "\\s*\\(").matcher(scope);
            while (m.find()) {
                if (!NOT_A_TYPE.contains(m.group(1))) {
                    return true;
                }
            }
            return false;
        }

        /** The body of a class, interface, enum or record of that name declared in scope, braces matched. */
        private static Optional<String> typeBody(String scope, String name) {
            Matcher m = Pattern.compile("\\b(?:class|interface|enum|record)\\s+" + Pattern.quote(name) + "\\b")
                    .matcher(scope);
            if (!m.find()) {
                return Optional.empty();
            }
            int open = scope.indexOf('{', m.end());
            if (open < 0) {
                return Optional.empty();
            }
            int depth = 0;
            for (int i = open; i < scope.length(); i++) {
                char ch = scope.charAt(i);
                if (ch == '{') {
                    depth++;
                } else if (ch == '}' && --depth == 0) {
                    return Optional.of(scope.substring(open + 1, i));
                }
            }
            return Optional.of(scope.substring(open + 1));
        }

        private static String read(Path f) {
            try {
                return Files.readString(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Java source with comments, string literals (text blocks included) and char literals replaced by spaces, so a
     * name or a brace inside them is neither a declaration nor structure.
     */
    static String blankCommentsAndLiterals(String java) {
        StringBuilder out = new StringBuilder(java.length());
        int i = 0;
        while (i < java.length()) {
            char ch = java.charAt(i);
            int end;
            if (java.startsWith("//", i)) {
                end = java.indexOf('\n', i);
                end = end < 0 ? java.length() : end;
            } else if (java.startsWith("/*", i)) {
                end = java.indexOf("*/", i + 2);
                end = end < 0 ? java.length() : end + 2;
            } else if (java.startsWith("\"\"\"", i)) {
                end = java.indexOf("\"\"\"", i + 3);
                while (end > 0 && java.charAt(end - 1) == '\\') {
                    end = java.indexOf("\"\"\"", end + 1);
                }
                end = end < 0 ? java.length() : end + 3;
            } else if (ch == '"' || ch == '\'') {
                end = i + 1;
                while (end < java.length() && java.charAt(end) != ch && java.charAt(end) != '\n') {
                    end += java.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, java.length());
            } else {
                out.append(ch);
                i++;
                continue;
            }
            for (int j = i; j < end; j++) {
                out.append(java.charAt(j) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }
}
