package org.pgdiffseg.sdk.runtime;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import ai.onnxruntime.OrtEnvironment;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way this SDK obtains ONNX Runtime's {@link OrtEnvironment}, made safe against what its start-up does
 * to a JVM with a long command line. ONNX Runtime's telemetry runs a recursive regular expression over
 * {@code /proc/self/cmdline} when the environment is created; with a few KB of classpath (what IDEs, application
 * servers and imaging applications' launchers produce) that overflows the stack of Java's main thread and the
 * JVM dies of SIGSEGV before anything can be reported. So, before ONNX Runtime is loaded, the process
 * environment gets {@code ORT_DISABLE_TELEMETRY=1} through libc's {@code setenv} (unless the host set the
 * variable itself), and the environment is created on a thread of its own with a large stack, which keeps even
 * a regex that still runs inside its stack.
 *
 * <p>Before that, ONNX Runtime is pointed at its native libraries in the cache ({@link OrtNatives}), extracted
 * once per machine rather than into the temporary folder by every JVM.
 */
public final class OrtEnvironments {
  private static final Logger LOG = LoggerFactory.getLogger(OrtEnvironments.class);
  static final String TELEMETRY_VARIABLE = "ORT_DISABLE_TELEMETRY";
  /** Enough for a command line of hundreds of KB under the recursion that overflows at ~3.5 KB per MB. */
  private static final long START_UP_STACK_BYTES = 256L << 20;

  private OrtEnvironments() {}

  private static final class Holder {
    static final OrtEnvironment ENVIRONMENT = create();
  }

  /** The process's ONNX Runtime environment, created safely on first use. */
  public static OrtEnvironment get() {
    return Holder.ENVIRONMENT;
  }

  private static OrtEnvironment create() {
    disableTelemetry();
    boolean fromCache = OrtNatives.useCachedLibraries().isPresent();
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread starter = new Thread(null, () -> {
      try {
        outcome.set(OrtEnvironment.getEnvironment());
      } catch (Throwable t) {
        outcome.set(t);
      }
    }, "pgdiffseg-ort-start", START_UP_STACK_BYTES);
    starter.start();
    boolean interrupted = false;
    while (true) {
      try {
        starter.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;   // the environment is needed either way; keep the interrupt for the caller
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (outcome.get() instanceof OrtEnvironment environment) {
      if (fromCache) {
        OrtNatives.removeEmptyLoaderFolder(OrtEnvironment.class);
      }
      return environment;
    }
    Throwable failure = (Throwable) outcome.get();
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("ONNX Runtime failed to start", failure);
  }

  /** Sets ORT_DISABLE_TELEMETRY=1 in the C environment unless already set; false where libc has no setenv. */
  static boolean disableTelemetry() {
    if (System.getenv(TELEMETRY_VARIABLE) != null) {
      return true;
    }
    Linker linker = Linker.nativeLinker();
    Optional<MemorySegment> setenv = linker.defaultLookup().find("setenv");
    if (setenv.isEmpty()) {
      LOG.debug("No setenv in the C library; {} is not set", TELEMETRY_VARIABLE);
      return false;
    }
    MethodHandle handle = linker.downcallHandle(setenv.get(), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    try (Arena arena = Arena.ofConfined()) {
      int rc = (int) handle.invokeExact(arena.allocateFrom(TELEMETRY_VARIABLE), arena.allocateFrom("1"), 0);
      return rc == 0;
    } catch (Throwable t) {
      LOG.debug("setenv({}) failed: {}", TELEMETRY_VARIABLE, t.toString());
      return false;
    }
  }
}
