(** * Lyapunov identity (C3, C4), balance invariance (C5), GD step expansion (C7).

    The identities are first proved for any activation (σ, σ') with
    z σ'(z) = σ(z) for every z (positive 1-homogeneity, used at z = 0 too)
    and any target function f; ReLU with σ'(0) = 0 and a constant target ξ is
    then an instance.  Only finite weighted sums are involved. *)

From Coq Require Import Reals Lra Lia List.
From ReluProof Require Import Model Facts.
Import ListNotations.
Local Open Scope R_scope.

(** ** G = ∫ 𝔊(θ, x) μ(dx), tested against every u in θ's layout *)

Lemma ninner_grad_neuron : forall s f mu th n un,
  ninner un (grad_neuron s f mu th n)
  = integ mu (fun x => ninner un (sgrad_neuron s f th x n)).
Proof.
  intros; unfold ninner, grad_neuron, sgrad_neuron; simpl.
  rewrite dot_vscale_r, dot_vinteg_r.
  set (g1 := fun x => dot (nw un) (vscale (dact s (preact n x) * err s f th x) x)).
  set (g2 := fun x => dact s (preact n x) * err s f th x).
  set (g3 := fun x => act s (preact n x) * err s f th x).
  symmetry.
  rewrite (integ_ext mu _ (fun x => (2 * nv n) * g1 x + (nb un * (2 * nv n)) * g2 x
                                   + (nv un * 2) * g3 x)).
  - rewrite !integ_plus, !integ_scale; ring.
  - intros x; unfold g1, g2, g3; rewrite !dot_vscale_r; ring.
Qed.

Lemma inner_ns_grad : forall s f mu th ns us,
  inner_ns us (map (grad_neuron s f mu th) ns)
  = integ mu (fun x => inner_ns us (map (sgrad_neuron s f th x) ns)).
Proof.
  intros s f mu th; induction ns as [|n ns IH]; intros [|un us]; simpl;
    try (symmetry; apply integ_zero).
  rewrite ninner_grad_neuron, IH, <- integ_plus; reflexivity.
Qed.

(** For every u: ⟨u, G(θ)⟩ = Σ_i p_i ⟨u, 𝔊(θ, x_i)⟩. *)
Theorem inner_grad_eq_integ_inner_sgrad : forall s f mu th u,
  inner u (grad s f mu th) = integ mu (fun x => inner u (sgrad s f th x)).
Proof.
  intros; unfold inner, grad, sgrad; simpl.
  rewrite inner_ns_grad, integ_plus.
  rewrite (integ_ext mu (fun x => cout u * (2 * err s f th x))
                        (fun x => (cout u * 2) * err s f th x)) by (intros; ring).
  rewrite integ_scale; ring.
Qed.

(** ** The generic identities *)

Section Homogeneous.

Variable s : activation.
(** the key fact: z σ'(z) = σ(z) for every z, including z = 0 *)
Hypothesis homogeneous : forall z, z * dact s z = act s z.

Lemma ninner_gradV_sgrad : forall f th x n,
  ninner (mkNeuron (vscale 2 (nw n)) (2 * nb n) (2 * nv n)) (sgrad_neuron s f th x n)
  = 8 * err s f th x * (nv n * act s (preact n x)).
Proof.
  intros; unfold ninner, sgrad_neuron; simpl.
  rewrite dot_vscale_l, dot_vscale_r.
  rewrite <- (homogeneous (preact n x)); unfold preact; ring.
Qed.

(** per sample, any target f: ⟨∇V(θ), 𝔊(θ, x)⟩ = 8 e(x) (N^θ(x) − ξ) *)
Theorem lyapunov_per_sample_of_homogeneous : forall xi f th x,
  inner (gradV xi th) (sgrad s f th x) = 8 * err s f th x * (net s th x - xi).
Proof.
  intros; unfold inner, gradV, sgrad; simpl.
  rewrite inner_ns_map, (sum_over_ext _ _ _ (ninner_gradV_sgrad f th x)).
  rewrite sum_over_scale; unfold net; ring.
Qed.

(** any target f: ⟨∇V(θ), G(θ)⟩ = 8 L(θ) + 8 ∫ (N^θ − f)(f − ξ) dμ;
    the defect term vanishes for the constant target f = ξ (cf. E1). *)
Theorem lyapunov_defect_of_homogeneous : forall xi f mu th,
  inner (gradV xi th) (grad s f mu th)
  = 8 * risk s f mu th + 8 * integ mu (fun x => err s f th x * (f x - xi)).
Proof.
  intros; rewrite inner_grad_eq_integ_inner_sgrad; unfold risk.
  rewrite (integ_ext mu _ (fun x => 8 * (err s f th x ^ 2 + err s f th x * (f x - xi)))).
  - rewrite integ_scale, integ_plus; ring.
  - intros x; rewrite lyapunov_per_sample_of_homogeneous; unfold err; ring.
Qed.

Theorem lyapunov_per_sample_const_of_homogeneous : forall xi th x,
  inner (gradV xi th) (sgrad s (fun _ => xi) th x) = 8 * err s (fun _ => xi) th x ^ 2.
Proof.
  intros; rewrite lyapunov_per_sample_of_homogeneous; unfold err; ring.
Qed.

Theorem lyapunov_const_of_homogeneous : forall xi mu th,
  inner (gradV xi th) (grad s (fun _ => xi) mu th) = 8 * risk s (fun _ => xi) mu th.
Proof.
  intros; rewrite lyapunov_defect_of_homogeneous.
  rewrite (integ_ext mu _ (fun _ => 0)) by (intros; cbv beta; ring).
  rewrite integ_zero; ring.
Qed.

(** ⟨∇Q_j, G⟩ = 0 on every neuron, for any target *)
Theorem balance_orthogonal_of_homogeneous : forall f mu th n,
  balance_grad_inner n (grad_neuron s f mu th n) = 0.
Proof.
  intros; unfold balance_grad_inner, grad_neuron; simpl.
  rewrite dot_vscale_r, dot_vinteg_r.
  assert (E : integ mu (fun x => act s (preact n x) * err s f th x)
              = integ mu (fun x => dot (nw n) (vscale (dact s (preact n x) * err s f th x) x)
                                   + nb n * (dact s (preact n x) * err s f th x))).
  { apply integ_ext; intros x; rewrite dot_vscale_r, <- homogeneous; unfold preact; ring. }
  rewrite E, integ_plus, integ_scale; ring.
Qed.

End Homogeneous.

(** ** Step expansions (pure algebra, any G of θ's shape) *)

Lemma dot_self_vadd_vscale : forall a b k,
  dot (vadd a (vscale k b)) (vadd a (vscale k b))
  = dot a a + 2 * k * dot a b + k ^ 2 * dot b b.
Proof.
  intros; rewrite dot_vadd_l, !dot_vadd_r, !dot_vscale_l, !dot_vscale_r, (dot_comm b a); ring.
Qed.

Lemma ninner_nstep : forall gamma n g,
  ninner (nstep gamma n g) (nstep gamma n g)
  = ninner n n - 2 * gamma * ninner n g + gamma ^ 2 * ninner g g.
Proof.
  intros; unfold ninner, nstep; simpl; rewrite dot_self_vadd_vscale; ring.
Qed.

Lemma inner_ns_step : forall gamma ns gs, length ns = length gs ->
  inner_ns (step_ns gamma ns gs) (step_ns gamma ns gs)
  = inner_ns ns ns - 2 * gamma * inner_ns ns gs + gamma ^ 2 * inner_ns gs gs.
Proof.
  intros gamma; induction ns as [|n ns IH]; intros [|g gs] Hl; simpl in *;
    try discriminate; [ring|].
  rewrite ninner_nstep, IH by lia; ring.
Qed.

Lemma inner_ns_gradV : forall ns gs,
  inner_ns (map (fun n => mkNeuron (vscale 2 (nw n)) (2 * nb n) (2 * nv n)) ns) gs
  = 2 * inner_ns ns gs.
Proof.
  induction ns as [|n ns IH]; intros [|g gs]; simpl; try ring.
  rewrite IH; unfold ninner; simpl; rewrite dot_vscale_l; ring.
Qed.

(** V(θ − γG) = V(θ) − γ⟨∇V(θ), G⟩ + γ²(‖G‖² + G_c²) for every G of θ's shape *)
Theorem V_pstep_expansion : forall xi gamma th G,
  length (neurons th) = length (neurons G) ->
  V xi (pstep gamma th G)
  = V xi th - gamma * inner (gradV xi th) G + gamma ^ 2 * (normsq G + cout G ^ 2).
Proof.
  intros xi gamma th G Hl; unfold V, normsq, inner, pstep, gradV; simpl.
  rewrite inner_ns_step by exact Hl; rewrite inner_ns_gradV; ring.
Qed.

Lemma length_neurons_grad : forall s f mu th,
  length (neurons (grad s f mu th)) = length (neurons th).
Proof. intros; simpl; apply map_length. Qed.

Lemma step_ns_map : forall gamma ns (g : neuron -> neuron),
  step_ns gamma ns (map g ns) = map (fun n => nstep gamma n (g n)) ns.
Proof. induction ns as [|n ns IH]; intros; simpl; [reflexivity|]. rewrite IH; reflexivity. Qed.

(** the neurons of θ − γG(θ) are the per-neuron steps *)
Lemma neurons_gd_step : forall s f mu gamma th,
  neurons (gd_step s f mu gamma th)
  = map (fun n => nstep gamma n (grad_neuron s f mu th n)) (neurons th).
Proof. intros; unfold gd_step, pstep; simpl; apply step_ns_map. Qed.

Lemma balance_nstep : forall gamma n g,
  balance (nstep gamma n g)
  = balance n - gamma * balance_grad_inner n g
    + gamma ^ 2 * (norm2 (nw g) + nb g ^ 2 - nv g ^ 2).
Proof.
  intros; unfold balance, balance_grad_inner, nstep, norm2; simpl.
  rewrite dot_self_vadd_vscale; ring.
Qed.

(** ** ReLU (σ'(0) = 0), constant target ξ *)

Lemma relu_homogeneous : forall z, z * relu_deriv z = relu z.
Proof.
  intros z; unfold relu_deriv, relu, Rmax.
  destruct (Rlt_dec 0 z); destruct (Rle_dec z 0); lra.
Qed.

Lemma relu_homogeneous_act : forall z, z * dact relu_act z = act relu_act z.
Proof. exact relu_homogeneous. Qed.

(* C4 *)
Theorem lyapunov_identity_per_sample : forall (xi : R) (th : params) (x : list R),
  inner (gradV xi th) (sgrad relu_act (fun _ => xi) th x)
  = 8 * err relu_act (fun _ => xi) th x ^ 2.
Proof. apply lyapunov_per_sample_const_of_homogeneous, relu_homogeneous_act. Qed.

(* C3 *)
Theorem lyapunov_identity : forall (xi : R) (mu : measure) (th : params),
  inner (gradV xi th) (grad relu_act (fun _ => xi) mu th)
  = 8 * risk relu_act (fun _ => xi) mu th.
Proof. apply lyapunov_const_of_homogeneous, relu_homogeneous_act. Qed.

(* C3 with a nonconstant target (edge case E1): the defect *)
Theorem lyapunov_defect : forall (xi : R) (f : list R -> R) (mu : measure) (th : params),
  inner (gradV xi th) (grad relu_act f mu th)
  = 8 * risk relu_act f mu th + 8 * integ mu (fun x => err relu_act f th x * (f x - xi)).
Proof. apply lyapunov_defect_of_homogeneous, relu_homogeneous_act. Qed.

(* C5: ⟨∇Q_j(θ), G(θ)⟩ = 0 for every neuron j (any target f) *)
Theorem balance_invariant_orthogonal : forall (f : list R -> R) (mu : measure)
  (th : params) (n : neuron),
  balance_grad_inner n (grad_neuron relu_act f mu th n) = 0.
Proof. apply balance_orthogonal_of_homogeneous, relu_homogeneous_act. Qed.

(* C5, one GD step: Q_j(θ − γG) − Q_j(θ) = γ²(‖G_{w_j}‖² + G_{b_j}² − G_{v_j}²);
   the neuron j of θ − γG(θ) is [nstep gamma n (grad_neuron ... n)] by
   [neurons_gd_step]. *)
Theorem balance_step_change : forall (f : list R -> R) (mu : measure) (gamma : R)
  (th : params) (n : neuron),
  let g := grad_neuron relu_act f mu th n in
  balance (nstep gamma n g) - balance n
  = gamma ^ 2 * (norm2 (nw g) + nb g ^ 2 - nv g ^ 2).
Proof.
  intros; unfold g; rewrite balance_nstep, balance_invariant_orthogonal; ring.
Qed.

(* C7 for any activation with z σ'(z) = σ(z) *)
Theorem gd_step_expansion_of_homogeneous : forall (s : activation),
  (forall z, z * dact s z = act s z) ->
  forall (xi : R) (mu : measure) (gamma : R) (th : params),
  let G := grad s (fun _ => xi) mu th in
  V xi (gd_step s (fun _ => xi) mu gamma th)
  = V xi th - 8 * gamma * risk s (fun _ => xi) mu th + gamma ^ 2 * (normsq G + cout G ^ 2).
Proof.
  intros s Hhom xi mu gamma th G; unfold gd_step, G.
  rewrite V_pstep_expansion by (symmetry; apply length_neurons_grad).
  rewrite lyapunov_const_of_homogeneous by exact Hhom; ring.
Qed.

(* C7 *)
Theorem gd_step_expansion : forall (xi : R) (mu : measure) (gamma : R) (th : params),
  let G := grad relu_act (fun _ => xi) mu th in
  V xi (gd_step relu_act (fun _ => xi) mu gamma th)
  = V xi th - 8 * gamma * risk relu_act (fun _ => xi) mu th
    + gamma ^ 2 * (normsq G + cout G ^ 2).
Proof. exact (gd_step_expansion_of_homogeneous relu_act relu_homogeneous_act). Qed.
