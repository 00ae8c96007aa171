//! Integrator correctness: exact discrete recursions, convergence orders against closed forms.

use crate::util::*;
use sandtable::model::Method;

fn decay(dt: f64) -> String {
    format!(
        r#"
[sim]
start = 0
stop = 10
dt = {dt}
save_step = {dt}
[stocks]
y = {{ initial = 1, outflows = ["loss"] }}
[flows]
loss = "k * y"
[constants]
k = 0.3
"#
    )
}

#[test]
fn linear_decay_reproduces_each_method_exact_discrete_factor() {
    let dt = 0.5;
    let z: f64 = 0.3 * dt;
    let factors = [
        (Method::Euler, 1.0 - z),
        (Method::Rk2, 1.0 - z + z * z / 2.0),
        (
            Method::Rk4,
            1.0 - z + z * z / 2.0 - z.powi(3) / 6.0 + z.powi(4) / 24.0,
        ),
    ];
    for (method, factor) in factors {
        let y = series(&run(&decay(dt), method), "y");
        assert_eq!(y.len(), 21);
        for (n, v) in y.iter().enumerate() {
            let want = factor.powi(n as i32);
            assert!(rel(*v, want) < 1e-12, "{method:?} step {n}: {v} vs {want}");
        }
    }
}

/// Max-norm error over the output grid (every time unit) for a model at step `dt`.
fn max_error(
    model: &dyn Fn(f64) -> String,
    exact: &dyn Fn(f64) -> f64,
    var: &str,
    dt: f64,
    method: Method,
) -> f64 {
    let traj = run(&model(dt), method);
    let col = traj.column(var).unwrap();
    traj.times
        .iter()
        .zip(traj.series(col))
        .map(|(t, v)| (v - exact(*t)).abs())
        .fold(0.0, f64::max)
}

fn orders(
    model: &dyn Fn(f64) -> String,
    exact: &dyn Fn(f64) -> f64,
    var: &str,
    method: Method,
) -> Vec<f64> {
    let dts = [0.25, 0.125, 0.0625];
    let errs: Vec<f64> = dts
        .iter()
        .map(|&dt| max_error(model, exact, var, dt, method))
        .collect();
    errs.windows(2).map(|w| (w[0] / w[1]).log2()).collect()
}

fn check_orders(name: &str, model: &dyn Fn(f64) -> String, exact: &dyn Fn(f64) -> f64, var: &str) {
    for (method, order) in [(Method::Euler, 1.0), (Method::Rk2, 2.0), (Method::Rk4, 4.0)] {
        let measured = orders(model, exact, var, method);
        let last = *measured.last().unwrap();
        assert!(
            (last - order).abs() < 0.15,
            "{name} {method:?}: measured orders {measured:?}, want {order}"
        );
    }
}

#[test]
fn exponential_decay_converges_with_orders_1_2_4() {
    let model = |dt: f64| decay(dt).replace(&format!("save_step = {dt}"), "save_step = 1");
    check_orders("decay", &model, &|t| (-0.3 * t).exp(), "y");
}

#[test]
fn logistic_growth_converges_with_orders_1_2_4_and_matches_reference() {
    let model = |dt: f64| {
        format!(
            r#"
[sim]
start = 0
stop = 24
dt = {dt}
save_step = 1
[stocks]
p = {{ initial = 1e4, inflows = ["growth"] }}
[flows]
growth = "r * p * (1 - p / k)"
[constants]
r = 0.3
k = 1e6
"#
        )
    };
    let exact = |t: f64| 1e6 / (1.0 + ((1e6 - 1e4) / 1e4) * (-0.3 * t).exp());
    assert!((exact(24.0) - 931_174.998_2).abs() < 1e-3);
    check_orders("logistic", &model, &exact, "p");
    let p = series(&run(&model(0.0625), Method::Rk4), "p");
    assert!((p[24] - 931_174.998_2).abs() < 0.01, "{}", p[24]);
}

#[test]
fn bass_diffusion_converges_with_orders_1_2_4_and_matches_reference() {
    let model = |dt: f64| {
        format!(
            r#"
[sim]
start = 0
stop = 10
dt = {dt}
save_step = 1
[stocks]
potential = {{ initial = "m", outflows = ["adoption"] }}
adopters = {{ initial = 0, inflows = ["adoption"] }}
[flows]
adoption = "(p + q * adopters / m) * potential"
[constants]
p = 0.03
q = 0.38
m = 1e6
"#
        )
    };
    let (p, q, m) = (0.03f64, 0.38f64, 1e6);
    let exact = move |t: f64| {
        let e = (-(p + q) * t).exp();
        m * (1.0 - e) / (1.0 + q / p * e)
    };
    assert!((exact(10.0) - 812_803.221_2).abs() < 1e-3);
    check_orders("bass", &model, &exact, "adopters");
}
