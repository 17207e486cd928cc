(** * C6: no spurious critical points.  G(θ) = 0 ⇒ L(θ) = 0, and
      quantitatively 8 L(θ) ≤ ‖∇V(θ)‖ · ‖G(θ)‖.  (ReLU with σ'(0) = 0,
      constant target; both are consequences of C3 and Cauchy–Schwarz.) *)

From Coq Require Import Reals Lra List.
From ReluProof Require Import Model Facts Lyapunov Bound.
Import ListNotations.
Local Open Scope R_scope.

Lemma dot_zero_r : forall a z, Forall (fun t => t = 0) z -> dot a z = 0.
Proof.
  induction a as [|x a IH]; intros z Hz; [reflexivity|].
  destruct z as [|y z]; [reflexivity|].
  inversion Hz; subst; simpl; rewrite IH by assumption; ring.
Qed.

Lemma inner_params_zero_r : forall u G, params_zero G -> inner u G = 0.
Proof.
  intros [us c] [gs c'] [Hgs Hc]; unfold inner; simpl in *; subst c'.
  revert gs Hgs; induction us as [|n us IH]; intros [|g gs] Hgs; simpl; try ring.
  inversion Hgs as [|? ? [Hw [Hb Hv]] Hgs']; subst.
  unfold ninner; rewrite dot_zero_r, Hb, Hv by assumption.
  specialize (IH gs Hgs'); lra.
Qed.

(* C6: G(θ) = 0 ⇒ L(θ) = 0 *)
Theorem risk_eq_zero_of_grad_eq_zero : forall (xi : R) (mu : measure) (th : params),
  params_zero (grad relu_act (fun _ => xi) mu th) -> risk relu_act (fun _ => xi) mu th = 0.
Proof.
  intros xi mu th H.
  pose proof (lyapunov_identity xi mu th) as E.
  rewrite inner_params_zero_r in E by exact H; lra.
Qed.

(** Cauchy–Schwarz in θ's layout *)

Lemma sum_cs : forall N I X Y A B, 0 <= X -> 0 <= Y -> 0 <= A -> 0 <= B ->
  N ^ 2 <= X * Y -> I ^ 2 <= A * B -> (N + I) ^ 2 <= (X + A) * (Y + B).
Proof.
  intros N I X Y A B HX HY HA HB HN HI.
  assert (2 * N * I <= X * B + A * Y).
  { destruct (Req_dec X 0) as [E|NE].
    - subst X; assert (N = 0) by nra; subst N; nra.
    - assert (0 < X) by lra.
      pose proof (cs_step I A B X N HA HB HI) as C.
      assert (A * N ^ 2 <= A * (X * Y)) by (apply Rmult_le_compat_l; lra).
      assert (0 <= X * (X * B + A * Y - 2 * N * I)) by nra.
      assert (0 <= X * B + A * Y - 2 * N * I).
      { apply (Rmult_le_reg_l X); [lra|]. rewrite Rmult_0_r; assumption. }
      lra. }
  nra.
Qed.

Lemma ninner_as_dot : forall n m,
  ninner n m = dot (nb n :: nv n :: nw n) (nb m :: nv m :: nw m).
Proof. intros; unfold ninner; simpl; ring. Qed.

Lemma ninner_self_nonneg : forall n, 0 <= ninner n n.
Proof.
  intros n; rewrite ninner_self.
  pose proof (norm2_nonneg (nw n)); pose proof (pow2_ge_0 (nb n)); pose proof (pow2_ge_0 (nv n)).
  lra.
Qed.

Lemma inner_ns_nonneg : forall a, 0 <= inner_ns a a.
Proof. intros; rewrite inner_ns_same; apply sum_over_nonneg, ninner_self_nonneg. Qed.

Lemma inner_ns_sq_le : forall a b,
  inner_ns a b ^ 2 <= inner_ns a a * inner_ns b b.
Proof.
  induction a as [|n a IH]; intros [|m b].
  - simpl; lra.
  - cbn [inner_ns]; ring_simplify; lra.
  - cbn [inner_ns]; ring_simplify; lra.
  - cbn [inner_ns]; apply sum_cs; try apply IH; try apply inner_ns_nonneg.
    + apply ninner_self_nonneg.
    + apply ninner_self_nonneg.
    + rewrite !ninner_as_dot; apply dot_sq_le.
Qed.

Lemma inner_sq_le : forall a b, inner a b ^ 2 <= normsq a * normsq b.
Proof.
  intros; unfold normsq, inner.
  apply sum_cs; try apply inner_ns_sq_le; try apply inner_ns_nonneg; nra.
Qed.

Lemma inner_le_sqrt : forall a b, inner a b <= sqrt (normsq a) * sqrt (normsq b).
Proof.
  intros a b.
  rewrite <- sqrt_mult_alt by apply normsq_nonneg.
  eapply Rle_trans; [apply Rle_abs|].
  rewrite <- sqrt_Rsqr_abs, Rsqr_pow2.
  apply sqrt_le_1_alt, inner_sq_le.
Qed.

(* C6, quantitative: 8 L(θ) ≤ ‖∇V(θ)‖ · ‖G(θ)‖ *)
Theorem risk_le_norm_gradV_mul_norm_grad : forall (xi : R) (mu : measure) (th : params),
  8 * risk relu_act (fun _ => xi) mu th
  <= sqrt (normsq (gradV xi th)) * sqrt (normsq (grad relu_act (fun _ => xi) mu th)).
Proof. intros; rewrite <- lyapunov_identity; apply inner_le_sqrt. Qed.
