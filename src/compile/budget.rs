//! A model's size checked against the budget table of [`crate::limits`] before the compiler
//! allocates anything for it.

use crate::diagnostic::Diagnostic;
use crate::limits;
use crate::model::names::canonical;
use crate::model::Model;

/// Checks a model's size against [`limits::VALUES`], [`limits::STEPS`] and [`limits::SAVED_VALUES`] before anything
/// is allocated for it. Overflowing products count as over the limit.
pub fn check_model(model: &Model) -> Result<(), Diagnostic> {
    let sizes: std::collections::HashMap<String, u64> = model
        .dimensions
        .iter()
        .map(|d| (canonical(&d.name), d.elements.len() as u64))
        .collect();
    let mut values: u64 = 0;
    for var in &model.variables {
        let elements = var.dims.iter().try_fold(1u64, |acc, d| {
            // Unknown dimensions are reported by the compiler; count them as one element.
            acc.checked_mul(*sizes.get(&canonical(d)).unwrap_or(&1))
        });
        values = elements
            .and_then(|e| values.checked_add(e))
            .unwrap_or(u64::MAX);
        if values > limits::VALUES.value() {
            return Err(limits::VALUES
                .refusal(values, &format!("model `{}`", model.name))
                .or_at(&var.at));
        }
    }
    let s = &model.sim;
    let steps = (s.stop - s.start) / s.dt;
    if !steps.is_finite() || steps < 0.0 {
        return Ok(()); // the compiler's time checks explain this case
    }
    let steps = steps.round().min(u64::MAX as f64) as u64;
    limits::STEPS.check(steps, &format!("model `{}`", model.name))?;
    let per_save = (s.save_step / s.dt).round().max(1.0);
    let rows = if per_save.is_finite() {
        (steps as f64 / per_save) as u64 + 1
    } else {
        1
    };
    limits::SAVED_VALUES.check(
        rows.saturating_mul(values.max(1)),
        &format!("model `{}`", model.name),
    )
}
