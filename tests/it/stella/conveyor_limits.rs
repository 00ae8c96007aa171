//! Conveyor capacity (`<capacity>`) and inflow limit (`<in_limit>`): the inflows are cut back
//! so the belt never holds more than its capacity after a step, nor takes in more than the
//! limit per time unit.

use super::*;

/// A two-step belt fed from `supply` by `loading` (10 per step) and, when `second` is set, by
/// `topping` (3 per step); `options` go inside `<conveyor>`.
fn belt(options: &str, second: bool) -> String {
    let (inflow, flow) = if second {
        (
            "<inflow>topping</inflow>",
            r#"<flow name="topping"><eqn>3</eqn></flow>"#,
        )
    } else {
        ("", "")
    };
    doc(
        SPECS,
        &format!(
            r#"<stock name="supply"><eqn>100</eqn><outflow>loading</outflow></stock>
               <stock name="belt"><eqn>0</eqn><inflow>loading</inflow>{inflow}
                 <outflow>unloading</outflow>
                 <conveyor><len>2</len>{options}</conveyor></stock>
               <flow name="loading"><eqn>10</eqn></flow>{flow}
               <flow name="unloading"><non_negative/></flow>"#
        ),
    )
}

/// Capacity 15: at t0 the empty belt takes 10; at t1 only 5 fit; from t2 on each step takes
/// exactly what leaves (the load of two steps before): 10, 5, 10, …
#[test]
fn a_full_belt_takes_only_what_leaves() {
    let traj = run(&belt("<capacity>15</capacity>", false));
    assert_series(&traj, "loading", &[10.0, 5.0, 10.0, 5.0, 10.0]);
    assert_series(&traj, "unloading", &[0.0, 0.0, 10.0, 5.0, 10.0]);
    assert_series(&traj, "belt", &[0.0, 10.0, 15.0, 15.0, 15.0]);
    // The stock the inflow drains loses only what the belt took.
    assert_series(&traj, "supply", &[100.0, 90.0, 85.0, 75.0, 70.0]);
}

/// A capacity the belt never reaches changes nothing.
#[test]
fn a_capacity_never_reached_changes_nothing() {
    let traj = run(&belt("<capacity>25</capacity>", false));
    assert_series(&traj, "loading", &[10.0; 5]);
    assert_series(&traj, "belt", &[0.0, 10.0, 20.0, 20.0, 20.0]);
}

#[test]
fn the_inflow_limit_caps_what_enters_per_time_unit() {
    let traj = run(&belt("<in_limit>4</in_limit>", false));
    assert_series(&traj, "loading", &[4.0; 5]);
    assert_series(&traj, "unloading", &[0.0, 0.0, 4.0, 4.0, 4.0]);
    assert_series(&traj, "belt", &[0.0, 4.0, 8.0, 8.0, 8.0]);
}

/// Two inflows share the room in the order the stock lists them: capacity 15 and limit 12
/// per step. t0: room 12, loading 10, topping 2. t1: room min(15 − 12, 12) = 3, loading 3,
/// topping 0. t2: 12 leaves, room 12: loading 10, topping 2. t3: 3 leaves: loading 3.
#[test]
fn inflows_take_the_room_in_order() {
    let traj = run(&belt(
        "<capacity>15</capacity><in_limit>12</in_limit>",
        true,
    ));
    assert_series(&traj, "loading", &[10.0, 3.0, 10.0, 3.0, 10.0]);
    assert_series(&traj, "topping", &[2.0, 0.0, 2.0, 0.0, 2.0]);
    assert_series(&traj, "belt", &[0.0, 12.0, 15.0, 15.0, 15.0]);
}

#[test]
fn sampling_and_arrest_are_still_refused_by_name() {
    for (option, what) in [
        ("<sample>1</sample>", "<sample>"),
        ("<arrest>1</arrest>", "<arrest>"),
    ] {
        let e = error(&belt(option, false));
        assert!(e.contains(what) && e.contains("belt"), "{e}");
    }
}
