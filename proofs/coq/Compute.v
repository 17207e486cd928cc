(** * Compute: an executable mirror of the model over Q, with correctness
      lemmas [Q2R (X_Q ...) = X (on Q2R-mapped inputs)].

    R does not compute, so concrete claims (witnesses) are decided by
    [vm_compute] on the Q side and transported to the R definitions of
    [Model] by the [*_correct] lemmas below.  Activation: ReLU with
    σ'(0) = 0 ([relu_act]).  Targets: any [fQ : list Q -> Q] that mirrors an
    [f : list R -> R]; constant targets and affine targets are provided.

    The arithmetic reduces every intermediate result ([Qred]), so that
    numerators and denominators stay small. *)

From Coq Require Import Reals Lra List QArith Qreals.
From ReluProof Require Import Model Facts Lyapunov.
Import ListNotations.

(** ** Reduced arithmetic on Q *)

Definition qadd (a b : Q) : Q := Qred (a + b).
Definition qsub (a b : Q) : Q := Qred (a - b).
Definition qmul (a b : Q) : Q := Qred (a * b).
Definition qinv (a : Q) : Q := Qred (/ a).
Definition qmax (a b : Q) : Q := if Qlt_le_dec b a then a else b.

(** ** The mirror *)

Fixpoint dot_Q (a b : list Q) : Q :=
  match a, b with
  | x :: a', y :: b' => qadd (qmul x y) (dot_Q a' b')
  | _, _ => 0
  end.

Definition norm2_Q (a : list Q) : Q := dot_Q a a.

Fixpoint vadd_Q (a b : list Q) : list Q :=
  match a, b with
  | x :: a', y :: b' => qadd x y :: vadd_Q a' b'
  | [], _ => b
  | _, [] => a
  end.

Definition vscale_Q (k : Q) (a : list Q) : list Q := map (fun x => qmul k x) a.

Definition measure_Q := list (Q * list Q).

Fixpoint integ_Q (mu : measure_Q) (g : list Q -> Q) : Q :=
  match mu with
  | [] => 0
  | (p, x) :: mu' => qadd (qmul p (g x)) (integ_Q mu' g)
  end.

Fixpoint vinteg_Q (mu : measure_Q) (h : list Q -> list Q) : list Q :=
  match mu with
  | [] => []
  | (p, x) :: mu' => vadd_Q (vscale_Q p (h x)) (vinteg_Q mu' h)
  end.

Definition mass_Q (mu : measure_Q) : Q := integ_Q mu (fun _ => 1).
Definition moment2_Q (mu : measure_Q) : Q := integ_Q mu (fun x => qadd 1 (norm2_Q x)).

Fixpoint rho_sq_Q (mu : measure_Q) : Q :=
  match mu with
  | [] => 0
  | (_, x) :: mu' => qmax (norm2_Q x) (rho_sq_Q mu')
  end.

Record neuron_Q := mkNeuron_Q { qw : list Q; qb : Q; qv : Q }.
Record params_Q := mkParams_Q { qneurons : list neuron_Q; qcout : Q }.

Fixpoint sum_over_Q {A : Type} (l : list A) (g : A -> Q) : Q :=
  match l with
  | [] => 0
  | a :: l' => qadd (g a) (sum_over_Q l' g)
  end.

Definition relu_Q (z : Q) : Q := qmax z 0.
Definition relu_deriv_Q (z : Q) : Q := if Qlt_le_dec 0 z then 1 else 0.

Definition preact_Q (n : neuron_Q) (x : list Q) : Q := qadd (dot_Q (qw n) x) (qb n).

Definition N_Q (th : params_Q) (x : list Q) : Q :=
  qadd (qcout th) (sum_over_Q (qneurons th) (fun n => qmul (qv n) (relu_Q (preact_Q n x)))).

Definition e_Q (fQ : list Q -> Q) (th : params_Q) (x : list Q) : Q := qsub (N_Q th x) (fQ x).

Definition L_Q (fQ : list Q -> Q) (mu : measure_Q) (th : params_Q) : Q :=
  integ_Q mu (fun x => qmul (e_Q fQ th x) (e_Q fQ th x)).

Definition grad_neuron_Q (fQ : list Q -> Q) (mu : measure_Q) (th : params_Q)
  (n : neuron_Q) : neuron_Q :=
  mkNeuron_Q
    (vscale_Q (qmul 2 (qv n))
       (vinteg_Q mu (fun x => vscale_Q (qmul (relu_deriv_Q (preact_Q n x)) (e_Q fQ th x)) x)))
    (qmul (qmul 2 (qv n)) (integ_Q mu (fun x => qmul (relu_deriv_Q (preact_Q n x)) (e_Q fQ th x))))
    (qmul 2 (integ_Q mu (fun x => qmul (relu_Q (preact_Q n x)) (e_Q fQ th x)))).

Definition G_Q (fQ : list Q -> Q) (mu : measure_Q) (th : params_Q) : params_Q :=
  mkParams_Q (map (grad_neuron_Q fQ mu th) (qneurons th)) (qmul 2 (integ_Q mu (e_Q fQ th))).

Definition ninner_Q (n m : neuron_Q) : Q :=
  qadd (qadd (dot_Q (qw n) (qw m)) (qmul (qb n) (qb m))) (qmul (qv n) (qv m)).

Fixpoint inner_ns_Q (a b : list neuron_Q) : Q :=
  match a, b with
  | n :: a', m :: b' => qadd (ninner_Q n m) (inner_ns_Q a' b')
  | _, _ => 0
  end.

Definition inner_Q (a b : params_Q) : Q :=
  qadd (inner_ns_Q (qneurons a) (qneurons b)) (qmul (qcout a) (qcout b)).

Definition normsq_Q (th : params_Q) : Q := inner_Q th th.

Definition V_Q (xi : Q) (th : params_Q) : Q :=
  qadd (normsq_Q th) (qmul (qsub (qcout th) (qmul 2 xi)) (qsub (qcout th) (qmul 2 xi))).

Definition gradV_Q (xi : Q) (th : params_Q) : params_Q :=
  mkParams_Q (map (fun n => mkNeuron_Q (vscale_Q 2 (qw n)) (qmul 2 (qb n)) (qmul 2 (qv n)))
                  (qneurons th))
    (qmul 4 (qsub (qcout th) xi)).

Definition nstep_Q (gamma : Q) (n g : neuron_Q) : neuron_Q :=
  mkNeuron_Q (vadd_Q (qw n) (vscale_Q (- gamma) (qw g)))
    (qsub (qb n) (qmul gamma (qb g))) (qsub (qv n) (qmul gamma (qv g))).

Fixpoint step_ns_Q (gamma : Q) (a b : list neuron_Q) : list neuron_Q :=
  match a, b with
  | n :: a', g :: b' => nstep_Q gamma n g :: step_ns_Q gamma a' b'
  | _, _ => []
  end.

(** θ − γ G *)
Definition pstep_Q (gamma : Q) (th G : params_Q) : params_Q :=
  mkParams_Q (step_ns_Q gamma (qneurons th) (qneurons G)) (qsub (qcout th) (qmul gamma (qcout G))).

(** one GD step θ − γ G(θ) *)
Definition step_Q (fQ : list Q -> Q) (mu : measure_Q) (gamma : Q) (th : params_Q) : params_Q :=
  pstep_Q gamma th (G_Q fQ mu th).

Fixpoint gd_Q (fQ : list Q -> Q) (mu : measure_Q) (gamma : Q) (th0 : params_Q) (n : nat)
  : params_Q :=
  match n with
  | O => th0
  | S k => step_Q fQ mu gamma (gd_Q fQ mu gamma th0 k)
  end.

Definition gamma_star_Q (mu : measure_Q) (xi : Q) (th0 : params_Q) : Q :=
  qinv (qmul (qmul (qmul 2 (mass_Q mu)) (qmax 1 (rho_sq_Q mu))) (qadd 1 (V_Q xi th0))).

Definition K_sharp_Q (mu : measure_Q) : Q := qmax (qmul 8 (mass_Q mu)) (qmul 4 (moment2_Q mu)).

Definition gamma_star_sharp_Q (mu : measure_Q) (xi : Q) (th0 : params_Q) : Q :=
  qmul 4 (qinv (qmul (K_sharp_Q mu) (qadd 1 (V_Q xi th0)))).

(** targets *)
Definition const_Q (xi : Q) : list Q -> Q := fun _ => xi.
Definition affine_Q (alpha : list Q) (beta : Q) : list Q -> Q := fun x => qadd (dot_Q alpha x) beta.

(** G = 0, decided *)
Definition zero_check_Q (G : params_Q) : bool :=
  forallb (fun n => forallb (Qeq_bool 0) (qw n) && Qeq_bool 0 (qb n) && Qeq_bool 0 (qv n))
          (qneurons G)
  && Qeq_bool 0 (qcout G).

(** ** From Q to R *)

Definition vR (a : list Q) : list R := map Q2R a.
Definition neuronR (n : neuron_Q) : neuron := mkNeuron (vR (qw n)) (Q2R (qb n)) (Q2R (qv n)).
Definition paramsR (th : params_Q) : params := mkParams (map neuronR (qneurons th)) (Q2R (qcout th)).
Definition measR (mu : measure_Q) : measure := map (fun px => (Q2R (fst px), vR (snd px))) mu.

(** f mirrors fQ *)
Definition mirrors (fQ : list Q -> Q) (f : list R -> R) : Prop :=
  forall x, Q2R (fQ x) = f (vR x).

Local Open Scope R_scope.

(** ** Correctness *)

Lemma Q2R_int : forall z : Z, Q2R (z # 1) = IZR z.
Proof. intros; unfold Q2R; simpl; field. Qed.

Lemma Q2R_0 : Q2R 0 = 0.
Proof. apply Q2R_int. Qed.
Lemma Q2R_1 : Q2R 1 = 1.
Proof. apply Q2R_int. Qed.
Lemma Q2R_2 : Q2R 2 = 2.
Proof. apply Q2R_int. Qed.
Lemma Q2R_4 : Q2R 4 = 4.
Proof. apply Q2R_int. Qed.
Lemma Q2R_8 : Q2R 8 = 8.
Proof. apply Q2R_int. Qed.

Lemma qadd_R : forall a b, Q2R (qadd a b) = Q2R a + Q2R b.
Proof. intros; unfold qadd; rewrite (Qeq_eqR _ _ (Qred_correct _)); apply Q2R_plus. Qed.
Lemma qsub_R : forall a b, Q2R (qsub a b) = Q2R a - Q2R b.
Proof. intros; unfold qsub; rewrite (Qeq_eqR _ _ (Qred_correct _)); apply Q2R_minus. Qed.
Lemma qmul_R : forall a b, Q2R (qmul a b) = Q2R a * Q2R b.
Proof. intros; unfold qmul; rewrite (Qeq_eqR _ _ (Qred_correct _)); apply Q2R_mult. Qed.
Lemma qinv_R : forall a, ~ a == 0 -> Q2R (qinv a) = / Q2R a.
Proof. intros; unfold qinv; rewrite (Qeq_eqR _ _ (Qred_correct _)); apply Q2R_inv; auto. Qed.
Lemma qmax_R : forall a b, Q2R (qmax a b) = Rmax (Q2R a) (Q2R b).
Proof.
  intros; unfold qmax; destruct (Qlt_le_dec b a) as [H|H].
  - apply Qlt_Rlt in H; rewrite Rmax_left; lra.
  - apply Qle_Rle in H; rewrite Rmax_right; lra.
Qed.

Lemma not_Qeq_0_of_R : forall a, Q2R a <> 0 -> ~ a == 0.
Proof. intros a H E; apply H; rewrite (Qeq_eqR _ _ E); apply Q2R_0. Qed.

Lemma dot_Q_correct : forall a b, Q2R (dot_Q a b) = dot (vR a) (vR b).
Proof.
  induction a as [|x a IH]; intros [|y b]; simpl; try apply Q2R_0.
  rewrite qadd_R, qmul_R, IH; reflexivity.
Qed.

Lemma norm2_Q_correct : forall a, Q2R (norm2_Q a) = norm2 (vR a).
Proof. intros; apply dot_Q_correct. Qed.

Lemma vadd_Q_correct : forall a b, vR (vadd_Q a b) = vadd (vR a) (vR b).
Proof.
  induction a as [|x a IH]; intros [|y b]; simpl; try reflexivity.
  unfold vR in *; simpl; rewrite qadd_R, IH; reflexivity.
Qed.

Lemma vscale_Q_correct : forall k a, vR (vscale_Q k a) = vscale (Q2R k) (vR a).
Proof.
  intros; unfold vR, vscale_Q, vscale; rewrite !map_map; apply map_ext; intros; apply qmul_R.
Qed.

Lemma integ_Q_correct : forall mu gQ g, (forall x, Q2R (gQ x) = g (vR x)) ->
  Q2R (integ_Q mu gQ) = integ (measR mu) g.
Proof.
  induction mu as [|[p x] mu IH]; intros gQ g H; simpl; [apply Q2R_0|].
  rewrite qadd_R, qmul_R, H, (IH gQ g H); reflexivity.
Qed.

Lemma vinteg_Q_correct : forall mu hQ h, (forall x, vR (hQ x) = h (vR x)) ->
  vR (vinteg_Q mu hQ) = vinteg (measR mu) h.
Proof.
  induction mu as [|[p x] mu IH]; intros hQ h H; simpl; [reflexivity|].
  rewrite vadd_Q_correct, vscale_Q_correct, H, (IH hQ h H); reflexivity.
Qed.

Lemma mass_Q_correct : forall mu, Q2R (mass_Q mu) = mass (measR mu).
Proof. intros; apply integ_Q_correct; intros; apply Q2R_1. Qed.

Lemma moment2_Q_correct : forall mu, Q2R (moment2_Q mu) = moment2 (measR mu).
Proof.
  intros; apply integ_Q_correct; intros; rewrite qadd_R, Q2R_1, norm2_Q_correct; reflexivity.
Qed.

Lemma rho_sq_Q_correct : forall mu, Q2R (rho_sq_Q mu) = rho_sq (measR mu).
Proof.
  induction mu as [|[p x] mu IH]; simpl; [apply Q2R_0|].
  rewrite qmax_R, norm2_Q_correct, IH; reflexivity.
Qed.

Lemma sum_over_Q_correct : forall {A B : Type} (emb : A -> B) (l : list A) gQ g,
  (forall a, Q2R (gQ a) = g (emb a)) -> Q2R (sum_over_Q l gQ) = sum_over (map emb l) g.
Proof.
  intros A B emb; induction l as [|a l IH]; intros gQ g H; simpl; [apply Q2R_0|].
  rewrite qadd_R, H, (IH gQ g H); reflexivity.
Qed.

Lemma relu_Q_correct : forall z, Q2R (relu_Q z) = relu (Q2R z).
Proof. intros; unfold relu_Q, relu; rewrite qmax_R, Q2R_0; reflexivity. Qed.

Lemma relu_deriv_Q_correct : forall z, Q2R (relu_deriv_Q z) = relu_deriv (Q2R z).
Proof.
  intros; unfold relu_deriv_Q, relu_deriv.
  destruct (Qlt_le_dec 0 z) as [H|H]; destruct (Rlt_dec 0 (Q2R z)) as [H'|H'].
  - apply Q2R_1.
  - apply Qlt_Rlt in H; rewrite Q2R_0 in H; contradiction.
  - apply Qle_Rle in H; rewrite Q2R_0 in H; lra.
  - apply Q2R_0.
Qed.

Lemma preact_Q_correct : forall n x, Q2R (preact_Q n x) = preact (neuronR n) (vR x).
Proof. intros; unfold preact_Q, preact; rewrite qadd_R, dot_Q_correct; reflexivity. Qed.

Lemma N_Q_correct : forall th x, Q2R (N_Q th x) = net relu_act (paramsR th) (vR x).
Proof.
  intros; unfold N_Q, net, paramsR; simpl.
  rewrite qadd_R; f_equal.
  apply sum_over_Q_correct; intros n.
  rewrite qmul_R, relu_Q_correct, preact_Q_correct; reflexivity.
Qed.

Section Target.

Variables (fQ : list Q -> Q) (f : list R -> R).
Hypothesis Hf : mirrors fQ f.

Lemma e_Q_correct : forall th x, Q2R (e_Q fQ th x) = err relu_act f (paramsR th) (vR x).
Proof. intros; unfold e_Q, err; rewrite qsub_R, N_Q_correct, Hf; reflexivity. Qed.

Lemma L_Q_correct : forall mu th, Q2R (L_Q fQ mu th) = risk relu_act f (measR mu) (paramsR th).
Proof.
  intros; apply integ_Q_correct; intros x; rewrite qmul_R, e_Q_correct; ring.
Qed.

Lemma grad_neuron_Q_correct : forall mu th n,
  neuronR (grad_neuron_Q fQ mu th n)
  = grad_neuron relu_act f (measR mu) (paramsR th) (neuronR n).
Proof.
  intros; unfold grad_neuron_Q, grad_neuron, neuronR at 1; simpl; f_equal.
  - rewrite vscale_Q_correct, qmul_R, Q2R_2; f_equal.
    apply vinteg_Q_correct; intros x.
    rewrite vscale_Q_correct, qmul_R, relu_deriv_Q_correct, preact_Q_correct, e_Q_correct.
    reflexivity.
  - rewrite !qmul_R, Q2R_2; f_equal.
    apply integ_Q_correct; intros x.
    rewrite qmul_R, relu_deriv_Q_correct, preact_Q_correct, e_Q_correct; reflexivity.
  - rewrite qmul_R, Q2R_2; f_equal.
    apply integ_Q_correct; intros x.
    rewrite qmul_R, relu_Q_correct, preact_Q_correct, e_Q_correct; reflexivity.
Qed.

Lemma G_Q_correct : forall mu th,
  paramsR (G_Q fQ mu th) = grad relu_act f (measR mu) (paramsR th).
Proof.
  intros; unfold G_Q, grad, paramsR at 1; simpl; f_equal.
  - rewrite !map_map; apply map_ext; intros n; apply grad_neuron_Q_correct.
  - rewrite qmul_R, Q2R_2; f_equal; apply integ_Q_correct; intros x; apply e_Q_correct.
Qed.

End Target.

Lemma ninner_Q_correct : forall n m, Q2R (ninner_Q n m) = ninner (neuronR n) (neuronR m).
Proof.
  intros; unfold ninner_Q, ninner; simpl; rewrite !qadd_R, !qmul_R, dot_Q_correct; reflexivity.
Qed.

Lemma inner_ns_Q_correct : forall a b,
  Q2R (inner_ns_Q a b) = inner_ns (map neuronR a) (map neuronR b).
Proof.
  induction a as [|n a IH]; intros [|m b]; simpl; try apply Q2R_0.
  rewrite qadd_R, ninner_Q_correct, IH; reflexivity.
Qed.

Lemma inner_Q_correct : forall a b, Q2R (inner_Q a b) = inner (paramsR a) (paramsR b).
Proof.
  intros; unfold inner_Q, inner; simpl; rewrite qadd_R, qmul_R, inner_ns_Q_correct; reflexivity.
Qed.

Lemma normsq_Q_correct : forall th, Q2R (normsq_Q th) = normsq (paramsR th).
Proof. intros; apply inner_Q_correct. Qed.

Lemma V_Q_correct : forall xi th, Q2R (V_Q xi th) = V (Q2R xi) (paramsR th).
Proof.
  intros; unfold V_Q, V; rewrite qadd_R, qmul_R, normsq_Q_correct, qsub_R, qmul_R, Q2R_2.
  simpl; ring.
Qed.

Lemma gradV_Q_correct : forall xi th, paramsR (gradV_Q xi th) = gradV (Q2R xi) (paramsR th).
Proof.
  intros; unfold gradV_Q, gradV, paramsR; simpl; f_equal.
  - rewrite !map_map; apply map_ext; intros n; unfold neuronR; simpl.
    rewrite vscale_Q_correct, !qmul_R, Q2R_2; reflexivity.
  - rewrite qmul_R, qsub_R, Q2R_4; reflexivity.
Qed.

Lemma nstep_Q_correct : forall gamma n g,
  neuronR (nstep_Q gamma n g) = nstep (Q2R gamma) (neuronR n) (neuronR g).
Proof.
  intros; unfold nstep_Q, nstep, neuronR; simpl.
  rewrite vadd_Q_correct, vscale_Q_correct, Q2R_opp, !qsub_R, !qmul_R; reflexivity.
Qed.

Lemma step_ns_Q_correct : forall gamma a b,
  map neuronR (step_ns_Q gamma a b) = step_ns (Q2R gamma) (map neuronR a) (map neuronR b).
Proof.
  intros gamma; induction a as [|n a IH]; intros [|g b]; simpl; try reflexivity.
  rewrite nstep_Q_correct, IH; reflexivity.
Qed.

Lemma pstep_Q_correct : forall gamma th G,
  paramsR (pstep_Q gamma th G) = pstep (Q2R gamma) (paramsR th) (paramsR G).
Proof.
  intros; unfold pstep_Q, pstep, paramsR; simpl.
  rewrite step_ns_Q_correct, qsub_R, qmul_R; reflexivity.
Qed.

Lemma step_Q_correct : forall fQ f, mirrors fQ f -> forall mu gamma th,
  paramsR (step_Q fQ mu gamma th) = gd_step relu_act f (measR mu) (Q2R gamma) (paramsR th).
Proof.
  intros; unfold step_Q, gd_step; rewrite pstep_Q_correct, (G_Q_correct fQ f H); reflexivity.
Qed.

Lemma gd_Q_correct : forall fQ f, mirrors fQ f -> forall mu gamma th0 n,
  paramsR (gd_Q fQ mu gamma th0 n) = gd relu_act f (measR mu) (Q2R gamma) (paramsR th0) n.
Proof.
  intros fQ f Hf mu gamma th0 n; induction n as [|n IH]; simpl; [reflexivity|].
  rewrite (step_Q_correct fQ f Hf), IH; reflexivity.
Qed.

Lemma K_sharp_Q_correct : forall mu, Q2R (K_sharp_Q mu) = K_sharp (measR mu).
Proof.
  intros; unfold K_sharp_Q, K_sharp.
  rewrite qmax_R, !qmul_R, Q2R_8, Q2R_4, mass_Q_correct, moment2_Q_correct; reflexivity.
Qed.

Lemma gamma_star_Q_correct : forall mu xi th0, mass (measR mu) <> 0 ->
  Q2R (gamma_star_Q mu xi th0) = gamma_star (measR mu) (Q2R xi) (paramsR th0).
Proof.
  intros mu xi th0 Hm; unfold gamma_star_Q, gamma_star, gamma_star_of.
  assert (E : Q2R (qmul (qmul (qmul 2 (mass_Q mu)) (qmax 1 (rho_sq_Q mu))) (qadd 1 (V_Q xi th0)))
              = 2 * mass (measR mu) * Rmax 1 (rho_sq (measR mu)) * (1 + V (Q2R xi) (paramsR th0))).
  { rewrite !qmul_R, qadd_R, qmax_R, Q2R_2, Q2R_1, mass_Q_correct, rho_sq_Q_correct, V_Q_correct.
    reflexivity. }
  rewrite qinv_R, E; [reflexivity|].
  apply not_Qeq_0_of_R; rewrite E.
  pose proof (V_nonneg (Q2R xi) (paramsR th0)); pose proof (Rmax_l 1 (rho_sq (measR mu))).
  repeat apply Rmult_integral_contrapositive_currified; lra.
Qed.

Lemma gamma_star_sharp_Q_correct : forall mu xi th0, K_sharp (measR mu) <> 0 ->
  Q2R (gamma_star_sharp_Q mu xi th0) = gamma_star_sharp (measR mu) (Q2R xi) (paramsR th0).
Proof.
  intros mu xi th0 HK; unfold gamma_star_sharp_Q, gamma_star_sharp.
  assert (E : Q2R (qmul (K_sharp_Q mu) (qadd 1 (V_Q xi th0)))
              = K_sharp (measR mu) * (1 + V (Q2R xi) (paramsR th0))).
  { rewrite qmul_R, qadd_R, Q2R_1, K_sharp_Q_correct, V_Q_correct; reflexivity. }
  rewrite qmul_R, Q2R_4, qinv_R, E; [reflexivity|].
  apply not_Qeq_0_of_R; rewrite E.
  pose proof (V_nonneg (Q2R xi) (paramsR th0)).
  apply Rmult_integral_contrapositive_currified; lra.
Qed.

Lemma const_Q_mirrors : forall xi, mirrors (const_Q xi) (fun _ => Q2R xi).
Proof. intros xi x; reflexivity. Qed.

Lemma affine_Q_mirrors : forall alpha beta,
  mirrors (affine_Q alpha beta) (affine (vR alpha) (Q2R beta)).
Proof. intros alpha beta x; unfold affine_Q, affine; rewrite qadd_R, dot_Q_correct; reflexivity. Qed.

Lemma zero_check_Q_correct : forall G, zero_check_Q G = true -> params_zero (paramsR G).
Proof.
  intros [ns c]; unfold zero_check_Q, params_zero, paramsR; simpl.
  intros H; apply andb_true_iff in H as [Hns Hc].
  split.
  - apply Forall_forall; intros n' Hin.
    apply in_map_iff in Hin as [n [<- Hin]].
    rewrite forallb_forall in Hns; specialize (Hns n Hin).
    apply andb_true_iff in Hns as [Hns Hv]; apply andb_true_iff in Hns as [Hw Hb].
    unfold neuronR; simpl; repeat split.
    + apply Forall_forall; intros a Ha; unfold vR in Ha.
      apply in_map_iff in Ha as [q [<- Hq]].
      rewrite forallb_forall in Hw; specialize (Hw q Hq).
      apply Qeq_bool_eq in Hw; rewrite <- (Qeq_eqR _ _ Hw); apply Q2R_0.
    + apply Qeq_bool_eq in Hb; rewrite <- (Qeq_eqR _ _ Hb); apply Q2R_0.
    + apply Qeq_bool_eq in Hv; rewrite <- (Qeq_eqR _ _ Hv); apply Q2R_0.
  - apply Qeq_bool_eq in Hc; rewrite <- (Qeq_eqR _ _ Hc); apply Q2R_0.
Qed.
