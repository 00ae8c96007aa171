//! Strength reduction of powers: cheaper forms of `a ^ b` that keep the value.
//!
//! Two rewrites, both applied while the per-step code is emitted:
//!
//! - **Small integer exponents** ([`integer_power`]): `a^1` is `a`, `a^2` is `a·a` and
//!   `a^-1` is `1/a`. Each of these is one correctly rounded IEEE operation, and the C
//!   library's `pow` is correctly rounded on them too, so the results are bit-identical (the
//!   tests check it on millions of arguments). Higher exponents are left to `pow`: `a·a·a`
//!   rounds twice and differs from `a^3` by one ulp in about a quarter of cases.
//! - **A run-invariant base to a changing exponent** ([`pow_by_exp`]): `a ^ (t / T)` (growth
//!   at a yearly rate, say) becomes `exp(t · (ln(a) / T))`, and the hoisting pass then computes
//!   `ln(a) / T` once per run. `exp` costs a fraction of `pow`. This form is not bit-identical:
//!   with `y = t·ln(a)/T`, the result differs from `pow`'s by at most `(1 + |y|)` units of
//!   `f64::EPSILON` relative (one rounding of `ln`, of the division, of the product and of `exp`,
//!   the first three scaled by `|y|`); measured at most `0.9996·(1 + |y|)·ε` over 2·10⁷ random
//!   bases in (0.5, 2) and times in (0, 400). A base that is not positive and finite (where
//!   `ln` is not finite) falls back to `pow` at run time, so `0^0`, `(-2)^2` and NaN keep
//!   `pow`'s values exactly.

use super::ir::{cond, f1, f2, Ir};
use super::program::{Func1, Func2};

/// `a ^ k` for a literal exponent `k` with an exactly rounded cheaper form: `Some(k)` for
/// `k` in {1, 2, −1}.
pub fn integer_power(exponent: &Ir) -> Option<i8> {
    match exponent {
        Ir::Const(k) if *k == 1.0 => Some(1),
        Ir::Const(k) if *k == 2.0 => Some(2),
        Ir::Const(k) if *k == -1.0 => Some(-1),
        _ => None,
    }
}

/// `a ^ e` as `IF a is positive and finite THEN exp(e · ln a) ELSE a ^ e`, for a base `a` that
/// does not change during a run and an exponent `e` that does; `invariant` tells which
/// subexpressions do not change. An exponent `x / k` or `x · k` (or `k · x`) with `k`
/// invariant becomes `x · (ln(a) / k)` or `x · (k · ln a)`, so that the whole factor beside
/// `x` is invariant and hoisting computes it once per run.
///
/// The fallback in the returned `If` is the original power, which the caller must not rewrite
/// again. A literal base folds the guard away: to the fast form, or to the power itself.
pub fn pow_by_exp(a: &Ir, e: &Ir, invariant: impl Fn(&Ir) -> bool) -> Ir {
    let ln_a = f1(Func1::Ln, a.clone());
    let product = match e {
        Ir::F2(Func2::Div, x, k) if invariant(k) => f2(
            Func2::Mul,
            (**x).clone(),
            f2(Func2::Div, ln_a, (**k).clone()),
        ),
        Ir::F2(Func2::Mul, x, k) if invariant(k) => f2(
            Func2::Mul,
            (**x).clone(),
            f2(Func2::Mul, (**k).clone(), ln_a),
        ),
        Ir::F2(Func2::Mul, k, x) if invariant(k) => f2(
            Func2::Mul,
            (**x).clone(),
            f2(Func2::Mul, (**k).clone(), ln_a),
        ),
        e => f2(Func2::Mul, e.clone(), ln_a),
    };
    let fast = f1(Func1::Exp, product);
    let slow = Ir::F2(Func2::Pow, Box::new(a.clone()), Box::new(e.clone()));
    cond(f1(Func1::PositiveFinite, a.clone()), fast, slow)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A xorshift stream: arguments spread over many binades, both signs.
    fn arguments(n: usize) -> impl Iterator<Item = f64> {
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..n).map(move |_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let m = f64::from_bits((s >> 12) | 0x3ff0_0000_0000_0000);
            let x = m * 2f64.powi((s & 63) as i32 - 32);
            if s & 64 != 0 {
                -x
            } else {
                x
            }
        })
    }

    #[test]
    fn small_integer_powers_equal_pow_bit_for_bit() {
        let specials = [
            0.0,
            -0.0,
            f64::INFINITY,
            -f64::INFINITY,
            f64::NAN,
            1e-320,
            1e300,
        ];
        for x in arguments(2_000_000).chain(specials) {
            assert_eq!((x * x).to_bits(), x.powf(2.0).to_bits(), "{x:e}^2");
            assert_eq!((1.0 / x).to_bits(), x.powf(-1.0).to_bits(), "{x:e}^-1");
            assert_eq!(x.to_bits(), x.powf(1.0).to_bits(), "{x:e}^1");
        }
        assert_eq!(integer_power(&Ir::Const(2.0)), Some(2));
        assert_eq!(integer_power(&Ir::Const(3.0)), None);
        assert_eq!(integer_power(&Ir::Ref(1)), None);
    }

    #[test]
    fn a_literal_base_folds_the_guard_and_the_logarithm() {
        // 1.03 ^ (TIME / 365) → exp(TIME · (ln 1.03 / 365)), no branch left.
        let e = Ir::F2(Func2::Div, Box::new(Ir::Ref(0)), Box::new(Ir::Const(365.0)));
        let got = pow_by_exp(&Ir::Const(1.03), &e, |ir| matches!(ir, Ir::Const(_)));
        let want = Ir::F1(
            Func1::Exp,
            Box::new(Ir::F2(
                Func2::Mul,
                Box::new(Ir::Ref(0)),
                Box::new(Ir::Const(1.03f64.ln() / 365.0)),
            )),
        );
        assert_eq!(got, want);
        // A base that is not positive keeps the exact power.
        let got = pow_by_exp(&Ir::Const(-2.0), &e, |ir| matches!(ir, Ir::Const(_)));
        assert!(matches!(got, Ir::F2(Func2::Pow, ..)), "{got:?}");
    }
}
