(** * Witness: the claim lemmas used by generated witness files.

    Each lemma concludes a statement about the R definitions of [Model],
    evaluated at the reals [Q2R q] of rational data, from premises about the
    Q mirror of [Compute] that [vm_compute] decides. *)

From Coq Require Import Reals Lra List QArith Qreals.
From ReluProof Require Import Model Facts Lyapunov Compute.
Import ListNotations.
Local Open Scope R_scope.

Section Claims.

Variables (fQ : list Q -> Q) (f : list R -> R).
Hypothesis Hf : mirrors fQ f.

(** "G(θ) = 0 and L(θ) > 0" *)
Lemma critical_point_of_positive_risk_of_Q : forall mu th,
  zero_check_Q (G_Q fQ mu th) = true -> (0 < L_Q fQ mu th)%Q ->
  params_zero (grad relu_act f (measR mu) (paramsR th))
  /\ risk relu_act f (measR mu) (paramsR th) > 0.
Proof.
  intros mu th Hz Hl; split.
  - rewrite <- (G_Q_correct fQ f Hf); apply zero_check_Q_correct; exact Hz.
  - rewrite <- (L_Q_correct fQ f Hf), <- Q2R_0; apply Qlt_Rlt; exact Hl.
Qed.

(** "L(θ − γG(θ)) > L(θ)" *)
Lemma risk_step_gt_of_Q : forall mu gamma th,
  (L_Q fQ mu th < L_Q fQ mu (step_Q fQ mu gamma th))%Q ->
  risk relu_act f (measR mu) (gd_step relu_act f (measR mu) (Q2R gamma) (paramsR th))
  > risk relu_act f (measR mu) (paramsR th).
Proof.
  intros mu gamma th H.
  rewrite <- (step_Q_correct fQ f Hf), <- !(L_Q_correct fQ f Hf); apply Qlt_Rlt; exact H.
Qed.

(** "L(Θ_n) > L(Θ_0)" after n GD steps *)
Lemma risk_gd_gt_of_Q : forall mu gamma th0 n,
  (L_Q fQ mu th0 < L_Q fQ mu (gd_Q fQ mu gamma th0 n))%Q ->
  risk relu_act f (measR mu) (gd relu_act f (measR mu) (Q2R gamma) (paramsR th0) n)
  > risk relu_act f (measR mu) (paramsR th0).
Proof.
  intros mu gamma th0 n H.
  rewrite <- (gd_Q_correct fQ f Hf), <- !(L_Q_correct fQ f Hf); apply Qlt_Rlt; exact H.
Qed.

(** "V(θ − γG(θ)) > V(θ)" (any target; V has the parameter ξ) *)
Lemma V_step_gt_of_Q : forall xi mu gamma th,
  (V_Q xi th < V_Q xi (step_Q fQ mu gamma th))%Q ->
  V (Q2R xi) (gd_step relu_act f (measR mu) (Q2R gamma) (paramsR th)) > V (Q2R xi) (paramsR th).
Proof.
  intros xi mu gamma th H.
  rewrite <- (step_Q_correct fQ f Hf), <- !V_Q_correct; apply Qlt_Rlt; exact H.
Qed.

(** "V(Θ_n) > V(Θ_0)" after n GD steps *)
Lemma V_gd_gt_of_Q : forall xi mu gamma th0 n,
  (V_Q xi th0 < V_Q xi (gd_Q fQ mu gamma th0 n))%Q ->
  V (Q2R xi) (gd relu_act f (measR mu) (Q2R gamma) (paramsR th0) n) > V (Q2R xi) (paramsR th0).
Proof.
  intros xi mu gamma th0 n H.
  rewrite <- (gd_Q_correct fQ f Hf), <- !V_Q_correct; apply Qlt_Rlt; exact H.
Qed.

(** "⟨∇V(θ), G(θ)⟩ < 0" (V increases along the flow; nonconstant targets, E1) *)
Lemma inner_gradV_grad_neg_of_Q : forall xi mu th,
  (inner_Q (gradV_Q xi th) (G_Q fQ mu th) < 0)%Q ->
  inner (gradV (Q2R xi) (paramsR th)) (grad relu_act f (measR mu) (paramsR th)) < 0.
Proof.
  intros xi mu th H.
  rewrite <- gradV_Q_correct, <- (G_Q_correct fQ f Hf), <- inner_Q_correct, <- Q2R_0.
  apply Qlt_Rlt; exact H.
Qed.

End Claims.

(** "γ > γ*" with γ* = 1 / (2 m max{1, ρ²} (1 + V(θ))) *)
Lemma gamma_gt_gamma_star_of_Q : forall mu xi th gamma,
  (0 < mass_Q mu)%Q -> (gamma_star_Q mu xi th < gamma)%Q ->
  Q2R gamma > gamma_star (measR mu) (Q2R xi) (paramsR th).
Proof.
  intros mu xi th gamma Hm H.
  apply Qlt_Rlt in Hm; rewrite Q2R_0, mass_Q_correct in Hm.
  rewrite <- gamma_star_Q_correct by lra; apply Qlt_Rlt; exact H.
Qed.

(** "γ > 2γ′*" with γ′* = 4 / (K′ (1 + V(θ))) *)
Lemma gamma_gt_two_gamma_star_sharp_of_Q : forall mu xi th gamma,
  (0 < mass_Q mu)%Q -> (qmul 2 (gamma_star_sharp_Q mu xi th) < gamma)%Q ->
  Q2R gamma > 2 * gamma_star_sharp (measR mu) (Q2R xi) (paramsR th).
Proof.
  intros mu xi th gamma Hm H.
  apply Qlt_Rlt in Hm; rewrite Q2R_0, mass_Q_correct in Hm.
  assert (K_sharp (measR mu) <> 0).
  { unfold K_sharp; pose proof (Rmax_l (8 * mass (measR mu)) (4 * moment2 (measR mu))); lra. }
  rewrite <- Q2R_2, <- gamma_star_sharp_Q_correct by assumption.
  rewrite <- qmul_R; apply Qlt_Rlt; exact H.
Qed.
