package org.pgdiffseg.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * samples/library-example: README.md shows its code verbatim, the code compiles against this SDK and runs, and
 * its pom asks for this project's version. (samples/run-tests also builds and runs it as a copied-out project.)
 */
class LibraryExampleTest {
  static final Path ROOT = RepositoryRoot.find();
  static final Path EXAMPLE = ROOT.resolve("samples/library-example");
  static final Path SOURCE = EXAMPLE.resolve("src/main/java/com/example/scan/SegmentScan.java");

  @TempDir Path tmp;

  @Test
  void theReadmeShowsTheExampleVerbatim() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String section = readme.substring(readme.indexOf("## Use it from Java"));
    Matcher java = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertThat(java.find()).as("a java block under 'Use it from Java'").isTrue();
    assertThat(java.group(1)).isEqualTo(Files.readString(SOURCE));
  }

  @Test
  void theExampleCompilesAndRunsOnTheTestBundle() throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    int rc = javac.run(null, null, null, "--release", "25", "-cp", System.getProperty("java.class.path"),
        "-d", classes.toString(), SOURCE.toString());
    assertThat(rc).as("javac exit code").isZero();
    Path mask = Path.of("benign_306_mask.png");   // the example writes into the working directory
    Files.deleteIfExists(mask);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      loader.loadClass("com.example.scan.SegmentScan").getMethod("main", String[].class).invoke(null,
          (Object) new String[] {ROOT.resolve("samples/images/benign_306.png").toString(),
              ROOT.resolve("zoo/models/pgdiffseg-tiny-test").toString()});
    }
    assertThat(mask).exists();
    Files.delete(mask);
  }

  @Test
  void thePomAsksForThisVersionAndPinsItsPlugins() throws Exception {
    String pom = Files.readString(EXAMPLE.resolve("pom.xml"));
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    String version = parent.replaceFirst("(?s).*?<artifactId>pgdiffseg-parent</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
    assertThat(pom).contains("<pgdiffseg.version>" + version + "</pgdiffseg.version>")
        .contains("<artifactId>maven-compiler-plugin</artifactId>\n          <version>");
    assertThat(Files.readString(EXAMPLE.resolve(".mvn/maven.config"))).contains("-Djavacpp.platform=linux-x86_64");
    assertThat(List.of(EXAMPLE.resolve("run").toFile())).allMatch(File::canExecute);
  }
}
