//! Generates the typed `i18n` module from `locales/*.json` (Vietnamese first, English second).

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let config = leptos_i18n_build::Config::new("vi")
        .expect("i18n config")
        .add_locale("en")
        .expect("add the English locale")
        .parse_options(leptos_i18n_build::ParseOptions::new().interpolate_display(true));
    let infos = leptos_i18n_build::TranslationsInfos::parse(config).expect("parse locales/*.json");
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    infos
        .generate_i18n_module(out_dir.join("i18n"))
        .expect("generate the i18n module");
}
