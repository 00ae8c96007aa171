//! Queues (`<queue/>`): batches in first-in, first-out order, drained whole into a cloud or
//! taken from the front by the discrete conveyor they feed, with an overflow for what the
//! conveyor cannot take.

use super::*;

/// A queue `line` of initial 5 fed 3 per step, drained by `served` into a cloud.
#[test]
fn a_queue_into_a_cloud_empties_every_step() {
    let traj = run(&doc(
        SPECS,
        r#"<stock name="line"><eqn>5</eqn><inflow>arrivals</inflow>
             <outflow>served</outflow><queue/></stock>
           <flow name="arrivals"><eqn>3</eqn></flow>
           <flow name="served"><eqn>0</eqn></flow>"#,
    ));
    assert_series(&traj, "served", &[8.0, 3.0, 3.0, 3.0, 3.0]);
    assert_series(&traj, "line", &[5.0, 0.0, 0.0, 0.0, 0.0]);
}

const SIX: &str = "<start>0</start><stop>5</stop><dt>1</dt>";

/// Batches of 6, 4 and 5 arrive at times 0, 1, 2 into `line`, whose outflow `loading` feeds
/// a two-step conveyor of capacity 8; `attrs` go on `<conveyor>`, `extra` adds flows.
fn queued(attrs: &str, extra: &str, outflow: &str) -> String {
    doc(
        SIX,
        &format!(
            r#"<stock name="line"><eqn>0</eqn><inflow>arrivals</inflow>
                 <outflow>loading</outflow>{outflow}<queue/></stock>
               <stock name="belt"><eqn>0</eqn><inflow>loading</inflow>
                 <outflow>done</outflow>
                 <conveyor{attrs}><len>2</len><capacity>8</capacity></conveyor></stock>
               <flow name="arrivals">
                 <eqn>IF TIME = 0 THEN 6 ELSE IF TIME = 1 THEN 4 ELSE IF TIME = 2 THEN 5 ELSE 0</eqn>
               </flow>
               <flow name="loading"><eqn>0</eqn></flow>
               <flow name="done"><eqn>0</eqn></flow>{extra}"#
        ),
    )
}

/// One batch at a time, split when it does not fit. t0: 6 fits the empty belt. t1: room 2,
/// 2 of the batch of 4 go. t2: room 0 + 6 leaving: the 2 left of that batch (the front),
/// the batch of 5 waits. t3: room 4 + 2: the 5 go.
#[test]
fn a_conveyor_takes_the_front_batch_within_its_room() {
    let traj = run(&queued(r#" discrete="true""#, "", ""));
    assert_series(&traj, "loading", &[6.0, 2.0, 2.0, 5.0, 0.0, 0.0]);
    assert_series(&traj, "line", &[0.0, 0.0, 2.0, 5.0, 0.0, 0.0]);
    assert_series(&traj, "belt", &[0.0, 6.0, 8.0, 4.0, 7.0, 5.0]);
    assert_series(&traj, "done", &[0.0, 0.0, 6.0, 2.0, 2.0, 5.0]);
}

/// Taking as many batches as fit (`one_at_a_time="false"`): at t2 the 2 left and 4 of the
/// batch of 5 fill the room of 6; the last 1 goes at t3.
#[test]
fn a_conveyor_may_take_several_batches_at_once() {
    let traj = run(&queued(r#" discrete="true" one_at_a_time="false""#, "", ""));
    assert_series(&traj, "loading", &[6.0, 2.0, 6.0, 1.0, 0.0, 0.0]);
    assert_series(&traj, "line", &[0.0, 0.0, 2.0, 1.0, 0.0, 0.0]);
    assert_series(&traj, "belt", &[0.0, 6.0, 8.0, 8.0, 7.0, 1.0]);
}

/// Whole batches only (`batch_integrity="true"`): the batch of 4 waits for room 8 at t2,
/// the batch of 5 for room 8 at t4.
#[test]
fn batch_integrity_never_splits_a_batch() {
    let traj = run(&queued(
        r#" discrete="true" batch_integrity="true""#,
        "",
        "",
    ));
    assert_series(&traj, "loading", &[6.0, 0.0, 4.0, 0.0, 5.0, 0.0]);
    assert_series(&traj, "line", &[0.0, 0.0, 4.0, 5.0, 5.0, 0.0]);
    assert_series(&traj, "belt", &[0.0, 6.0, 6.0, 4.0, 4.0, 5.0]);
}

/// An overflow drains what the outflow wanted and could not take: at t1 the 2 of the batch
/// of 4 that do not fit leave by `balked`; the queue never holds anything.
#[test]
fn an_overflow_drains_what_the_conveyor_cannot_take() {
    let traj = run(&queued(
        r#" discrete="true""#,
        r#"<flow name="balked"><eqn>0</eqn><overflow/></flow>"#,
        "<outflow>balked</outflow>",
    ));
    assert_series(&traj, "balked", &[0.0, 2.0, 0.0, 0.0, 0.0, 0.0]);
    assert_series(&traj, "loading", &[6.0, 2.0, 5.0, 0.0, 0.0, 0.0]);
    assert_series(&traj, "line", &[0.0; 6]);
    assert_series(&traj, "belt", &[0.0, 6.0, 8.0, 7.0, 5.0, 0.0]);
}

/// A conveyor fed by a queue is discrete whether or not the file says so (isee), and a
/// queue needs Euler integration and one ordinary outflow.
#[test]
fn queue_rules() {
    let implicit = run(&queued("", "", ""));
    assert_series(&implicit, "loading", &[6.0, 2.0, 2.0, 5.0, 0.0, 0.0]);
    let rk4 = queued("", "", "").replace("method=\"Euler\"", "method=\"RK4\"");
    assert!(error(&rk4).contains("Euler"));
    let two = queued(
        "",
        r#"<flow name="other"><eqn>0</eqn></flow>"#,
        "<outflow>other</outflow>",
    );
    let e = error(&two);
    assert!(e.contains("line") && e.contains("other"), "{e}");
}
