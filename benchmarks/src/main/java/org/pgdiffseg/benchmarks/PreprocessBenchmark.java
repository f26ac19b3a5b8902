package org.pgdiffseg.benchmarks;

import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.pgdiffseg.sdk.InvalidImageException;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.imaging.PreprocessSpec;
import org.pgdiffseg.sdk.imaging.Preprocessor;

/** Decoding a BUSI image file and preprocessing it (window, area resize to 128 x 128, scale to [-1, 1]). */
@State(Scope.Thread)
public class PreprocessBenchmark extends HotPathBenchmark {
  /** Relative to the directory JMH runs in (samples/jmh runs it from the repository root). */
  @Param("samples/images/benign_306.png")
  public String image;

  private final ImageDecoder decoder = new ImageDecoder();
  private final Preprocessor preprocessor = new Preprocessor(PreprocessSpec.busi128());
  private final float[] out = new float[PreprocessSpec.busi128().pixels()];
  private DecodedImage decoded;

  @Setup
  public void setUp() throws InvalidImageException {
    decoded = decoder.decode(Path.of(image));
  }

  @Benchmark
  public float[] preprocess() {
    preprocessor.preprocess(decoded, out, 0);
    return out;
  }

  @Benchmark
  public DecodedImage decode() throws InvalidImageException {
    return decoder.decode(Path.of(image));
  }
}
