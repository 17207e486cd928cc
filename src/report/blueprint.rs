//! blueprint.md: the verdict table and the dependency graph of the
//! statements, as Mermaid (rendered by Markdown viewers) and as a standalone
//! SVG. Each node's fill shows how strongly it is known (formal, proved,
//! tested, observed: different colours, as in a Lean blueprint) and its
//! border shows the verdict (a finding, an expected refutation, inconclusive).

use super::rows::{table, Row};
use crate::claims::{Statement, Strength, STATEMENTS};
use std::collections::BTreeMap;

/// A statement's aggregated verdict, for the node's border.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeState {
    /// A definition.
    Definition,
    /// Holds, as expected.
    Holds,
    /// Refuted, as expected (edges).
    RefutedAsExpected,
    /// Not checked yet, or not selected.
    NotChecked,
    /// Inconclusive.
    Inconclusive,
    /// Contradicts the expectation.
    Finding,
}

impl NodeState {
    /// Border colour, width, dash pattern and legend label.
    fn border(&self) -> (&'static str, f64, &'static str, &'static str) {
        match self {
            NodeState::Definition => ("#555", 1.0, "", "definition"),
            NodeState::Holds => ("#555", 1.0, "", "no counterexample"),
            NodeState::RefutedAsExpected => ("#d9822b", 3.0, "", "refuted (edge or probe)"),
            NodeState::NotChecked => ("#999", 1.0, "4 3", "not checked"),
            NodeState::Inconclusive => ("#b59b00", 3.0, "6 3", "inconclusive"),
            NodeState::Finding => ("#d62728", 4.0, "", "FINDING"),
        }
    }
}

/// The fill of a node: its weakest row's strength.
fn fill(strength: Option<Strength>, state: NodeState) -> (&'static str, &'static str) {
    match (strength, state) {
        (_, NodeState::Definition) => ("#dbe9f6", "definition"),
        (Some(Strength::Formal), _) => ("#1e8449", "formal"),
        (Some(Strength::Proved), _) => ("#82c785", "proved"),
        (Some(Strength::Tested), _) => ("#e9f5c4", "tested"),
        (Some(Strength::Observed), _) => ("#fdf1dc", "observed"),
        (None, _) => ("#eeeeee", "no strength"),
    }
}

fn text_colour(strength: Option<Strength>) -> &'static str {
    if strength == Some(Strength::Formal) {
        "white"
    } else {
        "black"
    }
}

/// One node: its verdict state (the worst of its rows) and its strength
/// (the weakest of its rows that decided something).
#[derive(Clone, Copy, Debug)]
pub struct Node {
    /// Border.
    pub state: NodeState,
    /// Fill.
    pub strength: Option<Strength>,
}

/// Aggregates the rows of each statement into one node.
pub fn states(rows: &[Row]) -> BTreeMap<&'static str, Node> {
    let mut m = BTreeMap::new();
    for s in STATEMENTS {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.id == s.id && r.mutant.is_none()).collect();
        let state = mine
            .iter()
            .map(|r| match r.verdict {
                _ if r.is_finding() => NodeState::Finding,
                "holds" => NodeState::Holds,
                "refuted" => NodeState::RefutedAsExpected,
                "inconclusive" => NodeState::Inconclusive,
                "definition" => NodeState::Definition,
                _ => NodeState::NotChecked,
            })
            .max()
            .unwrap_or(NodeState::NotChecked);
        let strengths: Vec<Option<Strength>> = mine.iter().map(|r| r.strength()).collect();
        // An undecided row makes the whole node undecided.
        let strength = if strengths.iter().any(Option::is_none) { None } else { strengths.into_iter().flatten().min() };
        m.insert(s.id, Node { state, strength });
    }
    m
}

const FILLS: [(Option<Strength>, NodeState); 6] = [
    (Some(Strength::Formal), NodeState::Holds),
    (Some(Strength::Proved), NodeState::Holds),
    (Some(Strength::Tested), NodeState::Holds),
    (Some(Strength::Observed), NodeState::Holds),
    (None, NodeState::NotChecked),
    (None, NodeState::Definition),
];
const BORDERS: [NodeState; 5] = [
    NodeState::Holds,
    NodeState::RefutedAsExpected,
    NodeState::Inconclusive,
    NodeState::Finding,
    NodeState::NotChecked,
];

/// The Mermaid flowchart of the dependency graph.
pub fn mermaid(rows: &[Row]) -> String {
    let st = states(rows);
    let mut s = String::from("```mermaid\nflowchart TD\n");
    for x in STATEMENTS {
        let n = st[x.id];
        let label = fill(n.strength, n.state).1;
        s += &format!("  {}[\"{}<br/>{}<br/><i>{}</i>\"]\n", x.id, x.id, x.name, label);
        let (stroke, width, dash, _) = n.state.border();
        let dash = if dash.is_empty() { String::new() } else { format!(",stroke-dasharray:{dash}") };
        s += &format!(
            "  style {} fill:{},color:{},stroke:{stroke},stroke-width:{width}px{dash}\n",
            x.id,
            fill(n.strength, n.state).0,
            text_colour(n.strength)
        );
    }
    for x in STATEMENTS {
        for d in x.depends_on {
            s += &format!("  {d} --> {}\n", x.id);
        }
    }
    s += "```\n";
    s
}

fn depth(s: &Statement, memo: &mut BTreeMap<&'static str, usize>) -> usize {
    if let Some(&d) = memo.get(s.id) {
        return d;
    }
    let d = s
        .depends_on
        .iter()
        .filter_map(|id| crate::claims::statement(id))
        .map(|p| depth(p, memo) + 1)
        .max()
        .unwrap_or(0);
    memo.insert(s.id, d);
    d
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A standalone SVG of the dependency graph: one row per depth, nodes
/// coloured by verdict, a legend at the bottom.
pub fn svg(rows: &[Row]) -> String {
    let st = states(rows);
    let mut memo = BTreeMap::new();
    let mut layers: BTreeMap<usize, Vec<&Statement>> = BTreeMap::new();
    for s in STATEMENTS {
        layers.entry(depth(s, &mut memo)).or_default().push(s);
    }
    let (nw, nh, gx, gy) = (150.0, 44.0, 16.0, 70.0);
    let widest = layers.values().map(Vec::len).max().unwrap_or(1) as f64;
    let width = widest * (nw + gx) + gx;
    let height = layers.len() as f64 * (nh + gy) + 120.0;
    let mut pos: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (layer, nodes) in &layers {
        let row_w = nodes.len() as f64 * (nw + gx) - gx;
        let x0 = (width - row_w) / 2.0;
        for (k, s) in nodes.iter().enumerate() {
            pos.insert(s.id, (x0 + k as f64 * (nw + gx), 20.0 + *layer as f64 * (nh + gy)));
        }
    }
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#777\"/></marker></defs>\n"
    );
    for s in STATEMENTS {
        let (x1, y1) = pos[s.id];
        for d in s.depends_on {
            if let Some(&(x0, y0)) = pos.get(d) {
                out += &format!(
                    "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999\" stroke-width=\"1\" marker-end=\"url(#arrow)\"/>\n",
                    x0 + nw / 2.0,
                    y0 + nh,
                    x1 + nw / 2.0,
                    y1
                );
            }
        }
    }
    for s in STATEMENTS {
        let (x, y) = pos[s.id];
        let n = st[s.id];
        let (fill_colour, strength_label) = fill(n.strength, n.state);
        let (stroke, width, dash, verdict_label) = n.state.border();
        let ink = text_colour(n.strength);
        out += &format!(
            "<g><title>{} {}: {strength_label}, {verdict_label}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{nw}\" height=\"{nh}\" rx=\"6\" fill=\"{fill_colour}\" stroke=\"{stroke}\" stroke-width=\"{width}\" stroke-dasharray=\"{dash}\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"{ink}\">{}</text>\n<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"{ink}\">{}</text></g>\n",
            s.id,
            esc(s.name),
            x + nw / 2.0,
            y + 17.0,
            s.id,
            x + nw / 2.0,
            y + 33.0,
            esc(&shorten(s.name, 28))
        );
    }
    let mut lx = gx;
    let ly = height - 58.0;
    out += &format!(
        "<text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"bold\">fill: strength</text>\n",
        ly - 4.0
    );
    for (strength, state) in FILLS {
        let (colour, label) = fill(strength, state);
        out += &format!(
            "<rect x=\"{lx:.1}\" y=\"{ly:.1}\" width=\"14\" height=\"14\" fill=\"{colour}\" stroke=\"#555\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>\n",
            lx + 18.0,
            ly + 11.0,
            esc(label)
        );
        lx += 30.0 + label.len() as f64 * 6.0;
    }
    let mut lx = gx;
    let ly = height - 24.0;
    out += &format!(
        "<text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"bold\">border: verdict</text>\n",
        ly - 4.0
    );
    for n in BORDERS {
        let (stroke, width, dash, label) = n.border();
        out += &format!(
            "<rect x=\"{lx:.1}\" y=\"{ly:.1}\" width=\"14\" height=\"14\" fill=\"white\" stroke=\"{stroke}\" stroke-width=\"{width}\" stroke-dasharray=\"{dash}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>\n",
            lx + 18.0,
            ly + 11.0,
            esc(label)
        );
        lx += 30.0 + label.len() as f64 * 6.0;
    }
    out += "</svg>\n";
    out
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// The whole blueprint.md.
pub fn markdown(rows: &[Row], header: &str) -> String {
    let mut s = String::from("# reluproof blueprint\n\n");
    s += header;
    s += "\n\n## Verdicts\n\n```text\n";
    s += &table(rows);
    s += "```\n\n";
    let noted: Vec<&Row> = rows.iter().filter(|r| !r.notes.is_empty()).collect();
    if !noted.is_empty() {
        s += "## Notes\n\n";
        for r in noted {
            for n in &r.notes {
                s += &format!("- **{} {}**: {}\n", r.id, r.name, n);
            }
            if let Some(f) = &r.witness_file {
                s += &format!("- **{} {}**: witness written to `{f}` (replay: `reluproof replay {f}`)\n", r.id, r.name);
            }
        }
        s += "\n";
    }
    s += "## Dependency graph\n\nEach arrow points from a statement to one that uses it. The same graph is in `blueprint.svg`.\n\n";
    s += &mermaid(rows);
    s += "\n![dependency graph](blueprint.svg)\n";
    s
}
