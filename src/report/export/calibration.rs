//! The files of a calibration: `calibration.json`, `posterior.csv`, a fit chart per data
//! column, the prior-versus-posterior chart and `report.md` (with `report.html`), all
//! rendered in memory and then written as one directory through the atomic path.

use super::png::png_bytes;
use super::{html_page, write_files, ReportError};
use crate::calibrate::data::Quantity;
use crate::calibrate::Calibration;
use crate::calibrate::BAND_QUANTILES;
use crate::report::charts::fan::{self, Band, FanChart};
use crate::report::charts::posterior::{self, Narrowing, PriorPosterior};
use crate::report::export::slug;
use crate::report::format;
use crate::study::provenance::FileStamp;
use serde_json::json;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A calibration with what it was made from.
pub struct CalibrationOutput<'a> {
    /// The result.
    pub calibration: &'a Calibration,
    /// Model name.
    pub model: &'a str,
    /// The model's time unit.
    pub time_unit: &'a str,
    /// The model file.
    pub model_file: FileStamp,
    /// The data file.
    pub data_file: FileStamp,
    /// The command that re-forecasts from this posterior, for the report.
    pub reforecast: String,
}

/// Renders every file, then writes them into `dir`; returns the paths written.
pub fn write_calibration(out: &CalibrationOutput, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let c = out.calibration;
    let json =
        serde_json::to_vec_pretty(&calibration_json(out)).map_err(|source| ReportError::Json {
            file: "calibration.json".into(),
            source,
        })?;
    let mut files = vec![
        ("calibration.json".to_string(), json),
        ("posterior.csv".to_string(), posterior_csv(c)?),
    ];
    let mut charts = Vec::new();
    for (i, b) in c.bands.iter().enumerate() {
        let chart = fit_chart(out, i);
        let name = format!("fit_{}.png", slug(&b.header));
        files.push((
            name.clone(),
            png_bytes(chart.pixel_size(), |a| fan::draw(&chart, a))?,
        ));
        charts.push((format!("Fit: {}", b.header), name));
    }
    let pp = PriorPosterior {
        title: format!(
            "{} — prior and posterior of the calibrated inputs",
            out.model
        ),
        rows: c
            .parameters
            .iter()
            .map(|p| Narrowing {
                name: p.name.clone(),
                prior: p.prior_ci95,
                posterior: p.ci95,
                mean: p.mean,
            })
            .collect(),
    };
    files.push((
        "prior_posterior.png".into(),
        png_bytes(pp.pixel_size(), |a| posterior::draw(&pp, a))?,
    ));
    charts.push(("Prior and posterior".into(), "prior_posterior.png".into()));
    let md = report_md(out, &charts).map_err(|e| ReportError::Inconsistent(e.to_string()))?;
    files.push(("report.md".into(), md.into_bytes()));
    let page = html_page(|name| files.iter().find(|f| f.0 == name).map(|f| f.1.as_slice()));
    if let Some(page) = page {
        files.push((super::html::FILE.to_string(), page.into_bytes()));
    }
    write_files(dir, files)
}

/// A JSON number, `null` when not finite.
fn num(v: f64) -> serde_json::Value {
    if v.is_finite() {
        json!(v)
    } else {
        serde_json::Value::Null
    }
}

fn calibration_json(out: &CalibrationOutput) -> serde_json::Value {
    let c = out.calibration;
    json!({
        "model": out.model,
        "model_file": out.model_file,
        "data_file": out.data_file,
        "data_until": num(c.data_until),
        "time_unit": out.time_unit,
        "parameters": c.parameters.iter().map(|p| json!({
            "name": p.name,
            "prior": p.prior,
            "mode": num(p.mode),
            "mean": num(p.mean),
            "sd": num(p.sd),
            "ci95": [num(p.ci95[0]), num(p.ci95[1])],
            "prior_ci95": [num(p.prior_ci95[0]), num(p.prior_ci95[1])],
            "rhat": num(p.rhat),
            "ess": num(p.ess),
        })).collect::<Vec<_>>(),
        "held_at_median": c.held.iter().map(|(n, v)| json!({"name": n, "value": num(*v)})).collect::<Vec<_>>(),
        "fit": {
            "likelihood": c.likelihood.name(),
            "likelihood_description": c.likelihood.describe(),
            "observations": c.observations,
            "log_likelihood": num(c.log_likelihood),
            "log_posterior": num(c.log_posterior),
            "columns": c.series.iter().map(|s| json!({
                "column": s.header,
                "observations": s.observations,
                "log_likelihood": num(s.log_likelihood),
                "error_scale": num(s.scale),
            })).collect::<Vec<_>>(),
        },
        "sampler": {
            "method": "differential-evolution MCMC (ter Braak 2006)",
            "chains": c.chains,
            "generations": c.generations,
            "burn_in": c.burn_in,
            "draws": c.draws.len(),
            "acceptance_rate": num(c.acceptance),
            "model_runs": c.evaluations,
            "seed": c.seed,
        },
        "converged": c.warnings.is_empty(),
        "warnings": c.warnings,
        "sandtable_version": env!("CARGO_PKG_VERSION"),
    })
}

fn posterior_csv(c: &Calibration) -> Result<Vec<u8>, ReportError> {
    let fail = |source| ReportError::Csv {
        file: "posterior.csv".into(),
        source,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(c.parameters.iter().map(|p| p.name.as_str()))
        .map_err(fail)?;
    for row in &c.draws {
        w.write_record(row.iter().map(|v| format!("{v}")))
            .map_err(fail)?;
    }
    w.into_inner().map_err(|e| ReportError::Io {
        path: "posterior.csv".into(),
        source: e.into_error(),
    })
}

fn fit_chart(out: &CalibrationOutput, i: usize) -> FanChart {
    let b = &out.calibration.bands[i];
    let band = |lo: usize, hi: usize| Band {
        lower_q: BAND_QUANTILES[lo],
        upper_q: BAND_QUANTILES[hi],
        lower: b.bands[lo].clone(),
        upper: b.bands[hi].clone(),
    };
    let what = match b.quantity {
        Quantity::Level => "simulated under the posterior".to_string(),
        Quantity::Sum => {
            "total since the previous data row, simulated under the posterior".to_string()
        }
    };
    FanChart {
        title: format!("{} — {}: data and {what}", out.model, b.header),
        x_label: format!("time ({})", out.time_unit),
        y_label: b.header.clone(),
        times: b.times.clone(),
        bands: vec![band(0, 4), band(1, 3)],
        median: b.bands[2].clone(),
        samples: Vec::new(),
        thresholds: Vec::new(),
        checkpoints: vec![(
            format!("data until {}", format::number(out.calibration.data_until)),
            out.calibration.data_until,
        )],
        paths: Vec::new(),
        observed: b.observed.clone(),
        note: None,
    }
}

fn report_md(
    out: &CalibrationOutput,
    charts: &[(String, String)],
) -> Result<String, std::fmt::Error> {
    let c = out.calibration;
    let mut md = String::new();
    writeln!(md, "# {} — calibration\n", out.model)?;
    writeln!(
        md,
        "Conditioned on {} observations in `{}`, up to time {} ({}).\n",
        c.observations,
        out.data_file.path,
        format::number(c.data_until),
        out.time_unit
    )?;
    if !c.warnings.is_empty() {
        writeln!(
            md,
            "**Not converged** — the intervals below are not yet reliable:\n"
        )?;
        for w in &c.warnings {
            writeln!(md, "- {w}")?;
        }
        writeln!(md)?;
    }
    writeln!(md, "## Calibrated inputs\n")?;
    writeln!(
        md,
        "| Input | Prior | Mode | Mean | 95 % interval | R-hat | ESS |"
    )?;
    writeln!(md, "|---|---|---:|---:|---:|---:|---:|")?;
    for p in &c.parameters {
        writeln!(
            md,
            "| {} | `{}` | {} | {} | [{}, {}] | {:.3} | {:.0} |",
            p.name,
            p.prior,
            format::number(p.mode),
            format::number(p.mean),
            format::number(p.ci95[0]),
            format::number(p.ci95[1]),
            p.rhat,
            p.ess
        )?;
    }
    writeln!(md)?;
    if !c.held.is_empty() {
        let held: Vec<String> = c
            .held
            .iter()
            .map(|(n, v)| format!("`{n}` = {}", format::number(*v)))
            .collect();
        writeln!(
            md,
            "Uncertain inputs not calibrated are held at their prior median: {}.\n",
            held.join(", ")
        )?;
    }
    writeln!(md, "## Fit\n")?;
    writeln!(md, "Likelihood: {}.\n", c.likelihood.describe())?;
    let scale = match c.likelihood {
        crate::calibrate::Likelihood::LogNormal => "σ̂ (ln scale)",
        crate::calibrate::Likelihood::NegBinomial => "dispersion r̂",
    };
    writeln!(
        md,
        "| Column | Values | {scale} | Log-likelihood at the mode |"
    )?;
    writeln!(md, "|---|---:|---:|---:|")?;
    for s in &c.series {
        writeln!(
            md,
            "| {} | {} | {} | {} |",
            s.header,
            s.observations,
            format::number(s.scale),
            format::fixed(s.log_likelihood, 2)
        )?;
    }
    writeln!(
        md,
        "\nThe bands are the 5–95 % and 25–75 % ranges (and median) of the model simulated at {} posterior draws, without observation error; the dots are the data.\n",
        c.bands.first().map_or(0, |_| c.draws.len().min(200))
    )?;
    for (title, file) in charts {
        writeln!(md, "![{title}]({file})\n")?;
    }
    writeln!(md, "## Method\n")?;
    writeln!(
        md,
        "- Point estimate: the posterior mode, by Nelder–Mead (argmin) in an unbounded space that respects each prior's support; log posterior {} at the mode.",
        format::fixed(c.log_posterior, 2)
    )?;
    writeln!(
        md,
        "- Posterior: differential-evolution MCMC, {} chains started around the mode, {} generations of which {} burn-in; acceptance rate {}; {} draws kept in posterior.csv; {} model runs in all; seed {}.",
        c.chains,
        c.generations,
        c.burn_in,
        format::percent(c.acceptance),
        c.draws.len(),
        c.evaluations,
        c.seed
    )?;
    writeln!(
        md,
        "- Convergence: split R-hat ≤ {} and effective sample size ≥ {} for every input are required; {}.\n",
        crate::calibrate::MAX_RHAT,
        crate::calibrate::MIN_ESS,
        if c.warnings.is_empty() { "met" } else { "NOT met (see above)" }
    )?;
    writeln!(md, "## Re-forecast\n")?;
    writeln!(md, "```sh\n{}\n```\n", out.reforecast)?;
    writeln!(
        md,
        "draws the calibrated inputs jointly from posterior.csv (the others from their priors), so every target's probability is conditional on the data up to time {}.\n",
        format::number(c.data_until)
    )?;
    writeln!(md, "## Files\n")?;
    writeln!(md, "- `calibration.json`: the inputs' posterior summaries, fit statistics and sampler settings")?;
    writeln!(
        md,
        "- `posterior.csv`: one column per calibrated input, one row per posterior draw"
    )?;
    writeln!(md, "- `fit_*.png`, `prior_posterior.png`: the charts above")?;
    writeln!(
        md,
        "\nModel `{}` (SHA-256 {}…), data `{}` (SHA-256 {}…), sandtable {}.",
        out.model_file.path,
        &out.model_file.sha256.chars().take(12).collect::<String>(),
        out.data_file.path,
        &out.data_file.sha256.chars().take(12).collect::<String>(),
        env!("CARGO_PKG_VERSION")
    )?;
    Ok(md)
}
