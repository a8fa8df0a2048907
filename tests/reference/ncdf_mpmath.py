"""Reference values of the standard normal CDF at 40 digits (mpmath), for ironhedge's fast CDF.

    python3 tests/reference/ncdf_mpmath.py > tests/fixtures/reference/ncdf_mpmath.csv

Points: 4001 evenly spaced x in [-10.5, 10.5] shifted off the 1/64 grid, plus every 1/64 grid
point in [-10, 10]. Columns: x (repr, exact double), N(x) (25 significant digits).
"""
import mpmath as mp

mp.mp.dps = 40
print("x,cdf")
xs = [-10.5 + 21.0 * i / 4000 + 1e-7 for i in range(4001)] + [-10 + i / 64 for i in range(1281)]
for x in xs:
    print(f"{x!r},{mp.nstr(mp.ncdf(mp.mpf(x)), 25)}")
