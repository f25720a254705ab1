//! Writing frames to a Linux framebuffer device (fbdev) in its pixel format.
//! Tested against a plain file standing in for the device.

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PixelFormat {
    /// 16 bits per pixel, 5-6-5, little endian.
    Rgb565,
    /// 32 bits per pixel, X-R-G-B, little endian (bytes B, G, R, X).
    Xrgb8888,
}

impl PixelFormat {
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgb565 => 2,
            PixelFormat::Xrgb8888 => 4,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Framebuffer {
    pub path: PathBuf,
    pub format: PixelFormat,
}

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("the frame is not a PNG the display engine can read: {0}")]
    Decode(String),
    #[error("cannot write the framebuffer: {0}")]
    Io(#[from] std::io::Error),
}

/// An RGBA image, 8 bits per channel.
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Decodes a PNG (any bit depth, with or without alpha) to RGBA8.
pub fn decode_png(png_bytes: &[u8]) -> Result<Rgba, FrameError> {
    let mut decoder = png::Decoder::new(png_bytes);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder
        .read_info()
        .map_err(|e| FrameError::Decode(e.to_string()))?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| FrameError::Decode(e.to_string()))?;
    buf.truncate(info.buffer_size());
    let pixels = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Indexed => {
            return Err(FrameError::Decode("indexed PNG after expansion".into()));
        }
    };
    Ok(Rgba {
        width: info.width,
        height: info.height,
        pixels,
    })
}

/// Converts RGBA8 pixels to the device's pixel format.
pub fn convert(image: &Rgba, format: PixelFormat) -> Vec<u8> {
    let mut out = Vec::with_capacity(image.pixels.len() / 4 * format.bytes_per_pixel());
    for p in image.pixels.chunks_exact(4) {
        let (r, g, b) = (p[0], p[1], p[2]);
        match format {
            PixelFormat::Rgb565 => {
                let v = (u16::from(r >> 3) << 11) | (u16::from(g >> 2) << 5) | u16::from(b >> 3);
                out.extend_from_slice(&v.to_le_bytes());
            }
            PixelFormat::Xrgb8888 => out.extend_from_slice(&[b, g, r, 0]),
        }
    }
    out
}

impl Framebuffer {
    /// Writes one PNG frame to the device from offset 0.
    pub fn write_png(&self, png_bytes: &[u8]) -> Result<(), FrameError> {
        self.write_rgba(&decode_png(png_bytes)?)
    }

    /// Writes one RGBA frame to the device from offset 0 (the native display engine's
    /// frames go here straight from the painter, without a PNG in between).
    pub fn write_rgba(&self, image: &Rgba) -> Result<(), FrameError> {
        let data = convert(image, self.format);
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.path)?;
        f.seek(SeekFrom::Start(0))?;
        f.write_all(&data)?;
        f.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(rgba).unwrap();
        w.finish().unwrap();
        out
    }

    #[test]
    fn writes_both_formats_to_a_file_standing_in_for_the_device() {
        // Pure red, green, blue, white.
        let rgba = [
            255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255,
        ];
        let png = png_of(2, 2, &rgba);
        let dir = std::env::temp_dir().join(format!("deskphone-fb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();

        let fb = Framebuffer {
            path: dir.join("fb565"),
            format: PixelFormat::Rgb565,
        };
        fb.write_png(&png).unwrap();
        assert_eq!(
            std::fs::read(&fb.path).unwrap(),
            [0x00, 0xF8, 0xE0, 0x07, 0x1F, 0x00, 0xFF, 0xFF]
        );

        let fb = Framebuffer {
            path: dir.join("fb8888"),
            format: PixelFormat::Xrgb8888,
        };
        // A device larger than the frame keeps its tail: we write in place.
        std::fs::write(&fb.path, [0xAA; 20]).unwrap();
        fb.write_png(&png).unwrap();
        let got = std::fs::read(&fb.path).unwrap();
        assert_eq!(
            &got[..16],
            [0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0]
        );
        assert_eq!(&got[16..], [0xAA; 4]);
    }

    #[test]
    fn corrupt_frames_are_an_error() {
        assert!(matches!(
            decode_png(b"\x89PNG garbage"),
            Err(FrameError::Decode(_))
        ));
    }
}
