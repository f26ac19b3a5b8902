package org.pgdiffseg.sdk.runtime;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.pgdiffseg.sdk.InferenceException;

/**
 * The part of ONNX Runtime's C API ({@code OrtApi}, onnxruntime_c_api.h) that the Java API lacks: I/O
 * binding, memory infos, session allocators and tensors over caller-owned memory. Bound with the Foreign
 * Function & Memory API to the {@code libonnxruntime.so} that the onnxruntime jar has already loaded, so
 * the Java API and these calls share one runtime and one {@code OrtEnv}.
 *
 * <p>{@code OrtApi} is a table of function pointers that ONNX Runtime only ever appends to; the slot
 * numbers below are positions in that table, counted in the header of API version {@value #API_VERSION}
 * and checked at load by calls whose results are known. Functions that return {@code OrtStatus*} are
 * bound as returning {@code long} (an address; 0 is success) so the hot path allocates nothing.
 *
 * <p>Thread-safe: the handles are immutable and ONNX Runtime's functions may be called from any thread.
 */
final class OrtCApi {
  /** The {@code ORT_API_VERSION} the slot numbers were counted in; later versions only append slots. */
  static final int API_VERSION = 13;

  // OrtApi slots (0-based positions of the function pointers in struct OrtApi).
  private static final int CREATE_STATUS = 0;
  private static final int GET_ERROR_CODE = 1;
  private static final int GET_ERROR_MESSAGE = 2;
  private static final int SESSION_GET_INPUT_COUNT = 30;
  private static final int SESSION_GET_OUTPUT_COUNT = 31;
  private static final int CREATE_TENSOR_WITH_DATA_AS_ORT_VALUE = 49;
  private static final int CREATE_MEMORY_INFO = 68;
  private static final int MEMORY_INFO_GET_NAME = 71;
  private static final int ALLOCATOR_FREE = 76;
  private static final int RELEASE_STATUS = 93;
  private static final int RELEASE_MEMORY_INFO = 94;
  private static final int RELEASE_VALUE = 96;
  private static final int CREATE_ALLOCATOR = 131;
  private static final int RELEASE_ALLOCATOR = 132;
  private static final int RUN_WITH_BINDING = 133;
  private static final int CREATE_IO_BINDING = 134;
  private static final int RELEASE_IO_BINDING = 135;
  private static final int BIND_INPUT = 136;
  private static final int BIND_OUTPUT = 137;
  private static final int BIND_OUTPUT_TO_DEVICE = 138;
  private static final int GET_BOUND_OUTPUT_VALUES = 140;
  private static final int CLEAR_BOUND_INPUTS = 141;
  private static final int CLEAR_BOUND_OUTPUTS = 142;
  private static final int SYNCHRONIZE_BOUND_INPUTS = 202;
  private static final int SYNCHRONIZE_BOUND_OUTPUTS = 203;
  private static final int LAST_SLOT_USED = SYNCHRONIZE_BOUND_OUTPUTS;

  // Enum values from onnxruntime_c_api.h.
  static final int ORT_INVALID_ARGUMENT = 2;
  static final int ORT_DEVICE_ALLOCATOR = 0;
  static final int ORT_ARENA_ALLOCATOR = 1;
  static final int ORT_MEM_TYPE_DEFAULT = 0;
  static final int ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT = 1;

  private static final FunctionDescriptor STATUS_P = FunctionDescriptor.of(JAVA_LONG, ADDRESS);
  private static final FunctionDescriptor STATUS_PP = FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS);
  private static final FunctionDescriptor STATUS_PPP = FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS);
  private static final FunctionDescriptor VOID_P = FunctionDescriptor.ofVoid(ADDRESS);

  private final String version;
  private final MethodHandle createStatus;
  private final MethodHandle getErrorCode;
  private final MethodHandle getErrorMessage;
  private final MethodHandle releaseStatus;
  private final MethodHandle sessionGetInputCount;
  private final MethodHandle sessionGetOutputCount;
  private final MethodHandle createTensorWithDataAsOrtValue;
  private final MethodHandle createMemoryInfo;
  private final MethodHandle memoryInfoGetName;
  private final MethodHandle allocatorFree;
  private final MethodHandle releaseMemoryInfo;
  private final MethodHandle releaseValue;
  private final MethodHandle createAllocator;
  private final MethodHandle releaseAllocator;
  private final MethodHandle runWithBinding;
  private final MethodHandle createIoBinding;
  private final MethodHandle releaseIoBinding;
  private final MethodHandle bindInput;
  private final MethodHandle bindOutput;
  private final MethodHandle bindOutputToDevice;
  private final MethodHandle getBoundOutputValues;
  private final MethodHandle clearBoundInputs;
  private final MethodHandle clearBoundOutputs;
  private final MethodHandle synchronizeBoundInputs;
  private final MethodHandle synchronizeBoundOutputs;

  private static final class Holder {
    static final OrtCApi INSTANCE = load();
  }

  /** The C API of the ONNX Runtime library the onnxruntime jar loaded; loaded and checked on first use. */
  static OrtCApi get() {
    return Holder.INSTANCE;
  }

  private OrtCApi(MemorySegment api, String version) {
    this.version = version;
    Linker linker = Linker.nativeLinker();
    MemorySegment table = api.reinterpret(ADDRESS.byteSize() * (LAST_SLOT_USED + 1));
    Slots slots = new Slots(linker, table);
    createStatus = slots.bind(CREATE_STATUS, FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS));
    getErrorCode = slots.bind(GET_ERROR_CODE, FunctionDescriptor.of(JAVA_INT, ADDRESS));
    getErrorMessage = slots.bind(GET_ERROR_MESSAGE, FunctionDescriptor.of(ADDRESS, ADDRESS));
    releaseStatus = slots.bind(RELEASE_STATUS, VOID_P);
    sessionGetInputCount = slots.bind(SESSION_GET_INPUT_COUNT, STATUS_PP);
    sessionGetOutputCount = slots.bind(SESSION_GET_OUTPUT_COUNT, STATUS_PP);
    // (info, p_data, p_data_len, shape, shape_len, type, out)
    createTensorWithDataAsOrtValue = slots.bind(CREATE_TENSOR_WITH_DATA_AS_ORT_VALUE,
        FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS));
    // (name, allocator type, device id, mem type, out)
    createMemoryInfo = slots.bind(CREATE_MEMORY_INFO,
        FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    memoryInfoGetName = slots.bind(MEMORY_INFO_GET_NAME, STATUS_PP);
    allocatorFree = slots.bind(ALLOCATOR_FREE, STATUS_PP);
    releaseMemoryInfo = slots.bind(RELEASE_MEMORY_INFO, VOID_P);
    releaseValue = slots.bind(RELEASE_VALUE, VOID_P);
    createAllocator = slots.bind(CREATE_ALLOCATOR, STATUS_PPP);
    releaseAllocator = slots.bind(RELEASE_ALLOCATOR, VOID_P);
    runWithBinding = slots.bind(RUN_WITH_BINDING, STATUS_PPP);
    createIoBinding = slots.bind(CREATE_IO_BINDING, STATUS_PP);
    releaseIoBinding = slots.bind(RELEASE_IO_BINDING, VOID_P);
    bindInput = slots.bind(BIND_INPUT, STATUS_PPP);
    bindOutput = slots.bind(BIND_OUTPUT, STATUS_PPP);
    bindOutputToDevice = slots.bind(BIND_OUTPUT_TO_DEVICE, STATUS_PPP);
    getBoundOutputValues = slots.bind(GET_BOUND_OUTPUT_VALUES,
        FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    clearBoundInputs = slots.bind(CLEAR_BOUND_INPUTS, VOID_P);
    clearBoundOutputs = slots.bind(CLEAR_BOUND_OUTPUTS, VOID_P);
    synchronizeBoundInputs = slots.bind(SYNCHRONIZE_BOUND_INPUTS, STATUS_P);
    synchronizeBoundOutputs = slots.bind(SYNCHRONIZE_BOUND_OUTPUTS, STATUS_P);
  }

  private record Slots(Linker linker, MemorySegment table) {
    MethodHandle bind(int slot, FunctionDescriptor descriptor) {
      MemorySegment function = table.getAtIndex(ADDRESS, slot);
      if (function.equals(MemorySegment.NULL)) {
        throw new IllegalStateException("ONNX Runtime C API slot " + slot + " is empty");
      }
      return linker.downcallHandle(function, descriptor);
    }
  }

  /** ONNX Runtime's version string, e.g. {@code 1.29.0}, from {@code OrtApiBase::GetVersionString}. */
  String version() {
    return version;
  }

  // ---- status handling -------------------------------------------------------------------------

  /** Throws when {@code status} (an {@code OrtStatus*}) is not null, keeping ORT's error code. */
  void check(long status, String call) throws InferenceException {
    if (status != 0) {
      throw failure(status, call);
    }
  }

  /** As {@link #check(long, String)}; the message, {@code call(subject)}, is only built on failure. */
  void check(long status, String call, Object subject) throws InferenceException {
    if (status != 0) {
      throw failure(status, call + "(" + subject + ")");
    }
  }

  private InferenceException failure(long status, String call) {
    MemorySegment statusPtr = MemorySegment.ofAddress(status);
    try {
      int code = (int) getErrorCode.invokeExact(statusPtr);
      MemorySegment message = (MemorySegment) getErrorMessage.invokeExact(statusPtr);
      String text = message.reinterpret(Integer.MAX_VALUE).getString(0);
      return new InferenceException(call + " failed: " + text + " (OrtErrorCode " + code + ")", code, null);
    } catch (Throwable t) {
      throw rethrow(t);
    } finally {
      releaseStatus(statusPtr);
    }
  }

  long createStatus(int code, MemorySegment message) {
    try {
      return (long) createStatus.invokeExact(code, message);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private void releaseStatus(MemorySegment status) {
    try {
      releaseStatus.invokeExact(status);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---- sessions ----------------------------------------------------------------------------------

  long sessionInputCount(MemorySegment session) throws InferenceException {
    return sessionCount(sessionGetInputCount, session, "SessionGetInputCount");
  }

  long sessionOutputCount(MemorySegment session) throws InferenceException {
    return sessionCount(sessionGetOutputCount, session, "SessionGetOutputCount");
  }

  private long sessionCount(MethodHandle function, MemorySegment session, String call) throws InferenceException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(JAVA_LONG);
      check((long) function.invokeExact(session, out), call);
      return out.get(JAVA_LONG, 0);
    } catch (InferenceException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---- values ------------------------------------------------------------------------------------

  /** A float32 tensor over {@code data} (caller-owned, must outlive the value); returns the OrtValue*. */
  MemorySegment createFloatTensor(MemorySegment memoryInfo, MemorySegment data, MemorySegment shape, int rank)
      throws InferenceException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ADDRESS);
      long status = (long) createTensorWithDataAsOrtValue.invokeExact(memoryInfo, data, data.byteSize(), shape,
          (long) rank, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, out);
      check(status, "CreateTensorWithDataAsOrtValue");
      return out.get(ADDRESS, 0);
    } catch (InferenceException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void releaseValue(MemorySegment value) {
    try {
      releaseValue.invokeExact(value);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---- memory infos and allocators ---------------------------------------------------------------

  MemorySegment createMemoryInfo(String name, int allocatorType, int deviceId, int memType)
      throws InferenceException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ADDRESS);
      long status = (long) createMemoryInfo.invokeExact(arena.allocateFrom(name), allocatorType, deviceId, memType,
          out);
      check(status, "CreateMemoryInfo(" + name + ")");
      return out.get(ADDRESS, 0);
    } catch (InferenceException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  String memoryInfoName(MemorySegment memoryInfo) throws InferenceException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ADDRESS);
      check((long) memoryInfoGetName.invokeExact(memoryInfo, out), "MemoryInfoGetName");
      return out.get(ADDRESS, 0).reinterpret(Integer.MAX_VALUE).getString(0);
    } catch (InferenceException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void releaseMemoryInfo(MemorySegment memoryInfo) {
    try {
      releaseMemoryInfo.invokeExact(memoryInfo);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment createAllocator(MemorySegment session, MemorySegment memoryInfo) throws InferenceException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ADDRESS);
      check((long) createAllocator.invokeExact(session, memoryInfo, out), "CreateAllocator");
      return out.get(ADDRESS, 0);
    } catch (InferenceException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void allocatorFree(MemorySegment allocator, MemorySegment block) throws InferenceException {
    try {
      check((long) allocatorFree.invokeExact(allocator, block), "AllocatorFree");
    } catch (InferenceException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void releaseAllocator(MemorySegment allocator) {
    try {
      releaseAllocator.invokeExact(allocator);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---- I/O binding -------------------------------------------------------------------------------

  MemorySegment createIoBinding(MemorySegment session) throws InferenceException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ADDRESS);
      check((long) createIoBinding.invokeExact(session, out), "CreateIoBinding");
      return out.get(ADDRESS, 0);
    } catch (InferenceException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void releaseIoBinding(MemorySegment binding) {
    try {
      releaseIoBinding.invokeExact(binding);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // The calls below run once per sampling step: they return the raw status for the caller to check.

  long bindInput(MemorySegment binding, MemorySegment name, MemorySegment value) {
    try {
      return (long) bindInput.invokeExact(binding, name, value);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long bindOutput(MemorySegment binding, MemorySegment name, MemorySegment value) {
    try {
      return (long) bindOutput.invokeExact(binding, name, value);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long bindOutputToDevice(MemorySegment binding, MemorySegment name, MemorySegment memoryInfo) {
    try {
      return (long) bindOutputToDevice.invokeExact(binding, name, memoryInfo);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long runWithBinding(MemorySegment session, MemorySegment binding) {
    try {
      return (long) runWithBinding.invokeExact(session, MemorySegment.NULL, binding);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long synchronizeBoundInputs(MemorySegment binding) {
    try {
      return (long) synchronizeBoundInputs.invokeExact(binding);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long synchronizeBoundOutputs(MemorySegment binding) {
    try {
      return (long) synchronizeBoundOutputs.invokeExact(binding);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long getBoundOutputValues(MemorySegment binding, MemorySegment allocator, MemorySegment outArray,
      MemorySegment outCount) {
    try {
      return (long) getBoundOutputValues.invokeExact(binding, allocator, outArray, outCount);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void clearBoundInputs(MemorySegment binding) {
    try {
      clearBoundInputs.invokeExact(binding);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void clearBoundOutputs(MemorySegment binding) {
    try {
      clearBoundOutputs.invokeExact(binding);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("unexpected checked exception from a native call", t);
  }

  // ---- loading -----------------------------------------------------------------------------------

  private static OrtCApi load() {
    OrtEnvironment environment = OrtEnvironments.get(); // makes the jar extract and load the library
    MemorySegment getApiBase = findOrtGetApiBase();
    Linker linker = Linker.nativeLinker();
    try {
      MemorySegment apiBase = ((MemorySegment) linker.downcallHandle(getApiBase, FunctionDescriptor.of(ADDRESS))
          .invokeExact()).reinterpret(ADDRESS.byteSize() * 2);
      // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
      MemorySegment versionString = (MemorySegment) linker
          .downcallHandle(apiBase.getAtIndex(ADDRESS, 1), FunctionDescriptor.of(ADDRESS)).invokeExact();
      String version = versionString.reinterpret(Integer.MAX_VALUE).getString(0);
      if (!version.equals(environment.getVersion())) {
        throw new IllegalStateException("found ONNX Runtime " + version + " through OrtGetApiBase, but the Java API runs "
            + environment.getVersion());
      }
      MemorySegment api = (MemorySegment) linker
          .downcallHandle(apiBase.getAtIndex(ADDRESS, 0), FunctionDescriptor.of(ADDRESS, JAVA_INT))
          .invokeExact(API_VERSION);
      if (api.equals(MemorySegment.NULL)) {
        throw new IllegalStateException("ONNX Runtime " + version + " does not offer C API version " + API_VERSION);
      }
      OrtCApi ortApi = new OrtCApi(api, version);
      ortApi.verifySlots();
      return ortApi;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cannot reach the ONNX Runtime C API", t);
    }
  }

  /** Calls whose results are known, so that a miscounted slot fails here rather than mid-inference. */
  private void verifySlots() throws InferenceException {
    try (Arena arena = Arena.ofConfined()) {
      long status = createStatus(ORT_INVALID_ARGUMENT, arena.allocateFrom("slot check"));
      try {
        check(status, "CreateStatus");
        throw new IllegalStateException("ONNX Runtime C API slots do not match: CreateStatus returned null");
      } catch (InferenceException expected) {
        if (expected.ortErrorCode().orElse(-1) != ORT_INVALID_ARGUMENT
            || !expected.getMessage().contains("slot check")) {
          throw new IllegalStateException("ONNX Runtime C API slots do not match: " + expected.getMessage(), expected);
        }
      }
    }
    for (String name : new String[] {"Cpu", "Cuda"}) {
      MemorySegment info = createMemoryInfo(name, ORT_DEVICE_ALLOCATOR, 0, ORT_MEM_TYPE_DEFAULT);
      try {
        String read = memoryInfoName(info);
        if (!read.equals(name)) {
          throw new IllegalStateException("ONNX Runtime C API slots do not match: memory info " + name + " reads back as "
              + read);
        }
      } finally {
        releaseMemoryInfo(info);
      }
    }
  }

  private static MemorySegment findOrtGetApiBase() {
    Optional<MemorySegment> symbol = SymbolLookup.loaderLookup().find("OrtGetApiBase");
    if (symbol.isPresent()) {
      return symbol.get();
    }
    // Loaded by another class loader: open the same file again (the dynamic loader returns the same
    // handle for a path it already loaded).
    Path library = loadedLibraryPath().orElseThrow(() -> new IllegalStateException(
        "libonnxruntime.so is not loaded in this process; cannot find OrtGetApiBase"));
    return SymbolLookup.libraryLookup(library, Arena.global()).find("OrtGetApiBase").orElseThrow(
        () -> new IllegalStateException(library + " has no symbol OrtGetApiBase"));
  }

  /** The path of the loaded {@code libonnxruntime.so}, read from the process's memory map. */
  private static Optional<Path> loadedLibraryPath() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return Optional.empty();
    }
    try (Stream<String> lines = Files.lines(maps)) {
      return lines.map(line -> line.substring(line.indexOf('/') < 0 ? line.length() : line.indexOf('/')).strip())
          .filter(path -> path.endsWith("/libonnxruntime.so") || path.matches(".*/libonnxruntime\\.so\\.[0-9.]+"))
          .findFirst()
          .map(Path::of);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
