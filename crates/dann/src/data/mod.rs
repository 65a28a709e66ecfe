//! Data sets and their loaders.
//!
//! One [`Dataset`] type serves every loader: features dense or sparse (CSR), optional labels,
//! and class names. Files ending in `.gz` (or starting with the gzip magic bytes) are
//! decompressed transparently. Training draws rows through an [`EndlessSampler`]; validation
//! parts come from [`split_validation`].

mod dataset;
mod formats;
pub mod fuzz;
pub mod images;
pub mod info;
mod labels;
mod load;
mod matrix;
pub mod mnist_m;
mod options;
mod sampler;
mod schema;
mod split;
mod standardize;
mod table;
mod tabular;

pub use dataset::Dataset;
pub use formats::{
    CsvHeader, CsvOptions, IdxArray, IdxType, IndexBase, LabelColumn, MAX_FEATURES, ReadLimits,
    SvmLightOptions, idx_labels_path, load_idx, load_image_folder, load_npy, load_svmlight,
    maybe_gz, open_maybe_gz, read_idx, read_idx_dataset, read_idx_from, read_image,
    read_npy_dataset, read_svmlight, write_idx_u8,
};
pub use labels::normalise_label;
pub use load::{DATA_DIR_ENV, data_dir, load, load_for, load_named};
pub use matrix::{CsrMatrix, DenseMatrix, Features, Row};
pub use options::{Format, LoadOptions};
pub use sampler::EndlessSampler;
pub use schema::{ColumnKind, ColumnSchema, MatchBy, Schema};
pub use split::{HoldOut, split_validation};
pub use standardize::{Standardizer, one_fixed_scale, scale_warning};
pub use table::{ColumnRef, MISSING_CATEGORY, MISSING_TOKENS, Missing};
pub(crate) use tabular::read_pair as read_tabular_pair;
pub use tabular::{load_csv, read_csv, read_parquet};
