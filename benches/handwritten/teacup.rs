//! The teacup model (SDXorg test-models `samples/teacup`) written out by hand in Rust: one
//! stock cooling toward room temperature, Euler with dt = 0.125 from 0 to 30, every step
//! saved. The yardstick of the teacup study: a plain loop keeping the saved series.

/// Initial teacup temperature.
pub const INITIAL: f64 = 180.0;
/// Room temperature.
pub const ROOM: f64 = 70.0;
/// Time step.
pub const DT: f64 = 0.125;
/// Steps from 0 to 30.
pub const STEPS: usize = 240;

/// Runs the model with `characteristic_time`, writing the temperature at every saved time
/// into `out` (cleared first): 241 values.
pub fn run_into(characteristic_time: f64, out: &mut Vec<f64>) {
    out.clear();
    let mut t = INITIAL;
    out.push(t);
    for _ in 0..STEPS {
        let heat_loss = (t - ROOM) / characteristic_time;
        t += DT * -heat_loss;
        out.push(t);
    }
}
