//! A stream of images back to back, as `ffmpeg -f image2pipe` writes them, split into frames.
//!
//! JPEG (`-vcodec mjpeg`), PNG (`-vcodec png`) and BMP (`-vcodec bmp`) frames are told apart
//! by their first bytes and their ends found from their own structure: JPEG segments and the
//! end-of-image marker, PNG chunks up to `IEND`, BMP's file size field. Nothing is decoded
//! here; each frame is bounded by the file size limit before it is buffered.

use std::io::{self, BufRead, ErrorKind};

/// Why the stream could not be split.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// Reading failed.
    #[error("{}", crate::messages::both_args("stream-io", &[("n0", &format!("{}", .0))]))]
    Io(#[from] io::Error),
    /// A frame larger than the limit.
    #[error("{}", crate::messages::both_with("stream-frame-too-large", &[("n0", &.0.to_string(), &.0.to_string())]))]
    FrameTooLarge(u64),
    /// Bytes that do not start a JPEG, PNG or BMP image.
    #[error("{}", crate::messages::both_args("stream-unknown-format", &[]))]
    UnknownFormat,
    /// The stream ended inside a frame.
    #[error("{}", crate::messages::both_args("stream-truncated", &[]))]
    Truncated,
}

/// Splits a byte stream into whole image files.
#[derive(Debug)]
pub struct Frames<R> {
    input: R,
    max_bytes: u64,
    done: bool,
}

impl<R: BufRead> Frames<R> {
    /// Frames from `input`, each at most `max_bytes`.
    pub fn new(input: R, max_bytes: u64) -> Frames<R> {
        Frames {
            input,
            max_bytes,
            done: false,
        }
    }

    /// The next frame, `None` at the end of the stream.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, StreamError> {
        if self.done {
            return Ok(None);
        }
        let mut frame = Vec::new();
        let first = match self.byte(&mut frame)? {
            Some(b) => b,
            None => {
                self.done = true;
                return Ok(None);
            }
        };
        let second = self.need(&mut frame)?;
        let result = match (first, second) {
            (0xFF, 0xD8) => self.jpeg(&mut frame),
            (0x89, b'P') => self.png(&mut frame),
            (b'B', b'M') => self.bmp(&mut frame),
            _ => Err(StreamError::UnknownFormat),
        };
        if result.is_err() {
            // After a broken or unknown frame there is no telling where the next one starts.
            self.done = true;
        }
        result.map(|()| Some(frame))
    }

    /// One byte appended to `frame`, or `None` at the end of the input.
    fn byte(&mut self, frame: &mut Vec<u8>) -> Result<Option<u8>, StreamError> {
        if frame.len() as u64 >= self.max_bytes {
            return Err(StreamError::FrameTooLarge(self.max_bytes));
        }
        loop {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            let Some(&b) = buf.first() else {
                return Ok(None);
            };
            self.input.consume(1);
            frame.push(b);
            return Ok(Some(b));
        }
    }

    fn need(&mut self, frame: &mut Vec<u8>) -> Result<u8, StreamError> {
        self.byte(frame)?.ok_or(StreamError::Truncated)
    }

    /// `n` bytes appended to `frame`, read in blocks.
    fn take(&mut self, frame: &mut Vec<u8>, n: u64) -> Result<(), StreamError> {
        if frame.len() as u64 + n > self.max_bytes {
            return Err(StreamError::FrameTooLarge(self.max_bytes));
        }
        let mut left = n as usize;
        while left > 0 {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if buf.is_empty() {
                return Err(StreamError::Truncated);
            }
            let k = buf.len().min(left);
            frame.extend_from_slice(&buf[..k]);
            self.input.consume(k);
            left -= k;
        }
        Ok(())
    }

    fn be16(&mut self, frame: &mut Vec<u8>) -> Result<u16, StreamError> {
        Ok(u16::from_be_bytes([self.need(frame)?, self.need(frame)?]))
    }

    /// JPEG: segments with lengths up to the start of scan, then entropy-coded data in which
    /// `FF` is followed by `00` (a stuffed byte) or a restart marker; any other marker ends
    /// the scan, and `FFD9` ends the image.
    fn jpeg(&mut self, frame: &mut Vec<u8>) -> Result<(), StreamError> {
        loop {
            // At a marker: skip fill bytes.
            let mut m = self.need(frame)?;
            if m != 0xFF {
                return Err(StreamError::UnknownFormat);
            }
            while m == 0xFF {
                m = self.need(frame)?;
            }
            match m {
                0xD9 => return Ok(()),
                0x01 | 0xD0..=0xD7 => continue,
                0xDA => {
                    let len = self.be16(frame)?;
                    self.take(frame, u64::from(len.saturating_sub(2)))?;
                    // Entropy-coded data up to the next real marker.
                    loop {
                        if self.need(frame)? != 0xFF {
                            continue;
                        }
                        let mut n = self.need(frame)?;
                        while n == 0xFF {
                            n = self.need(frame)?;
                        }
                        match n {
                            0x00 | 0xD0..=0xD7 => continue,
                            0xD9 => return Ok(()),
                            _ => {
                                // Another segment (progressive JPEG): put its marker back in
                                // the frame's logic by handling its length here.
                                let len = self.be16(frame)?;
                                self.take(frame, u64::from(len.saturating_sub(2)))?;
                                if n == 0xDA {
                                    continue;
                                }
                                break;
                            }
                        }
                    }
                }
                _ => {
                    let len = self.be16(frame)?;
                    self.take(frame, u64::from(len.saturating_sub(2)))?;
                }
            }
        }
    }

    /// PNG: the signature, then chunks (length, type, data, CRC) up to `IEND`.
    fn png(&mut self, frame: &mut Vec<u8>) -> Result<(), StreamError> {
        self.take(frame, 6)?;
        if frame[..8] != *b"\x89PNG\r\n\x1a\n" {
            return Err(StreamError::UnknownFormat);
        }
        loop {
            let at = frame.len();
            self.take(frame, 8)?;
            let len = u32::from_be_bytes([frame[at], frame[at + 1], frame[at + 2], frame[at + 3]]);
            let kind = [frame[at + 4], frame[at + 5], frame[at + 6], frame[at + 7]];
            self.take(frame, u64::from(len) + 4)?;
            if &kind == b"IEND" {
                return Ok(());
            }
        }
    }

    /// BMP: the file size is in the header.
    fn bmp(&mut self, frame: &mut Vec<u8>) -> Result<(), StreamError> {
        self.take(frame, 4)?;
        let size = u32::from_le_bytes([frame[2], frame[3], frame[4], frame[5]]);
        if size < 26 {
            return Err(StreamError::UnknownFormat);
        }
        self.take(frame, u64::from(size) - 6)
    }
}

impl<R: BufRead> Iterator for Frames<R> {
    type Item = Result<Vec<u8>, StreamError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame().transpose()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::{GrayImage, ImageFormat, Luma};

    use super::*;

    fn encoded(seed: u8, format: ImageFormat) -> Vec<u8> {
        let img = GrayImage::from_fn(64, 48, |x, y| {
            Luma([(x as u8).wrapping_mul(seed) ^ y as u8])
        });
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format)
            .expect("encodes");
        out
    }

    #[test]
    fn splits_mixed_frames_exactly() {
        let frames = vec![
            encoded(3, ImageFormat::Jpeg),
            encoded(5, ImageFormat::Png),
            encoded(7, ImageFormat::Bmp),
            encoded(11, ImageFormat::Jpeg),
        ];
        let stream: Vec<u8> = frames.concat();
        let got: Vec<Vec<u8>> = Frames::new(Cursor::new(stream), 1 << 20)
            .collect::<Result<_, _>>()
            .expect("splits");
        assert_eq!(got, frames);
    }

    #[test]
    fn jpeg_with_byte_stuffing_and_restart_markers() {
        // Entropy-coded data holding FF00 and RST markers must not end the frame.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02];
        jpeg.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0x00]);
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        let stream = [jpeg.clone(), jpeg.clone()].concat();
        let got: Vec<Vec<u8>> = Frames::new(Cursor::new(stream), 1 << 20)
            .collect::<Result<_, _>>()
            .expect("splits");
        assert_eq!(got, vec![jpeg.clone(), jpeg]);
    }

    #[test]
    fn bounded_and_clear_on_bad_input() {
        let big = encoded(3, ImageFormat::Png);
        let mut f = Frames::new(Cursor::new(big.clone()), 100);
        assert!(matches!(
            f.next_frame(),
            Err(StreamError::FrameTooLarge(100))
        ));
        assert!(matches!(f.next_frame(), Ok(None)), "stops after an error");

        let mut f = Frames::new(Cursor::new(b"GIF89a....".to_vec()), 1 << 20);
        assert!(matches!(f.next_frame(), Err(StreamError::UnknownFormat)));

        let mut f = Frames::new(Cursor::new(big[..big.len() - 5].to_vec()), 1 << 20);
        assert!(matches!(f.next_frame(), Err(StreamError::Truncated)));

        let mut f = Frames::new(Cursor::new(Vec::new()), 1 << 20);
        assert!(matches!(f.next_frame(), Ok(None)));
    }
}
