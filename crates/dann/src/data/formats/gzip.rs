//! Reading gzipped or plain text files.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::limits::{Exceeded, GZIP_RATIO_GRACE_BYTES, Limited, ReadLimits, io_error};
use crate::error::{Error, Result};

/// Opens `path` for buffered reading, decompressing it when it is gzip (detected by the magic
/// bytes `1f 8b`, whatever the file name says), with the default [`ReadLimits`] on its
/// expansion.
pub fn open_maybe_gz(path: &Path) -> Result<Box<dyn BufRead>> {
    open_gz_with(path, &ReadLimits::default())
}

/// [`open_maybe_gz`] with `limits`' cap on the gzip expansion ratio.
pub(crate) fn open_gz_with(path: &Path, limits: &ReadLimits) -> Result<Box<dyn BufRead>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    gz_with(file, limits).map_err(|e| Error::io(path, e))
}

/// `reader` buffered, and decompressed when it starts with the gzip magic bytes `1f 8b`
/// (with the default [`ReadLimits`] on its expansion).
pub fn maybe_gz<'a>(reader: impl Read + 'a) -> std::io::Result<Box<dyn BufRead + 'a>> {
    gz_with(reader, &ReadLimits::default())
}

/// [`maybe_gz`] refusing gzip data that expands more than `limits.max_gzip_ratio` times
/// (after the first 256 MiB).
pub(crate) fn gz_with<'a>(
    reader: impl Read + 'a,
    limits: &ReadLimits,
) -> std::io::Result<Box<dyn BufRead + 'a>> {
    gz_after(reader, limits, GZIP_RATIO_GRACE_BYTES)
}

/// [`gz_with`], the ratio checked once more than `grace` bytes have come out.
fn gz_after<'a>(
    reader: impl Read + 'a,
    limits: &ReadLimits,
    grace: u64,
) -> std::io::Result<Box<dyn BufRead + 'a>> {
    let mut reader = BufReader::new(reader);
    let head = reader.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::new(Gzip {
            decoder: MultiGzDecoder::new(Counted {
                inner: reader,
                bytes: 0,
            }),
            out: 0,
            max_ratio: limits.max_gzip_ratio,
            grace,
        })))
    } else {
        Ok(Box::new(reader))
    }
}

/// `reader` as UTF-8 lines (see [`lines_of`]), gzip or not, each capped at
/// `limits.max_line_bytes`.
pub(crate) fn limited_lines<'a>(
    reader: impl Read + 'a,
    limits: &ReadLimits,
) -> std::io::Result<impl BufRead + 'a> {
    Ok(BufReader::new(Limited::lines(
        gz_with(reader, limits)?,
        limits,
    )))
}

/// A buffered reader counting the bytes consumed (the compressed bytes under a decoder).
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.bytes += amt as u64;
        self.inner.consume(amt);
    }
}

/// A gzip decoder whose errors say what they mean to a user (flate2 says "incomplete deflate
/// stream" for a file cut short), and which refuses an absurd expansion before memory runs
/// out.
struct Gzip<R> {
    decoder: MultiGzDecoder<Counted<R>>,
    out: u64,
    max_ratio: f64,
    grace: u64,
}

impl<R: BufRead> std::io::Read for Gzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.decoder.read(buf).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("truncated or corrupt gzip data ({e}); download or copy the file again"),
            )
        })?;
        self.out += n as u64;
        if self.out > self.grace {
            let ratio = self.out as f64 / self.decoder.get_ref().bytes.max(1) as f64;
            if ratio > self.max_ratio {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    Exceeded::Gzip {
                        out: self.out,
                        ratio,
                        limit: self.max_ratio,
                    },
                ));
            }
        }
        Ok(n)
    }
}

/// Reads the whole (possibly gzipped) file as UTF-8 lines, reporting the line of any invalid
/// text; lines are capped by `limits`.
pub(crate) fn for_each_line(
    path: &Path,
    limits: &ReadLimits,
    f: impl FnMut(usize, &str) -> Result<()>,
) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = limited_lines(file, limits).map_err(|e| Error::io(path, e))?;
    lines_of(reader, path, f)
}

/// Calls `f` with each line of `reader` (1-based number, without the line break); `name`
/// is what errors call the input.
pub(crate) fn lines_of(
    mut reader: impl BufRead,
    name: &Path,
    mut f: impl FnMut(usize, &str) -> Result<()>,
) -> Result<()> {
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| io_error(name, e))?;
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        let text = std::str::from_utf8(&buf)
            .map_err(|_| Error::parse(name, line_no, "line is not valid UTF-8 text"))?;
        f(line_no, text.trim_end_matches(['\n', '\r']))?;
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{Compression, write::GzEncoder};

    use super::*;

    /// Issue 22: a small `.gz` expanding to gigabytes ran out of memory. The expansion ratio
    /// is refused once past the grace (here 1 MiB instead of 256 MiB), naming the setting.
    #[test]
    fn a_gzip_bomb_is_refused_by_its_ratio() {
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        enc.write_all(&vec![b'x'; 8 << 20]).unwrap();
        let gz = enc.finish().unwrap();
        let mut out = Vec::new();
        let err = gz_after(gz.as_slice(), &ReadLimits::default(), 1 << 20)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(out.len() < 4 << 20, "read {} bytes", out.len());
        let message = io_error(Path::new("b.gz"), err).to_string();
        assert!(message.starts_with("b.gz: gzip data expands"), "{message}");
        assert!(message.contains("[data] max_gzip_ratio"), "{message}");
        // Raised, the same data reads.
        let generous = ReadLimits {
            max_gzip_ratio: 1e6,
            ..Default::default()
        };
        let mut all = Vec::new();
        gz_after(gz.as_slice(), &generous, 1 << 20)
            .unwrap()
            .read_to_end(&mut all)
            .unwrap();
        assert_eq!(all.len(), 8 << 20);
    }
}
