(** * E4: the Lyapunov identity for positively 1-homogeneous activations
      with two linear pieces (leaky ReLU with any slopes, |z|, ReLU). *)

From Coq Require Import Reals Lra Lia List.
From ReluProof Require Import Model Facts Lyapunov Bound Descent.
Import ListNotations.
Local Open Scope R_scope.

(** σ(z) = α z for z > 0 and β z for z ≤ 0; σ'(z) = α for z > 0, β for z < 0
    and σ'(0) = δ, an arbitrary value (δ = β is the open convention,
    δ = α the closed one).  ReLU is (α, β) = (1, 0), |z| is (1, −1), the
    leaky ReLU with slope a is (1, a). *)
Definition two_slope (alpha beta : R) (z : R) : R :=
  if Rlt_dec 0 z then alpha * z else beta * z.
Definition two_slope_deriv (alpha beta delta : R) (z : R) : R :=
  if Rlt_dec 0 z then alpha else if Rlt_dec z 0 then beta else delta.
Definition two_slope_act (alpha beta delta : R) : activation :=
  mkActivation (two_slope alpha beta) (two_slope_deriv alpha beta delta).

(** z σ'(z) = σ(z) for every z, including z = 0 (where both sides are 0) *)
Lemma two_slope_homogeneous : forall alpha beta delta z,
  z * dact (two_slope_act alpha beta delta) z = act (two_slope_act alpha beta delta) z.
Proof.
  intros; simpl; unfold two_slope, two_slope_deriv.
  destruct (Rlt_dec 0 z); [ring|].
  destruct (Rlt_dec z 0); [ring|].
  replace z with 0 by lra; ring.
Qed.

(* E4, per sample (C4 for these activations) *)
Theorem lyapunov_identity_per_sample_of_homogeneous_activation :
  forall (alpha beta delta xi : R) (th : params) (x : list R),
  let s := two_slope_act alpha beta delta in
  inner (gradV xi th) (sgrad s (fun _ => xi) th x) = 8 * err s (fun _ => xi) th x ^ 2.
Proof.
  intros; apply lyapunov_per_sample_const_of_homogeneous, two_slope_homogeneous.
Qed.

(* E4 (C3 for these activations) *)
Theorem lyapunov_identity_of_homogeneous_activation :
  forall (alpha beta delta xi : R) (mu : measure) (th : params),
  let s := two_slope_act alpha beta delta in
  inner (gradV xi th) (grad s (fun _ => xi) mu th) = 8 * risk s (fun _ => xi) mu th.
Proof.
  intros; apply lyapunov_const_of_homogeneous, two_slope_homogeneous.
Qed.

(** ReLU is the instance (1, 0, 0): same σ and same σ' pointwise. *)
Lemma relu_is_two_slope : forall z,
  act relu_act z = act (two_slope_act 1 0 0) z
  /\ dact relu_act z = dact (two_slope_act 1 0 0) z.
Proof.
  intros z; simpl; unfold relu, Rmax, relu_deriv, two_slope, two_slope_deriv.
  destruct (Rlt_dec 0 z); destruct (Rle_dec z 0); try (exfalso; lra);
    (split; [ring | try reflexivity]).
  destruct (Rlt_dec z 0); reflexivity.
Qed.

(** ** E7: ReLU with the closed convention σ'(0) = 1 is (1, 0, 1); C3/C4 hold
       for it by the theorems above. *)

(** ** E4 (broadened): C13, C8 and C9 with the same constants when the
       slopes satisfy α², β², δ² ≤ 1 (|σ'| ≤ 1, |σ(z)| ≤ |z|). *)

Lemma two_slope_deriv_sq_le : forall alpha beta delta,
  alpha ^ 2 <= 1 -> beta ^ 2 <= 1 -> delta ^ 2 <= 1 ->
  forall z, dact (two_slope_act alpha beta delta) z ^ 2 <= 1.
Proof.
  intros; simpl; unfold two_slope_deriv.
  destruct (Rlt_dec 0 z); [|destruct (Rlt_dec z 0)]; assumption.
Qed.

Lemma two_slope_sq_le : forall alpha beta delta,
  alpha ^ 2 <= 1 -> beta ^ 2 <= 1 ->
  forall z, act (two_slope_act alpha beta delta) z ^ 2 <= z ^ 2.
Proof.
  intros alpha beta delta Ha Hb z; simpl; unfold two_slope; pose proof (pow2_ge_0 z).
  destruct (Rlt_dec 0 z).
  - replace ((alpha * z) ^ 2) with (alpha ^ 2 * z ^ 2) by ring; nra.
  - replace ((beta * z) ^ 2) with (beta ^ 2 * z ^ 2) by ring; nra.
Qed.

(* E4 broadened: C13 *)
Theorem gradient_bound_sharp_of_homogeneous_activation :
  forall (alpha beta delta : R) (f : list R -> R) (mu : measure) (th : params),
  alpha ^ 2 <= 1 -> beta ^ 2 <= 1 -> delta ^ 2 <= 1 -> nonneg_weights mu ->
  let s := two_slope_act alpha beta delta in
  let G := grad s f mu th in
  normsq G + cout G ^ 2 <= K_sharp mu * (1 + normsq th) * risk s f mu th.
Proof.
  intros alpha beta delta f mu th Ha Hb Hd Hmu s G.
  apply gradient_bound_sharp_of_activation_bounds;
    [apply two_slope_deriv_sq_le | apply two_slope_sq_le | ]; assumption.
Qed.

(* E4 broadened: C8 *)
Theorem gradient_bound_of_homogeneous_activation :
  forall (alpha beta delta : R) (f : list R -> R) (mu : measure) (th : params),
  alpha ^ 2 <= 1 -> beta ^ 2 <= 1 -> delta ^ 2 <= 1 -> nonneg_weights mu ->
  let s := two_slope_act alpha beta delta in
  let G := grad s f mu th in
  normsq G + cout G ^ 2
  <= 8 * mass mu * Rmax 1 (rho_sq mu) * (1 + normsq th) * risk s f mu th.
Proof.
  intros alpha beta delta f mu th Ha Hb Hd Hmu s G.
  apply (gradient_bound_of_activation_bounds s); try assumption.
  - apply two_slope_deriv_sq_le; assumption.
  - apply two_slope_sq_le; assumption.
  - apply rho_sq_spec.
Qed.

(* E4 broadened: C9 (a)-(e) *)
Theorem gd_converges_of_homogeneous_activation :
  forall (alpha beta delta xi : R) (mu : measure) (gamma : R) (th0 : params),
  alpha ^ 2 <= 1 -> beta ^ 2 <= 1 -> delta ^ 2 <= 1 ->
  nonneg_weights mu -> 0 < mass mu -> 0 < gamma -> gamma <= gamma_star mu xi th0 ->
  let s := two_slope_act alpha beta delta in
  let Th := gd s (fun _ => xi) mu gamma th0 in
  let L := fun n => risk s (fun _ => xi) mu (Th n) in
  (forall n, V xi (Th (S n)) <= V xi (Th n) - 4 * gamma * L n)
  /\ (forall n, normsq (Th n) <= V xi th0)
  /\ (forall n, psum L n <= V xi th0 / (4 * gamma))
  /\ (forall n, (1 <= n)%nat ->
        exists k, (k < n)%nat /\ (forall j, (j < n)%nat -> L k <= L j)
                  /\ L k <= V xi th0 / (4 * gamma * INR n))
  /\ (forall eps N, 0 < eps -> INR (count_gt L eps N) <= V xi th0 / (4 * gamma * eps))
  /\ Un_cv L 0.
Proof.
  intros alpha beta delta xi mu gamma th0 Ha Hb Hd Hmu Hm Hg Hle s Th L.
  pose proof (rho_sq_spec mu) as Hrho.
  pose proof (two_slope_homogeneous alpha beta delta) as H1.
  pose proof (two_slope_deriv_sq_le alpha beta delta Ha Hb Hd) as H2.
  pose proof (two_slope_sq_le alpha beta delta Ha Hb) as H3.
  repeat split.
  - apply (gd_lyapunov_descent_of_le_gamma_star s H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_norm_sq_le_of_le_gamma_star s H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_sum_risk_le_of_le_gamma_star s H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_min_risk_le_of_le_gamma_star s H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_count_risk_gt_le_of_le_gamma_star s H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_risk_tendsto_zero_of_le_gamma_star s H1 H2 H3 xi mu (rho_sq mu)); auto.
Qed.

(** ** E5: p-homogeneous activations, σ = ReLU^p

    V_p(θ) = Σ_j (‖w_j‖² + b_j²) + p Σ_j v_j² + 2p (c − ξ)², whose gradient is
    (2 w_j, 2 b_j, 2p v_j; 4p (c − ξ)). *)

Definition Vp (p xi : R) (th : params) : R :=
  sum_over (neurons th) (fun n => norm2 (nw n) + nb n ^ 2 + p * nv n ^ 2)
  + 2 * p * (cout th - xi) ^ 2.

Definition gradVp (p xi : R) (th : params) : params :=
  mkParams (map (fun n => mkNeuron (vscale 2 (nw n)) (2 * nb n) (2 * p * nv n)) (neurons th))
    (4 * p * (cout th - xi)).

Section PHomogeneous.

Variable s : activation.
Variable p : R.
(** z σ'(z) = p σ(z) for every z *)
Hypothesis p_homogeneous : forall z, z * dact s z = p * act s z.

Lemma ninner_gradVp_sgrad : forall f th x n,
  ninner (mkNeuron (vscale 2 (nw n)) (2 * nb n) (2 * p * nv n)) (sgrad_neuron s f th x n)
  = 8 * p * err s f th x * (nv n * act s (preact n x)).
Proof.
  intros; unfold ninner, sgrad_neuron; simpl.
  rewrite dot_vscale_l, dot_vscale_r.
  replace (2 * ((2 * nv n * dact s (preact n x) * err s f th x) * dot (nw n) x)
           + 2 * nb n * (2 * nv n * dact s (preact n x) * err s f th x))
    with (4 * nv n * err s f th x * (preact n x * dact s (preact n x)))
    by (unfold preact; ring).
  rewrite p_homogeneous; ring.
Qed.

Lemma lyapunov_per_sample_net_of_p_homogeneous : forall xi th x,
  inner (gradVp p xi th) (sgrad s (fun _ => xi) th x)
  = 8 * p * err s (fun _ => xi) th x * (net s th x - xi).
Proof.
  intros; unfold inner, gradVp, sgrad; simpl.
  rewrite inner_ns_map, (sum_over_ext _ _ _ (ninner_gradVp_sgrad (fun _ => xi) th x)).
  rewrite sum_over_scale; unfold net; ring.
Qed.

Theorem lyapunov_per_sample_of_p_homogeneous : forall xi th x,
  inner (gradVp p xi th) (sgrad s (fun _ => xi) th x) = 8 * p * err s (fun _ => xi) th x ^ 2.
Proof. intros; rewrite lyapunov_per_sample_net_of_p_homogeneous; unfold err; ring. Qed.

Theorem lyapunov_of_p_homogeneous : forall xi mu th,
  inner (gradVp p xi th) (grad s (fun _ => xi) mu th) = 8 * p * risk s (fun _ => xi) mu th.
Proof.
  intros; rewrite inner_grad_eq_integ_inner_sgrad; unfold risk.
  rewrite (integ_ext mu _ (fun x => (8 * p) * err s (fun _ => xi) th x ^ 2)).
  - rewrite integ_scale; ring.
  - intros x; rewrite lyapunov_per_sample_of_p_homogeneous; ring.
Qed.

End PHomogeneous.

(** ReLU^p for p ≥ 1, with σ'(z) = p z^{p−1} for z > 0 and 0 otherwise *)
Definition relu_pow (k : nat) : activation :=
  mkActivation (fun z => relu z ^ k) (fun z => if Rlt_dec 0 z then INR k * z ^ (k - 1) else 0).

Lemma relu_pow_homogeneous : forall k, (1 <= k)%nat ->
  forall z, z * dact (relu_pow k) z = INR k * act (relu_pow k) z.
Proof.
  intros k Hk z; simpl; unfold relu, Rmax.
  destruct k as [|k]; [lia|]. replace (S k - 1)%nat with k by lia.
  destruct (Rlt_dec 0 z); destruct (Rle_dec z 0); try lra.
  - simpl; ring.
  - rewrite pow_i by lia; ring.
Qed.

(* E5 (per sample and integrated), σ = ReLU^p, p ≥ 1 *)
Theorem lyapunov_identity_per_sample_of_p_homogeneous_activation :
  forall (k : nat) (xi : R) (th : params) (x : list R), (1 <= k)%nat ->
  inner (gradVp (INR k) xi th) (sgrad (relu_pow k) (fun _ => xi) th x)
  = 8 * INR k * err (relu_pow k) (fun _ => xi) th x ^ 2.
Proof.
  intros; apply lyapunov_per_sample_of_p_homogeneous, relu_pow_homogeneous; assumption.
Qed.

Theorem lyapunov_identity_of_p_homogeneous_activation :
  forall (k : nat) (xi : R) (mu : measure) (th : params), (1 <= k)%nat ->
  inner (gradVp (INR k) xi th) (grad (relu_pow k) (fun _ => xi) mu th)
  = 8 * INR k * risk (relu_pow k) (fun _ => xi) mu th.
Proof.
  intros; apply lyapunov_of_p_homogeneous, relu_pow_homogeneous; assumption.
Qed.
