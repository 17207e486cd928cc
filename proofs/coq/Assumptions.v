(** * Assumptions: [Print Assumptions] for every main theorem.

    The theorems are grouped by harness id into tuples ([Print Assumptions]
    of a tuple lists the union of the assumptions of its components; one
    traversal per group keeps the build fast).  Expected output: only axioms
    of Coq's standard real-number library (ClassicalDedekindReals.sig_forall_dec,
    ClassicalDedekindReals.sig_not_dec, and
    FunctionalExtensionality.functional_extensionality_dep, which the Reals
    library itself uses).  Nothing is assumed by this development itself. *)

From ReluProof Require Import Model Facts Lyapunov Bound Descent Critical Stochastic Homogeneous
  Compute Witness.

Definition C4_theorems := (@lyapunov_identity_per_sample).
Definition C3_theorems :=
  (@lyapunov_identity, @inner_grad_eq_integ_inner_sgrad, @lyapunov_defect).
Definition C5_theorems :=
  (@balance_invariant_orthogonal, @balance_step_change, @neurons_gd_step).
Definition C7_theorems := (@gd_step_expansion, @V_pstep_expansion).
Definition C13_theorems :=
  (@gradient_bound_sharp, @gradient_bound_sharp_of_activation_bounds).
Definition C8_theorems :=
  (@gradient_bound_of_norm_sq_le, @gradient_bound, @gradient_bound_of_activation_bounds).
Definition C9_theorems :=
  (@gd_lyapunov_descent_of_le_gamma_star, @gd_norm_sq_le_of_le_gamma_star,
   @gd_sum_risk_le_of_le_gamma_star, @gd_min_risk_le_of_le_gamma_star,
   @gd_count_risk_gt_le_of_le_gamma_star, @gd_risk_tendsto_zero_of_le_gamma_star,
   @gd_converges).
Definition C14_theorems :=
  (@gd_lyapunov_descent_of_lt_two_gamma_star_sharp, @gd_norm_sq_le_of_lt_two_gamma_star_sharp,
   @gd_sum_risk_le_of_lt_two_gamma_star_sharp, @gd_min_risk_le_of_lt_two_gamma_star_sharp,
   @gd_count_risk_gt_le_of_lt_two_gamma_star_sharp,
   @gd_risk_tendsto_zero_of_lt_two_gamma_star_sharp, @gd_converges_below_twice_sharp_step).
Definition C6_theorems :=
  (@risk_eq_zero_of_grad_eq_zero, @risk_le_norm_gradV_mul_norm_grad).
Definition C15_theorems :=
  (@per_sample_gradient_bound, @sgd_expected_step_expansion, @sgd_expected_descent).
Definition C11_theorems := (@sgd_pathwise_descent).
Definition E4_theorems :=
  (@lyapunov_identity_per_sample_of_homogeneous_activation,
   @lyapunov_identity_of_homogeneous_activation,
   @gradient_bound_sharp_of_homogeneous_activation,
   @gradient_bound_of_homogeneous_activation,
   @gd_converges_of_homogeneous_activation).
Definition E5_theorems :=
  (@lyapunov_identity_per_sample_of_p_homogeneous_activation,
   @lyapunov_identity_of_p_homogeneous_activation).
Definition Compute_theorems :=
  (@L_Q_correct, @G_Q_correct, @V_Q_correct, @step_Q_correct, @pstep_Q_correct, @gd_Q_correct,
   @gradV_Q_correct, @inner_Q_correct, @gamma_star_Q_correct, @gamma_star_sharp_Q_correct,
   @zero_check_Q_correct).
Definition Witness_theorems :=
  (@critical_point_of_positive_risk_of_Q, @risk_step_gt_of_Q, @risk_gd_gt_of_Q,
   @V_step_gt_of_Q, @V_gd_gt_of_Q, @inner_gradV_grad_neg_of_Q,
   @gamma_gt_gamma_star_of_Q, @gamma_gt_two_gamma_star_sharp_of_Q).

Goal True. idtac "== C4 ==". Abort.
Print Assumptions C4_theorems.
Goal True. idtac "== C3 ==". Abort.
Print Assumptions C3_theorems.
Goal True. idtac "== C5 ==". Abort.
Print Assumptions C5_theorems.
Goal True. idtac "== C7 ==". Abort.
Print Assumptions C7_theorems.
Goal True. idtac "== C13 ==". Abort.
Print Assumptions C13_theorems.
Goal True. idtac "== C8 ==". Abort.
Print Assumptions C8_theorems.
Goal True. idtac "== C9 ==". Abort.
Print Assumptions C9_theorems.
Goal True. idtac "== C14 ==". Abort.
Print Assumptions C14_theorems.
Goal True. idtac "== C6 ==". Abort.
Print Assumptions C6_theorems.
Goal True. idtac "== C15 ==". Abort.
Print Assumptions C15_theorems.
Goal True. idtac "== C11 ==". Abort.
Print Assumptions C11_theorems.
Goal True. idtac "== E4 ==". Abort.
Print Assumptions E4_theorems.
Goal True. idtac "== E5 ==". Abort.
Print Assumptions E5_theorems.
Goal True. idtac "== Compute ==". Abort.
Print Assumptions Compute_theorems.
Goal True. idtac "== Witness ==". Abort.
Print Assumptions Witness_theorems.
