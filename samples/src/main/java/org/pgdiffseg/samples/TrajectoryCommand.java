package org.pgdiffseg.samples;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.pgdiffseg.sdk.imaging.DecodedImage;
import org.pgdiffseg.sdk.imaging.ImageDecoder;
import org.pgdiffseg.sdk.pipeline.SegmentRequest;
import org.pgdiffseg.sdk.pipeline.SegmentationResult;
import org.pgdiffseg.sdk.pipeline.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code pgdiffseg trajectory}: the x0 prediction after every step, as a PNG strip and an animated GIF,
 * with the class probabilities drawn on (the interpretability view of the paper's section 5).
 */
@Command(name = "trajectory", mixinStandardHelpOptions = true,
    description = {"Show how the lesion emerges: the predicted mask probability after each sampling step, drawn over",
        "the image, as <name>_trajectory.png (a strip of up to --frames steps) and <name>_trajectory.gif (every step).",
        "Gating is off so that diffusion always runs."})
final class TrajectoryCommand implements Callable<Integer> {
  static final int TILE = 192;
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "pgdiffseg-trajectory", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--frames", paramLabel = "N", defaultValue = "8", description = "Steps shown in the strip (default: ${DEFAULT-VALUE}).")
  int frames;

  @Parameters(paramLabel = "IMAGE", description = "Image file.")
  Path image;

  @Override
  public Integer call() throws Exception {
    model.noGating = true;
    model.checkRanges();
    DecodedImage decoded = new ImageDecoder().decode(image);
    String stem = InputFiles.stem(image);
    String stripName = stem + "_trajectory.png";
    String gifName = stem + "_trajectory.gif";
    try (OutputFolder folder = OutputFolder.claim(spec, "--out", out)) {
      for (String name : List.of(stripName, gifName)) {
        if (!folder.mayWrite(name)) {
          throw new ParameterException(spec.commandLine(), "--out " + out + " holds a " + name
              + " that pgdiffseg did not write; it is left as it is: choose another --out");
        }
      }
      return run(decoded, folder, stripName, gifName);
    }
  }

  private int run(DecodedImage decoded, OutputFolder folder, String stripName, String gifName) throws Exception {
    try (Segmenter segmenter = model.open();
        Progress progress = Progress.start("trajectory", 1, spec.commandLine().getErr())) {
      progress.begin(decoded.name());
      SegmentationResult r = segmenter.segment(decoded,
          SegmentRequest.defaults().withTrajectory(true).withProgress(progress.steps()));
      progress.done(null);
      List<BufferedImage> tiles = new ArrayList<>();
      int n = r.trajectory().size();
      for (int i = 0; i < n; i++) {
        tiles.add(tile(decoded, r.trajectory().get(i), r.modelWidth(), r.modelHeight(),
            "step " + (i + 1) + "/" + n, r.gate().asMap()));
      }
      BufferedImage strip = strip(tiles, Math.max(1, Math.min(frames, n)));
      Map<String, OutputFolder.Content> files = new LinkedHashMap<>();
      files.put(stripName, tmp -> ImageIO.write(strip, "png", tmp.toFile()));
      files.put(gifName, tmp -> writeGif(tiles, tmp));
      folder.writeAll(files);
      spec.commandLine().getOut().printf("Wrote %s and %s (%d steps, %s)%n", folder.resolve(stripName),
          folder.resolve(gifName), n, segmenter.options().scheduler());
      if (n < 4) {
        spec.commandLine().getOut().printf("The model samples in %d step(s), so there is little to see; --steps 20"
            + " --initial-sample noise --scheduler dpm++ shows a lesion emerging over more steps.%n", n);
      }
    }
    return PgDiffSegCli.OK;
  }

  /**
   * The image in gray with the probability in red on top, and the step and class probabilities as text. The
   * image keeps its aspect ratio: its longer side is {@link #TILE} pixels, centred on a {@code TILE}-wide tile,
   * so that every tile of one image has the same size. The probability is at the model's square input size,
   * resized from the whole image, so it maps onto the image by the same fractions.
   */
  static BufferedImage tile(DecodedImage image, float[] probability, int pw, int ph, String label, Map<String, Double> classes) {
    int longer = Math.max(image.width(), image.height());
    int tw = Math.max(1, Math.round((float) TILE * image.width() / longer));
    int th = Math.max(1, Math.round((float) TILE * image.height() / longer));
    int left = (TILE - tw) / 2;
    BufferedImage tile = new BufferedImage(TILE, th + 34, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < th; y++) {
      for (int x = 0; x < tw; x++) {
        float g = image.grayAt(x * image.width() / tw, y * image.height() / th) / 255f;
        float p = probability[(y * ph / th) * pw + x * pw / tw];
        float r = Math.min(1f, g * (1 - p) + p);
        float gb = g * (1 - p);
        tile.setRGB(left + x, y, new Color(r, gb, gb).getRGB());
      }
    }
    Graphics2D g = tile.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.setColor(Color.WHITE);
    g.drawString(label, 4, th + 13);
    StringBuilder text = new StringBuilder();
    classes.forEach((k, v) -> text.append(k).append(String.format(" %.2f  ", v)));
    g.drawString(text.toString().trim(), 4, th + 28);
    g.dispose();
    return tile;
  }

  static BufferedImage strip(List<BufferedImage> tiles, int count) {
    BufferedImage first = tiles.get(0);
    BufferedImage strip = new BufferedImage(first.getWidth() * count, first.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = strip.createGraphics();
    for (int i = 0; i < count; i++) {
      int index = count == 1 ? tiles.size() - 1 : (int) Math.round((double) i * (tiles.size() - 1) / (count - 1));
      g.drawImage(tiles.get(index), i * first.getWidth(), 0, null);
    }
    g.dispose();
    return strip;
  }

  /** Animated GIF, looping, 150 ms a frame and a longer pause on the last. */
  static void writeGif(List<BufferedImage> frames, Path file) throws java.io.IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(stream);
      writer.prepareWriteSequence(null);
      for (int i = 0; i < frames.size(); i++) {
        BufferedImage frame = frames.get(i);
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), null);
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
        IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("delayTime", i == frames.size() - 1 ? "150" : "15");
        control.setAttribute("transparentColorIndex", "0");
        root.appendChild(control);
        if (i == 0) {
          IIOMetadataNode apps = new IIOMetadataNode("ApplicationExtensions");
          IIOMetadataNode loop = new IIOMetadataNode("ApplicationExtension");
          loop.setAttribute("applicationID", "NETSCAPE");
          loop.setAttribute("authenticationCode", "2.0");
          loop.setUserObject(new byte[] {1, 0, 0});
          apps.appendChild(loop);
          root.appendChild(apps);
        }
        meta.setFromTree(format, root);
        writer.writeToSequence(new IIOImage(frame, null, meta), null);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
  }
}
