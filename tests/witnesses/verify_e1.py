#!/usr/bin/env python3
"""Independent check of a saved witness, written from scratch (no reluproof code).

Reads a witness TOML (a case file) for a ReLU network
    N(x) = c + sum_j v_j max(w_j x + b_j, 0)
on Lebesgue measure on [a, b] or the uniform probability on [a, b] (d = 1) with an affine target f(x) = alpha x + beta
(a constant target is the case alpha = 0), and recomputes by direct exact
integration (fractions.Fraction only):
    L   = int_a^b (N - f)^2 dx
    G_w = 2 v_j int_{I_j} x e,   G_b = 2 v_j int_{I_j} e,
    G_v = 2 int (w_j x + b_j)^+ e,   G_c = 2 int e,
with e = N - f and the open active set I_j = {x : w_j x + b_j > 0} (sigma'(0) = 0).

Between consecutive kinks every neuron is on or off throughout (decided at the
segment midpoint), so e = p + q x there and the integrals of 1, x, x^2 times
polynomials are exact.

Usage: verify_e1.py WITNESS.toml [--expect critical|negative-identity|risk-increase]
  critical       (default, E1/E2): exit 0 iff G = 0 exactly and L > 0.
  negative-identity (E1): exit 0 iff <grad V, G> < 0, V = |theta|^2 + (c - 2 xi)^2,
                 xi = the mean of f.
  risk-increase  (Q1): with gamma = gamma_factor * gamma*,
                 gamma* = 1 / (2 m max(1, rho^2) (1 + V)), V = |theta|^2 + (c - 2 xi)^2,
                 exit 0 iff L(theta - gamma G) > L(theta) > 0 (constant target xi only).
"""

import sys
import tomllib
from fractions import Fraction as F


def num(s):
    """A case-file number: "p/q", an integer or a decimal string, or a TOML integer."""
    if isinstance(s, int):
        return F(s)
    if isinstance(s, str):
        return F(s.strip())
    raise SystemExit(f"not an exact number: {s!r}")


def read(path):
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    p, t = doc["problem"], doc["theta"]
    if p.get("measure") not in ("lebesgue", "uniform") or p.get("d", 1) != 1:
        raise SystemExit("this verifier handles measure = \"lebesgue\" or \"uniform\" with d = 1 only")
    if p.get("activation", "relu") != "relu" or p.get("sigma_prime_zero", "open") != "open":
        raise SystemExit("this verifier handles ReLU with sigma'(0) = 0 only")
    a, b = num(p["a"]), num(p["b"])
    tgt = p["target"]
    if isinstance(tgt, dict):
        slope = tgt["slope"]
        alpha = num(slope[0] if isinstance(slope, list) else slope)
        beta = num(tgt["intercept"])
    else:
        alpha, beta = F(0), num(tgt)
    w = [num(x[0] if isinstance(x, list) else x) for x in t["w"]]
    bb = [num(x) for x in t["b"]]
    v = [num(x) for x in t["v"]]
    bias = p.get("output_bias", True)
    c = num(t.get("c", "0"))
    params = {k: num(x) for k, x in doc.get("witness", {}).get("params", {}).items()}
    # The uniform probability measure is Lebesgue measure scaled by 1/(b - a).
    scale = F(1) if p["measure"] == "lebesgue" else 1 / (b - a)
    return a, b, alpha, beta, w, bb, v, c, bias, params, scale


def poly_integral(coeffs, lo, hi):
    """int_lo^hi sum_k coeffs[k] x^k dx."""
    return sum(ck * (hi ** (k + 1) - lo ** (k + 1)) / (k + 1) for k, ck in enumerate(coeffs))


def mul(p, q):
    out = [F(0)] * (len(p) + len(q) - 1)
    for i, x in enumerate(p):
        for j, y in enumerate(q):
            out[i + j] += x * y
    return out


def risk_and_gradient(a, b, alpha, beta, w, bb, v, c, bias, scale=F(1)):
    h = len(w)
    cuts = {a, b}
    for j in range(h):
        if w[j] != 0:
            t = -bb[j] / w[j]
            if a < t < b:
                cuts.add(t)
    cuts = sorted(cuts)
    L = F(0)
    gw, gb, gv, gc = [F(0)] * h, [F(0)] * h, [F(0)] * h, F(0)
    for lo, hi in zip(cuts, cuts[1:]):
        mid = (lo + hi) / 2
        on = [w[j] * mid + bb[j] > 0 for j in range(h)]
        # e(x) = p0 + p1 x on this segment.
        p0 = c - beta + sum(v[j] * bb[j] for j in range(h) if on[j])
        p1 = -alpha + sum(v[j] * w[j] for j in range(h) if on[j])
        e = [p0, p1]
        L += poly_integral(mul(e, e), lo, hi)
        ie = poly_integral(e, lo, hi)
        ixe = poly_integral(mul([F(0), F(1)], e), lo, hi)
        gc += 2 * ie
        for j in range(h):
            if on[j]:
                gw[j] += 2 * v[j] * ixe
                gb[j] += 2 * v[j] * ie
                gv[j] += 2 * poly_integral(mul([bb[j], w[j]], e), lo, hi)
    if not bias:
        gc = F(0)
    sc = lambda xs: [scale * x for x in xs]
    return scale * L, (sc(gw), sc(gb), sc(gv), scale * gc)


def main():
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    mode = "critical"
    if "--expect" in args:
        i = args.index("--expect")
        mode = args[i + 1]
        del args[i : i + 2]
    a, b, alpha, beta, w, bb, v, c, bias, params, scale = read(args[0])
    L, (gw, gb, gv, gc) = risk_and_gradient(a, b, alpha, beta, w, bb, v, c, bias, scale)
    flat = gw + gb + gv + [gc]
    print(f"witness  {args[0]}")
    measure = "Lebesgue" if scale == 1 else "uniform probability"
    print(f"problem  {measure} on [{a}, {b}], f(x) = {alpha} x + {beta}, H = {len(w)}, output bias {bias}")
    print(f"L        = {L}")
    print(f"G        = ({', '.join(str(g) for g in flat)})")
    if mode == "critical":
        ok = all(g == 0 for g in flat) and L > 0
        print("verdict  " + ("G = 0 exactly and L > 0: a positive-risk critical point" if ok else "NOT a positive-risk critical point"))
        return 0 if ok else 1
    if mode == "risk-increase":
        if alpha != 0:
            raise SystemExit("risk-increase needs a constant target")
        xi = beta
        m = (b - a) * scale
        rho2 = max(a * a, b * b)
        theta2 = sum(x * x for x in w + bb + v) + c * c
        V = theta2 + (c - 2 * xi) ** 2
        gamma = params.get("gamma_factor", F(1)) / (2 * m * max(F(1), rho2) * (1 + V))
        step = lambda xs, gs: [x - gamma * g for x, g in zip(xs, gs)]
        L1, _ = risk_and_gradient(a, b, alpha, beta, step(w, gw), step(bb, gb), step(v, gv), c - gamma * gc, bias, scale)
        print(f"gamma    = {gamma}")
        print(f"L(theta - gamma G) - L(theta) = {L1 - L}  (~ {float(L1 - L):.6e})")
        ok = L1 > L > 0
        print("verdict  " + ("one GD step with gamma <= gamma* increases L" if ok else "L does not increase"))
        return 0 if ok else 1
    if mode == "negative-identity":
        # V = |theta|^2 + (c - 2 xi)^2 with xi the mean of f: grad V = 2 theta + 2 (c - 2 xi) e_c.
        xi = alpha * (a + b) / 2 + beta
        dot = sum(2 * x * g for x, g in zip(w + bb + v, gw + gb + gv)) + (2 * c + 2 * (c - 2 * xi)) * gc
        print(f"<grad V, G> = {dot}  (8L = {8 * L}, xi = mean of f = {xi})")
        ok = dot < 0
        print("verdict  " + ("<grad V, G> < 0: V increases along the flow" if ok else "<grad V, G> >= 0"))
        return 0 if ok else 1
    raise SystemExit(f"unknown --expect {mode!r}")


if __name__ == "__main__":
    sys.exit(main())
