//! Bundle-size benchmark: what the browser downloads for the first page, raw, gzip and brotli,
//! next to the standing budget (250 KB brotli for WASM + JS together), and, apart, the modules
//! split off (`pkg/__wasm_split_manifest.json`), which the first page never fetches: those
//! loaded on demand (staff pages), and those the service worker precaches after the first
//! page (the `field` module: the visit form, a visit's page, the team log). `tests/bench/cold-load.mjs` measures what Chromium fetches per role.
//!
//! Usage: `cargo run -p server --release --example bundle_size -- [SITE_ROOT]`
//! (`scripts/bench-size.sh` builds the release first).

use std::io::Write;
use std::path::{Path, PathBuf};

/// The budget for the first page's WASM + JS, brotli-compressed, in bytes.
const BUDGET_BROTLI: usize = 250 * 1000;

struct Sizes {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn measure(data: &[u8]) -> Sizes {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(data).expect("gzip in memory");
    let gzip = gz.finish().expect("gzip in memory").len();
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut br, &params).expect("brotli in memory");
    Sizes {
        raw: data.len(),
        gzip,
        brotli: br.len(),
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn main() {
    let site = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/site"), PathBuf::from);
    let mut all = Vec::new();
    files(&site.join("pkg"), &mut all);
    all.sort();
    let mut total = Sizes {
        raw: 0,
        gzip: 0,
        brotli: 0,
    };
    println!(
        "{:<40} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    all.retain(|p| {
        p.extension()
            .is_some_and(|e| e == "js" || e == "wasm" || e == "css")
    });
    let split = server::sw::split_files(&site);
    let mut precached = Sizes {
        raw: 0,
        gzip: 0,
        brotli: 0,
    };
    for path in &all {
        let name = path
            .strip_prefix(&site)
            .unwrap_or(path)
            .display()
            .to_string();
        let data = std::fs::read(path).expect("readable");
        let sizes = measure(&data);
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let on_demand = split.on_demand.contains(&file);
        let later = split.precached.contains(&file);
        let counted = (name.ends_with(".wasm") || name.ends_with(".js")) && !on_demand && !later;
        println!(
            "{:<40} {:>10} {:>10} {:>10}{}",
            name,
            kb(sizes.raw),
            kb(sizes.gzip),
            kb(sizes.brotli),
            if counted {
                ""
            } else if on_demand {
                "  (not counted: loaded on demand)"
            } else if later {
                "  (not counted: precached after the first page)"
            } else {
                "  (not counted: stylesheet)"
            }
        );
        if later {
            precached.raw += sizes.raw;
            precached.gzip += sizes.gzip;
            precached.brotli += sizes.brotli;
        }
        if counted {
            total.raw += sizes.raw;
            total.gzip += sizes.gzip;
            total.brotli += sizes.brotli;
        }
    }
    println!(
        "{:<40} {:>10} {:>10} {:>10}",
        "first page: WASM + JS",
        kb(total.raw),
        kb(total.gzip),
        kb(total.brotli)
    );
    println!(
        "{:<40} {:>10} {:>10} {:>10}",
        "precached after it (field module)",
        kb(precached.raw),
        kb(precached.gzip),
        kb(precached.brotli)
    );
    let verdict = if total.brotli <= BUDGET_BROTLI {
        "within"
    } else {
        "OVER"
    };
    println!(
        "budget: WASM + JS brotli {} vs reference {} ({verdict} budget, ratio={:.2})",
        kb(total.brotli),
        kb(BUDGET_BROTLI),
        total.brotli as f64 / BUDGET_BROTLI as f64
    );
    if total.brotli > BUDGET_BROTLI {
        std::process::exit(1);
    }
}
