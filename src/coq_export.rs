//! `reluproof export-coq`: a witness file as a Coq file that states the
//! witness's claim about the formal definitions of `proofs/coq/Model.v` and
//! proves it by computation.
//!
//! The emitted text follows the template of `proofs/coq/README.md`
//! ("Witness files") exactly: a header comment (the witness file, its
//! provenance lines, the claim in words, the exporter's version), the
//! imports, the rational data `xi`, `mu`, `th` (and `gamma`, `alpha`, `beta`
//! where the claim needs them), then one theorem per claim, each proved by
//! `apply <lemma of Witness.v>; vm_compute; reflexivity`, and
//! `Print Assumptions` of the last one. Every rational p/q is written
//! `(p # q)` from the exact `BigRational` (never through a float), and atoms
//! of weight 0 are left out of μ, since `rho_sq` is the maximum over the
//! listed atoms while the harness's ρ² is the supremum over the support.
//!
//! Claims, by the witness's check:
//!
//! | check | theorems |
//! |---|---|
//! | `step_above_bound` (E6), `lyapunov_nonincreasing_of_step_le_four_times_bound` (Q3) | γ > γ* (`gamma_gt_gamma_star_of_Q`), V(θ − γG(θ)) > V(θ) (`V_step_gt_of_Q`) |
//! | `risk_nonincreasing_of_step_le_bound` (Q1) | L(θ − γG(θ)) > L(θ) (`risk_step_gt_of_Q`); γ = kγ* with k ≤ 1 is stated in a comment (Witness.v has no lemma for γ ≤ γ*) |
//! | `critical_point_of_positive_risk_of_nonconstant_target` (E1) | G(θ) = 0 and L(θ) > 0 (`critical_point_of_positive_risk_of_Q`) |
//! | `lyapunov_identity_fails_of_nonconstant_target` (E1) | ⟨∇V(θ), G(θ)⟩ < 0, ξ the mean of f under μ (`inner_gradV_grad_neg_of_Q`) |
//!
//! γ = `gamma_factor` · γ* with γ* from [`crate::dynamics::gd::gamma_star`].
//! The exporter does not decide the claim: a false claim gives a file that
//! Coq refuses to compile. Only what the formal development covers is
//! exported (empirical measure, ReLU with σ'(0) = 0, output bias, constant
//! or affine target, recorded verdict `refuted`, no negative control);
//! anything else is refused with the reasons.

use crate::claims::instance::Witness;
use crate::dynamics::gd::gamma_star;
use crate::model::{Activation, DerivativeAtZero, Measure, Target};
use crate::num::BigRational;
use num_traits::Zero;
use std::path::Path;

/// The checks whose witnesses can be exported.
pub const SUPPORTED_CHECKS: [&str; 5] = [
    "step_above_bound",
    "lyapunov_nonincreasing_of_step_le_four_times_bound",
    "risk_nonincreasing_of_step_le_bound",
    "critical_point_of_positive_risk_of_nonconstant_target",
    "lyapunov_identity_fails_of_nonconstant_target",
];

/// A rational as a Coq `Q` literal: `(p # q)`, q ≥ 1, e.g. `(-3 # 4)`, `(5 # 1)`.
pub fn coq_q(q: &BigRational) -> String {
    format!("({} # {})", q.numer(), q.denom())
}

/// Whether `s` is a Coq identifier usable as a file's module name
/// (`[A-Za-z_][A-Za-z0-9_]*`, not a keyword).
pub fn is_coq_ident(s: &str) -> bool {
    const KEYWORDS: [&str; 24] = [
        "as", "at", "cofix", "else", "end", "exists", "exists2", "fix", "for", "forall", "fun", "if", "IF", "in",
        "let", "match", "mod", "Prop", "return", "Set", "then", "Type", "using", "where",
    ];
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "_"
        && !KEYWORDS.contains(&s)
}

/// Text safe inside a Coq comment: no comment delimiters, no string quotes
/// (Coq lexes strings inside comments, so an unmatched `"` would break it).
fn comment_safe(s: &str) -> String {
    s.replace("(*", "( *").replace("*)", "* )").replace('"', "''")
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join("; "))
}

fn qlist(xs: &[BigRational]) -> String {
    list(&xs.iter().map(coq_q).collect::<Vec<_>>())
}

/// What the witness is about, for the emitted statements.
enum Claim {
    /// γ > γ* and V(θ − γG(θ)) > V(θ) (E6, Q3).
    VStep,
    /// L(θ − γG(θ)) > L(θ) (Q1).
    LStep,
    /// G(θ) = 0 and L(θ) > 0 (E1).
    Critical,
    /// ⟨∇V(θ), G(θ)⟩ < 0 (E1).
    InnerNeg,
}

/// The reasons the formal development cannot state `w`'s claim (empty if it can).
fn unsupported(w: &Witness) -> Vec<String> {
    let p = &w.instance.case.problem;
    let mut why = Vec::new();
    match &p.measure {
        Measure::Empirical { .. } => {}
        Measure::Lebesgue { .. } => {
            why.push("Lebesgue measure: the formal development covers empirical measures only".into())
        }
        Measure::Uniform { .. } => {
            why.push("uniform measure: the formal development covers empirical measures only".into())
        }
        Measure::Box { .. } => why.push("box measure: the formal development covers empirical measures only".into()),
    }
    if p.activation != Activation::Relu {
        why.push(format!(
            "activation {}: the formal witnesses use ReLU only (relu_act; smooth and other activations have no Q mirror)",
            p.activation.name()
        ));
    }
    if p.derivative_at_zero != DerivativeAtZero::Open {
        why.push(format!(
            "sigma_prime_zero = {}: the formal witnesses use the open convention sigma'(0) = 0 only",
            p.derivative_at_zero.name()
        ));
    }
    if !p.output_bias {
        why.push("no output bias: the formal development's network always has the output bias c".into());
    }
    if !matches!(p.target, Target::Constant(_) | Target::Affine { .. }) {
        why.push(format!("{} target: only constant and affine targets have a Q mirror", p.target.name()));
    }
    if !SUPPORTED_CHECKS.contains(&w.check.as_str()) {
        why.push(format!("check {}: not supported (supported: {})", w.check, SUPPORTED_CHECKS.join(", ")));
    } else if w.check.contains("step") && p.target.constant().is_none() {
        why.push(format!("check {} with a nonconstant target: gamma* is defined for a constant xi only", w.check));
    }
    if w.verdict != "refuted" {
        why.push(format!("verdict {}: only counterexamples (verdict = \"refuted\") state a claim to prove", w.verdict));
    }
    if let Some(m) = &w.mutant {
        why.push(format!("negative control {m}: witnesses of mutated checks are not exported"));
    }
    why
}

/// The Coq file for witness `w`; `source` names the witness file in the
/// header and in errors. Refused (with every reason) if the formal
/// development cannot state the claim.
pub fn export(w: &Witness, source: &str) -> Result<String, String> {
    let why = unsupported(w);
    if !why.is_empty() {
        return Err(format!("{source}: cannot export to Coq: {}", why.join("; ")));
    }
    let case = &w.instance.case;
    let p = &case.problem;
    let claim = match w.check.as_str() {
        "step_above_bound" | "lyapunov_nonincreasing_of_step_le_four_times_bound" => Claim::VStep,
        "risk_nonincreasing_of_step_le_bound" => Claim::LStep,
        "critical_point_of_positive_risk_of_nonconstant_target" => Claim::Critical,
        _ => Claim::InnerNeg,
    };
    // γ = k γ* for the step claims.
    let step = match claim {
        Claim::VStep | Claim::LStep => {
            let k = w.instance.number("gamma_factor").ok_or_else(|| {
                format!("{source}: field `witness.params.gamma_factor`: missing; a step claim needs gamma = k gamma*")
            })?;
            let gs =
                gamma_star(case).ok_or_else(|| format!("{source}: gamma* is undefined (the measure has mass 0)"))?;
            Some((k.clone(), gs.clone(), k * gs))
        }
        _ => None,
    };
    let Measure::Empirical { points, weights } = &p.measure else { unreachable!("checked above") };

    let (f, mirror) = match &p.target {
        Target::Constant(_) => ("(fun _ => Q2R xi)", "(const_Q_mirrors xi)"),
        _ => ("(affine (vR alpha) (Q2R beta))", "(affine_Q_mirrors alpha beta)"),
    };
    let xi = p.reference_constant();

    // Header comment.
    let (sid, words) = match &claim {
        Claim::VStep => {
            ("one GD step above gamma* increases V", "V(theta - gamma G(theta)) > V(theta) and gamma > gamma*")
        }
        Claim::LStep => ("one GD step of at most gamma* increases L", "L(theta - gamma G(theta)) > L(theta)"),
        Claim::Critical => ("a critical point of positive risk", "G(theta) = 0 and L(theta) > 0"),
        Claim::InnerNeg => {
            ("V increases along the gradient flow", "<grad V(theta), G(theta)> < 0, V with xi = the mean of f under mu")
        }
    };
    let mut header = vec![format!(
        "Witness {} ({}), {sid}. Generated by reluproof export-coq {}.",
        w.check,
        w.statement,
        env!("CARGO_PKG_VERSION")
    )];
    header.push(format!("Witness file: {source}"));
    for line in &w.provenance {
        header.push(format!("  {line}"));
    }
    header.push(format!("Claim ({}, ReLU with sigma'(0) = 0, {}): {words}.", w.statement, p.target.describe()));
    if let Some((k, gs, gamma)) = &step {
        header.push(format!("gamma = k gamma* with k = {k}: gamma* = {gs}, gamma = {gamma} (exact)."));
    }
    if !w.detail.is_empty() {
        header.push(format!("Recorded: {}", w.detail));
    }
    let dropped = weights.iter().filter(|q| q.is_zero()).count();
    if dropped > 0 {
        header.push(format!("{dropped} atom(s) of weight 0 left out of mu (rho_sq is the max over the listed atoms)."));
    }
    let header: Vec<String> = header.iter().map(|l| comment_safe(l)).collect();
    let mut s = format!("(* {} *)\n", header.join("\n   "));

    s += "From Coq Require Import Reals QArith Qreals List.\n";
    s += "From ReluProof Require Import Model Compute Witness.\n";
    s += "Import ListNotations.\n\nLocal Open Scope Q_scope.\n\n";
    s += &format!("Definition xi : Q := {}.\n", coq_q(&xi));
    let atoms: Vec<String> = points
        .iter()
        .zip(weights)
        .filter(|(_, q)| !q.is_zero())
        .map(|(x, q)| format!("({}, {})", coq_q(q), qlist(x)))
        .collect();
    s += &format!("Definition mu : measure_Q := {}.\n", list(&atoms));
    let th = &case.theta;
    let d = th.d;
    let neurons: Vec<String> = (0..th.width())
        .map(|j| format!("mkNeuron_Q {} {} {}", qlist(&th.w[j * d..(j + 1) * d]), coq_q(&th.b[j]), coq_q(&th.v[j])))
        .collect();
    s += &format!(
        "Definition th : params_Q :=\n  mkParams_Q [{}] {}.\n",
        neurons.join(";\n              "),
        coq_q(&th.c)
    );
    if let Some((_, _, gamma)) = &step {
        s += &format!("Definition gamma : Q := {}.\n", coq_q(gamma));
    }
    if let Target::Affine { slope, intercept } = &p.target {
        s += &format!("Definition alpha : list Q := {}.\n", qlist(slope));
        s += &format!("Definition beta : Q := {}.\n", coq_q(intercept));
    }
    s += "\nLocal Open Scope R_scope.\n\n";

    let last = match claim {
        Claim::VStep => {
            s += "Theorem witness_gamma_gt_gamma_star :\n";
            s += "  Q2R gamma > gamma_star (measR mu) (Q2R xi) (paramsR th).\n";
            s += "Proof. apply gamma_gt_gamma_star_of_Q; vm_compute; reflexivity. Qed.\n\n";
            s += "Theorem witness_V_step_gt :\n";
            s += &format!("  V (Q2R xi) (gd_step relu_act {f} (measR mu) (Q2R gamma) (paramsR th))\n");
            s += "  > V (Q2R xi) (paramsR th).\n";
            s += &format!("Proof. apply (V_step_gt_of_Q _ _ {mirror}); vm_compute; reflexivity. Qed.\n");
            "witness_V_step_gt"
        }
        Claim::LStep => {
            let (k, _, _) = step.as_ref().expect("a step claim");
            let le = if *k <= BigRational::from_integer(1.into()) { "<=" } else { ">" };
            s += &format!("(* gamma = k gamma* with k = {k} {le} 1 exactly; Witness.v has no lemma for gamma <= gamma*, so it is not a theorem here. *)\n");
            s += "Theorem witness_L_step_gt :\n";
            s +=
                &format!("  risk relu_act {f} (measR mu) (gd_step relu_act {f} (measR mu) (Q2R gamma) (paramsR th))\n");
            s += &format!("  > risk relu_act {f} (measR mu) (paramsR th).\n");
            s += &format!("Proof. apply (risk_step_gt_of_Q _ _ {mirror}); vm_compute; reflexivity. Qed.\n");
            "witness_L_step_gt"
        }
        Claim::Critical => {
            s += "Theorem witness_critical_point :\n";
            s += &format!("  params_zero (grad relu_act {f} (measR mu) (paramsR th))\n");
            s += &format!("  /\\ risk relu_act {f} (measR mu) (paramsR th) > 0.\n");
            s += &format!(
                "Proof. apply (critical_point_of_positive_risk_of_Q _ _ {mirror}); vm_compute; reflexivity. Qed.\n"
            );
            "witness_critical_point"
        }
        Claim::InnerNeg => {
            s += "Theorem witness_inner_neg :\n";
            s += &format!("  inner (gradV (Q2R xi) (paramsR th)) (grad relu_act {f} (measR mu) (paramsR th)) < 0.\n");
            s += &format!("Proof. apply (inner_gradV_grad_neg_of_Q _ _ {mirror}); vm_compute; reflexivity. Qed.\n");
            "witness_inner_neg"
        }
    };
    s += &format!("\nPrint Assumptions {last}.\n");
    Ok(s)
}

/// `reluproof export-coq WITNESS [--out FILE] [--force]`: writes the Coq
/// file to FILE (a `.v` file named by a Coq identifier; an existing file is
/// replaced only with `force`) or prints it. Exit code 0, or an error (2).
pub fn export_command(witness: &Path, out: Option<&Path>, force: bool) -> Result<i32, String> {
    let w = Witness::read(witness).map_err(|e| e.to_string())?;
    let text = export(&w, &witness.display().to_string())?;
    let Some(out) = out else {
        print!("{text}");
        return Ok(0);
    };
    let shown = out.display();
    if out.extension().and_then(|e| e.to_str()) != Some("v") {
        return Err(format!("{shown}: the output must be a .v file"));
    }
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !is_coq_ident(stem) {
        return Err(format!(
            "{shown}: `{stem}` is not a Coq identifier ([A-Za-z_][A-Za-z0-9_]*, no '-', no leading digit), so coqc cannot compile the file"
        ));
    }
    if out.exists() && !force {
        return Err(format!("{shown} exists; use --force to replace it"));
    }
    std::fs::write(out, text).map_err(|e| format!("{shown}: cannot write: {e}"))?;
    eprintln!("wrote {shown}; compile with: coqc -Q proofs/coq ReluProof {shown}");
    Ok(0)
}
