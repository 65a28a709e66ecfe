//! Where the fused convolution kernels spend one training step of the paper's MNIST network
//! (batch 128 + 128): each layer's forward pass and backward pass timed alone, in ms and
//! GFLOP/s, on random data. `cargo run --release -p dann --example conv_layers`.

use std::time::Instant;

use dann::nn::conv::kernels::{ConvShape, backward, forward};

fn main() {
    let batch = 256;
    let layer = |input, channels| ConvShape {
        batch,
        input,
        channels,
        kernel: 5,
        padding: 0,
        pool: 2,
        stride: 2,
    };
    let (l1, l2) = (layer([3, 28, 28], 32), layer([32, 12, 12], 48));
    let values = |n: usize, scale: f32| -> Vec<f32> {
        (0..n)
            .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 * scale - scale / 2.0)
            .collect()
    };
    let x = values(batch * 2352, 2.0);
    let (w1, b1) = (values(32 * 75, 0.2), vec![0.01f32; 32]);
    let (w2, b2) = (values(48 * 800, 0.05), vec![0.01f32; 48]);
    // Multiply-adds x 2 of each product: forward, then (weight gradient + input gradient).
    let flops = |s: &ConvShape| {
        let [ch, cw] = s.conv_size();
        2.0 * (s.channels * s.input[0] * s.kernel * s.kernel * ch * cw * s.batch) as f64
    };
    let rounds = 10;
    let mut ms = [0f64; 4];
    for round in 0..=rounds {
        let time = |f: &mut dyn FnMut()| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        };
        let (mut y1, mut y2, mut s1, mut s2, mut dx2) = (None, None, None, None, None);
        let t = [
            time(&mut || {
                let (y, s) = forward(&l1, &x, &w1, &b1);
                (y1, s1) = (Some(y), Some(s));
            }),
            time(&mut || {
                let (y, s) = forward(&l2, y1.as_ref().unwrap(), &w2, &b2);
                (y2, s2) = (Some(y), Some(s));
            }),
            time(&mut || {
                let g = vec![1e-3f32; y2.as_ref().unwrap().len()];
                let y1 = y1.as_ref().unwrap();
                dx2 = backward(&l2, y1, &w2, s2.as_ref().unwrap(), &g, true).0;
            }),
            time(&mut || {
                let g = dx2.as_ref().unwrap();
                backward(&l1, &x, &w1, s1.as_ref().unwrap(), g, false);
            }),
        ];
        if round > 0 {
            ms.iter_mut()
                .zip(t)
                .for_each(|(m, t)| *m += t / rounds as f64);
        }
    }
    let gflops = [flops(&l1), flops(&l2), 2.0 * flops(&l2), flops(&l1)];
    println!("| part | ms | GFLOP/s |\n|---|---|---|");
    for (i, name) in [
        "conv 1 forward",
        "conv 2 forward",
        "conv 2 backward (weight + input)",
        "conv 1 backward (weight)",
    ]
    .iter()
    .enumerate()
    {
        println!("| {name} | {:.1} | {:.0} |", ms[i], gflops[i] / ms[i] / 1e6);
    }
    let total: f64 = ms.iter().sum();
    println!(
        "| both layers, one step | {total:.1} | {:.0} |",
        gflops.iter().sum::<f64>() / total / 1e6
    );
}
