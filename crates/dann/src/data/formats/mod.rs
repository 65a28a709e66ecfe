//! File formats: CSV and SVMlight text, either optionally gzipped.

mod csv;
mod gzip;
mod svmlight;

pub use self::csv::{CsvOptions, LabelColumn, load_csv};
pub use gzip::open_maybe_gz;
pub use svmlight::{IndexBase, SvmLightOptions, load_svmlight};
