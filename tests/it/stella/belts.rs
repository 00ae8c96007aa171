//! Conveyor kinds beyond the plain belt: discrete conveyors (the initial contents leave in
//! one package per time unit), leak zones (`leak_start`, `leak_end`) and whole-unit leaks
//! (`<leak_integers/>`), each against hand-computed series.

use super::*;

/// A belt of transit `transit` fed 2 per time unit (`loading`) from an initial `initial`;
/// `attrs` go on `<conveyor>`.
fn fed_belt(specs: &str, initial: &str, transit: &str, attrs: &str) -> String {
    doc(
        specs,
        &format!(
            r#"<stock name="belt"><eqn>{initial}</eqn><inflow>loading</inflow>
                 <outflow>unloading</outflow>
                 <conveyor{attrs}><len>{transit}</len></conveyor></stock>
               <flow name="loading"><eqn>2</eqn></flow>
               <flow name="unloading"><non_negative/></flow>"#
        ),
    )
}

const HALF_STEPS: &str = "<start>0</start><stop>3</stop><dt>0.5</dt>";

/// Transit 2 with DT 0.5: four slats in two time units. The discrete belt's 12 leave as two
/// packages of 6, each in the last DT of its time unit (a rate of 6/0.5 = 12 during steps 1
/// and 3); then what entered four steps before (2 per time unit).
#[test]
fn a_discrete_belt_releases_its_initial_contents_in_packages() {
    let traj = run(&fed_belt(HALF_STEPS, "12", "2", r#" discrete="true""#));
    assert_series(&traj, "unloading", &[0.0, 12.0, 0.0, 12.0, 2.0, 2.0, 2.0]);
    assert_series(&traj, "belt", &[12.0, 13.0, 8.0, 9.0, 4.0, 4.0, 4.0]);
    // The same belt continuous: 12 spread evenly, 3 per slat, a steady 6 per time unit.
    let traj = run(&fed_belt(HALF_STEPS, "12", "2", ""));
    assert_series(&traj, "unloading", &[6.0, 6.0, 6.0, 6.0, 2.0, 2.0, 2.0]);
    assert_series(&traj, "belt", &[12.0, 10.0, 8.0, 6.0, 4.0, 4.0, 4.0]);
}

/// With DT = 1 every slat is a time unit of its own: discrete and continuous agree.
#[test]
fn a_discrete_belt_with_unit_steps_matches_the_continuous_one() {
    let traj = run(&fed_belt(SPECS, "30", "3", r#" discrete="true""#));
    assert_series(&traj, "unloading", &[10.0, 10.0, 10.0, 2.0, 2.0]);
    assert_series(&traj, "belt", &[30.0, 22.0, 14.0, 6.0, 6.0]);
}

/// A four-slat belt fed 10 per step with one leak flow `spill` (`leak` is its markup).
fn leaky(initial: &str, transit: &str, leak: &str, attrs: &str) -> String {
    doc(
        "<start>0</start><stop>5</stop><dt>1</dt>",
        &format!(
            r#"<stock name="belt"><eqn>{initial}</eqn><inflow>loading</inflow>
                 <outflow>unloading</outflow><outflow>spill</outflow>
                 <conveyor{attrs}><len>{transit}</len></conveyor></stock>
               <flow name="loading"><eqn>10</eqn></flow>
               <flow name="unloading"><non_negative/></flow>
               {leak}"#
        ),
    )
}

/// Linear leak 0.2 over the second half of a four-slat belt: the cohorts 3 and 4 steps in
/// (slat centres at 5/8 and 7/8 of the belt), so a batch of 10 loses 0.2·10/2 = 1 in each of
/// those two steps and still leaves with 8. Steady contents 10 + 10 + 10 + 9 = 39.
#[test]
fn a_linear_leak_zone_takes_the_fraction_where_the_zone_is() {
    let spill = r#"<flow name="spill" leak_start="0.5" leak_end="1"><eqn>0.2</eqn><leak/></flow>"#;
    let traj = run(&leaky("0", "4", spill, ""));
    assert_series(&traj, "spill", &[0.0, 0.0, 0.0, 1.0, 2.0, 2.0]);
    assert_series(&traj, "unloading", &[0.0, 0.0, 0.0, 0.0, 8.0, 8.0]);
    assert_series(&traj, "belt", &[0.0, 10.0, 20.0, 30.0, 39.0, 39.0]);
    let steady = run(&leaky("39", "4", spill, ""));
    assert_series(&steady, "belt", &[39.0; 6]);
    assert_series(&steady, "spill", &[2.0; 6]);
    assert_series(&steady, "unloading", &[8.0; 6]);
    // The first half instead: cohorts 1 and 2 steps in; steady 10 + 9 + 8 + 8 = 35.
    let early = spill.replace(r#"leak_start="0.5" leak_end="1""#, r#"leak_end="0.5""#);
    let traj = run(&leaky("0", "4", &early, ""));
    assert_series(&traj, "spill", &[0.0, 1.0, 2.0, 2.0, 2.0, 2.0]);
    assert_series(&traj, "belt", &[0.0, 10.0, 19.0, 27.0, 35.0, 35.0]);
    assert_series(&run(&leaky("35", "4", &early, "")), "belt", &[35.0; 6]);
}

/// Exponential leak 0.1 over the second half of a two-slat belt: only the cohort in its last
/// step leaks, 10% of 10; it leaves with 9. Steady contents 20 (two cohorts of 10).
#[test]
fn an_exponential_leak_zone_leaks_only_the_cohorts_in_it() {
    let spill = r#"<flow name="spill" leak_start="0.5"><eqn>0.1</eqn><leak/></flow>"#;
    let exp = r#" exponential_leak="true""#;
    let traj = run(&leaky("0", "2", spill, exp));
    assert_series(&traj, "spill", &[0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
    assert_series(&traj, "unloading", &[0.0, 0.0, 9.0, 9.0, 9.0, 9.0]);
    assert_series(&traj, "belt", &[0.0, 10.0, 20.0, 20.0, 20.0, 20.0]);
    let steady = run(&leaky("20", "2", spill, exp));
    assert_series(&steady, "spill", &[1.0; 6]);
    assert_series(&steady, "belt", &[20.0; 6]);
}

/// Linear leak 0.15 over a four-slat belt computes 0.375 per batch on the belt per step;
/// whole units only: the running total 0.375, 1.125, 2.25, 3.75, 5.25 crosses 1, 2, 3, 5,
/// so 0, 1, 1, 1, 2 units leak. The exit is unchanged (8.5 of each 10).
#[test]
fn whole_unit_leaks_carry_the_fraction_to_later_steps() {
    let spill = r#"<flow name="spill"><eqn>0.15</eqn><leak/><leak_integers/></flow>"#;
    let traj = run(&leaky("0", "4", spill, ""));
    assert_series(&traj, "spill", &[0.0, 0.0, 1.0, 1.0, 1.0, 2.0]);
    assert_series(&traj, "unloading", &[0.0, 0.0, 0.0, 0.0, 8.5, 8.5]);
    assert_series(&traj, "belt", &[0.0, 10.0, 20.0, 29.0, 38.0, 38.5]);
}

#[test]
fn unsupported_combinations_are_refused_by_name() {
    let discrete_leak = leaky(
        "0",
        "2",
        r#"<flow name="spill"><eqn>0.1</eqn><leak/></flow>"#,
        r#" discrete="true""#,
    );
    let e = error(&discrete_leak);
    assert!(e.contains("belt") && e.contains("discrete"), "{e}");
    let backwards = leaky(
        "0",
        "2",
        r#"<flow name="spill" leak_start="0.8" leak_end="0.2"><eqn>0.1</eqn><leak/></flow>"#,
        "",
    );
    let e = error(&backwards);
    assert!(e.contains("spill") && e.contains("leak zone"), "{e}");
    let sampled =
        fed_belt(SPECS, "0", "2", "").replace("</len>", "</len><sample>TIME > 1</sample>");
    let e = error(&sampled);
    assert!(e.contains("belt") && e.contains("<sample>"), "{e}");
    let oven = doc(SPECS, r#"<stock name="kiln"><eqn>0</eqn><oven/></stock>"#);
    let e = error(&oven);
    assert!(e.contains("kiln") && e.contains("oven"), "{e}");
}
