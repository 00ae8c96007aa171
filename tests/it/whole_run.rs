//! The compiled whole-run loop against the general run loop: for every model of the SDXorg
//! suite and of `models/`, with every integration method and rows recorded between save
//! times, `Simulation::run_rows` (on the compiled loop where the run is plain) gives the
//! same rows, bit for bit, as `Simulation::run_with`, or the same fault.

use crate::native::{model_files, programs, suite_root};
use sandtable::compile::program::RESERVED;
use sandtable::compile::Program;
use sandtable::model::Method;
use sandtable::simulate::{Engine, Simulation};
use std::path::{Path, PathBuf};

/// Every recorded row's time and slots as bits, or the fault's message.
type Rows = Result<Vec<u64>, String>;

/// A simulation on the native engine recording, besides the save times, the times a
/// quarter and two-thirds into the run plus a third of a step (between two steps: both are
/// recorded).
fn simulation(prog: &Program, method: Method) -> Simulation<'_> {
    let mut sim = Simulation::new(prog);
    sim.set_engine(Engine::Native);
    sim.set_method(method);
    sim.set_seed(777);
    let (start, stop, dt) = (prog.specs.start, prog.specs.stop, prog.specs.dt);
    let between = |share: f64| start + share * (stop - start) + dt / 3.0;
    sim.record_times(&[between(0.25), between(2.0 / 3.0)]);
    sim
}

/// The rows of the general loop (every slot).
fn general(prog: &Program, method: Method) -> Rows {
    let mut sim = simulation(prog, method);
    let mut bits = Vec::new();
    sim.run_with(|t, slots| {
        bits.push(t.to_bits());
        bits.extend(slots.iter().map(|x| x.to_bits()));
    })
    .map(|()| bits)
    .map_err(|fault| fault.to_diagnostic(prog).message)
}

/// The rows of `run_rows` keeping every slot, twice on one simulation (a second run reuses
/// the buffers), and whether it ran on the compiled loop.
fn whole(prog: &Program, method: Method) -> (Rows, Rows, bool) {
    let mut sim = simulation(prog, method);
    let columns: Vec<usize> = (0..prog.slot_count()).collect();
    let (mut times, mut data) = (Vec::new(), Vec::new());
    let mut run = |sim: &mut Simulation| {
        let rows = sim.run_rows(&columns, &mut times, &mut data);
        rows.map(|n| {
            assert_eq!((times.len(), data.len()), (n, n * columns.len()));
            let mut bits = Vec::new();
            for (t, row) in times.iter().zip(data.chunks_exact(columns.len().max(1))) {
                bits.push(t.to_bits());
                bits.extend(row.iter().map(|x| x.to_bits()));
            }
            bits
        })
        .map_err(|fault| fault.to_diagnostic(prog).message)
    };
    let first = run(&mut sim);
    let second = run(&mut sim);
    (first, second, sim.runs_whole())
}

/// Whether a run of `prog` with `method` should take the compiled loop: a plain run (no
/// delay line, no stop variable, no limited or clamped stock), with Runge–Kutta stages
/// compiled unless a flow is a stock.
fn should_run_whole(prog: &Program, method: Method) -> bool {
    let stocks = RESERVED..RESERVED + prog.stocks.len();
    let plain = prog.delays.is_empty()
        && prog.stop_slot.is_none()
        && !prog.limits_stocks
        && !prog.stocks.iter().any(|s| s.non_negative);
    let flow_is_stock = prog
        .rate_slots
        .iter()
        .any(|&f| stocks.contains(&(f as usize)));
    plain && (method == Method::Euler || !flow_is_stock)
}

/// Compares the loops on every model of `files`; returns how many (program, method) pairs
/// ran on the compiled loop, checking that each that should did.
fn compare_all(files: &[PathBuf]) -> usize {
    let mut whole_runs = 0;
    let mut differ = Vec::new();
    for (path, prog) in programs(files) {
        for method in [Method::Euler, Method::Rk2, Method::Rk4] {
            let reference = general(&prog, method);
            let (first, second, compiled) = whole(&prog, method);
            if first != reference || second != reference {
                differ.push(format!("{} ({method:?})", path.display()));
            }
            if compiled != should_run_whole(&prog, method) {
                differ.push(format!(
                    "{} ({method:?}): compiled loop {compiled}",
                    path.display()
                ));
            }
            whole_runs += usize::from(compiled);
        }
    }
    assert!(
        differ.is_empty(),
        "the loops differ on:\n{}",
        differ.join("\n")
    );
    whole_runs
}

#[test]
fn every_suite_model_gives_the_same_rows_on_the_compiled_loop() {
    let root = suite_root();
    if !root.is_dir() {
        eprintln!("no test-models suite at {}", root.display());
        return;
    }
    let compiled = compare_all(&model_files(&root));
    // Most suite models are plain; a loop that was almost never taken would prove nothing.
    assert!(
        compiled >= 600,
        "only {compiled} runs took the compiled loop"
    );
}

#[test]
fn every_bundled_model_gives_the_same_rows_on_the_compiled_loop() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    assert!(compare_all(&model_files(&dir)) >= 3);
}

#[test]
fn a_fault_on_the_compiled_loop_is_found_as_on_the_general_loop() {
    // `ratio` is NaN once the stock is empty; `pick` meets a NaN condition there with no
    // NaN column; `wild` overflows to infinity, which is no fault for an auxiliary. The
    // compiled loop gives up on each run and the general loop tells them apart.
    let model = |aux: &str, flows: &str| {
        crate::util::program(&format!(
            "[sim]\nstart = 0\nstop = 10\ndt = 1\n\
             [stocks]\nx = {{ initial = 3, {flows} }}\n\
             [flows]\nf = \"1\"\n[aux]\n{aux}\n"
        ))
    };
    let nan = model("ratio = \"(x - x) / x\"", "outflows = [\"f\"]");
    let condition = model(
        "pick = \"IF (x - x) / x THEN 1 ELSE 2\"",
        "outflows = [\"f\"]",
    );
    let infinite = model("wild = \"EXP(1000 * x)\"", "inflows = [\"f\"]");
    for prog in [&nan, &condition, &infinite] {
        for method in [Method::Euler, Method::Rk4] {
            let reference = general(prog, method);
            let (first, second, compiled) = whole(prog, method);
            assert!(compiled, "{}: a plain run", prog.name);
            assert_eq!(first, reference);
            assert_eq!(second, reference);
        }
    }
    let message = general(&nan, Method::Euler).expect_err("the run faults");
    assert!(message.contains("ratio"), "{message}");
    assert!(general(&condition, Method::Euler).is_err());
    assert!(general(&infinite, Method::Euler).is_ok());
}

#[test]
fn a_flow_that_is_a_stock_is_read_after_the_stocks_before_it_moved() {
    // x' = −x and y' = x with the flow slot being x's own: the evaluator moves x first, then
    // reads the moved x for y. The compiled loop must read it from memory too, not the
    // value it holds from before the move.
    let mut prog = crate::util::program(
        "[sim]\nstart = 0\nstop = 4\ndt = 1\n\
         [stocks]\nx = { initial = 3, outflows = [\"f\"] }\ny = { initial = 1, inflows = [\"f\"] }\n\
         [flows]\nf = \"x\"\n",
    );
    let x = prog.column("x").map(|c| prog.columns[c].slot).expect("x");
    assert_eq!(prog.rate_slots.len(), 2);
    prog.rate_slots = vec![x, x];
    assert!(should_run_whole(&prog, Method::Euler));
    let reference = general(&prog, Method::Euler);
    let (first, second, compiled) = whole(&prog, Method::Euler);
    assert!(compiled);
    assert_eq!(first, reference);
    assert_eq!(second, reference);
    // y after one step is 1 + (3 − 3), not 1 + 3.
    let mut sim = simulation(&prog, Method::Euler);
    let traj = sim.run().expect("runs");
    let y = traj.column("y").expect("y");
    assert_eq!(traj.series(y).nth(1), Some(1.0));
}
