//! `--device cuda[:N]` (binaries built with `--features cuda`): opening the GPU with a clear
//! error when there is none, and burn's kernel caches kept between runs.
//!
//! burn's CUDA backend compiles its kernels (NVRTC) and autotunes its matmuls the first time
//! it meets each shape: minutes on the paper's network (../shared/notes/gpu.md). Both results
//! can persist on disk; unless a `cubecl.toml` (or a `burn.toml` with a `[cubecl]` section) in
//! the working directory or above says otherwise, `dann` keeps them under
//! `$DANN_CACHE_DIR` (default `$XDG_CACHE_HOME/dann`, else `~/.cache/dann`) and tunes at the
//! `minimal` level (coarser keys, fewer tuning runs; `CUBECL_AUTOTUNE_LEVEL` overrides it), so
//! that only the first run on a machine pays the warm-up.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use burn::backend::cuda::CudaDevice;
use burn::cubecl::config::autotune::AutotuneLevel;
use burn::cubecl::config::cache::CacheConfig;
use burn::cubecl::config::{CubeClRuntimeConfig, RuntimeConfig};
use burn::tensor::Tensor;

/// Configures the caches, then opens GPU `index` and runs one tiny computation on it, so that
/// a missing driver or GPU is an error here rather than a panic in the middle of a command.
pub fn open(index: usize) -> Result<CudaDevice> {
    configure_caches();
    let device = CudaDevice::new(index);
    let probe = device.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(move || {
        Tensor::<burn::backend::Cuda, 1>::ones([4], &probe)
            .sum()
            .into_scalar()
    });
    std::panic::set_hook(previous);
    match result {
        Ok(4.0) => Ok(device),
        Ok(v) => bail!("cuda:{index} computed 1+1+1+1 = {v}: the GPU or its driver is broken"),
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown error".into());
            bail!(
                "--device cuda:{index}: no usable NVIDIA GPU ({why}); check `nvidia-smi`, the \
                 driver (libcuda) and NVRTC (libnvrtc, from the CUDA toolkit or the \
                 nvidia-cuda-nvrtc package), or use --device cpu"
            )
        }
    }
}

/// The folder of the persistent kernel caches.
fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DANN_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("dann")
}

/// Whether cubecl will read a config file of its own from `dir` or above.
fn has_cubecl_file(dir: &Path) -> bool {
    dir.ancestors().any(|d| {
        ["cubecl.toml", "CubeCL.toml"]
            .iter()
            .any(|f| d.join(f).is_file())
            || ["burn.toml", "Burn.toml"]
                .iter()
                .any(|f| std::fs::read_to_string(d.join(f)).is_ok_and(|t| t.contains("[cubecl")))
    })
}

/// Persistent compilation and autotune caches and the `minimal` tuning level, unless a
/// config file of cubecl's own is there (the environment overrides either).
fn configure_caches() {
    let cwd = std::env::current_dir().unwrap_or_default();
    if has_cubecl_file(&cwd) {
        return;
    }
    let dir = cache_dir().join("cubecl");
    let mut config = CubeClRuntimeConfig::default();
    config.compilation.cache = Some(CacheConfig::File(dir.join("compilation")));
    config.autotune.cache = CacheConfig::File(dir.join("autotune"));
    config.autotune.level = AutotuneLevel::Minimal;
    // Called once, before any GPU work: nothing has read the config yet.
    CubeClRuntimeConfig::set(config.override_from_env());
}
