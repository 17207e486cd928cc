(** * Per-sample steps: C15 (expected descent of one SGD step) and the
      pathwise part of C11 (every sample path of SGD with small steps).
      ReLU with σ'(0) = 0, constant target ξ. *)

From Coq Require Import Reals Lra Lia List.
From ReluProof Require Import Model Facts Lyapunov Bound Descent.
Import ListNotations.
Local Open Scope R_scope.

Lemma vadd_nil_r : forall a, vadd a [] = a.
Proof. destruct a; reflexivity. Qed.

Lemma vscale_vscale : forall k m a, vscale k (vscale m a) = vscale (k * m) a.
Proof. intros; unfold vscale; rewrite map_map; apply map_ext; intros; ring. Qed.

Lemma integ_const : forall mu c, integ mu (fun _ => c) = c * mass mu.
Proof. induction mu as [|[p x] mu IH]; intros; unfold mass in *; simpl; [ring|]. rewrite IH; ring. Qed.

(** 𝔊(θ, x) is G(θ) for the measure δ_x *)
Lemma sgrad_eq_grad_dirac : forall s f th x, sgrad s f th x = grad s f [(1, x)] th.
Proof.
  intros; unfold sgrad, grad; simpl; f_equal.
  - apply map_ext; intros n; unfold sgrad_neuron, grad_neuron; simpl.
    rewrite vadd_nil_r, !vscale_vscale; f_equal; try ring.
    f_equal; ring.
  - ring.
Qed.

Lemma nonneg_weights_dirac : forall x, nonneg_weights [(1, x)].
Proof. intros x p y [E|[]]; inversion E; lra. Qed.

(** K_s = 4 max{2, 1 + ρ²} *)
Definition K_sample (rho2 : R) : R := 4 * Rmax 2 (1 + rho2).

Lemma K_sample_le : forall rho2, K_sample rho2 <= 8 * Rmax 1 rho2.
Proof.
  intros; unfold K_sample.
  pose proof (Rmax_l 1 rho2); pose proof (Rmax_r 1 rho2).
  apply Rmult_le_reg_l with (/ 4); [lra|].
  replace (/ 4 * (4 * Rmax 2 (1 + rho2))) with (Rmax 2 (1 + rho2)) by field.
  apply Rmax_lub; lra.
Qed.

(* C15, per-sample bound: ‖𝔊(θ,x)‖² + 𝔊_c(θ,x)² ≤ K_s (1 + ‖θ‖²) e(x)² when ‖x‖² ≤ ρ² *)
Theorem per_sample_gradient_bound : forall (f : list R -> R) (th : params) (x : list R)
  (rho2 : R),
  norm2 x <= rho2 ->
  let G := sgrad relu_act f th x in
  normsq G + cout G ^ 2 <= K_sample rho2 * (1 + normsq th) * err relu_act f th x ^ 2.
Proof.
  intros f th x rho2 Hx G; unfold G; rewrite sgrad_eq_grad_dirac.
  eapply Rle_trans; [apply gradient_bound_sharp, nonneg_weights_dirac|].
  unfold K_sharp, K_sample, mass, moment2, risk; cbn [integ].
  assert (Rmax (8 * (1 * 1 + 0)) (4 * (1 * (1 + norm2 x) + 0)) <= 4 * Rmax 2 (1 + rho2)).
  { pose proof (Rmax_l 2 (1 + rho2)); pose proof (Rmax_r 2 (1 + rho2)).
    apply Rmax_lub; lra. }
  pose proof (normsq_nonneg th); pose proof (pow2_ge_0 (err relu_act f th x)).
  replace (1 * err relu_act f th x ^ 2 + 0) with (err relu_act f th x ^ 2) by ring.
  apply Rmult_le_compat_r; [lra|]. apply Rmult_le_compat_r; [lra|]. exact H.
Qed.

(** one SGD step from θ with the sample x *)
Lemma V_sgd_step_expansion : forall xi gamma th x,
  let G := sgrad relu_act (fun _ => xi) th x in
  V xi (pstep gamma th G)
  = V xi th - 8 * gamma * err relu_act (fun _ => xi) th x ^ 2
    + gamma ^ 2 * (normsq G + cout G ^ 2).
Proof.
  intros; unfold G; rewrite V_pstep_expansion by (simpl; symmetry; apply map_length).
  rewrite lyapunov_identity_per_sample; ring.
Qed.

(* C15, exact expansion: with E = (1/m) ∫ · dμ (X ~ μ/m),
   E[V(θ − γ𝔊(θ, X))] = V(θ) − 8γ L(θ)/m + γ² E[‖𝔊(θ, X)‖² + 𝔊_c(θ, X)²] *)
Theorem sgd_expected_step_expansion : forall (xi : R) (mu : measure) (gamma : R) (th : params),
  mass mu <> 0 ->
  integ mu (fun x => V xi (pstep gamma th (sgrad relu_act (fun _ => xi) th x))) / mass mu
  = V xi th - 8 * gamma * risk relu_act (fun _ => xi) mu th / mass mu
    + gamma ^ 2 * (integ mu (fun x => normsq (sgrad relu_act (fun _ => xi) th x)
                                      + cout (sgrad relu_act (fun _ => xi) th x) ^ 2)
                   / mass mu).
Proof.
  intros xi mu gamma th Hm.
  set (B := fun x => normsq (sgrad relu_act (fun _ => xi) th x)
                     + cout (sgrad relu_act (fun _ => xi) th x) ^ 2).
  rewrite (integ_ext mu _ (fun x => V xi th
             + (- (8 * gamma)) * err relu_act (fun _ => xi) th x ^ 2
             + gamma ^ 2 * B x)).
  - rewrite !integ_plus, !integ_scale, integ_const; unfold risk; field; exact Hm.
  - intros x; rewrite V_sgd_step_expansion; unfold B; ring.
Qed.

(* C15, supermartingale step: for 0 < γ ≤ 4 / (K_s (1 + ‖θ‖²)),
   E[V(θ − γ𝔊(θ, X))] ≤ V(θ) − 4γ L(θ)/m *)
Theorem sgd_expected_descent : forall (xi : R) (mu : measure) (rho2 gamma : R) (th : params),
  nonneg_weights mu -> 0 < mass mu ->
  (forall p x, In (p, x) mu -> norm2 x <= rho2) ->
  0 <= gamma -> gamma <= 4 / (K_sample rho2 * (1 + normsq th)) ->
  integ mu (fun x => V xi (pstep gamma th (sgrad relu_act (fun _ => xi) th x))) / mass mu
  <= V xi th - 4 * gamma * risk relu_act (fun _ => xi) mu th / mass mu.
Proof.
  intros xi mu rho2 gamma th Hmu Hm Hrho Hg Hle.
  assert (HK : 0 < K_sample rho2 * (1 + normsq th)).
  { unfold K_sample; pose proof (Rmax_l 2 (1 + rho2)); pose proof (normsq_nonneg th).
    apply Rmult_lt_0_compat; lra. }
  assert (HgK : gamma * (K_sample rho2 * (1 + normsq th)) <= 4).
  { set (D := K_sample rho2 * (1 + normsq th)) in *.
    assert (HgD : gamma * D <= 4 / D * D) by (apply Rmult_le_compat_r; lra).
    replace (4 / D * D) with 4 in HgD by (field; lra).
    exact HgD. }
  assert (Hpt : integ mu (fun x => V xi (pstep gamma th (sgrad relu_act (fun _ => xi) th x)))
                <= integ mu (fun x => V xi th + (- (4 * gamma)) * err relu_act (fun _ => xi) th x ^ 2)).
  { apply integ_mono_on; auto.
    intros p x Hin.
    rewrite V_sgd_step_expansion.
    pose proof (per_sample_gradient_bound (fun _ => xi) th x rho2 (Hrho p x Hin)) as HB.
    cbv beta zeta in HB |- *.
    set (e2 := err relu_act (fun _ => xi) th x ^ 2) in *.
    set (B := normsq (sgrad relu_act (fun _ => xi) th x)
              + cout (sgrad relu_act (fun _ => xi) th x) ^ 2) in *.
    assert (0 <= e2) by apply pow2_ge_0.
    assert (gamma ^ 2 * B <= gamma ^ 2 * (K_sample rho2 * (1 + normsq th) * e2))
      by (apply Rmult_le_compat_l; [apply pow2_ge_0 | exact HB]).
    assert (gamma * (gamma * (K_sample rho2 * (1 + normsq th))) * e2 <= gamma * 4 * e2).
    { apply Rmult_le_compat_r; [lra|]. apply Rmult_le_compat_l; lra. }
    nra. }
  rewrite integ_plus, integ_scale, integ_const in Hpt.
  unfold risk.
  apply (Rmult_le_reg_r (mass mu)); [exact Hm|].
  replace (integ mu (fun x => V xi (pstep gamma th (sgrad relu_act (fun _ => xi) th x)))
           / mass mu * mass mu)
    with (integ mu (fun x => V xi (pstep gamma th (sgrad relu_act (fun _ => xi) th x))))
    by (field; lra).
  replace ((V xi th - 4 * gamma * integ mu (fun x => err relu_act (fun _ => xi) th x ^ 2)
            / mass mu) * mass mu)
    with (V xi th * mass mu + - (4 * gamma) * integ mu (fun x => err relu_act (fun _ => xi) th x ^ 2))
    by (field; lra).
  exact Hpt.
Qed.

(** ** C11, pathwise part: SGD Θ_{n+1} = Θ_n − γ_n 𝔊(Θ_n, X_{n+1}) for ANY
       sequence of samples X_n with ‖X_n‖² ≤ ρ² (so every sample path of
       i.i.d. samples from μ, whose atoms satisfy the bound). *)

Fixpoint sgd (xi : R) (gammas : nat -> R) (X : nat -> list R) (th0 : params) (n : nat)
  : params :=
  match n with
  | O => th0
  | S k => pstep (gammas k) (sgd xi gammas X th0 k)
             (sgrad relu_act (fun _ => xi) (sgd xi gammas X th0 k) (X (S k)))
  end.

(* C11 (pathwise): with 0 ≤ γ_n ≤ [2 max{1, ρ²} (1 + V(Θ_0))]⁻¹,
   V(Θ_{n+1}) ≤ V(Θ_n) − 4γ_n e_{Θ_n}(X_{n+1})² and ‖Θ_n‖² ≤ V(Θ_0) for all n *)
Theorem sgd_pathwise_descent : forall (xi : R) (gammas : nat -> R) (X : nat -> list R)
  (th0 : params) (rho2 : R),
  (forall n, norm2 (X n) <= rho2) ->
  (forall n, 0 <= gammas n /\ gammas n <= / (2 * Rmax 1 rho2 * (1 + V xi th0))) ->
  forall n,
  let Th := sgd xi gammas X th0 in
  V xi (Th (S n))
  <= V xi (Th n) - 4 * gammas n * err relu_act (fun _ => xi) (Th n) (X (S n)) ^ 2
  /\ normsq (Th n) <= V xi th0.
Proof.
  intros xi gammas X th0 rho2 HX Hg.
  set (V0 := V xi th0).
  assert (HV0 : 0 <= V0) by apply V_nonneg.
  assert (HR : 1 <= Rmax 1 rho2) by apply Rmax_l.
  assert (Hstep : forall n, V xi (sgd xi gammas X th0 n) <= V0 ->
    V xi (sgd xi gammas X th0 (S n))
    <= V xi (sgd xi gammas X th0 n)
       - 4 * gammas n * err relu_act (fun _ => xi) (sgd xi gammas X th0 n) (X (S n)) ^ 2).
  { intros n Hn; cbn [sgd].
    set (th := sgd xi gammas X th0 n) in *.
    set (g := gammas n).
    destruct (Hg n) as [Hg0 Hg1]; fold g in Hg0, Hg1.
    rewrite V_sgd_step_expansion.
    pose proof (per_sample_gradient_bound (fun _ => xi) th (X (S n)) rho2 (HX (S n))) as HB.
    cbv beta zeta in HB |- *.
    set (e2 := err relu_act (fun _ => xi) th (X (S n)) ^ 2) in *.
    set (B := normsq (sgrad relu_act (fun _ => xi) th (X (S n)))
              + cout (sgrad relu_act (fun _ => xi) th (X (S n))) ^ 2) in *.
    assert (He : 0 <= e2) by apply pow2_ge_0.
    pose proof (normsq_le_V xi th); pose proof (K_sample_le rho2); pose proof (normsq_nonneg th).
    assert (HKs : 0 <= K_sample rho2)
      by (unfold K_sample; pose proof (Rmax_l 2 (1 + rho2)); lra).
    (* γ K_s (1 + V0) ≤ 4 *)
    set (D := 2 * Rmax 1 rho2 * (1 + V0)).
    assert (HD : 0 < D) by (unfold D; apply Rmult_lt_0_compat; lra).
    assert (HgD : g * D <= 1).
    { assert (HgD' : g * D <= / D * D) by (apply Rmult_le_compat_r; [lra | exact Hg1]).
      replace (/ D * D) with 1 in HgD' by (field; lra).
      exact HgD'. }
    assert (HgK : g * (K_sample rho2 * (1 + normsq th)) <= 4).
    { assert (HK1 : K_sample rho2 * (1 + normsq th) <= 8 * Rmax 1 rho2 * (1 + V0)).
      { apply Rmult_le_compat; lra. }
      assert (HK2 : g * (K_sample rho2 * (1 + normsq th)) <= g * (8 * Rmax 1 rho2 * (1 + V0)))
        by (apply Rmult_le_compat_l; lra).
      replace (g * (8 * Rmax 1 rho2 * (1 + V0))) with (4 * (g * D)) in HK2 by (unfold D; ring).
      lra. }
    assert (g ^ 2 * B <= g ^ 2 * (K_sample rho2 * (1 + normsq th) * e2))
      by (apply Rmult_le_compat_l; [apply pow2_ge_0 | exact HB]).
    assert (g * (g * (K_sample rho2 * (1 + normsq th))) * e2 <= g * 4 * e2).
    { apply Rmult_le_compat_r; [lra|]. apply Rmult_le_compat_l; lra. }
    nra. }
  assert (Hinv : forall n, V xi (sgd xi gammas X th0 n) <= V0).
  { induction n as [|n IH]; [simpl; unfold V0; lra|].
    pose proof (Hstep n IH).
    destruct (Hg n).
    pose proof (pow2_ge_0 (err relu_act (fun _ => xi) (sgd xi gammas X th0 n) (X (S n)))).
    nra. }
  intros n Th; split.
  - apply Hstep, Hinv.
  - eapply Rle_trans; [apply normsq_le_V | apply Hinv].
Qed.
