package org.pgdiffseg.samples;

import org.pgdiffseg.sdk.DeviceUnavailableException;
import org.pgdiffseg.sdk.runtime.DeviceChoice;
import org.pgdiffseg.sdk.runtime.OrtRuntime;
import org.pgdiffseg.sdk.runtime.SessionConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --device} and its older spelling {@code --cpu}, shared by every command that runs the graphs. */
final class DeviceOptions {
  @Option(names = "--device", paramLabel = "cpu|cuda|auto", converter = DeviceConverter.class,
      description = "Where the graphs run: cpu; cuda, which stops with what this machine lacks when CUDA cannot run;"
          + " or auto, CUDA where it can run, else CPU with the reason logged (default: auto).")
  DeviceChoice device;

  @Option(names = "--cpu", description = "Same as --device cpu.")
  boolean cpu;

  /** The device asked for; {@code --cpu} together with another {@code --device} is bad usage. */
  DeviceChoice choice() {
    if (cpu && device != null && device != DeviceChoice.CPU) {
      throw new IllegalArgumentException("--cpu and --device " + device.cliName() + " conflict (--cpu means"
          + " --device cpu); give one of them");
    }
    return cpu ? DeviceChoice.CPU : device == null ? DeviceChoice.AUTO : device;
  }

  /**
   * Refuses {@code --device cuda} where CUDA cannot run, before any model is installed or opened, with the SDK's
   * sentence naming what is missing (exit 2).
   */
  void check() throws DeviceUnavailableException {
    if (choice() == DeviceChoice.CUDA) {
      OrtRuntime.shared().checkDevice(SessionConfig.builder().device(DeviceChoice.CUDA).build());
    }
  }

  /** Lower-case names as the help spells them, any case accepted; the SDK's sentence for anything else. */
  static final class DeviceConverter implements ITypeConverter<DeviceChoice> {
    @Override
    public DeviceChoice convert(String value) {
      try {
        return DeviceChoice.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("must be cpu, cuda or auto, got '" + value + "'");
      }
    }
  }
}
