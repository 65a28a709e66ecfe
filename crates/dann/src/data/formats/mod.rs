//! File formats: CSV and SVMlight text and IDX arrays, each optionally gzipped.

mod csv;
mod folder;
mod gzip;
mod idx;
mod npy;
mod svmlight;

pub use self::csv::{CsvOptions, LabelColumn, load_csv};
pub use folder::load_image_folder;
pub(crate) use folder::{is_image, sorted_entries};
pub use gzip::open_maybe_gz;
pub use idx::{IdxArray, IdxType, idx_labels_path, load_idx, read_idx, write_idx_u8};
pub use npy::load_npy;
pub use svmlight::{IndexBase, SvmLightOptions, load_svmlight, uses_index_zero};
