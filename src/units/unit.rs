//! Unit algebra: products of named base units raised to rational (or symbolic) exponents.
//!
//! A [`Unit`] such as `person/day` is the map `{person: 1, day: -1}`. Exponents are rational so
//! `SQRT` and `x^0.5` work; an exponent may also carry the name of a model constant
//! (`(impression/day)^hill_shape`), which is how a power with a constant but uncertain exponent
//! keeps its units. Numeric scale factors (`1000 impressions`) are not dimensions and are not
//! kept. Every operation returns `None` instead of overflowing, and callers then stop checking.

use std::collections::BTreeMap;
use std::fmt;

/// Largest numerator or denominator kept; beyond it the unit is given up as unknown.
const LIMIT: i128 = 1 << 31;

/// A reduced fraction with a positive denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ratio {
    num: i64,
    den: i64,
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ratio {
    /// Zero.
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };
    /// One.
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num/den` reduced; `None` for a zero denominator or numbers too large to keep.
    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        let sign = if den < 0 { -1 } else { 1 };
        let (n, d) = (sign * num / g, sign * den / g);
        if n.abs() >= LIMIT || d >= LIMIT {
            return None;
        }
        Some(Ratio {
            num: n as i64,
            den: d as i64,
        })
    }

    /// A whole number.
    pub fn int(n: i64) -> Ratio {
        Ratio { num: n, den: 1 }
    }

    /// The simplest fraction within 1e-9 of `x` with a denominator up to 1000, if any.
    pub fn from_f64(x: f64) -> Option<Ratio> {
        if !x.is_finite() || x.abs() > 1e6 {
            return None;
        }
        (1..=1000i128).find_map(|den| {
            let num = (x * den as f64).round();
            ((num / den as f64 - x).abs() < 1e-9)
                .then(|| Ratio::new(num as i128, den))
                .flatten()
        })
    }

    /// Sum.
    pub fn checked_add(self, o: Ratio) -> Option<Ratio> {
        let (a, b, c, d) = (
            self.num as i128,
            self.den as i128,
            o.num as i128,
            o.den as i128,
        );
        Ratio::new(a * d + c * b, b * d)
    }

    /// Product.
    pub fn checked_mul(self, o: Ratio) -> Option<Ratio> {
        Ratio::new(
            self.num as i128 * o.num as i128,
            self.den as i128 * o.den as i128,
        )
    }

    /// `1/self`; `None` for zero.
    pub fn recip(self) -> Option<Ratio> {
        Ratio::new(self.den as i128, self.num as i128)
    }

    /// Whether this is zero.
    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// The value as a float.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// An exponent: a rational number plus rational multiples of named constants
/// (`2`, `1/2`, `hill_shape`, `2*hill_shape`). The key `""` holds the plain number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Exponent(BTreeMap<String, Ratio>);

impl Exponent {
    /// A plain number.
    pub fn number(r: Ratio) -> Exponent {
        Exponent::default().plus_term("", r).unwrap_or_default()
    }

    /// The named constant `name` (times one).
    pub fn symbol(name: &str) -> Exponent {
        Exponent::default()
            .plus_term(name, Ratio::ONE)
            .unwrap_or_default()
    }

    fn plus_term(mut self, key: &str, r: Ratio) -> Option<Exponent> {
        let sum = self
            .0
            .get(key)
            .copied()
            .unwrap_or(Ratio::ZERO)
            .checked_add(r)?;
        if sum.is_zero() {
            self.0.remove(key);
        } else {
            self.0.insert(key.to_string(), sum);
        }
        Some(self)
    }

    /// Sum of two exponents.
    pub fn add(&self, o: &Exponent) -> Option<Exponent> {
        o.0.iter()
            .try_fold(self.clone(), |acc, (k, r)| acc.plus_term(k, *r))
    }

    /// The exponent times a number.
    pub fn scale(&self, r: Ratio) -> Option<Exponent> {
        self.0.iter().try_fold(Exponent::default(), |acc, (k, v)| {
            acc.plus_term(k, v.checked_mul(r)?)
        })
    }

    /// The exponent times a named constant; only a plain number can be so multiplied.
    pub fn times_symbol(&self, name: &str) -> Option<Exponent> {
        match self.plain() {
            Some(r) => Exponent::symbol(name).scale(r),
            None => None,
        }
    }

    /// The plain number, when no named constant takes part.
    pub fn plain(&self) -> Option<Ratio> {
        match self.0.len() {
            0 => Some(Ratio::ZERO),
            1 => self.0.get("").copied(),
            _ => None,
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the exponent reads as negative (its plain part, or else its first term).
    fn is_negative(&self) -> bool {
        self.0.values().next().is_some_and(|r| r.num < 0)
    }

    fn negated(&self) -> Exponent {
        self.scale(Ratio::int(-1)).unwrap_or_default()
    }
}

impl fmt::Display for Exponent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let terms: Vec<String> = self
            .0
            .iter()
            .map(|(k, r)| match (k.as_str(), *r) {
                ("", r) => r.to_string(),
                (k, Ratio::ONE) => k.to_string(),
                (k, r) => format!("{r}*{k}"),
            })
            .collect();
        let text = terms.join("+").replace("+-", "-");
        if terms.len() == 1 && self.0.values().all(|r| r.den == 1) {
            write!(f, "{text}")
        } else {
            write!(f, "({text})")
        }
    }
}

/// A product of base units with exponents; the empty product is dimensionless (`1`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Unit(BTreeMap<String, Exponent>);

impl Unit {
    /// The dimensionless unit `1`.
    pub fn one() -> Unit {
        Unit::default()
    }

    /// A base unit (`person`, `day`).
    pub fn base(name: &str) -> Unit {
        let mut m = BTreeMap::new();
        m.insert(name.to_string(), Exponent::number(Ratio::ONE));
        Unit(m)
    }

    /// Whether the unit is dimensionless.
    pub fn is_one(&self) -> bool {
        self.0.is_empty()
    }

    /// Product of two units.
    pub fn mul(&self, o: &Unit) -> Option<Unit> {
        let mut out = self.0.clone();
        for (name, e) in &o.0 {
            let sum = match out.get(name) {
                Some(x) => x.add(e)?,
                None => e.clone(),
            };
            if sum.is_zero() {
                out.remove(name);
            } else {
                out.insert(name.clone(), sum);
            }
        }
        Some(Unit(out))
    }

    /// Quotient of two units.
    pub fn div(&self, o: &Unit) -> Option<Unit> {
        self.mul(&o.inverse())
    }

    /// `1/self`.
    pub fn inverse(&self) -> Unit {
        Unit(
            self.0
                .iter()
                .map(|(k, e)| (k.clone(), e.negated()))
                .collect(),
        )
    }

    /// The unit raised to a rational power.
    pub fn pow(&self, r: Ratio) -> Option<Unit> {
        if r.is_zero() {
            return Some(Unit::one());
        }
        let mut out = BTreeMap::new();
        for (k, e) in &self.0 {
            out.insert(k.clone(), e.scale(r)?);
        }
        Some(Unit(out))
    }

    /// The unit raised to a power given as an exponent (plain or symbolic).
    pub fn pow_exponent(&self, e: &Exponent) -> Option<Unit> {
        if let Some(r) = e.plain() {
            return self.pow(r);
        }
        // Only a single named constant times a plain number can be applied to plain exponents.
        let (name, factor) = match e.0.iter().collect::<Vec<_>>().as_slice() {
            [(k, r)] => ((*k).clone(), **r),
            _ => return None,
        };
        let mut out = BTreeMap::new();
        for (k, x) in &self.0 {
            out.insert(k.clone(), x.times_symbol(&name)?.scale(factor)?);
        }
        Some(Unit(out))
    }

    /// Replaces each base unit by the unit `f` gives for it (`None` keeps it as it is).
    pub fn substitute(&self, f: &mut dyn FnMut(&str) -> Option<Unit>) -> Option<Unit> {
        let mut out = Unit::one();
        for (k, e) in &self.0 {
            let factor = match f(k) {
                Some(u) => u.pow_exponent(e)?,
                None => Unit(BTreeMap::from([(k.clone(), e.clone())])),
            };
            out = out.mul(&factor)?;
        }
        Some(out)
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let factor = |k: &str, e: &Exponent| {
            if e.plain() == Some(Ratio::ONE) {
                k.to_string()
            } else {
                format!("{k}^{e}")
            }
        };
        let up: Vec<String> = (self.0.iter())
            .filter(|(_, e)| !e.is_negative())
            .map(|(k, e)| factor(k, e))
            .collect();
        let down: Vec<String> = (self.0.iter())
            .filter(|(_, e)| e.is_negative())
            .map(|(k, e)| factor(k, &e.negated()))
            .collect();
        let top = if up.is_empty() {
            "1".to_string()
        } else {
            up.join("*")
        };
        match down.len() {
            0 => write!(f, "{top}"),
            _ => write!(f, "{top}/{}", down.join("/")),
        }
    }
}
