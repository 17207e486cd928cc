(** * Model: the objects of the paper, over the reals (Coq's [Reals]).

    Everything is stated for a finite weighted sum of Dirac masses
    μ = Σ_i p_i δ_{x_i} (an "empirical" measure), any input dimension d and
    any width H.

    Vectors are lists of reals.  [dot] and [vadd] use zero padding: for two
    lists of the same length d they are the usual dot product and sum on R^d,
    and for lists of different lengths they act as if the shorter one were
    padded with zeros.  Hence no theorem below needs a hypothesis of the form
    "every w_j and every x_i has length d". *)

From Coq Require Import Reals Lra List.
Import ListNotations.
Local Open Scope R_scope.

(** ** Vectors *)

Fixpoint dot (a b : list R) : R :=
  match a, b with
  | x :: a', y :: b' => x * y + dot a' b'
  | _, _ => 0
  end.

(** ‖a‖² *)
Definition norm2 (a : list R) : R := dot a a.

Fixpoint vadd (a b : list R) : list R :=
  match a, b with
  | x :: a', y :: b' => (x + y) :: vadd a' b'
  | [], _ => b
  | _, [] => a
  end.

Definition vscale (k : R) (a : list R) : list R := map (fun x => k * x) a.

(** ** Finite measures  μ = Σ_i p_i δ_{x_i}  as lists of pairs (p_i, x_i). *)

Definition measure := list (R * list R).

(** ∫ g dμ = Σ_i p_i g(x_i) *)
Fixpoint integ (mu : measure) (g : list R -> R) : R :=
  match mu with
  | [] => 0
  | (p, x) :: mu' => p * g x + integ mu' g
  end.

(** vector-valued ∫ h dμ = Σ_i p_i h(x_i) *)
Fixpoint vinteg (mu : measure) (h : list R -> list R) : list R :=
  match mu with
  | [] => []
  | (p, x) :: mu' => vadd (vscale p (h x)) (vinteg mu' h)
  end.

(** the weights are nonnegative *)
Definition nonneg_weights (mu : measure) : Prop :=
  forall p x, In (p, x) mu -> 0 <= p.

(** m = μ(R^d) = Σ_i p_i *)
Definition mass (mu : measure) : R := integ mu (fun _ => 1).

(** M = ∫ (1 + ‖x‖²) dμ = Σ_i p_i (1 + ‖x_i‖²) *)
Definition moment2 (mu : measure) : R := integ mu (fun x => 1 + norm2 x).

(** ρ² = max_i ‖x_i‖² over all listed points (0 for the empty list) *)
Fixpoint rho_sq (mu : measure) : R :=
  match mu with
  | [] => 0
  | (_, x) :: mu' => Rmax (norm2 x) (rho_sq mu')
  end.

(** ** Parameters θ = ((w_j, b_j, v_j)_{j ≤ H}, c) *)

Record neuron := mkNeuron { nw : list R; nb : R; nv : R }.
Record params := mkParams { neurons : list neuron; cout : R }.

Fixpoint sum_over {A : Type} (l : list A) (g : A -> R) : R :=
  match l with
  | [] => 0
  | a :: l' => g a + sum_over l' g
  end.

(** ** Activations: a function σ and the derivative σ' used in G. *)

Record activation := mkActivation { act : R -> R; dact : R -> R }.

(** ReLU σ(z) = max(z, 0), with σ'(z) = 1_{z > 0}: σ'(0) = 0, the open
    active set of the papers. *)
Definition relu (z : R) : R := Rmax z 0.
Definition relu_deriv (z : R) : R := if Rlt_dec 0 z then 1 else 0.
Definition relu_act : activation := mkActivation relu relu_deriv.

(** ** Network, error, risk *)

(** z_j(x) = w_j·x + b_j *)
Definition preact (n : neuron) (x : list R) : R := dot (nw n) x + nb n.

(** N^θ(x) = c + Σ_j v_j σ(w_j·x + b_j) *)
Definition net (s : activation) (th : params) (x : list R) : R :=
  cout th + sum_over (neurons th) (fun n => nv n * act s (preact n x)).

(** e(x) = N^θ(x) − f(x); the constant target ξ is [f = fun _ => ξ]. *)
Definition err (s : activation) (f : list R -> R) (th : params) (x : list R) : R :=
  net s th x - f x.

(** L(θ) = ∫ e² dμ = Σ_i p_i e(x_i)² *)
Definition risk (s : activation) (f : list R -> R) (mu : measure) (th : params) : R :=
  integ mu (fun x => err s f th x ^ 2).

(** ** Generalized gradient (D4), in θ's layout *)

Definition grad_neuron (s : activation) (f : list R -> R) (mu : measure)
  (th : params) (n : neuron) : neuron :=
  mkNeuron
    (* G_{w_j} = 2 v_j ∫ x σ'(z_j) e dμ *)
    (vscale (2 * nv n) (vinteg mu (fun x => vscale (dact s (preact n x) * err s f th x) x)))
    (* G_{b_j} = 2 v_j ∫ σ'(z_j) e dμ *)
    (2 * nv n * integ mu (fun x => dact s (preact n x) * err s f th x))
    (* G_{v_j} = 2 ∫ σ(z_j) e dμ *)
    (2 * integ mu (fun x => act s (preact n x) * err s f th x)).

Definition grad (s : activation) (f : list R -> R) (mu : measure) (th : params) : params :=
  mkParams (map (grad_neuron s f mu th) (neurons th))
    (* G_c = 2 ∫ e dμ *)
    (2 * integ mu (err s f th)).

(** per-sample generalized gradient 𝔊(θ, x) (the integrand of G) *)
Definition sgrad_neuron (s : activation) (f : list R -> R) (th : params)
  (x : list R) (n : neuron) : neuron :=
  mkNeuron
    (vscale (2 * nv n * dact s (preact n x) * err s f th x) x)
    (2 * nv n * dact s (preact n x) * err s f th x)
    (2 * act s (preact n x) * err s f th x).

Definition sgrad (s : activation) (f : list R -> R) (th : params) (x : list R) : params :=
  mkParams (map (sgrad_neuron s f th x) (neurons th)) (2 * err s f th x).

(** ** Inner products and norms in θ's layout *)

Definition ninner (n m : neuron) : R := dot (nw n) (nw m) + nb n * nb m + nv n * nv m.

Fixpoint inner_ns (a b : list neuron) : R :=
  match a, b with
  | n :: a', m :: b' => ninner n m + inner_ns a' b'
  | _, _ => 0
  end.

(** ⟨θ, θ'⟩ *)
Definition inner (a b : params) : R := inner_ns (neurons a) (neurons b) + cout a * cout b.

(** ‖θ‖² = Σ_j (‖w_j‖² + b_j² + v_j²) + c² *)
Definition normsq (th : params) : R := inner th th.

(** ** Lyapunov function and its gradient *)

(** V(θ) = ‖θ‖² + (c − 2ξ)² *)
Definition V (xi : R) (th : params) : R := normsq th + (cout th - 2 * xi) ^ 2.

(** ∇V(θ) = 2θ + 2(c − 2ξ) e_c: the c-component is 2c + 2(c − 2ξ) = 4(c − ξ). *)
Definition gradV (xi : R) (th : params) : params :=
  mkParams (map (fun n => mkNeuron (vscale 2 (nw n)) (2 * nb n) (2 * nv n)) (neurons th))
    (4 * (cout th - xi)).

(** ** Balance quantity Q_j = ‖w_j‖² + b_j² − v_j² and ⟨∇Q_j, g⟩ on neuron j *)

Definition balance (n : neuron) : R := norm2 (nw n) + nb n ^ 2 - nv n ^ 2.

(** ⟨∇Q_j(θ), G⟩ where ∇Q_j = (2 w_j, 2 b_j, −2 v_j) on neuron j's coordinates,
    [n] the neuron j of θ and [g] the neuron j of G. *)
Definition balance_grad_inner (n g : neuron) : R :=
  2 * dot (nw n) (nw g) + 2 * nb n * nb g - 2 * nv n * nv g.

(** ** Gradient descent *)

(** one neuron of θ − γ g *)
Definition nstep (gamma : R) (n g : neuron) : neuron :=
  mkNeuron (vadd (nw n) (vscale (- gamma) (nw g))) (nb n - gamma * nb g) (nv n - gamma * nv g).

Fixpoint step_ns (gamma : R) (a b : list neuron) : list neuron :=
  match a, b with
  | n :: a', g :: b' => nstep gamma n g :: step_ns gamma a' b'
  | _, _ => []
  end.

(** θ − γ G, componentwise *)
Definition pstep (gamma : R) (th G : params) : params :=
  mkParams (step_ns gamma (neurons th) (neurons G)) (cout th - gamma * cout G).

(** one GD step θ ↦ θ − γ G(θ) *)
Definition gd_step (s : activation) (f : list R -> R) (mu : measure) (gamma : R)
  (th : params) : params :=
  pstep gamma th (grad s f mu th).

(** Θ_0 = θ0, Θ_{n+1} = Θ_n − γ G(Θ_n) *)
Fixpoint gd (s : activation) (f : list R -> R) (mu : measure) (gamma : R)
  (th0 : params) (n : nat) : params :=
  match n with
  | O => th0
  | S k => gd_step s f mu gamma (gd s f mu gamma th0 k)
  end.

(** ** Step sizes *)

(** γ* = 1 / (2 m max{1, ρ²} (1 + V(Θ_0))), for a bound ρ² on the ‖x_i‖² *)
Definition gamma_star_of (m rho2 V0 : R) : R := / (2 * m * Rmax 1 rho2 * (1 + V0)).

(** with the defined ρ² = max_i ‖x_i‖² *)
Definition gamma_star (mu : measure) (xi : R) (th0 : params) : R :=
  gamma_star_of (mass mu) (rho_sq mu) (V xi th0).

(** K = 8 m max{1, ρ²} and K′ = max{8m, 4M} *)
Definition K_bound (m rho2 : R) : R := 8 * m * Rmax 1 rho2.
Definition K_sharp (mu : measure) : R := Rmax (8 * mass mu) (4 * moment2 mu).

(** γ′* = 4 / (K′ (1 + V(Θ_0))) *)
Definition gamma_star_sharp (mu : measure) (xi : R) (th0 : params) : R :=
  4 / (K_sharp mu * (1 + V xi th0)).

(** ** Affine targets f(x) = α·x + β (edge case E1) *)
Definition affine (alpha : list R) (beta : R) : list R -> R := fun x => dot alpha x + beta.

(** G = 0: every component is 0 *)
Definition params_zero (G : params) : Prop :=
  Forall (fun n => Forall (fun a => a = 0) (nw n) /\ nb n = 0 /\ nv n = 0) (neurons G)
  /\ cout G = 0.
