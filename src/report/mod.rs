//! Reports of `reluproof check`: the terminal table, JSON, and the Markdown
//! blueprint with its dependency graph (Mermaid and SVG).

pub mod blueprint;
pub mod plot;
pub mod rows;

pub use rows::{rows_for, Row};

/// Prints a run's summary (JSON or text) and writes its plot, if asked:
/// the common ending of `gd`, `sgd` and similar commands.
pub fn emit_run(
    plot: Option<&std::path::Path>,
    svg: impl FnOnce() -> String,
    json: Option<serde_json::Value>,
    text: impl FnOnce() -> String,
) -> Result<(), String> {
    if let Some(p) = plot {
        std::fs::write(p, svg()).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    match json {
        Some(j) => println!("{}", serde_json::to_string_pretty(&j).unwrap_or_default()),
        None => {
            print!("{}", text());
            if let Some(p) = plot {
                println!("  plot written to {}", p.display());
            }
        }
    }
    Ok(())
}
