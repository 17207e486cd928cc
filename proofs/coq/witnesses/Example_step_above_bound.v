(* Witness (hand-made example of the template in ../README.md).
   Claim: E6 step_above_bound.  H = 1, d = 1, constant target ξ = 1/2,
   μ = 1/2 δ_{3/4} + 1/2 δ_{-1/3}, θ = (w = 2, b = -1/4, v = 3/2, c = 0),
   γ = 1 > γ* = 8/133: one GD step increases V (117/16 -> 40477/4096) and L. *)
From Coq Require Import Reals QArith Qreals List.
From ReluProof Require Import Model Compute Witness.
Import ListNotations.

Local Open Scope Q_scope.

Definition xi : Q := (1 # 2).
Definition mu : measure_Q := [((1 # 2), [(3 # 4)]); ((1 # 2), [(-1 # 3)])].
Definition th : params_Q := mkParams_Q [mkNeuron_Q [(2 # 1)] (-1 # 4) (3 # 2)] (0 # 1).
Definition gamma : Q := (1 # 1).

Local Open Scope R_scope.

Theorem witness_gamma_gt_gamma_star :
  Q2R gamma > gamma_star (measR mu) (Q2R xi) (paramsR th).
Proof. apply gamma_gt_gamma_star_of_Q; vm_compute; reflexivity. Qed.

Theorem witness_V_step_gt :
  V (Q2R xi) (gd_step relu_act (fun _ => Q2R xi) (measR mu) (Q2R gamma) (paramsR th))
  > V (Q2R xi) (paramsR th).
Proof. apply (V_step_gt_of_Q _ _ (const_Q_mirrors xi)); vm_compute; reflexivity. Qed.

Theorem witness_L_step_gt :
  risk relu_act (fun _ => Q2R xi) (measR mu)
    (gd_step relu_act (fun _ => Q2R xi) (measR mu) (Q2R gamma) (paramsR th))
  > risk relu_act (fun _ => Q2R xi) (measR mu) (paramsR th).
Proof. apply (risk_step_gt_of_Q _ _ (const_Q_mirrors xi)); vm_compute; reflexivity. Qed.

Print Assumptions witness_V_step_gt.
