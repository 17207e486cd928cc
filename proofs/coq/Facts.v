(** * Facts: algebra of the finite sums, dot products and θ-layout objects. *)

From Coq Require Import Reals Lra List.
From ReluProof Require Import Model.
Import ListNotations.
Local Open Scope R_scope.

(** ** dot, vadd, vscale *)

Lemma dot_nil_r : forall a, dot a [] = 0.
Proof. destruct a; reflexivity. Qed.

Lemma dot_comm : forall a b, dot a b = dot b a.
Proof.
  induction a as [|x a IH]; destruct b as [|y b]; simpl; try reflexivity.
  rewrite IH; ring.
Qed.

Lemma dot_vadd_r : forall a b c, dot a (vadd b c) = dot a b + dot a c.
Proof.
  induction a as [|x a IH]; intros b c; simpl; [ring|].
  destruct b as [|y b]; destruct c as [|z c]; simpl; try ring.
  rewrite IH; ring.
Qed.

Lemma dot_vadd_l : forall a b c, dot (vadd a b) c = dot a c + dot b c.
Proof. intros; rewrite !(dot_comm _ c); apply dot_vadd_r. Qed.

Lemma dot_vscale_r : forall k a b, dot a (vscale k b) = k * dot a b.
Proof.
  intros k; induction a as [|x a IH]; destruct b as [|y b]; simpl; try ring.
  rewrite IH; ring.
Qed.

Lemma dot_vscale_l : forall k a b, dot (vscale k a) b = k * dot a b.
Proof. intros; rewrite !(dot_comm _ b); apply dot_vscale_r. Qed.

Lemma norm2_nonneg : forall a, 0 <= norm2 a.
Proof.
  unfold norm2; induction a as [|x a IH]; simpl; [lra|].
  pose proof (Rle_0_sqr x); unfold Rsqr in *; lra.
Qed.

Lemma norm2_vadd : forall a b, norm2 (vadd a b) = norm2 a + 2 * dot a b + norm2 b.
Proof.
  intros; unfold norm2; rewrite dot_vadd_l, !dot_vadd_r, (dot_comm b a); ring.
Qed.

Lemma norm2_vscale : forall k a, norm2 (vscale k a) = k ^ 2 * norm2 a.
Proof. intros; unfold norm2; rewrite dot_vscale_l, dot_vscale_r; ring. Qed.

Lemma norm2_cons : forall x a, norm2 (x :: a) = x ^ 2 + norm2 a.
Proof. intros; unfold norm2; simpl; ring. Qed.

(** ** Finite integrals *)

Lemma integ_ext : forall mu g h, (forall x, g x = h x) -> integ mu g = integ mu h.
Proof.
  induction mu as [|[p x] mu IH]; intros g h E; simpl; [reflexivity|].
  rewrite E, (IH g h E); reflexivity.
Qed.

Lemma integ_plus : forall mu g h,
  integ mu (fun x => g x + h x) = integ mu g + integ mu h.
Proof. induction mu as [|[p x] mu IH]; intros; simpl; [ring|]. rewrite IH; ring. Qed.

Lemma integ_minus : forall mu g h,
  integ mu (fun x => g x - h x) = integ mu g - integ mu h.
Proof. induction mu as [|[p x] mu IH]; intros; simpl; [ring|]. rewrite IH; ring. Qed.

Lemma integ_scale : forall mu k g, integ mu (fun x => k * g x) = k * integ mu g.
Proof. induction mu as [|[p x] mu IH]; intros; simpl; [ring|]. rewrite IH; ring. Qed.

Lemma integ_zero : forall mu, integ mu (fun _ => 0) = 0.
Proof. induction mu as [|[p x] mu IH]; simpl; [ring|]. rewrite IH; ring. Qed.

Lemma integ_nonneg : forall mu g, nonneg_weights mu ->
  (forall x, 0 <= g x) -> 0 <= integ mu g.
Proof.
  induction mu as [|[p x] mu IH]; intros g Hmu Hg; simpl; [lra|].
  assert (0 <= p) by (apply (Hmu p x); left; reflexivity).
  assert (0 <= integ mu g).
  { apply IH; auto. intros q y Hin; apply (Hmu q y); right; exact Hin. }
  pose proof (Hg x). nra.
Qed.

Lemma integ_mono : forall mu g h, nonneg_weights mu ->
  (forall x, g x <= h x) -> integ mu g <= integ mu h.
Proof.
  intros mu g h Hmu Hgh.
  assert (0 <= integ mu (fun x => h x - g x)).
  { apply integ_nonneg; auto. intros x; specialize (Hgh x); lra. }
  rewrite integ_minus in H; lra.
Qed.

(** the same, only at the atoms of μ *)
Lemma integ_mono_on : forall mu g h, nonneg_weights mu ->
  (forall p x, In (p, x) mu -> g x <= h x) -> integ mu g <= integ mu h.
Proof.
  induction mu as [|[p x] mu IH]; intros g h Hmu Hgh; simpl; [lra|].
  assert (0 <= p) by (apply (Hmu p x); left; reflexivity).
  assert (g x <= h x) by (apply (Hgh p x); left; reflexivity).
  assert (integ mu g <= integ mu h).
  { apply IH.
    - intros q y Hin; apply (Hmu q y); right; exact Hin.
    - intros q y Hin; apply (Hgh q y); right; exact Hin. }
  nra.
Qed.

Lemma nonneg_weights_cons : forall p x mu,
  nonneg_weights ((p, x) :: mu) -> 0 <= p /\ nonneg_weights mu.
Proof.
  intros p x mu H; split.
  - apply (H p x); left; reflexivity.
  - intros q y Hin; apply (H q y); right; exact Hin.
Qed.

Lemma dot_vinteg_r : forall mu a h,
  dot a (vinteg mu h) = integ mu (fun x => dot a (h x)).
Proof.
  induction mu as [|[p x] mu IH]; intros; simpl.
  - apply dot_nil_r.
  - rewrite dot_vadd_r, dot_vscale_r, IH; reflexivity.
Qed.

Lemma mass_nonneg : forall mu, nonneg_weights mu -> 0 <= mass mu.
Proof. intros; apply integ_nonneg; auto; intros; lra. Qed.

(** ** Sums over the neurons *)

Lemma sum_over_ext : forall {A} (l : list A) g h,
  (forall a, g a = h a) -> sum_over l g = sum_over l h.
Proof. induction l as [|a l IH]; intros; simpl; [reflexivity|]. rewrite H, (IH g h H); reflexivity. Qed.

Lemma sum_over_plus : forall {A} (l : list A) g h,
  sum_over l (fun a => g a + h a) = sum_over l g + sum_over l h.
Proof. induction l as [|a l IH]; intros; simpl; [ring|]. rewrite IH; ring. Qed.

Lemma sum_over_scale : forall {A} (l : list A) k g,
  sum_over l (fun a => k * g a) = k * sum_over l g.
Proof. induction l as [|a l IH]; intros; simpl; [ring|]. rewrite IH; ring. Qed.

Lemma sum_over_mono : forall {A} (l : list A) g h,
  (forall a, In a l -> g a <= h a) -> sum_over l g <= sum_over l h.
Proof.
  induction l as [|a l IH]; intros g h H; simpl; [lra|].
  assert (g a <= h a) by (apply H; left; reflexivity).
  assert (sum_over l g <= sum_over l h) by (apply IH; intros; apply H; right; assumption).
  lra.
Qed.

Lemma sum_over_nonneg : forall {A} (l : list A) g,
  (forall a, 0 <= g a) -> 0 <= sum_over l g.
Proof.
  induction l as [|a l IH]; intros g H; simpl; [lra|].
  specialize (IH g H); specialize (H a); lra.
Qed.

Lemma inner_ns_map : forall (ns : list neuron) (g h : neuron -> neuron),
  inner_ns (map g ns) (map h ns) = sum_over ns (fun n => ninner (g n) (h n)).
Proof. induction ns as [|n ns IH]; intros; simpl; [reflexivity|]. rewrite IH; reflexivity. Qed.

Lemma inner_ns_same : forall ns, inner_ns ns ns = sum_over ns (fun n => ninner n n).
Proof. induction ns as [|n ns IH]; simpl; [reflexivity|]. rewrite IH; reflexivity. Qed.

Lemma ninner_self : forall n, ninner n n = norm2 (nw n) + nb n ^ 2 + nv n ^ 2.
Proof. intros; unfold ninner, norm2; ring. Qed.

Lemma normsq_eq : forall th,
  normsq th = sum_over (neurons th) (fun n => norm2 (nw n) + nb n ^ 2 + nv n ^ 2)
              + cout th ^ 2.
Proof.
  intros; unfold normsq, inner; rewrite inner_ns_same.
  rewrite (sum_over_ext _ _ _ ninner_self); ring.
Qed.

Lemma normsq_nonneg : forall th, 0 <= normsq th.
Proof.
  intros; rewrite normsq_eq.
  assert (0 <= sum_over (neurons th) (fun n => norm2 (nw n) + nb n ^ 2 + nv n ^ 2)).
  { apply sum_over_nonneg; intros n.
    pose proof (norm2_nonneg (nw n)); pose proof (pow2_ge_0 (nb n));
      pose proof (pow2_ge_0 (nv n)); lra. }
  pose proof (pow2_ge_0 (cout th)); lra.
Qed.

Lemma normsq_le_V : forall xi th, normsq th <= V xi th.
Proof. intros; unfold V; pose proof (pow2_ge_0 (cout th - 2 * xi)); lra. Qed.

Lemma V_nonneg : forall xi th, 0 <= V xi th.
Proof. intros; pose proof (normsq_nonneg th); pose proof (normsq_le_V xi th); lra. Qed.

Lemma risk_nonneg : forall s f mu th, nonneg_weights mu -> 0 <= risk s f mu th.
Proof. intros; apply integ_nonneg; auto; intros; apply pow2_ge_0. Qed.
