package org.pformer.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.Fixtures;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;

/** Decoding, bicubic resizing and normalisation against Pillow / numpy (fixtures/make_image_fixtures.py). */
class ImageFixturesTest {

    @ParameterizedTest
    @ValueSource(strings = {"noise", "rgba", "gray", "palette"})
    void pngDecodesAsPillowConvertRgb(String name) throws Exception {
        RgbImage ours = ImageLoader.load(Fixtures.path("img_" + name + ".png"));
        RgbImage pil = ImageLoader.load(Fixtures.path("convert_" + name + ".png"));
        assertThat(ours.width()).isEqualTo(pil.width());
        assertThat(ours.height()).isEqualTo(pil.height());
        assertThat(ours.rgb()).isEqualTo(pil.rgb());
    }

    @Test
    void rgbaDropsAlphaInsteadOfCompositing() throws Exception {
        RgbImage ours = ImageLoader.load(Fixtures.path("img_rgba.png"));
        java.awt.image.BufferedImage raw = javax.imageio.ImageIO.read(Fixtures.path("img_rgba.png").toFile());
        int argb = raw.getRGB(0, 0);
        assertThat(argb >>> 24).isLessThan(255); // the pixel is translucent…
        assertThat(ours.get(0, 0, 0)).isEqualTo((argb >> 16) & 0xff); // …and its colour is kept as is
    }

    @Test
    void jpegDecodesCloseToLibjpeg() throws Exception {
        // Java's and libjpeg's IDCT/upsampling differ in rounding: allow a small difference per channel.
        RgbImage ours = ImageLoader.load(Fixtures.path("img_photo.jpg"));
        RgbImage pil = ImageLoader.load(Fixtures.path("convert_photo.png"));
        double total = 0;
        for (int i = 0; i < ours.rgb().length; i++) {
            int d = Math.abs((ours.rgb()[i] & 0xff) - (pil.rgb()[i] & 0xff));
            assertThat(d).isLessThanOrEqualTo(6);
            total += d;
        }
        assertThat(total / ours.rgb().length).isLessThan(1.5);
    }

    @ParameterizedTest
    @CsvSource({"16,16", "64,64", "37,10", "37,23", "5,40", "224,224"})
    void bicubicResizeEqualsPillowByteForByte(int w, int h) throws Exception {
        RgbImage src = ImageLoader.load(Fixtures.path("convert_noise.png"));
        RgbImage pil = ImageLoader.load(Fixtures.path("resize_noise_" + w + "x" + h + ".png"));
        RgbImage ours = BicubicResize.resize(src, w, h);
        assertThat(ours.rgb()).isEqualTo(pil.rgb());
    }

    @Test
    void normalisationEqualsTorchvisionInFloat32() throws Exception {
        JsonNode fx = Json.MAPPER.readTree(Fixtures.path("normalize.json").toFile());
        RgbImage src = ImageLoader.load(Fixtures.path("resize_noise_16x16.png"));
        ChwImage ours = new ImagePreprocessor(ImagePreprocessor.Options.lavisBlip2(16)).eval(src);
        assertThat(ours.channels()).isEqualTo(3);
        JsonNode bits = fx.get("float32_bits");
        assertThat(ours.data()).hasSize(bits.size());
        for (int i = 0; i < bits.size(); i++) {
            assertThat(Float.floatToRawIntBits(ours.data()[i])).as("value %d", i).isEqualTo(bits.get(i).asInt());
        }
    }

    @Test
    void brokenFilesFailWithTheirName(@TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "not an image");
        assertThatThrownBy(() -> ImageLoader.load(text)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("notes.png").hasMessageContaining("not a JPEG or PNG");
        byte[] png = Files.readAllBytes(Fixtures.path("img_noise.png"));
        Path truncated = tmp.resolve("cut.png");
        Files.write(truncated, java.util.Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> ImageLoader.load(truncated)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("cut.png");
        assertThatThrownBy(() -> ImageLoader.load(tmp.resolve("absent.jpg"))).hasMessageContaining("absent.jpg");
    }

    @Test
    void probeReadsTheHeaderAndNamesAFileThatIsNotAnImage(@TempDir Path tmp) throws Exception {
        for (String name : new String[] {"img_noise.png", "img_photo.jpg"}) {
            RgbImage decoded = ImageLoader.load(Fixtures.path(name));
            ImageLoader.Header h = ImageLoader.probe(Fixtures.path(name));
            assertThat(h.width()).as(name).isEqualTo(decoded.width());
            assertThat(h.height()).as(name).isEqualTo(decoded.height());
            assertThat(h.format()).as(name).isIn("png", "jpeg");
        }
        Path text = tmp.resolve("notes.jpg");
        Files.writeString(text, "not an image");
        assertThatThrownBy(() -> ImageLoader.probe(text)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("notes.jpg").hasMessageContaining("not a JPEG or PNG")
                .hasMessageContaining("12 bytes starting 0x6e6f7420616e2069");
        Path empty = tmp.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> ImageLoader.probe(empty)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("empty.png").hasMessageContaining("0 bytes starting with nothing");
        // the PNG signature alone, without the header chunk that holds the dimensions
        Path signatureOnly = tmp.resolve("sig.png");
        Files.write(signatureOnly, java.util.Arrays.copyOf(Files.readAllBytes(Fixtures.path("img_noise.png")), 12));
        assertThatThrownBy(() -> ImageLoader.probe(signatureOnly)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("sig.png").hasMessageContaining("cannot read the image header");
        assertThatThrownBy(() -> ImageLoader.probe(tmp.resolve("absent.jpg")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("absent.jpg");
    }
}
