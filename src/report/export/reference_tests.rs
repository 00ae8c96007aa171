//! The reference study's charts (models/enterprise_growth.toml, a few runs of a scenario that
//! is not the baseline): every title names its scenario and run count, and each target's
//! charts name the target.

use super::charts::{
    fan_chart, histogram_chart, lever_chart, plan, scorecard_chart, sobol_chart, tornado_chart,
    ChartKind,
};
use super::describe::{target_name, variable_title};
use crate::montecarlo::result::StudyResult;
use crate::study::{Settings, Study, StudyRequest};

fn reference(scenario: &str, runs: u64) -> StudyResult {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/enterprise_growth.toml");
    let request = StudyRequest {
        settings: Settings {
            runs: Some(runs),
            seed: Some(1),
            ..Settings::default()
        },
        ..StudyRequest::new(&path)
    };
    let study = Study::resolve(&request).unwrap_or_else(|e| panic!("{e}"));
    let compiled = study.compile(scenario).unwrap_or_else(|e| panic!("{e}"));
    crate::montecarlo::runner::Plan::new(&compiled)
        .unwrap_or_else(|e| panic!("{e}"))
        .execute(&|_| {})
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_chart_of_the_reference_study_names_its_target_and_scenario() {
    let result = reference("cost_surge", 24);
    let s = &result.summary;
    let runs = "24 runs";
    let mut seen = 0;
    for c in plan(&result) {
        let (title, subject) = match c.kind {
            ChartKind::Fan(i) => {
                let b = &result.bands[i];
                (fan_chart(&result, b).title, variable_title(b))
            }
            ChartKind::Histogram(i) => (
                histogram_chart(&result, i).unwrap().title,
                target_name(&s.targets[i]).to_string(),
            ),
            ChartKind::Tornado(i) => (
                tornado_chart(&result, i).unwrap().title,
                target_name(&s.targets[i]).to_string(),
            ),
            ChartKind::Levers(i) => (
                lever_chart(&result, i).unwrap().title,
                target_name(&s.targets[i]).to_string(),
            ),
            ChartKind::Sobol(i) => (
                sobol_chart(&result, i).unwrap().title,
                target_name(&s.targets[i]).to_string(),
            ),
            ChartKind::Scorecard => (scorecard_chart(&result).title, "each target".into()),
        };
        assert!(title.contains("cost_surge"), "{}: {title}", c.file);
        assert!(title.contains(runs), "{}: {title}", c.file);
        assert!(
            title.contains(&subject),
            "{}: {title} lacks {subject}",
            c.file
        );
        seen += 1;
    }
    // A scorecard, a fan per tracked variable (followers and freshness per platform) and a
    // histogram and tornado per target.
    assert!(
        seen >= 1 + result.bands.len() + 2 * s.targets.len(),
        "{seen} charts"
    );
}

#[test]
fn ratio_targets_are_named_under_the_fan_title_and_groups_are_split_at_their_full_count() {
    let result = reference("baseline", 12);
    let s = &result.summary;
    let fan = |name: &str| {
        let b = result.bands.iter().find(|b| b.name == name).unwrap();
        fan_chart(&result, b)
    };
    let label =
        |name: &str| target_name(s.targets.iter().find(|t| t.name == name).unwrap()).to_string();
    // The engagement targets are ratios of totals over interactions_total and others.
    let note = fan("interactions_total")
        .note
        .expect("a note on interactions");
    assert!(note.contains(&label("engagement")), "{note}");
    assert!(note.contains(&label("engagement_per_follower")), "{note}");
    assert!(!note.contains(&label("benchmark_interactions")), "{note}");
    // Targets on total_followers alone are drawn as paths, not named as undrawn.
    assert_eq!(fan("total_followers").note, None);
    // all(loop_content, loop_interactions, loop_conversion) is met at 3 members.
    let i = s
        .targets
        .iter()
        .position(|t| t.name == "positive_loop_by_month_6")
        .unwrap();
    let h = histogram_chart(&result, i).unwrap();
    assert_eq!(h.threshold, Some(3.0));
    assert!(h.success_above && !h.strict);
}
