//! The picture of a t-SNE map: source rows blue, target rows orange, with a legend.

use std::path::Path;

use anyhow::{Context, Result};
use dann::analysis::tsne::TsneMap;
use plotters::prelude::*;

use super::plot::{FAMILY, encode_png, register_font};

/// Draws `map` as a PNG scatter plot into `out`, on white, with a legend naming the two
/// colours.
pub fn draw_tsne(map: &TsneMap, out: &Path) -> Result<()> {
    const SIZE: u32 = 800;
    const MARGIN: f32 = 20.0;
    register_font();
    let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for xy in map.xy.chunks_exact(2) {
        for k in 0..2 {
            lo[k] = lo[k].min(xy[k]);
            hi[k] = hi[k].max(xy[k]);
        }
    }
    let span = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(f32::MIN_POSITIVE);
    let scale = (SIZE as f32 - 2.0 * MARGIN) / span;
    let (source, target) = (RGBColor(31, 119, 180), RGBColor(255, 127, 14));
    let mut rgb = vec![0u8; (SIZE * SIZE * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (SIZE, SIZE)).into_drawing_area();
        let err = |e| anyhow::anyhow!("cannot draw {}: {e:?}", out.display());
        root.fill(&WHITE).map_err(err)?;
        for (xy, domain) in map.xy.chunks_exact(2).zip(&map.domains) {
            let colour = if *domain == "source" { source } else { target };
            let at = (
                (MARGIN + (xy[0] - lo[0]) * scale) as i32,
                (MARGIN + (xy[1] - lo[1]) * scale) as i32,
            );
            root.draw(&Circle::new(at, 2, colour.filled()))
                .map_err(err)?;
        }
        // The legend, top left, over a white box.
        root.draw(&Rectangle::new(
            [(8, 8), (118, 62)],
            WHITE.mix(0.85).filled(),
        ))
        .map_err(err)?;
        root.draw(&Rectangle::new([(8, 8), (118, 62)], BLACK))
            .map_err(err)?;
        for (i, (name, colour)) in [("source", source), ("target", target)]
            .into_iter()
            .enumerate()
        {
            let y = 22 + 24 * i as i32;
            root.draw(&Circle::new((24, y), 5, colour.filled()))
                .map_err(err)?;
            root.draw(&Text::new(name, (38, y - 9), (FAMILY, 17)))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    let png = encode_png(SIZE, SIZE, rgb)?;
    dann::files::write_atomically(out, |w| std::io::Write::write_all(w, &png))
        .with_context(|| format!("cannot write {}", out.display()))
}
