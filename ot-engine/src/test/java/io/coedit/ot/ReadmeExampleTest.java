package io.coedit.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles the README's "Embedding the OT engine" example and checks it prints what the README says. */
class ReadmeExampleTest {
    private static final Path README = Path.of("..", "README.md");

    @Test
    void embeddingExampleCompilesRunsAndPrintsWhatTheReadmeShows(@TempDir Path dir) throws Exception {
        String readme = Files.readString(README);
        int section = readme.indexOf("## Embedding the OT engine");
        assertTrue(section >= 0, "README has no 'Embedding the OT engine' section");
        String text = readme.substring(section);
        String source = block(text, "java");
        String expected = block(text, "output");

        Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(name.find(), "the example declares no public class");
        Path file = dir.resolve(name.group(1) + ".java");
        Files.writeString(file, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "-encoding", "UTF-8",
                "-cp", System.getProperty("java.class.path"), "-d", dir.toString(), file.toString());
        assertEquals(0, status, () -> "the README example does not compile:\n" + diagnostics);

        String printed;
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass(name.group(1)).getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(out);
        }
        printed = captured.toString(StandardCharsets.UTF_8);
        assertEquals(lines(expected), lines(printed));
    }

    private static String block(String markdown, String language) {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        assertTrue(m.find(), "no ```" + language + " block after the section heading");
        return m.group(1);
    }

    private static List<String> lines(String s) {
        return s.strip().lines().map(String::stripTrailing).toList();
    }
}
