(** * Convergence of gradient descent: C9 (step γ ≤ γ* ) and C14 (γ < 2γ′* ),
      and the finite form of L(Θ_n) → 0. ReLU with σ'(0) = 0, constant target ξ. *)

From Coq Require Import Reals Lra Lia List.
From ReluProof Require Import Model Facts Lyapunov Bound.
Import ListNotations.
Local Open Scope R_scope.

(** ** Elementary real facts *)

Lemma le_div_of_mul_le : forall a x y, 0 < a -> a * x <= y -> x <= y / a.
Proof.
  intros a x y Ha H.
  replace x with ((a * x) / a) by (field; lra).
  unfold Rdiv; apply Rmult_le_compat_r; [apply Rlt_le, Rinv_0_lt_compat; lra | exact H].
Qed.

(** ** Partial sums, minima and counts of a real sequence *)

(** Σ_{k<n} u_k *)
Fixpoint psum (u : nat -> R) (n : nat) : R :=
  match n with
  | O => 0
  | S k => psum u k + u k
  end.

(** #{k < n : u_k > ε} *)
Fixpoint count_gt (u : nat -> R) (eps : R) (n : nat) : nat :=
  match n with
  | O => O
  | S k => (count_gt u eps k + if Rlt_dec eps (u k) then 1 else 0)%nat
  end.

Lemma psum_nonneg : forall u n, (forall k, 0 <= u k) -> 0 <= psum u n.
Proof. intros u n H; induction n; simpl; [lra|]. specialize (H n); lra. Qed.

Lemma psum_ge_min : forall u c n, (forall j, (j < n)%nat -> c <= u j) -> INR n * c <= psum u n.
Proof.
  intros u c n; induction n as [|n IH]; intros H; cbn [psum]; [simpl; lra|].
  rewrite S_INR.
  assert (INR n * c <= psum u n) by (apply IH; intros; apply H; lia).
  assert (c <= u n) by (apply H; lia).
  lra.
Qed.

Lemma exists_argmin : forall (u : nat -> R) n, (1 <= n)%nat ->
  exists k, (k < n)%nat /\ forall j, (j < n)%nat -> u k <= u j.
Proof.
  intros u n; induction n as [|n IH]; intros Hn; [lia|].
  destruct (Nat.eq_dec n 0) as [E|NE].
  - subst; exists 0%nat; split; [lia|]. intros j Hj; replace j with 0%nat by lia; lra.
  - destruct (IH ltac:(lia)) as [k [Hk Hmin]].
    destruct (Rle_dec (u k) (u n)) as [Hle|Hgt].
    + exists k; split; [lia|]. intros j Hj.
      destruct (Nat.eq_dec j n); [subst; exact Hle | apply Hmin; lia].
    + exists n; split; [lia|]. intros j Hj.
      destruct (Nat.eq_dec j n); [subst; lra|].
      specialize (Hmin j ltac:(lia)); lra.
Qed.

Lemma count_gt_bound : forall u eps n, (forall k, 0 <= u k) ->
  eps * INR (count_gt u eps n) <= psum u n.
Proof.
  intros u eps n Hu; induction n as [|n IH]; cbn [psum count_gt]; [simpl; lra|].
  rewrite plus_INR.
  specialize (Hu n); destruct (Rlt_dec eps (u n)); simpl INR; lra.
Qed.

Section Sequence.

(** an abstract descent: V_{n+1} ≤ V_n − a L_n with V ≥ 0, L ≥ 0, a > 0 *)
Variables (Vs Ls : nat -> R) (a : R).
Hypothesis a_pos : 0 < a.
Hypothesis Vs_nonneg : forall n, 0 <= Vs n.
Hypothesis Ls_nonneg : forall n, 0 <= Ls n.
Hypothesis descent : forall n, Vs (S n) <= Vs n - a * Ls n.

Lemma telescope : forall n, a * psum Ls n <= Vs O - Vs n.
Proof.
  induction n as [|n IH]; simpl; [lra|].
  specialize (descent n); lra.
Qed.

Lemma psum_le : forall n, psum Ls n <= Vs O / a.
Proof.
  intros n; apply le_div_of_mul_le; auto.
  pose proof (telescope n); pose proof (Vs_nonneg n); lra.
Qed.

Lemma min_le : forall n, (1 <= n)%nat ->
  exists k, (k < n)%nat /\ (forall j, (j < n)%nat -> Ls k <= Ls j)
            /\ Ls k <= Vs O / (a * INR n).
Proof.
  intros n Hn; destruct (exists_argmin Ls n Hn) as [k [Hk Hmin]].
  exists k; repeat split; auto.
  assert (Hn' : 0 < INR n) by (apply lt_0_INR; lia).
  pose proof (psum_ge_min Ls (Ls k) n Hmin).
  pose proof (telescope n); pose proof (Vs_nonneg n).
  apply le_div_of_mul_le; [nra|].
  nra.
Qed.

Lemma count_le : forall eps n, 0 < eps -> INR (count_gt Ls eps n) <= Vs O / (a * eps).
Proof.
  intros eps n He.
  apply le_div_of_mul_le; [nra|].
  pose proof (count_gt_bound Ls eps n Ls_nonneg).
  pose proof (telescope n); pose proof (Vs_nonneg n).
  nra.
Qed.

Lemma tends_to_zero : Un_cv Ls 0.
Proof.
  destruct (growing_cv (psum Ls)) as [l Hl].
  - intros n; simpl; specialize (Ls_nonneg n); lra.
  - exists (Vs O / a); intros x [i ->]; apply psum_le.
  - intros eps He.
    destruct (Hl (eps / 2)) as [N HN]; [lra|].
    exists N; intros n Hn.
    pose proof (HN n ltac:(lia)) as H1; pose proof (HN (S n) ltac:(lia)) as H2.
    unfold R_dist in *; simpl in H2.
    specialize (Ls_nonneg n).
    rewrite Rminus_0_r, Rabs_right by lra.
    apply Rabs_def2 in H1; apply Rabs_def2 in H2; lra.
Qed.

End Sequence.

(** ** One GD step under a gradient bound with constant K
       (any activation with z σ'(z) = σ(z)) *)

Section Step.

Variable s : activation.
Hypothesis Hhom : forall z, z * dact s z = act s z.

Lemma descent_step_of_bound : forall xi mu gamma th K V0,
  nonneg_weights mu -> 0 <= gamma -> 0 <= K ->
  (let G := grad s (fun _ => xi) mu th in
   normsq G + cout G ^ 2 <= K * (1 + normsq th) * risk s (fun _ => xi) mu th) ->
  V xi th <= V0 ->
  V xi (gd_step s (fun _ => xi) mu gamma th)
  <= V xi th - gamma * (8 - gamma * K * (1 + V0)) * risk s (fun _ => xi) mu th.
Proof.
  intros xi mu gamma th K V0 Hmu Hg HK HB HV; simpl in HB.
  rewrite (gd_step_expansion_of_homogeneous s Hhom); simpl.
  set (L := risk s (fun _ => xi) mu th) in *.
  assert (HL : 0 <= L) by (apply risk_nonneg; exact Hmu).
  pose proof (normsq_le_V xi th).
  assert (K * (1 + normsq th) * L <= K * (1 + V0) * L).
  { apply Rmult_le_compat_r; [exact HL|]. apply Rmult_le_compat_l; lra. }
  assert (0 <= gamma ^ 2) by apply pow2_ge_0.
  assert (gamma ^ 2 * (normsq (grad s (fun _ => xi) mu th)
                       + cout (grad s (fun _ => xi) mu th) ^ 2)
          <= gamma ^ 2 * (K * (1 + V0) * L))
    by (apply Rmult_le_compat_l; simpl; lra).
  simpl in *. nra.
Qed.

(** V(Θ_n) ≤ V(Θ_0) and the one-step descent, for every n, as soon as γK(1+V0) ≤ 8 *)
Lemma gd_descent_of_bound : forall xi mu gamma th0 K,
  nonneg_weights mu -> 0 <= gamma -> 0 <= K ->
  (forall th, let G := grad s (fun _ => xi) mu th in
   normsq G + cout G ^ 2 <= K * (1 + normsq th) * risk s (fun _ => xi) mu th) ->
  gamma * K * (1 + V xi th0) <= 8 ->
  forall n,
  let Th := gd s (fun _ => xi) mu gamma th0 in
  V xi (Th n) <= V xi th0
  /\ V xi (Th (S n))
     <= V xi (Th n) - gamma * (8 - gamma * K * (1 + V xi th0)) * risk s (fun _ => xi) mu (Th n).
Proof.
  intros xi mu gamma th0 K Hmu Hg HK HB H8.
  assert (Hstep : forall n,
    V xi (gd s (fun _ => xi) mu gamma th0 n) <= V xi th0 ->
    V xi (gd s (fun _ => xi) mu gamma th0 (S n))
    <= V xi (gd s (fun _ => xi) mu gamma th0 n)
       - gamma * (8 - gamma * K * (1 + V xi th0))
         * risk s (fun _ => xi) mu (gd s (fun _ => xi) mu gamma th0 n)).
  { intros n Hn; simpl; apply descent_step_of_bound; auto. }
  assert (Hinv : forall n, V xi (gd s (fun _ => xi) mu gamma th0 n) <= V xi th0).
  { induction n as [|n IH]; [simpl; lra|].
    pose proof (Hstep n IH).
    pose proof (risk_nonneg s (fun _ => xi) mu (gd s (fun _ => xi) mu gamma th0 n) Hmu).
    assert (0 <= gamma * (8 - gamma * K * (1 + V xi th0))
                 * risk s (fun _ => xi) mu (gd s (fun _ => xi) mu gamma th0 n)).
    { apply Rmult_le_pos; [apply Rmult_le_pos|]; lra. }
    lra. }
  intros n Th; split; [apply Hinv | apply Hstep, Hinv].
Qed.

End Step.

(** ** C9: step 0 < γ ≤ γ* = 1 / (2 m max{1, ρ²} (1 + V(Θ_0)))

    Stated for every activation [s] with z σ'(z) = σ(z), σ'(z)² ≤ 1 and
    σ(z)² ≤ z² (after the section closes, the theorems take [s] and these
    three hypotheses first); ReLU is [s := relu_act] with
    [relu_homogeneous_act], [relu_deriv_sq_le], [relu_sq_le], see
    [gd_converges] below. *)

Section C9.

Variable s : activation.
Hypothesis Hhom : forall z, z * dact s z = act s z.
Hypothesis Hd : forall z, dact s z ^ 2 <= 1.
Hypothesis Ha : forall z, act s z ^ 2 <= z ^ 2.
Variables (xi : R) (mu : measure) (rho2 gamma : R) (th0 : params).
Hypothesis Hmu : nonneg_weights mu.
Hypothesis Hrho : forall p x, In (p, x) mu -> norm2 x <= rho2.
Hypothesis Hmass : 0 < mass mu.
Hypothesis Hgamma_pos : 0 < gamma.
Hypothesis Hgamma_le : gamma <= gamma_star_of (mass mu) rho2 (V xi th0).

Let Th := gd s (fun _ => xi) mu gamma th0.
Let L := fun n => risk s (fun _ => xi) mu (Th n).
Let V0 := V xi th0.

Lemma gamma_K_le_4 : gamma * K_bound (mass mu) rho2 * (1 + V0) <= 4.
Proof.
  unfold K_bound, gamma_star_of, V0 in *.
  pose proof (V_nonneg xi th0); pose proof (Rmax_l 1 rho2).
  set (D := 2 * mass mu * Rmax 1 rho2 * (1 + V xi th0)) in *.
  assert (HD : 0 < D) by (unfold D; apply Rmult_lt_0_compat; [apply Rmult_lt_0_compat|]; lra).
  assert (gamma * D <= 1).
  { replace 1 with (/ D * D) by (field; lra). apply Rmult_le_compat_r; lra. }
  replace (gamma * (8 * mass mu * Rmax 1 rho2) * (1 + V xi th0)) with (4 * (gamma * D))
    by (unfold D; ring).
  lra.
Qed.

Lemma descent_C9 : forall n,
  V xi (Th n) <= V0 /\ V xi (Th (S n)) <= V xi (Th n) - 4 * gamma * L n.
Proof.
  intros n.
  assert (HK : 0 <= K_bound (mass mu) rho2).
  { unfold K_bound; pose proof (Rmax_l 1 rho2); apply Rmult_le_pos; lra. }
  pose proof gamma_K_le_4.
  destruct (gd_descent_of_bound s Hhom xi mu gamma th0 (K_bound (mass mu) rho2) Hmu
              ltac:(lra) HK
              (fun th => gradient_bound_of_activation_bounds s Hd Ha (fun _ => xi) mu th rho2
                           Hmu Hrho)
              ltac:(fold V0; lra) n) as [H1 H2].
  split; [exact H1|].
  pose proof (risk_nonneg s (fun _ => xi) mu (Th n) Hmu).
  unfold L; fold V0 in H2; fold Th in H2 |- *.
  assert (gamma * 4 * risk s (fun _ => xi) mu (Th n)
          <= gamma * (8 - gamma * K_bound (mass mu) rho2 * (1 + V0))
             * risk s (fun _ => xi) mu (Th n)).
  { apply Rmult_le_compat_r; [lra|]. apply Rmult_le_compat_l; lra. }
  lra.
Qed.

(* C9(a) *)
Theorem gd_lyapunov_descent_of_le_gamma_star : forall n,
  V xi (Th (S n)) <= V xi (Th n) - 4 * gamma * L n.
Proof. intros; apply descent_C9. Qed.

(* C9(b) *)
Theorem gd_norm_sq_le_of_le_gamma_star : forall n, normsq (Th n) <= V0.
Proof.
  intros; eapply Rle_trans; [apply normsq_le_V | apply descent_C9].
Qed.

Let Vs := fun n => V xi (Th n).

Lemma Vs_nonneg : forall n, 0 <= Vs n.
Proof. intros; apply V_nonneg. Qed.
Lemma L_nonneg : forall n, 0 <= L n.
Proof. intros; apply risk_nonneg, Hmu. Qed.
Lemma descent_Vs : forall n, Vs (S n) <= Vs n - (4 * gamma) * L n.
Proof. intros; apply descent_C9. Qed.
Lemma four_gamma_pos : 0 < 4 * gamma.
Proof. lra. Qed.

(* C9(c) *)
Theorem gd_sum_risk_le_of_le_gamma_star : forall n, psum L n <= V0 / (4 * gamma).
Proof. exact (psum_le Vs L (4 * gamma) four_gamma_pos Vs_nonneg descent_Vs). Qed.

(* C9(d): the minimum over k < n of L(Θ_k) is at most V0 / (4γn) *)
Theorem gd_min_risk_le_of_le_gamma_star : forall n, (1 <= n)%nat ->
  exists k, (k < n)%nat /\ (forall j, (j < n)%nat -> L k <= L j)
            /\ L k <= V0 / (4 * gamma * INR n).
Proof. exact (min_le Vs L (4 * gamma) four_gamma_pos Vs_nonneg descent_Vs). Qed.

(* finite form of L(Θ_n) → 0: #{n < N : L(Θ_n) > ε} ≤ V0 / (4γε) *)
Theorem gd_count_risk_gt_le_of_le_gamma_star : forall eps N, 0 < eps ->
  INR (count_gt L eps N) <= V0 / (4 * gamma * eps).
Proof. exact (count_le Vs L (4 * gamma) four_gamma_pos Vs_nonneg L_nonneg descent_Vs). Qed.

(* C9(e): L(Θ_n) → 0 *)
Theorem gd_risk_tendsto_zero_of_le_gamma_star : Un_cv L 0.
Proof. exact (tends_to_zero Vs L (4 * gamma) four_gamma_pos Vs_nonneg L_nonneg descent_Vs). Qed.

End C9.

(* C9 for ReLU with ρ² = max_i ‖x_i‖², (a)–(e) and the finite form of L → 0 together *)
Theorem gd_converges : forall (xi : R) (mu : measure) (gamma : R) (th0 : params),
  nonneg_weights mu -> 0 < mass mu -> 0 < gamma -> gamma <= gamma_star mu xi th0 ->
  let Th := gd relu_act (fun _ => xi) mu gamma th0 in
  let L := fun n => risk relu_act (fun _ => xi) mu (Th n) in
  (forall n, V xi (Th (S n)) <= V xi (Th n) - 4 * gamma * L n)
  /\ (forall n, normsq (Th n) <= V xi th0)
  /\ (forall n, psum L n <= V xi th0 / (4 * gamma))
  /\ (forall n, (1 <= n)%nat ->
        exists k, (k < n)%nat /\ (forall j, (j < n)%nat -> L k <= L j)
                  /\ L k <= V xi th0 / (4 * gamma * INR n))
  /\ (forall eps N, 0 < eps -> INR (count_gt L eps N) <= V xi th0 / (4 * gamma * eps))
  /\ Un_cv L 0.
Proof.
  intros xi mu gamma th0 Hmu Hm Hg Hle Th L.
  pose proof (rho_sq_spec mu) as Hrho.
  pose proof relu_homogeneous_act as H1; pose proof relu_deriv_sq_le as H2;
    pose proof relu_sq_le as H3.
  repeat split.
  - apply (gd_lyapunov_descent_of_le_gamma_star relu_act H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_norm_sq_le_of_le_gamma_star relu_act H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_sum_risk_le_of_le_gamma_star relu_act H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_min_risk_le_of_le_gamma_star relu_act H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_count_risk_gt_le_of_le_gamma_star relu_act H1 H2 H3 xi mu (rho_sq mu)); auto.
  - apply (gd_risk_tendsto_zero_of_le_gamma_star relu_act H1 H2 H3 xi mu (rho_sq mu)); auto.
Qed.

(** ** C14: 0 < γ < 2γ′* with γ′* = 4 / (K′ (1 + V(Θ_0))), K′ = max{8m, 4M}
       (same activations as C9) *)

Section C14.

Variable s : activation.
Hypothesis Hhom : forall z, z * dact s z = act s z.
Hypothesis Hd : forall z, dact s z ^ 2 <= 1.
Hypothesis Ha : forall z, act s z ^ 2 <= z ^ 2.
Variables (xi : R) (mu : measure) (gamma : R) (th0 : params).
Hypothesis Hmu : nonneg_weights mu.
Hypothesis Hmass : 0 < mass mu.
Hypothesis Hgamma_pos : 0 < gamma.
Hypothesis Hgamma_lt : gamma < 2 * gamma_star_sharp mu xi th0.

Let Th := gd s (fun _ => xi) mu gamma th0.
Let L := fun n => risk s (fun _ => xi) mu (Th n).
Let V0 := V xi th0.
(** the descent rate γ (8 − γK′(1 + V0)) > 0 *)
Let rate := gamma * (8 - gamma * K_sharp mu * (1 + V0)).

Lemma K_sharp_pos : 0 < K_sharp mu.
Proof. unfold K_sharp; pose proof (Rmax_l (8 * mass mu) (4 * moment2 mu)); lra. Qed.

Lemma gamma_K_sharp_lt_8 : gamma * K_sharp mu * (1 + V0) < 8.
Proof.
  unfold gamma_star_sharp, V0 in *.
  pose proof (V_nonneg xi th0); pose proof K_sharp_pos.
  set (D := K_sharp mu * (1 + V xi th0)) in *.
  assert (HD : 0 < D) by (unfold D; apply Rmult_lt_0_compat; lra).
  assert (gamma * D < 2 * (4 / D) * D) by (apply Rmult_lt_compat_r; lra).
  replace (2 * (4 / D) * D) with 8 in H1 by (field; lra).
  unfold D in H1; lra.
Qed.

Lemma rate_pos : 0 < rate.
Proof. unfold rate; pose proof gamma_K_sharp_lt_8; apply Rmult_lt_0_compat; lra. Qed.

Lemma descent_C14 : forall n,
  V xi (Th n) <= V0 /\ V xi (Th (S n)) <= V xi (Th n) - rate * L n.
Proof.
  intros n.
  pose proof gamma_K_sharp_lt_8; pose proof K_sharp_pos.
  exact (gd_descent_of_bound s Hhom xi mu gamma th0 (K_sharp mu) Hmu ltac:(lra) ltac:(lra)
           (fun th => gradient_bound_sharp_of_activation_bounds s Hd Ha (fun _ => xi) mu th Hmu)
           ltac:(fold V0; lra) n).
Qed.

(* C14(a) *)
Theorem gd_lyapunov_descent_of_lt_two_gamma_star_sharp : forall n,
  V xi (Th (S n))
  <= V xi (Th n) - gamma * (8 - gamma * K_sharp mu * (1 + V0)) * L n.
Proof. intros; apply descent_C14. Qed.

(* C14(b) *)
Theorem gd_norm_sq_le_of_lt_two_gamma_star_sharp : forall n, normsq (Th n) <= V0.
Proof. intros; eapply Rle_trans; [apply normsq_le_V | apply descent_C14]. Qed.

Let Vs := fun n => V xi (Th n).

Lemma descent_Vs14 : forall n, Vs (S n) <= Vs n - rate * L n.
Proof. intros; apply descent_C14. Qed.
Lemma Vs_nonneg14 : forall n, 0 <= Vs n.
Proof. intros; apply V_nonneg. Qed.
Lemma L_nonneg14 : forall n, 0 <= L n.
Proof. intros; apply risk_nonneg, Hmu. Qed.

(* C14(c) *)
Theorem gd_sum_risk_le_of_lt_two_gamma_star_sharp : forall n,
  psum L n <= V0 / (gamma * (8 - gamma * K_sharp mu * (1 + V0))).
Proof. exact (psum_le Vs L rate rate_pos Vs_nonneg14 descent_Vs14). Qed.

(* C14(d) *)
Theorem gd_min_risk_le_of_lt_two_gamma_star_sharp : forall n, (1 <= n)%nat ->
  exists k, (k < n)%nat /\ (forall j, (j < n)%nat -> L k <= L j)
            /\ L k <= V0 / (gamma * (8 - gamma * K_sharp mu * (1 + V0)) * INR n).
Proof. exact (min_le Vs L rate rate_pos Vs_nonneg14 descent_Vs14). Qed.

(* C14, finite form of L → 0 *)
Theorem gd_count_risk_gt_le_of_lt_two_gamma_star_sharp : forall eps N, 0 < eps ->
  INR (count_gt L eps N) <= V0 / (gamma * (8 - gamma * K_sharp mu * (1 + V0)) * eps).
Proof. exact (count_le Vs L rate rate_pos Vs_nonneg14 L_nonneg14 descent_Vs14). Qed.

(* C14(e), L(Θ_n) → 0 *)
Theorem gd_risk_tendsto_zero_of_lt_two_gamma_star_sharp : Un_cv L 0.
Proof. exact (tends_to_zero Vs L rate rate_pos Vs_nonneg14 L_nonneg14 descent_Vs14). Qed.

End C14.

(* C14 for ReLU, together *)
Theorem gd_converges_below_twice_sharp_step : forall (xi : R) (mu : measure) (gamma : R)
  (th0 : params),
  nonneg_weights mu -> 0 < mass mu -> 0 < gamma -> gamma < 2 * gamma_star_sharp mu xi th0 ->
  let Th := gd relu_act (fun _ => xi) mu gamma th0 in
  let L := fun n => risk relu_act (fun _ => xi) mu (Th n) in
  let c := gamma * (8 - gamma * K_sharp mu * (1 + V xi th0)) in
  0 < c
  /\ (forall n, V xi (Th (S n)) <= V xi (Th n) - c * L n)
  /\ (forall n, normsq (Th n) <= V xi th0)
  /\ (forall n, psum L n <= V xi th0 / c)
  /\ (forall n, (1 <= n)%nat ->
        exists k, (k < n)%nat /\ (forall j, (j < n)%nat -> L k <= L j)
                  /\ L k <= V xi th0 / (c * INR n))
  /\ (forall eps N, 0 < eps -> INR (count_gt L eps N) <= V xi th0 / (c * eps))
  /\ Un_cv L 0.
Proof.
  intros xi mu gamma th0 Hmu Hm Hg Hlt Th L c.
  repeat split.
  - apply (rate_pos xi mu gamma th0); auto.
  - apply (gd_lyapunov_descent_of_lt_two_gamma_star_sharp relu_act relu_homogeneous_act
             relu_deriv_sq_le relu_sq_le xi mu gamma th0); auto.
  - apply (gd_norm_sq_le_of_lt_two_gamma_star_sharp relu_act relu_homogeneous_act
             relu_deriv_sq_le relu_sq_le xi mu gamma th0); auto.
  - apply (gd_sum_risk_le_of_lt_two_gamma_star_sharp relu_act relu_homogeneous_act
             relu_deriv_sq_le relu_sq_le xi mu gamma th0); auto.
  - apply (gd_min_risk_le_of_lt_two_gamma_star_sharp relu_act relu_homogeneous_act
             relu_deriv_sq_le relu_sq_le xi mu gamma th0); auto.
  - apply (gd_count_risk_gt_le_of_lt_two_gamma_star_sharp relu_act relu_homogeneous_act
             relu_deriv_sq_le relu_sq_le xi mu gamma th0); auto.
  - apply (gd_risk_tendsto_zero_of_lt_two_gamma_star_sharp relu_act relu_homogeneous_act
             relu_deriv_sq_le relu_sq_le xi mu gamma th0); auto.
Qed.
