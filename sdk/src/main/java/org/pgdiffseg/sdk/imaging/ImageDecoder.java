package org.pgdiffseg.sdk.imaging;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;
import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.pgdiffseg.sdk.InvalidImageException;

/**
 * Decodes PNG, JPEG, BMP and TIFF files (8- or 16-bit samples; gray, gray+alpha, colour or colour+alpha) into
 * a {@link DecodedImage}: one gray float32 channel on the 0..255 scale at the original size.
 *
 * <p>The width and height are read from the file's own header and checked against {@link #maxPixels()}
 * before OpenCV decompresses anything. Gray conversion follows the reference preprocessing exactly: 8-bit
 * colour goes through {@code cvtColor(BGR2GRAY / BGRA2GRAY)} on uint8 (alpha ignored); 16-bit samples are
 * first divided by 257 in float32 and converted on float32; a two-channel image keeps channel 0. EXIF
 * orientation is not applied ({@code IMREAD_UNCHANGED}), as in the training code. Floating-point samples and
 * multi-page TIFFs are refused. See {@code docs/imaging.md} for each odd input.
 *
 * <p>Immutable and thread-safe: one decoder may serve any number of threads.
 */
public final class ImageDecoder {
  /** Default limit on width × height: 64 million pixels (e.g. 8000 × 8000). */
  public static final long DEFAULT_MAX_PIXELS = 64_000_000L;

  private final long maxPixels;

  /** A decoder with the default {@link #DEFAULT_MAX_PIXELS} limit. */
  public ImageDecoder() {
    this(DEFAULT_MAX_PIXELS);
  }

  /** A decoder that refuses images whose header declares more than {@code maxPixels} pixels. */
  public ImageDecoder(long maxPixels) {
    checkArgument(maxPixels > 0, "maxPixels must be positive, got %s", maxPixels);
    this.maxPixels = maxPixels;
  }

  public long maxPixels() {
    return maxPixels;
  }

  /** Reads and decodes {@code file}; every failure names the file and the problem. */
  public DecodedImage decode(Path file) throws InvalidImageException {
    checkNotNull(file, "file");
    return decode(ImageFiles.read(file, maxPixels), file.toString());
  }

  /**
   * Every image of {@code file}: one, or each frame of a multi-frame DICOM (named {@code <file>#frameN}), in
   * order. Other formats give exactly one image.
   */
  public List<DecodedImage> decodeFrames(Path file) throws InvalidImageException {
    checkNotNull(file, "file");
    return decodeFrames(ImageFiles.read(file, maxPixels), file.toString());
  }

  /** Every image of an encoded file held in memory, as {@link #decodeFrames(Path)}. */
  public List<DecodedImage> decodeFrames(byte[] data, String name) throws InvalidImageException {
    checkNotNull(data, "data");
    checkNotNull(name, "name");
    return format(data, name) == ImageFormat.DICOM ? new DicomReader(maxPixels).read(data, name)
        : List.of(decodeImage(data, name));
  }

  /** Decodes an encoded image held in memory; {@code name} identifies it in messages (e.g. its file name). */
  public DecodedImage decode(byte[] data, String name) throws InvalidImageException {
    checkNotNull(data, "data");
    checkNotNull(name, "name");
    if (format(data, name) == ImageFormat.DICOM) {
      List<DecodedImage> frames = new DicomReader(maxPixels).read(data, name);
      if (frames.size() != 1) {
        throw new InvalidImageException(name + ": multi-frame DICOM with " + frames.size()
            + " frames; read its frames with decodeFrames (the CLI segments each frame)");
      }
      return frames.get(0);
    }
    return decodeImage(data, name);
  }

  /** The format by {@link FormatSniffer}'s rule; a file it cannot place is refused naming its leading bytes. */
  private static ImageFormat format(byte[] data, String name) throws InvalidImageException {
    if (data.length == 0) {
      throw new InvalidImageException(name + ": empty file (0 bytes)");
    }
    return FormatSniffer.detect(data, name).orElseThrow(() -> new InvalidImageException(name
        + ": not a PNG, JPEG, BMP, TIFF or DICOM file (" + ImageHeader.leadingBytes(data) + ", no DICM at byte 128,"
        + " no image extension)"));
  }

  /** PNG, JPEG, BMP or TIFF through OpenCV, after its header was checked. */
  private DecodedImage decodeImage(byte[] data, String name) throws InvalidImageException {
    ImageHeader header = ImageHeader.parse(data, name);
    if (header.pixels() > maxPixels) {
      throw new InvalidImageException(
          name + ": image is " + header.width() + " x " + header.height() + " = " + header.pixels()
              + " pixels, above the limit of " + maxPixels + " pixels");
    }
    try (BytePointer bytes = new BytePointer(data);
        Mat encoded = new Mat(1, data.length, CV_8UC1, bytes);
        Mat decoded = imdecode(encoded, IMREAD_UNCHANGED)) {
      if (decoded.empty()) {
        throw new InvalidImageException(
            name + ": " + header.format() + " data could not be decoded (corrupt or an unsupported variant)");
      }
      if (decoded.cols() != header.width() || decoded.rows() != header.height()) {
        throw new InvalidImageException(
            name + ": header declares " + header.width() + " x " + header.height() + " but the decoder produced "
                + decoded.cols() + " x " + decoded.rows());
      }
      int depth = decoded.depth();
      if (depth == CV_32F || depth == CV_64F) {
        throw new InvalidImageException(
            name + ": floating-point samples are not supported (no defined intensity scale);"
                + " save the image with 8- or 16-bit unsigned samples");
      }
      if (depth != CV_8U && depth != CV_16U) {
        throw new InvalidImageException(
            name + ": sample type " + depthName(depth) + " is not supported; expected 8- or 16-bit unsigned");
      }
      int channels = decoded.channels();
      if (channels < 1 || channels > 4) {
        throw new InvalidImageException(name + ": " + channels + " channels are not supported; expected 1 to 4");
      }
      float[] gray = toGray(decoded);
      return new DecodedImage(
          name, header.format(), header.width(), header.height(), channels, depth == CV_8U ? 8 : 16, gray);
    }
  }

  /** The reference gray conversion; see the class comment. */
  private static float[] toGray(Mat image) {
    checkState(image.isContinuous(), "decoded image is not continuous");
    int pixels = image.rows() * image.cols();
    int channels = image.channels();
    float[] gray = new float[pixels];
    if (image.depth() == CV_8U) {
      if (channels <= 2) {
        ByteBuffer samples = image.createBuffer();
        for (int i = 0; i < pixels; i++) {
          gray[i] = samples.get(i * channels) & 0xFF;
        }
      } else {
        try (Mat converted = new Mat()) {
          cvtColor(image, converted, channels == 3 ? COLOR_BGR2GRAY : COLOR_BGRA2GRAY);
          ByteBuffer samples = converted.createBuffer();
          for (int i = 0; i < pixels; i++) {
            gray[i] = samples.get(i) & 0xFF;
          }
        }
      }
      return gray;
    }
    ShortBuffer samples = image.createBuffer();
    if (channels <= 2) {
      for (int i = 0; i < pixels; i++) {
        gray[i] = (samples.get(i * channels) & 0xFFFF) / 257f;
      }
      return gray;
    }
    // 16-bit colour: scale to 0..255 in float32 first, then convert on float32 (no 8-bit rounding).
    try (Mat scaled = new Mat(image.rows(), image.cols(), CV_32FC(channels));
        Mat converted = new Mat()) {
      FloatBuffer scaledSamples = scaled.createBuffer();
      for (int i = 0; i < pixels * channels; i++) {
        scaledSamples.put(i, (samples.get(i) & 0xFFFF) / 257f);
      }
      cvtColor(scaled, converted, channels == 3 ? COLOR_BGR2GRAY : COLOR_BGRA2GRAY);
      FloatBuffer convertedSamples = converted.createBuffer();
      convertedSamples.get(0, gray);
    }
    return gray;
  }

  private static String depthName(int depth) {
    return switch (depth) {
      case 1 -> "8-bit signed";
      case 3 -> "16-bit signed";
      case 4 -> "32-bit signed integer";
      default -> "OpenCV depth " + depth;
    };
  }
}
