//! The web example: runs every layer on a small sample in the browser's
//! WebGPU, shows the adapter, the inputs and the outputs beside the CPU
//! reference, and sets `data-status` on the page's body to `ok` (every layer
//! matched and the adapter is the browser's WebGPU) or `error`.
//!
//! Built for `wasm32-unknown-unknown` and served with `index.html`; see the
//! docs/BROWSER.md. On native targets it compiles to nothing.

#![cfg(target_arch = "wasm32")]

use std::fmt::Write as _;

use wasm_bindgen::prelude::*;
use wgpu_activations::{
    wgpu, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU, ELU,
};

/// The sample every layer runs on.
const SHAPE: [usize; 2] = [2, 4];
const INPUT: [f32; 8] = [-3.0, -1.0, -0.25, 0.0, 0.25, 0.75, 2.0, 8.0];

/// Starts the run when the module loads.
#[wasm_bindgen(start)]
pub fn start() {
    // A panic would otherwise leave the page "running" with no word of why.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
        report("error", &format!("panicked: {info}"), "");
    }));
    wasm_bindgen_futures::spawn_local(async {
        match run().await {
            Ok(html) => report("ok", "Every layer matches its CPU reference.", &html),
            Err((message, html)) => report("error", &message, &html),
        }
    });
}

/// Sets the body's `data-status`, the status line and the results.
fn report(status: &str, message: &str, html: &str) {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a page with a document");
    if let Some(body) = document.body() {
        // Failing to set an attribute on our own page cannot happen in practice.
        let _ = body.set_attribute("data-status", status);
    }
    if let Some(line) = document.get_element_by_id("status") {
        line.set_text_content(Some(message));
        let _ = line.set_attribute("class", status);
    }
    if let Some(out) = document.get_element_by_id("out") {
        out.set_inner_html(html);
    }
}

/// Runs every layer; the page's HTML, or what failed and the HTML so far.
async fn run() -> Result<String, (String, String)> {
    let mut html = String::new();
    let ctx = match GpuContext::new().await {
        Ok(ctx) => ctx,
        Err(e) => return Err((format!("No WebGPU context: {e}"), html)),
    };
    let info = ctx.adapter_info();
    let limits = ctx.limits();
    let _ =
        write!(
        html,
        "<h2>Adapter</h2><p id=\"adapter\" data-backend=\"{:?}\">{} — backend {:?}, type {:?}; \
         max_compute_invocations_per_workgroup {}, max_storage_buffer_binding_size {}</p>",
        info.backend,
        escape(if info.name.is_empty() { "(the browser does not name it)" } else { &info.name }),
        info.backend,
        info.device_type,
        limits.max_compute_invocations_per_workgroup,
        limits.max_storage_buffer_binding_size,
    );
    if info.backend != wgpu::Backend::BrowserWebGpu {
        return Err((
            format!(
                "The adapter's backend is {:?}, not the browser's WebGPU",
                info.backend
            ),
            html,
        ));
    }
    let prelu = PReLU::new();
    let built = prelu
        .build(&SHAPE)
        .and_then(|()| prelu.set_alpha(&[0.1, 0.2, 0.3, 0.4]));
    if let Err(e) = built {
        return Err((format!("PReLU: {e}"), html));
    }
    let layers: Vec<(String, Box<dyn Layer>, u64)> = vec![
        (
            "ReLU(max_value=6, negative_slope=0.1, threshold=0.5)".into(),
            boxed(ReLU::new(Some(6.0), 0.1, 0.5)),
            0,
        ),
        (
            "LeakyReLU(negative_slope=0.2)".into(),
            boxed(LeakyReLU::new(0.2)),
            0,
        ),
        (
            "PReLU, alpha [0.1, 0.2, 0.3, 0.4]".into(),
            Box::new(prelu),
            0,
        ),
        ("ELU(alpha=1)".into(), boxed(ELU::new(1.0)), 4),
        (
            "ThresholdedReLU(theta=0.5)".into(),
            boxed(ThresholdedReLU::new(0.5)),
            0,
        ),
        ("Softmax(axis=-1)".into(), Box::new(Softmax::new(-1)), 16),
        ("Softmax(axis=0)".into(), Box::new(Softmax::new(0)), 16),
    ];
    let mut failures = Vec::new();
    for (name, layer, ulps) in &layers {
        let got = match forward(&ctx, layer.as_ref()).await {
            Ok(got) => got,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let want = layer
            .reference(&SHAPE, &INPUT)
            .map_err(|e| (format!("{name}: CPU reference: {e}"), html.clone()))?;
        let matches = got
            .iter()
            .zip(&want)
            .all(|(&g, &w)| ordinal(g).abs_diff(ordinal(w)) <= *ulps);
        if !matches {
            failures.push(format!("{name}: GPU {got:?} vs CPU {want:?}"));
        }
        table(&mut html, name, &got, &want, matches);
    }
    if failures.is_empty() {
        Ok(html)
    } else {
        Err((failures.join("; "), html))
    }
}

fn boxed(layer: wgpu_activations::Result<impl Layer + 'static>) -> Box<dyn Layer> {
    Box::new(layer.expect("the sample arguments are valid"))
}

/// Uploads the sample, runs `layer` and reads the result back.
async fn forward(ctx: &GpuContext, layer: &dyn Layer) -> wgpu_activations::Result<Vec<f32>> {
    let x = GpuTensor::from_slice(ctx, &SHAPE, &INPUT)?;
    layer.forward(ctx, &x)?.to_vec(ctx).await
}

/// One layer's table: input, GPU output, CPU reference.
fn table(html: &mut String, name: &str, got: &[f32], want: &[f32], matches: bool) {
    let verdict = if matches { "ok" } else { "error" };
    let _ = write!(
        html,
        "<h3 class=\"{verdict}\">{} — {}</h3><table><tr><th>input</th><th>WebGPU</th><th>CPU</th></tr>",
        escape(name),
        if matches { "matches" } else { "MISMATCH" },
    );
    for ((x, g), w) in INPUT.iter().zip(got).zip(want) {
        let _ = write!(html, "<tr><td>{x}</td><td>{g}</td><td>{w}</td></tr>");
    }
    html.push_str("</table>");
}

/// f32s on a line of integers where neighbours differ by one (±0 coincide).
fn ordinal(v: f32) -> i64 {
    let bits = i64::from(v.to_bits() as i32);
    if bits < 0 {
        i64::from(i32::MIN) - bits
    } else {
        bits
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
