"""Independent reference values for ironhedge's BSM / Black-76 prices and Greeks.

Computed with mpmath at 50 significant digits (no shared code with the Rust implementation; the
normal CDF is mpmath's ncdf). Regenerate with:

    python3 tests/reference/black_mpmath.py > tests/fixtures/reference/black_mpmath.csv

Columns: model (bsm|black76), type (call|put), underlying (S or F), strike, t (years), r, q (0 for
black76), vol, then price, delta, gamma, vega (per 1.00 vol), theta (-dV/dT per year), rho (per
1.00 rate; black76 holds F fixed). Inputs are written with repr() so Rust parses the same doubles.
"""
import random
import mpmath as mp

mp.mp.dps = 50


def greeks(model, kind, S, K, T, r, q, v):
    S, K, T, r, q, v = map(mp.mpf, (S, K, T, r, q, v))
    if model == "black76":
        q = r
    w = 1 if kind == "call" else -1
    srt = v * mp.sqrt(T)
    d1 = (mp.log(S / K) + (r - q + v * v / 2) * T) / srt
    d2 = d1 - srt
    dq, dr = mp.e ** (-q * T), mp.e ** (-r * T)
    N, n = mp.ncdf, mp.npdf
    price = w * (S * dq * N(w * d1) - K * dr * N(w * d2))
    delta = w * dq * N(w * d1)
    gamma = dq * n(d1) / (S * srt)
    vega = S * dq * n(d1) * mp.sqrt(T)
    theta = -S * dq * n(d1) * v / (2 * mp.sqrt(T)) - w * r * K * dr * N(w * d2) + w * q * S * dq * N(w * d1)
    rho = w * K * T * dr * N(w * d2) if model == "bsm" else -T * price
    return price, delta, gamma, vega, theta, rho


def main():
    rng = random.Random(20261121)
    print("model,type,underlying,strike,t,r,q,vol,price,delta,gamma,vega,theta,rho")
    for i in range(600):
        model = "bsm" if i % 3 else "black76"
        kind = "call" if i % 2 else "put"
        S = rng.choice([15.0, 100.0, 2700.0, 4700.0]) * rng.uniform(0.9, 1.1)
        m = rng.uniform(-0.7, 0.7)  # ln(K/F)
        T = rng.choice([1 / 365, 7 / 365, 30 / 365, 0.25, 1.0, 3.0])
        r = rng.uniform(-0.01, 0.10)
        q = 0.0 if model == "black76" else rng.uniform(0.0, 0.05)
        v = rng.choice([0.01, 0.05, 0.15, 0.4, 0.9, 2.0]) * rng.uniform(0.8, 1.2)
        K = S * float(mp.e ** ((r - q) * T + m))
        vals = greeks(model, kind, S, K, T, r, q, v)
        ins = [repr(float(x)) for x in (S, K, T, r, q, v)]
        outs = [mp.nstr(x, 25) for x in vals]
        print(",".join([model, kind] + ins + outs))


if __name__ == "__main__":
    main()
