//! A run's saved output: one row per save time, one column per saved variable.

/// Values of the saved variables at each save time.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Column names: `name` or `name[element]`, as written in the model.
    pub names: Vec<String>,
    /// Save times.
    pub times: Vec<f64>,
    /// Row-major values: `data[row * names.len() + column]`.
    pub data: Vec<f64>,
}

impl Trajectory {
    /// An empty trajectory with these columns, room reserved for `rows` rows.
    pub fn with_columns(names: Vec<String>, rows: usize) -> Trajectory {
        let width = names.len();
        Trajectory {
            names,
            times: Vec::with_capacity(rows),
            data: Vec::with_capacity(rows * width),
        }
    }

    /// Number of columns.
    pub fn width(&self) -> usize {
        self.names.len()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether no row was saved.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The row at index `row`.
    pub fn row(&self, row: usize) -> &[f64] {
        let w = self.width();
        &self.data[row * w..(row + 1) * w]
    }

    /// Column index of `name` (exact match on the stored name, then XMILE matching).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name).or_else(|| {
            let key = crate::model::names::canonical(name);
            self.names
                .iter()
                .position(|n| crate::model::names::canonical(n) == key)
        })
    }

    /// The values of column `col` over time.
    pub fn series(&self, col: usize) -> impl Iterator<Item = f64> + '_ {
        let w = self.width();
        self.data.iter().skip(col).step_by(w.max(1)).copied()
    }
}
