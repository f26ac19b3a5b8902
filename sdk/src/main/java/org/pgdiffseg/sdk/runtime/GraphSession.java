package org.pgdiffseg.sdk.runtime;

import static com.google.common.base.Preconditions.checkState;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pgdiffseg.sdk.BundleException;
import org.pgdiffseg.sdk.InferenceException;

/**
 * One ONNX graph loaded into an ONNX Runtime session, with the graph's own input and output metadata so a
 * caller can check it against a manifest. Made by {@link OrtRuntime#openSession}.
 *
 * <p>The session is created through ONNX Runtime's Java API (execution providers, options) and its
 * native {@code OrtSession*} is then shared with the C API calls that bind inputs and outputs.
 *
 * <p>Metadata accessors are safe from any thread. Closing while another thread uses the session is not.
 * {@link #close()} is idempotent; any other call after it throws {@link IllegalStateException}.
 */
public final class GraphSession implements AutoCloseable {
  private static final Field NATIVE_HANDLE = nativeHandleField();

  private final Path path;
  private final OrtSession session;
  private final ExecutionDevice device;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final OrtCApi api;
  private final MemorySegment nativeSession;
  private volatile boolean closed;

  GraphSession(Path path, OrtSession session, ExecutionDevice device, OrtCApi api) throws BundleException {
    this.path = path;
    this.session = session;
    this.device = device;
    this.api = api;
    try {
      this.inputs = specs(session.getInputInfo());
      this.outputs = specs(session.getOutputInfo());
      this.nativeSession = MemorySegment.ofAddress(NATIVE_HANDLE.getLong(session));
      // The same counts through both APIs prove the handle and the C API table agree.
      long cInputs = api.sessionInputCount(nativeSession);
      long cOutputs = api.sessionOutputCount(nativeSession);
      if (cInputs != inputs.size() || cOutputs != outputs.size()) {
        throw new IllegalStateException("native session handle disagrees with the Java API: " + cInputs + "/"
            + cOutputs + " inputs/outputs, expected " + inputs.size() + "/" + outputs.size());
      }
    } catch (OrtException | InferenceException e) {
      closeQuietly(session);
      throw new BundleException(path + ": cannot read graph inputs and outputs: " + e.getMessage(), e);
    } catch (IllegalAccessException e) {
      closeQuietly(session);
      throw new IllegalStateException("cannot read OrtSession's native handle", e);
    } catch (RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      // the failure being reported matters more than this one
    }
  }

  private static Field nativeHandleField() {
    try {
      Field field = OrtSession.class.getDeclaredField("nativeHandle");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("this onnxruntime jar has no OrtSession.nativeHandle field", e);
    }
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> infos) {
    List<TensorSpec> specs = new ArrayList<>(infos.size());
    for (NodeInfo node : infos.values()) {
      ValueInfo info = node.getInfo();
      if (info instanceof TensorInfo tensor) {
        specs.add(TensorSpec.of(node.getName(), tensor.getShape(), ElementType.of(tensor.type)));
      } else {
        specs.add(new TensorSpec(node.getName(), List.of(), ElementType.UNKNOWN));
      }
    }
    return List.copyOf(specs);
  }

  /** The .onnx file this session was loaded from. */
  public Path path() {
    checkOpen();
    return path;
  }

  /** The execution provider the session runs on. */
  public ExecutionDevice device() {
    checkOpen();
    return device;
  }

  /** Graph inputs in the graph's order. */
  public List<TensorSpec> inputs() {
    checkOpen();
    return inputs;
  }

  /** Graph outputs in the graph's order. */
  public List<TensorSpec> outputs() {
    checkOpen();
    return outputs;
  }

  public Optional<TensorSpec> input(String name) {
    return inputs().stream().filter(spec -> spec.name().equals(name)).findFirst();
  }

  public Optional<TensorSpec> output(String name) {
    return outputs().stream().filter(spec -> spec.name().equals(name)).findFirst();
  }

  /** The Java API session, for plain {@code run} calls. */
  OrtSession ortSession() {
    checkOpen();
    return session;
  }

  MemorySegment nativeSession() {
    checkOpen();
    return nativeSession;
  }

  OrtCApi api() {
    return api;
  }

  private void checkOpen() {
    checkState(!closed, "graph session %s is closed", path);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(path + ": closing the ONNX Runtime session failed", e);
    }
  }

  @Override
  public String toString() {
    return "GraphSession[" + path + " on " + device + ", inputs " + inputs + ", outputs " + outputs + "]";
  }
}
