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

/// Euler's stock update, the save schedule counted step by step and the extra recorded
/// steps, against the exact discrete recursion written out by hand: bit for bit.
#[test]
fn euler_saves_and_recorded_steps_follow_the_exact_recursion_bit_for_bit() {
    let text = r#"
[sim]
start = 0
stop = 5
dt = 0.25
save_step = 1
[stocks]
a = { initial = 10, inflows = ["feed"], outflows = ["move"] }
b = { initial = 0.5, inflows = ["move"], outflows = ["drain", "leak"] }
[flows]
feed = "1.5"
move = "k * a"
drain = "c * b"
leak = "b / 7"
[constants]
k = 0.3
c = 0.11
"#;
    let prog = program(text);
    let mut sim = sandtable::simulate::Simulation::new(&prog);
    sim.set_method(Method::Euler);
    // 1.3 lies between steps 5 and 6, 2.5 is step 10; 3 and 7 are a save time and outside.
    sim.record_times(&[1.3, 2.5, 3.0, 7.0]);
    let (ia, ib) = (prog.column("a").unwrap(), prog.column("b").unwrap());
    let (sa, sb) = (
        prog.columns[ia].slot as usize,
        prog.columns[ib].slot as usize,
    );
    let mut got = Vec::new();
    sim.run_with(|t, s| got.push((t, s[sa], s[sb]))).unwrap();
    let (mut a, mut b) = (10.0f64, 0.5f64);
    let mut want = Vec::new();
    for step in 0..=20usize {
        if step % 4 == 0 || [5, 6, 10].contains(&step) {
            want.push((step as f64 * 0.25, a, b));
        }
        let (feed, mv, drain, leak) = (1.5, 0.3 * a, 0.11 * b, b / 7.0);
        let da = feed - mv;
        let db = mv - drain - leak;
        a += 0.25 * da;
        b += 0.25 * db;
    }
    assert_eq!(got.len(), 6 + 3);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.0.to_bits(), w.0.to_bits(), "{got:?}");
        assert_eq!(g.1.to_bits(), w.1.to_bits(), "a at {}", w.0);
        assert_eq!(g.2.to_bits(), w.2.to_bits(), "b at {}", w.0);
    }
    assert_eq!(sim.recorded_rows().len(), got.len());
}

/// A stock's derivative is its flows summed as written, `in1 + in2 − out` or `−out`, from
/// the first term and not from zero: the sign of a zero first term reaches the stock. A
/// stock at −0 fed only by a −0 inflow stays −0 (−0 + dt·(−0)), and so does one drained
/// only by a +0 outflow (−0 + dt·(−(+0))); summed from zero both would become +0. Checked
/// on both engines and with each method, the RK stages included.
#[test]
fn a_derivative_is_its_flows_summed_as_written_from_the_first_inflow() {
    let text = r#"
[sim]
start = 0
stop = 2
dt = 0.5
save_step = 0.5
[stocks]
x = { initial = "-zero", inflows = ["negative_zero"] }
z = { initial = "-zero", outflows = ["zero_flow"] }
y = { initial = 3, inflows = ["a", "b"], outflows = ["c"] }
[flows]
negative_zero = "-zero"
zero_flow = "zero"
a = "0.1 * y"
b = "1 / 3"
c = "y / 7"
[constants]
zero = 0
"#;
    let prog = program(text);
    let (ix, iy, iz) = (
        prog.column("x").unwrap(),
        prog.column("y").unwrap(),
        prog.column("z").unwrap(),
    );
    for engine in [
        sandtable::simulate::Engine::Interpreter,
        sandtable::simulate::Engine::Native,
    ] {
        for method in [Method::Euler, Method::Rk2, Method::Rk4] {
            let mut sim = sandtable::simulate::Simulation::new(&prog);
            sim.set_engine(engine);
            sim.set_method(method);
            let traj = sim.run().unwrap_or_else(|e| panic!("{e}"));
            for (name, col) in [("x", ix), ("z", iz)] {
                for (t, x) in traj.times.iter().zip(traj.series(col)) {
                    assert!(
                        x == 0.0 && x.is_sign_negative(),
                        "{engine:?} {method:?}: {name} at {t} is {x:?}, not -0"
                    );
                }
            }
            if method == Method::Euler {
                let mut y = 3.0f64;
                for (t, got) in traj.times.iter().zip(traj.series(iy)) {
                    assert_eq!(got.to_bits(), y.to_bits(), "{engine:?}: y at {t}");
                    y += 0.5 * (0.1 * y + 1.0 / 3.0 - y / 7.0);
                }
            }
        }
    }
}
