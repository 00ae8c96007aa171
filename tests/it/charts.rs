//! End-to-end checks of the chart layer through its public API: files, sizes, replacement,
//! errors, and awkward but legal inputs.

use std::path::{Path, PathBuf};

use sandtable::diagnostic::Diagnostic;
use sandtable::report::charts::comparison::{Estimate, ScenarioComparison};
use sandtable::report::charts::fan::{Band, FanChart};
use sandtable::report::charts::histogram::HistogramChart;
use sandtable::report::charts::line::{LineChart, Series};
use sandtable::report::charts::scorecard::{ScoreRow, Scorecard};
use sandtable::report::charts::tornado::Tornado;
use sandtable::report::charts::{self, ChartError, Verdict};

/// Width and height from the PNG signature and IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Where to also write the pictures for a person to inspect (`SANDTABLE_CHART_PREVIEW=dir`).
fn preview(name: &str) -> Option<PathBuf> {
    std::env::var_os("SANDTABLE_CHART_PREVIEW").map(|d| PathBuf::from(d).join(name))
}

fn line_chart(series: usize, points: usize) -> LineChart {
    LineChart {
        title: "Stocks of the 社交媒体 model, baseline run".into(),
        x_label: "Time (weeks)".into(),
        y_label: "Value (various units)".into(),
        series: (0..series)
            .map(|s| Series {
                name: format!("stock {s}: 一个很长的变量名字 with a long English explanation"),
                points: (0..points)
                    .map(|i| {
                        let t = i as f64;
                        (
                            t,
                            (s as f64 + 1.0) * 0.01 * t * t + (t / 3.0 + s as f64).sin(),
                        )
                    })
                    .collect(),
                band: Vec::new(),
            })
            .collect(),
    }
}

fn histogram_without_threshold() -> HistogramChart {
    HistogramChart {
        title: "Conversion rate at week 52".into(),
        x_label: "Conversion rate (fraction of visitors)".into(),
        values: (0..3000)
            .map(|i| 0.002 + 0.001 * ((i as f64 * 0.618).fract() + (i as f64 * 0.7549).fract()))
            .collect(),
        threshold: None,
        success_above: true,
        success_label: None,
        bins: None,
        strict: false,
        value_suffix: String::new(),
    }
}

#[test]
fn every_chart_kind_writes_a_png_of_its_stated_size() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let line = line_chart(3, 53);
    charts::line::render(&line, &d.join("line.png")).unwrap();
    assert_eq!(png_size(&d.join("line.png")), line.pixel_size());

    let times: Vec<f64> = (0..10).map(f64::from).collect();
    let fan = FanChart {
        title: "fan".into(),
        x_label: "t".into(),
        y_label: "v".into(),
        bands: vec![Band {
            lower_q: 0.1,
            upper_q: 0.9,
            lower: times.iter().map(|t| t - 1.0).collect(),
            upper: times.iter().map(|t| t + 1.0).collect(),
        }],
        median: times.clone(),
        samples: vec![],
        thresholds: vec![],
        checkpoints: vec![],
        paths: vec![],
        observed: vec![],
        times,
    };
    charts::fan::render(&fan, &d.join("fan.png")).unwrap();
    assert_eq!(png_size(&d.join("fan.png")), fan.pixel_size());

    let hist = histogram_without_threshold();
    charts::histogram::render(&hist, &d.join("hist.png")).unwrap();
    assert_eq!(png_size(&d.join("hist.png")), hist.pixel_size());

    let score = Scorecard {
        title: "score".into(),
        rows: vec![ScoreRow {
            name: "粉丝".into(),
            probability: 0.5,
            ci_low: 0.45,
            ci_high: 0.55,
            verdict: Verdict::Uncertain,
            group: "KPIs".into(),
        }],
        likely_at: 0.8,
        unlikely_at: 0.2,
    };
    charts::scorecard::render(&score, &d.join("score.png")).unwrap();
    assert_eq!(png_size(&d.join("score.png")), score.pixel_size());

    let tornado = Tornado {
        title: "tornado".into(),
        x_label: "Spearman ρ".into(),
        bars: vec![("a".into(), 0.3), ("b".into(), -0.2)],
        higher_helps: None,
        top: 10,
    };
    charts::tornado::render(&tornado, &d.join("tornado.png")).unwrap();
    assert_eq!(png_size(&d.join("tornado.png")), tornado.pixel_size());

    let e = Estimate {
        probability: 0.3,
        ci_low: 0.25,
        ci_high: 0.35,
    };
    let cmp = ScenarioComparison {
        differences: Vec::new(),
        title: "cmp".into(),
        scenarios: vec!["a".into(), "b".into()],
        targets: vec!["x".into()],
        probability: vec![vec![e, e]],
        likely_at: 0.8,
        unlikely_at: 0.2,
    };
    charts::comparison::render(&cmp, &d.join("cmp.png")).unwrap();
    assert_eq!(png_size(&d.join("cmp.png")), cmp.pixel_size());

    assert_eq!(
        files(d),
        [
            "cmp.png",
            "fan.png",
            "hist.png",
            "line.png",
            "score.png",
            "tornado.png"
        ]
    );
}

#[test]
fn rendering_replaces_an_existing_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chart.png");
    std::fs::write(&path, vec![b'x'; 5_000_000]).unwrap();
    let chart = line_chart(1, 10);
    charts::line::render(&chart, &path).unwrap();
    assert_eq!(png_size(&path), (1200, 700));
    assert!(std::fs::metadata(&path).unwrap().len() < 5_000_000);
    assert_eq!(files(dir.path()), ["chart.png"]);
}

#[test]
fn failed_render_leaves_old_file_and_no_temp() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chart.png");
    std::fs::write(&path, "old").unwrap();
    let empty = LineChart {
        series: vec![],
        ..line_chart(0, 0)
    };
    assert!(matches!(
        charts::line::render(&empty, &path),
        Err(ChartError::NoData { .. })
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    assert_eq!(files(dir.path()), ["chart.png"]);
}

#[test]
fn unwritable_destination_is_an_io_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("chart.png");
    let err = charts::line::render(&line_chart(1, 10), &path).unwrap_err();
    match &err {
        ChartError::Io { path: p, .. } => assert_eq!(p, &path),
        other => panic!("expected an I/O error, got {other:?}"),
    }
    let diagnostic = Diagnostic::from(err);
    let text = diagnostic.to_string();
    assert!(text.contains("missing-dir"), "{text}");
    assert!(files(dir.path()).is_empty());
}

#[test]
fn verdict_serialises_lowercase() {
    let json =
        serde_json::to_string(&[Verdict::Likely, Verdict::Uncertain, Verdict::Unlikely]).unwrap();
    assert_eq!(json, r#"["likely","uncertain","unlikely"]"#);
}

#[test]
fn awkward_inputs_render() {
    let dir = tempfile::tempdir().unwrap();
    // Many series with long names: the legend truncates, the plot keeps its room.
    let many = line_chart(14, 53);
    let path = dir.path().join("many.png");
    charts::line::render(&many, &path).unwrap();
    // No threshold, small fractional values: plain bars and decimal ticks.
    let hist = histogram_without_threshold();
    charts::histogram::render(&hist, &dir.path().join("h.png")).unwrap();
    if let (Some(a), Some(b)) = (preview("line_many.png"), preview("histogram_plain.png")) {
        charts::line::render(&many, &a).unwrap();
        charts::histogram::render(&hist, &b).unwrap();
    }
}

#[test]
fn extreme_magnitudes_are_errors_or_charts_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let huge = LineChart {
        series: vec![Series {
            name: "huge".into(),
            points: vec![(0.0, -1e308), (1.0, 1e308)],
            band: Vec::new(),
        }],
        ..line_chart(0, 0)
    };
    assert!(charts::line::render(&huge, &dir.path().join("a.png")).is_err());

    let hist = HistogramChart {
        values: vec![-1e308, 1e308, 0.0],
        ..histogram_without_threshold()
    };
    assert!(charts::histogram::render(&hist, &dir.path().join("b.png")).is_err());

    let tornado = Tornado {
        title: "t".into(),
        x_label: "x".into(),
        bars: vec![("a".into(), f64::MAX)],
        higher_helps: None,
        top: 10,
    };
    assert!(charts::tornado::render(&tornado, &dir.path().join("c.png")).is_err());

    // A tiny span at a large magnitude is legal and must draw.
    let narrow = LineChart {
        series: vec![Series {
            name: "narrow".into(),
            points: vec![(1e15, 1e15), (1e15 + 1.0, 1e15 + 1.0), (1e15 + 2.0, 1e15)],
            band: Vec::new(),
        }],
        ..line_chart(0, 0)
    };
    charts::line::render(&narrow, &dir.path().join("d.png")).unwrap();
    let tiny = LineChart {
        series: vec![Series {
            name: "tiny".into(),
            points: vec![(0.0, 1e-300), (1e-300, 2e-300)],
            band: Vec::new(),
        }],
        ..line_chart(0, 0)
    };
    charts::line::render(&tiny, &dir.path().join("e.png")).unwrap();
    assert_eq!(files(dir.path()), ["d.png", "e.png"]);
}

#[test]
fn tiny_drawing_areas_do_not_panic() {
    use plotters::prelude::*;
    let score = Scorecard {
        title: "score".into(),
        rows: vec![ScoreRow {
            name: "粉丝".into(),
            probability: 0.5,
            ci_low: 0.45,
            ci_high: 0.55,
            verdict: Verdict::Uncertain,
            group: "KPIs".into(),
        }],
        likely_at: 0.8,
        unlikely_at: 0.2,
    };
    let tornado = Tornado {
        title: "tornado".into(),
        x_label: "ρ".into(),
        bars: vec![("a".into(), 0.3)],
        higher_helps: None,
        top: 10,
    };
    let times = vec![0.0, 1.0, 2.0];
    let fan = FanChart {
        title: "fan".into(),
        x_label: "t".into(),
        y_label: "v".into(),
        bands: vec![Band {
            lower_q: 0.25,
            upper_q: 0.75,
            lower: vec![0.0, 0.5, 1.0],
            upper: vec![1.0, 1.5, 3.0],
        }],
        median: vec![0.5, 1.0, 2.0],
        samples: vec![vec![0.4, 1.2, 2.5]],
        thresholds: vec![("target".into(), 2.0)],
        checkpoints: vec![("review".into(), 1.0)],
        paths: vec![],
        observed: vec![],
        times,
    };
    let e = Estimate {
        probability: 0.3,
        ci_low: 0.25,
        ci_high: 0.35,
    };
    let cmp = ScenarioComparison {
        differences: Vec::new(),
        title: "cmp".into(),
        scenarios: vec!["a".into(), "b".into()],
        targets: vec!["x".into()],
        probability: vec![vec![e, e]],
        likely_at: 0.8,
        unlikely_at: 0.2,
    };
    for size in [(1u32, 1u32), (40, 30), (200, 120)] {
        let mut buf = vec![0u8; (size.0 * size.1 * 3) as usize];
        let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
        // Errors are fine on areas too small for a chart; panics are not.
        let _ = charts::line::draw(&line_chart(2, 10), &root);
        let _ = charts::histogram::draw(&histogram_without_threshold(), &root);
        let _ = charts::scorecard::draw(&score, &root);
        let _ = charts::tornado::draw(&tornado, &root);
        let _ = charts::fan::draw(&fan, &root);
        let _ = charts::comparison::draw(&cmp, &root);
    }
}
