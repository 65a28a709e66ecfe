//! Reading gzipped or plain text files.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

/// Opens `path` for buffered reading, decompressing it when it is gzip (detected by the magic
/// bytes `1f 8b`, whatever the file name says).
pub fn open_maybe_gz(path: &Path) -> Result<Box<dyn BufRead>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    maybe_gz(file).map_err(|e| Error::io(path, e))
}

/// `reader` buffered, and decompressed when it starts with the gzip magic bytes `1f 8b`.
pub fn maybe_gz<'a>(reader: impl Read + 'a) -> std::io::Result<Box<dyn BufRead + 'a>> {
    let mut reader = BufReader::new(reader);
    let head = reader.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::new(Gzip(MultiGzDecoder::new(reader)))))
    } else {
        Ok(Box::new(reader))
    }
}

/// A gzip decoder whose errors say what they mean to a user (flate2 says "incomplete deflate
/// stream" for a file cut short).
struct Gzip<R>(MultiGzDecoder<R>);

impl<R: BufRead> std::io::Read for Gzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("truncated or corrupt gzip data ({e}); download or copy the file again"),
            )
        })
    }
}

/// Reads the whole (possibly gzipped) file as UTF-8 lines, reporting the line of any invalid
/// text.
pub(crate) fn for_each_line(path: &Path, f: impl FnMut(usize, &str) -> Result<()>) -> Result<()> {
    lines_of(open_maybe_gz(path)?, path, f)
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
            .map_err(|e| Error::io(name, e))?;
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        let text = std::str::from_utf8(&buf)
            .map_err(|_| Error::parse(name, line_no, "line is not valid UTF-8 text"))?;
        f(line_no, text.trim_end_matches(['\n', '\r']))?;
    }
}
