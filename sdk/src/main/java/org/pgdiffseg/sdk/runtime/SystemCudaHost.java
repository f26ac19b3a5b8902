package org.pgdiffseg.sdk.runtime;

import ai.onnxruntime.OrtEnvironment;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * This machine's answers for {@link CudaHost}: ONNX Runtime's jar entries, the NVIDIA driver's files under
 * {@code /proc} and {@code /dev}, {@code dlopen} through FFM for each library, and, only to say what was found
 * instead of a missing library, {@code ldconfig -p}, {@code LD_LIBRARY_PATH} and {@code /usr/local/cuda*}.
 */
final class SystemCudaHost implements CudaHost {
  private static final Path DRIVER_VERSION = Path.of("/proc/driver/nvidia/version");
  private static final Pattern KERNEL_MODULE = Pattern.compile("Kernel Module\\s+(?:for \\S+\\s+)?(\\d[\\d.]*)");
  private static final Pattern LDCONFIG_ENTRY = Pattern.compile("^\\s*(\\S+) \\(.*\\) => (\\S+)\\s*$");

  private List<String> ldconfigEntries;   // read once, and only when a library is missing

  @Override
  public String ortJar() {
    CodeSource source = OrtEnvironment.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return "(location unknown)";
    }
    String path = source.getLocation().getPath();
    return path.substring(path.lastIndexOf('/', path.length() - 2) + 1);
  }

  @Override
  public boolean hasCudaProvider() {
    String nativePath = System.getProperty(OrtNatives.PATH_PROPERTY);
    if (nativePath != null && Files.isRegularFile(Path.of(nativePath, CudaRequirements.PROVIDER_LIBRARY))) {
      return true;
    }
    // The cache folder holds the provider only where a GPU was seen, so the jar itself is asked.
    return OrtNatives.platform().map(p -> OrtEnvironment.class.getClassLoader()
        .getResource("ai/onnxruntime/native/" + p + "/" + CudaRequirements.PROVIDER_LIBRARY) != null).orElse(false);
  }

  @Override
  public Optional<String> driverVersion() {
    if (Files.isReadable(DRIVER_VERSION)) {
      try {
        Matcher m = KERNEL_MODULE.matcher(Files.readString(DRIVER_VERSION, StandardCharsets.UTF_8));
        return Optional.of(m.find() ? m.group(1) : "");
      } catch (IOException e) {
        return Optional.of("");
      }
    }
    return Files.exists(Path.of("/dev/nvidiactl")) ? Optional.of("") : Optional.empty();
  }

  @Override
  public boolean gpuListed() {
    if (Files.exists(Path.of("/dev/nvidia0"))) {
      return true;
    }
    try (Stream<Path> gpus = Files.list(Path.of("/proc/driver/nvidia/gpus"))) {
      return gpus.findAny().isPresent();
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public boolean canLoad(String library) {
    // dlopen with the loader's own search (RPATH-free: LD_LIBRARY_PATH, ld.so.cache, default folders).
    try (Arena arena = Arena.ofConfined()) {
      SymbolLookup.libraryLookup(library, arena);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public List<String> versionsOf(String library) {
    String stem = library.substring(0, library.indexOf(".so") + 3);
    Set<String> found = new LinkedHashSet<>();
    for (String entry : ldconfigEntries()) {
      String name = entry.substring(entry.lastIndexOf('/') + 1);
      if (name.startsWith(stem + ".")) {
        found.add(entry);
      }
    }
    for (Path folder : searchFolders()) {
      try (Stream<Path> files = Files.list(folder)) {
        files.filter(f -> f.getFileName().toString().startsWith(stem + ".")).sorted()
            .forEach(f -> found.add(f.toString()));
      } catch (IOException e) {
        // a folder that cannot be listed has nothing to report
      }
    }
    return List.copyOf(found);
  }

  private List<String> ldconfigEntries() {
    if (ldconfigEntries == null) {
      ldconfigEntries = readLdconfig();
    }
    return ldconfigEntries;
  }

  private static List<String> readLdconfig() {
    for (String command : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
      if (command.startsWith("/") && !Files.isExecutable(Path.of(command))) {
        continue;
      }
      try {
        Process process = new ProcessBuilder(command, "-p").redirectErrorStream(true).start();
        List<String> entries = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = out.readLine()) != null) {
            Matcher m = LDCONFIG_ENTRY.matcher(line);
            if (m.matches()) {
              entries.add(m.group(2));
            }
          }
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
        return entries;
      } catch (IOException e) {
        // not this one; try the next
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
    return List.of();
  }

  /** LD_LIBRARY_PATH's folders, then CUDA toolkits installed where the loader does not look by default. */
  private static List<Path> searchFolders() {
    List<Path> folders = new ArrayList<>();
    String ldPath = System.getenv("LD_LIBRARY_PATH");
    if (ldPath != null) {
      for (String entry : ldPath.split(":")) {
        if (!entry.isBlank()) {
          folders.add(Path.of(entry));
        }
      }
    }
    try (Stream<Path> local = Files.list(Path.of("/usr/local"))) {
      local.filter(p -> p.getFileName().toString().startsWith("cuda")).sorted()
          .forEach(p -> folders.add(p.resolve("lib64")));
    } catch (IOException e) {
      // no /usr/local: nothing installed there
    }
    return folders.stream().filter(Files::isDirectory).distinct().toList();
  }
}
