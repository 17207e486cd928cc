(** * Gradient bounds: C13 (sharp constant K′ = max{8m, 4M}) and C8
      (K = 8 m max{1, ρ²}), for ReLU with σ'(0) = 0 and any target. *)

From Coq Require Import Reals Lra Lia List.
From ReluProof Require Import Model Facts Lyapunov.
Import ListNotations.
Local Open Scope R_scope.

(** ** Cauchy–Schwarz on finite sums *)

(** the scalar step of every Cauchy–Schwarz induction below *)
Lemma cs_step : forall A X Y a b, 0 <= X -> 0 <= Y -> A ^ 2 <= X * Y ->
  2 * A * a * b <= X * b ^ 2 + Y * a ^ 2.
Proof.
  intros A X Y a b HX HY HA.
  destruct (Req_dec X 0) as [E|NE].
  - subst X. assert (A = 0) by nra. subst A. nra.
  - assert (0 < X) by lra.
    assert (0 <= X * (X * b ^ 2 + Y * a ^ 2 - 2 * A * a * b)).
    { replace (X * (X * b ^ 2 + Y * a ^ 2 - 2 * A * a * b))
        with ((X * b - A * a) ^ 2 + a ^ 2 * (X * Y - A ^ 2)) by ring.
      pose proof (pow2_ge_0 (X * b - A * a)); pose proof (pow2_ge_0 a).
      assert (0 <= a ^ 2 * (X * Y - A ^ 2)) by (apply Rmult_le_pos; lra). lra. }
    assert (0 <= X * b ^ 2 + Y * a ^ 2 - 2 * A * a * b).
    { apply (Rmult_le_reg_l X); [lra|]. rewrite Rmult_0_r; exact H0. }
    lra.
Qed.

(** (a·b)² ≤ ‖a‖² ‖b‖² *)
Lemma dot_sq_le : forall a b, dot a b ^ 2 <= norm2 a * norm2 b.
Proof.
  induction a as [|x a IH]; intros [|y b].
  - unfold norm2; simpl; lra.
  - unfold norm2; simpl; lra.
  - rewrite dot_nil_r; unfold norm2 at 2; simpl; lra.
  - specialize (IH b).
    pose proof (norm2_nonneg a) as Ha; pose proof (norm2_nonneg b) as Hb.
    pose proof (cs_step (dot a b) (norm2 a) (norm2 b) x y Ha Hb IH).
    rewrite !norm2_cons; simpl; nra.
Qed.

(** (∫ g h dμ)² ≤ ∫ g² dμ · ∫ h² dμ *)
Lemma integ_cs : forall mu g h, nonneg_weights mu ->
  integ mu (fun x => g x * h x) ^ 2
  <= integ mu (fun x => g x ^ 2) * integ mu (fun x => h x ^ 2).
Proof.
  induction mu as [|[p x] mu IH]; intros g h Hmu; cbn [integ]; [lra|].
  destruct (nonneg_weights_cons _ _ _ Hmu) as [Hp Hmu'].
  specialize (IH g h Hmu').
  set (S := integ mu (fun x => g x * h x)) in *.
  set (A := integ mu (fun x => g x ^ 2)) in *.
  set (B := integ mu (fun x => h x ^ 2)) in *.
  assert (HA : 0 <= A) by (apply integ_nonneg; auto; intros; apply pow2_ge_0).
  assert (HB : 0 <= B) by (apply integ_nonneg; auto; intros; apply pow2_ge_0).
  pose proof (cs_step S A B (g x) (h x) HA HB IH) as C.
  assert (0 <= p * (A * h x ^ 2 + B * g x ^ 2 - 2 * S * g x * h x))
    by (apply Rmult_le_pos; lra).
  assert (E : (p * g x ^ 2 + A) * (p * h x ^ 2 + B) - (p * (g x * h x) + S) ^ 2
              = p * (A * h x ^ 2 + B * g x ^ 2 - 2 * S * g x * h x) + (A * B - S ^ 2))
    by ring.
  lra.
Qed.

(** ‖∫ s(x) u(x) dμ‖² ≤ ∫ ‖u‖² dμ · ∫ s² dμ *)
Lemma vinteg_cs : forall mu (sc : list R -> R) (u : list R -> list R), nonneg_weights mu ->
  norm2 (vinteg mu (fun x => vscale (sc x) (u x)))
  <= integ mu (fun x => norm2 (u x)) * integ mu (fun x => sc x ^ 2).
Proof.
  induction mu as [|[p x] mu IH]; intros sc u Hmu; cbn [integ vinteg].
  - unfold norm2; simpl; lra.
  - destruct (nonneg_weights_cons _ _ _ Hmu) as [Hp Hmu'].
    specialize (IH sc u Hmu').
    set (S := vinteg mu (fun x => vscale (sc x) (u x))) in *.
    set (U := integ mu (fun x => norm2 (u x))) in *.
    set (E := integ mu (fun x => sc x ^ 2)) in *.
    assert (HU : 0 <= U) by (apply integ_nonneg; auto; intros; apply norm2_nonneg).
    assert (HE : 0 <= E) by (apply integ_nonneg; auto; intros; apply pow2_ge_0).
    pose proof (norm2_nonneg (u x)) as Hu.
    rewrite norm2_vadd, !norm2_vscale, dot_vscale_l, dot_vscale_l.
    (* ⟨u, S⟩² ≤ ‖u‖² ‖S‖² ≤ ‖u‖² U E *)
    assert (HD : dot (u x) S ^ 2 <= U * (norm2 (u x) * E)).
    { pose proof (dot_sq_le (u x) S).
      assert (norm2 (u x) * norm2 S <= norm2 (u x) * (U * E))
        by (apply Rmult_le_compat_l; lra).
      nra. }
    assert (HY : 0 <= norm2 (u x) * E) by (apply Rmult_le_pos; lra).
    pose proof (cs_step (dot (u x) S) U (norm2 (u x) * E) 1 (sc x) HU HY HD) as C.
    assert (0 <= p * (U * sc x ^ 2 + norm2 (u x) * E * 1 ^ 2 - 2 * dot (u x) S * 1 * sc x))
      by (apply Rmult_le_pos; lra).
    nra.
Qed.

(** ** Activation facts *)

Lemma preact_sq_le : forall n x,
  preact n x ^ 2 <= (norm2 (nw n) + nb n ^ 2) * (1 + norm2 x).
Proof.
  intros; unfold preact.
  replace (dot (nw n) x + nb n) with (dot (nb n :: nw n) (1 :: x)) by (simpl; ring).
  replace (norm2 (nw n) + nb n ^ 2) with (norm2 (nb n :: nw n)) by (rewrite norm2_cons; ring).
  replace (1 + norm2 x) with (norm2 (1 :: x)) by (rewrite norm2_cons; ring).
  apply dot_sq_le.
Qed.

Lemma moment2_eq : forall mu, moment2 mu = mass mu + integ mu (fun x => norm2 x).
Proof. intros; unfold moment2, mass; apply integ_plus. Qed.

Lemma relu_deriv_sq_le : forall z, dact relu_act z ^ 2 <= 1.
Proof. intros; simpl; unfold relu_deriv; destruct (Rlt_dec 0 z); lra. Qed.

Lemma relu_sq_le : forall z, act relu_act z ^ 2 <= z ^ 2.
Proof. intros; simpl; unfold relu, Rmax; destruct (Rle_dec z 0); nra. Qed.

(** ** The bounds for any activation with σ'(z)² ≤ 1 and σ(z)² ≤ z²
       (ReLU, leaky ReLU with slope in [−1, 1], |z|) *)

Section Activation.

Variable s : activation.
Hypothesis dact_sq_le : forall z, dact s z ^ 2 <= 1.
Hypothesis act_sq_le : forall z, act s z ^ 2 <= z ^ 2.

Lemma grad_neuron_sq : forall f mu th n,
  ninner (grad_neuron s f mu th n) (grad_neuron s f mu th n)
  = 4 * nv n ^ 2
      * norm2 (vinteg mu (fun x => vscale (dact s (preact n x) * err s f th x) x))
    + 4 * nv n ^ 2 * integ mu (fun x => dact s (preact n x) * err s f th x) ^ 2
    + 4 * integ mu (fun x => act s (preact n x) * err s f th x) ^ 2.
Proof.
  intros; unfold ninner, grad_neuron; cbn [nw nb nv].
  fold (norm2 (vscale (2 * nv n)
    (vinteg mu (fun x => vscale (dact s (preact n x) * err s f th x) x)))).
  rewrite norm2_vscale; ring.
Qed.

(** one neuron: ‖G_{w_j}‖² + G_{b_j}² + G_{v_j}² ≤ 4 M L (‖w_j‖² + b_j² + v_j²) *)
Lemma grad_neuron_bound : forall f mu th n, nonneg_weights mu ->
  ninner (grad_neuron s f mu th n) (grad_neuron s f mu th n)
  <= 4 * moment2 mu * risk s f mu th * ninner n n.
Proof.
  intros f mu th n Hmu.
  rewrite grad_neuron_sq, ninner_self, moment2_eq.
  set (e := err s f th).
  set (L := risk s f mu th).
  assert (HL : 0 <= L) by (apply risk_nonneg; exact Hmu).
  set (de := fun x => dact s (preact n x) * e x).
  assert (Hde : forall x, de x ^ 2 <= e x ^ 2).
  { intros x; unfold de; pose proof (dact_sq_le (preact n x)); pose proof (pow2_ge_0 (e x)).
    replace ((dact s (preact n x) * e x) ^ 2) with (dact s (preact n x) ^ 2 * e x ^ 2) by ring.
    nra. }
  assert (HdeL : integ mu (fun x => de x ^ 2) <= L)
    by (apply integ_mono; auto).
  (* the w part *)
  assert (Hw : norm2 (vinteg mu (fun x => vscale (de x) x))
               <= integ mu (fun x => norm2 x) * L).
  { eapply Rle_trans; [apply (vinteg_cs mu de (fun x => x) Hmu)|].
    apply Rmult_le_compat_l; [apply integ_nonneg; auto; apply norm2_nonneg | exact HdeL]. }
  (* the b part *)
  assert (Hb : integ mu de ^ 2 <= mass mu * L).
  { rewrite (integ_ext mu de (fun x => 1 * de x)) by (intros; ring).
    eapply Rle_trans; [apply (integ_cs mu (fun _ => 1) de Hmu)|].
    rewrite (integ_ext mu (fun _ => 1 ^ 2) (fun _ => 1)) by (intros; ring).
    apply Rmult_le_compat_l; [apply mass_nonneg; auto | exact HdeL]. }
  (* the v part *)
  assert (Hs : integ mu (fun x => act s (preact n x) ^ 2)
               <= (norm2 (nw n) + nb n ^ 2) * moment2 mu).
  { unfold moment2; rewrite <- integ_scale; apply integ_mono; auto.
    intros x; eapply Rle_trans; [apply act_sq_le | apply preact_sq_le]. }
  rewrite moment2_eq in Hs.
  assert (Hv : integ mu (fun x => act s (preact n x) * e x) ^ 2
               <= (norm2 (nw n) + nb n ^ 2) * (mass mu + integ mu (fun x => norm2 x)) * L).
  { eapply Rle_trans; [apply (integ_cs mu (fun x => act s (preact n x)) e Hmu)|].
    apply Rmult_le_compat_r; [exact HL | exact Hs]. }
  pose proof (pow2_ge_0 (nv n)).
  assert (nv n ^ 2 * norm2 (vinteg mu (fun x => vscale (de x) x))
          <= nv n ^ 2 * (integ mu (fun x => norm2 x) * L)) by (apply Rmult_le_compat_l; lra).
  assert (nv n ^ 2 * integ mu de ^ 2 <= nv n ^ 2 * (mass mu * L))
    by (apply Rmult_le_compat_l; lra).
  change (vinteg mu (fun x => vscale (dact s (preact n x) * e x) x))
    with (vinteg mu (fun x => vscale (de x) x)).
  nra.
Qed.

Lemma sum_grad_neurons_bound : forall f mu th ns, nonneg_weights mu ->
  inner_ns (map (grad_neuron s f mu th) ns) (map (grad_neuron s f mu th) ns)
  <= 4 * moment2 mu * risk s f mu th * inner_ns ns ns.
Proof.
  intros f mu th ns Hmu; rewrite inner_ns_map, inner_ns_same.
  rewrite <- sum_over_scale; apply sum_over_mono; intros n _.
  apply grad_neuron_bound; exact Hmu.
Qed.

Lemma grad_c_bound : forall f mu th, nonneg_weights mu ->
  cout (grad s f mu th) ^ 2 <= 4 * mass mu * risk s f mu th.
Proof.
  intros f mu th Hmu; simpl.
  set (e := err s f th).
  assert (integ mu e ^ 2 <= mass mu * risk s f mu th).
  { rewrite (integ_ext mu e (fun x => 1 * e x)) by (intros; ring).
    eapply Rle_trans; [apply (integ_cs mu (fun _ => 1) e Hmu)|].
    rewrite (integ_ext mu (fun _ => 1 ^ 2) (fun _ => 1)) by (intros; ring).
    apply Rle_refl. }
  nra.
Qed.

(** C13 for these activations *)
Theorem gradient_bound_sharp_of_activation_bounds : forall (f : list R -> R) (mu : measure)
  (th : params),
  nonneg_weights mu ->
  let G := grad s f mu th in
  normsq G + cout G ^ 2 <= K_sharp mu * (1 + normsq th) * risk s f mu th.
Proof.
  intros f mu th Hmu G.
  set (L := risk s f mu th).
  assert (HL : 0 <= L) by (apply risk_nonneg; exact Hmu).
  pose proof (sum_grad_neurons_bound f mu th (neurons th) Hmu) as HN.
  pose proof (grad_c_bound f mu th Hmu) as HC.
  fold L in HN, HC.
  assert (HP : 0 <= inner_ns (neurons th) (neurons th)).
  { rewrite inner_ns_same; apply sum_over_nonneg; intros n; rewrite ninner_self.
    pose proof (norm2_nonneg (nw n)); pose proof (pow2_ge_0 (nb n));
      pose proof (pow2_ge_0 (nv n)); lra. }
  assert (Hc2 : 0 <= cout th ^ 2) by apply pow2_ge_0.
  assert (HK1 : 8 * mass mu <= K_sharp mu) by apply Rmax_l.
  assert (HK2 : 4 * moment2 mu <= K_sharp mu) by apply Rmax_r.
  unfold G, normsq, inner in *; simpl in *.
  set (P := inner_ns (neurons th) (neurons th)) in *.
  set (Gc := 2 * integ mu (err s f th)) in *.
  assert (4 * moment2 mu * L * P <= K_sharp mu * P * L).
  { replace (4 * moment2 mu * L * P) with ((4 * moment2 mu) * (P * L)) by ring.
    replace (K_sharp mu * P * L) with (K_sharp mu * (P * L)) by ring.
    apply Rmult_le_compat_r; [apply Rmult_le_pos|]; lra. }
  assert (8 * mass mu * L <= K_sharp mu * L) by (apply Rmult_le_compat_r; lra).
  assert (0 <= K_sharp mu) by (pose proof (Rmax_l (8 * mass mu) (4 * moment2 mu));
                               pose proof (mass_nonneg mu Hmu); lra).
  assert (0 <= K_sharp mu * (cout th * cout th) * L).
  { apply Rmult_le_pos; [apply Rmult_le_pos|]; nra. }
  nra.
Qed.

End Activation.

(** ** C8: K′ ≤ K = 8 m max{1, ρ²} *)

Lemma moment2_le : forall mu rho2, nonneg_weights mu ->
  (forall p x, In (p, x) mu -> norm2 x <= rho2) ->
  moment2 mu <= mass mu * (1 + rho2).
Proof.
  intros mu rho2 Hmu Hrho; unfold moment2, mass.
  rewrite Rmult_comm, <- integ_scale.
  apply integ_mono_on; auto.
  intros p x Hin; specialize (Hrho p x Hin); lra.
Qed.

Lemma K_sharp_le_K_bound : forall mu rho2, nonneg_weights mu ->
  (forall p x, In (p, x) mu -> norm2 x <= rho2) ->
  K_sharp mu <= K_bound (mass mu) rho2.
Proof.
  intros mu rho2 Hmu Hrho; unfold K_sharp, K_bound.
  pose proof (mass_nonneg mu Hmu) as Hm.
  pose proof (moment2_le mu rho2 Hmu Hrho) as HM.
  pose proof (Rmax_l 1 rho2); pose proof (Rmax_r 1 rho2).
  apply Rmax_lub.
  - nra.
  - assert (mass mu * (1 + rho2) <= mass mu * (2 * Rmax 1 rho2))
      by (apply Rmult_le_compat_l; lra).
    lra.
Qed.

(** C8 for the activations of the section *)
Theorem gradient_bound_of_activation_bounds : forall (s : activation),
  (forall z, dact s z ^ 2 <= 1) -> (forall z, act s z ^ 2 <= z ^ 2) ->
  forall (f : list R -> R) (mu : measure) (th : params) (rho2 : R),
  nonneg_weights mu ->
  (forall p x, In (p, x) mu -> norm2 x <= rho2) ->
  let G := grad s f mu th in
  normsq G + cout G ^ 2 <= K_bound (mass mu) rho2 * (1 + normsq th) * risk s f mu th.
Proof.
  intros s Hd Ha f mu th rho2 Hmu Hrho G.
  eapply Rle_trans; [apply gradient_bound_sharp_of_activation_bounds; assumption|].
  pose proof (K_sharp_le_K_bound mu rho2 Hmu Hrho).
  pose proof (normsq_nonneg th); pose proof (risk_nonneg s f mu th Hmu).
  rewrite !Rmult_assoc; apply Rmult_le_compat_r; [apply Rmult_le_pos|]; lra.
Qed.

Lemma rho_sq_spec : forall mu p x, In (p, x) mu -> norm2 x <= rho_sq mu.
Proof.
  induction mu as [|[q y] mu IH]; intros p x Hin; simpl in *; [contradiction|].
  destruct Hin as [E|Hin].
  - inversion E; subst; apply Rmax_l.
  - eapply Rle_trans; [apply (IH p x Hin) | apply Rmax_r].
Qed.

(** ** ReLU (σ'(0) = 0) *)

(* C13 *)
Theorem gradient_bound_sharp : forall (f : list R -> R) (mu : measure) (th : params),
  nonneg_weights mu ->
  let G := grad relu_act f mu th in
  normsq G + cout G ^ 2 <= K_sharp mu * (1 + normsq th) * risk relu_act f mu th.
Proof.
  exact (gradient_bound_sharp_of_activation_bounds relu_act relu_deriv_sq_le relu_sq_le).
Qed.

(* C8, for any bound ρ² ≥ ‖x_i‖² on the atoms *)
Theorem gradient_bound_of_norm_sq_le : forall (f : list R -> R) (mu : measure)
  (th : params) (rho2 : R),
  nonneg_weights mu ->
  (forall p x, In (p, x) mu -> norm2 x <= rho2) ->
  let G := grad relu_act f mu th in
  normsq G + cout G ^ 2 <= K_bound (mass mu) rho2 * (1 + normsq th) * risk relu_act f mu th.
Proof. exact (gradient_bound_of_activation_bounds relu_act relu_deriv_sq_le relu_sq_le). Qed.

(* C8 with ρ² = max_i ‖x_i‖² *)
Theorem gradient_bound : forall (f : list R -> R) (mu : measure) (th : params),
  nonneg_weights mu ->
  let G := grad relu_act f mu th in
  normsq G + cout G ^ 2
  <= 8 * mass mu * Rmax 1 (rho_sq mu) * (1 + normsq th) * risk relu_act f mu th.
Proof.
  intros f mu th Hmu G.
  apply (gradient_bound_of_norm_sq_le f mu th (rho_sq mu) Hmu (rho_sq_spec mu)).
Qed.
