//! Reports of `reluproof check`: the terminal table, JSON, and the Markdown
//! blueprint with its dependency graph (Mermaid and SVG).

pub mod blueprint;
pub mod plot;
pub mod rows;

pub use rows::{rows_for, Row};
