//! The builtin functions of the equation language, in one typed table: each builtin's names,
//! how many arguments it takes, its unit rule, how its arguments drive its value (for loop
//! polarity) and whether it reduces an array. The compiler, the unit checker and the loop
//! analysis all read this table, so a builtin is declared once.

/// A builtin function of the equation language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // Each variant is the function of the same name in the table below.
pub enum Builtin {
    Abs,
    Exp,
    Ln,
    Log10,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tan,
    ArcSin,
    ArcCos,
    ArcTan,
    Sinh,
    Cosh,
    Tanh,
    Int,
    Round,
    Mod,
    Min,
    Max,
    Sum,
    Mean,
    Prod,
    Size,
    StdDev,
    Pi,
    Inf,
    Time,
    Dt,
    StartTime,
    StopTime,
    IfThenElse,
    SafeDiv,
    Xidz,
    Zidz,
    Step,
    Pulse,
    Ramp,
    Lookup,
    Smth1,
    Smth3,
    SmthN,
    Delay1,
    Delay3,
    DelayN,
    Delay,
    Trend,
    Init,
    Previous,
    Normal,
    Uniform,
    PinkNoise,
    // The vector builtins shared by the Vensim and XMILE readers (compile::vectors).
    AllocateByPriority,
    AllocateAvailable,
    VectorSelect,
    InvertMatrix,
    VectorSortOrder,
    VectorRank,
    VectorReorder,
    VectorElmMap,
    Interpolate,
    // Stella's builtins (lowered in compile/stella.rs).
    SinWave,
    CosWave,
    RootN,
    Forcst,
    DerivN,
    LookupInv,
    LookupArea,
    LookupMean,
    Pmt,
    Fv,
    Pv,
    Rank,
    Random,
    LogNormal,
    Triangular,
    Weibull,
    Pareto,
    Logistic,
    ExpRnd,
    InvNorm,
    NormalCdf,
    ConveyorMeanInflow,
    ConveyorWhole,
    QueueOutflow,
    Percent,
    Permutations,
    CGrowth,
    EndVal,
    History,
    Npv,
    Irr,
    ClockTime,
    Poisson,
    NegBinomial,
    RandomNormal,
}

/// How a builtin's result unit follows from its arguments' units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitRule {
    /// Dimensionless arguments, dimensionless result (`EXP`, `LN`, trigonometry, `PROD`).
    Dimensionless,
    /// A dimensionless count whatever the argument (`SIZE`).
    Count,
    /// The first argument's unit (`ABS`, `INT`, `SUM`, `INIT`, …); `PREVIOUS`'s initial value
    /// must share it.
    KeepFirst,
    /// The square root of the argument's unit.
    Sqrt,
    /// The arguments from this position on must agree; the result has their unit (`MIN`,
    /// `MAX`, `MOD` from 0; `IF_THEN_ELSE` from 1).
    Agree(usize),
    /// The first argument's unit over the second's; a third (fallback) must agree with it.
    Quotient,
    /// A smooth or delay: argument 1 is a time; the result is the input's unit, which the
    /// initial value at `initial` must share; `order`, when given, is a dimensionless order.
    Smooth {
        /// Position of the initial value.
        initial: usize,
        /// Position of the order argument, if any.
        order: Option<usize>,
    },
    /// `TREND`: per time unit; argument 1 is an averaging time.
    Trend,
    /// `STEP`: the height's unit; argument 1 is a time.
    Step,
    /// `PULSE`: the magnitude per time unit; arguments 1 and 2 are times.
    Pulse,
    /// `RAMP`: the slope times time; arguments 1 and 2 are times.
    Ramp,
    /// `LOOKUP`: the table's own unit.
    Lookup,
    /// A random draw: its first two arguments agree and give the unit.
    Noise,
    /// `PINK_NOISE`: mean and standard deviation agree; argument 2 is a correlation time.
    PinkNoise,
    /// A clock value: the model's time unit (`TIME`, `DT`, `STARTTIME`, `STOPTIME`).
    Clock,
    /// A pure number (`PI`).
    Number,
    /// `CGROWTH`: a dimensionless percentage in, a fraction per time unit out.
    GrowthRate,
    /// `NPV`: the stream summed over time (its unit times the time unit); the discount rate
    /// is dimensionless and the initial value shares the result's unit.
    PresentValue,
    /// `IRR`: a dimensionless rate (as `NPV`'s); the initial payment has the unit of the
    /// stream times the time unit.
    ReturnRate,
    /// Not checked (`INF`).
    Unchecked,
}

/// How an argument moves a builtin's value, for the polarity of feedback loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Raising the argument raises the value.
    Same,
    /// Raising the argument lowers the value.
    Opposite,
    /// Either way, or not known.
    Unknown,
}

/// How each argument of a builtin drives its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drive {
    /// One effect per argument position; positions past the list are not causal.
    Args(&'static [Effect]),
    /// Every argument drives the value the same way (`MIN`, `MAX`, `SUM`, …).
    EachSame,
    /// No argument is causal (`SIZE`, `INIT`).
    Nothing,
    /// A quotient: the numerator the same way, the denominator the opposite way.
    Quotient,
    /// `LOOKUP`: the input drives the value in the table's own direction.
    Table,
    /// Not known for any argument.
    Unknown,
}

/// Whether a call reduces an array argument to one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduction {
    /// Never: element by element.
    Never,
    /// Always (`SUM`, `PROD`, `SIZE`, `STDDEV`).
    Always,
    /// With exactly one argument (`MIN`, `MAX`, `MEAN`).
    OneArgument,
}

/// Everything the language knows about one builtin.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The builtin.
    pub builtin: Builtin,
    /// Its names, canonical (lower case, `_` for spaces); the first is the one messages use.
    pub names: &'static [&'static str],
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (`usize::MAX`: any number).
    pub max_args: usize,
    /// Its unit rule.
    pub units: UnitRule,
    /// How its arguments drive it.
    pub drive: Drive,
    /// Whether it reduces an array.
    pub reduction: Reduction,
}

use Effect::{Opposite as O, Same as S, Unknown as U};

const fn spec(
    builtin: Builtin,
    names: &'static [&'static str],
    args: (usize, usize),
    units: UnitRule,
    drive: Drive,
) -> Spec {
    Spec {
        builtin,
        names,
        min_args: args.0,
        max_args: args.1,
        units,
        drive,
        reduction: Reduction::Never,
    }
}

const fn reducing(mut s: Spec, reduction: Reduction) -> Spec {
    s.reduction = reduction;
    s
}

const ANY: usize = usize::MAX;
const SMOOTH: UnitRule = UnitRule::Smooth {
    initial: 2,
    order: None,
};
const SMOOTH_N: UnitRule = UnitRule::Smooth {
    initial: 3,
    order: Some(2),
};
const INPUT_FIRST: Drive = Drive::Args(&[S, U]);
const MONOTONE: Drive = Drive::Args(&[S]);

/// The table of builtins.
pub const TABLE: &[Spec] = {
    use Builtin::*;
    use UnitRule as R;
    &[
        spec(Abs, &["abs"], (1, 1), R::KeepFirst, MONOTONE),
        spec(Exp, &["exp"], (1, 1), R::Dimensionless, MONOTONE),
        spec(Ln, &["ln"], (1, 1), R::Dimensionless, MONOTONE),
        spec(Log10, &["log10"], (1, 1), R::Dimensionless, MONOTONE),
        spec(Log, &["log"], (1, 2), R::Dimensionless, INPUT_FIRST),
        spec(Sqrt, &["sqrt"], (1, 1), R::Sqrt, MONOTONE),
        spec(Sin, &["sin"], (1, 1), R::Dimensionless, Drive::Unknown),
        spec(Cos, &["cos"], (1, 1), R::Dimensionless, Drive::Unknown),
        spec(Tan, &["tan"], (1, 1), R::Dimensionless, Drive::Unknown),
        spec(ArcSin, &["arcsin"], (1, 1), R::Dimensionless, MONOTONE),
        spec(
            ArcCos,
            &["arccos"],
            (1, 1),
            R::Dimensionless,
            Drive::Args(&[O]),
        ),
        spec(ArcTan, &["arctan"], (1, 1), R::Dimensionless, MONOTONE),
        spec(Sinh, &["sinh"], (1, 1), R::Dimensionless, Drive::Unknown),
        spec(Cosh, &["cosh"], (1, 1), R::Dimensionless, Drive::Unknown),
        spec(Tanh, &["tanh"], (1, 1), R::Dimensionless, Drive::Unknown),
        spec(Int, &["int", "integer"], (1, 1), R::KeepFirst, MONOTONE),
        spec(Round, &["round"], (1, 1), R::KeepFirst, MONOTONE),
        spec(Mod, &["mod", "modulo"], (2, 2), R::Agree(0), Drive::Unknown),
        reducing(
            spec(Min, &["min"], (1, ANY), R::Agree(0), Drive::EachSame),
            Reduction::OneArgument,
        ),
        reducing(
            spec(Max, &["max"], (1, ANY), R::Agree(0), Drive::EachSame),
            Reduction::OneArgument,
        ),
        reducing(
            spec(Sum, &["sum"], (1, 1), R::KeepFirst, Drive::EachSame),
            Reduction::Always,
        ),
        reducing(
            spec(Mean, &["mean"], (1, ANY), R::KeepFirst, Drive::EachSame),
            Reduction::OneArgument,
        ),
        reducing(
            spec(Prod, &["prod"], (1, 1), R::Dimensionless, Drive::EachSame),
            Reduction::Always,
        ),
        reducing(
            spec(Size, &["size"], (1, 1), R::Count, Drive::Nothing),
            Reduction::Always,
        ),
        reducing(
            spec(StdDev, &["stddev"], (1, 1), R::KeepFirst, Drive::Unknown),
            Reduction::Always,
        ),
        spec(Pi, &["pi"], (0, 0), R::Number, Drive::Unknown),
        spec(Inf, &["inf"], (0, 0), R::Unchecked, Drive::Unknown),
        spec(Time, &["time"], (0, 0), R::Clock, Drive::Unknown),
        spec(Dt, &["dt"], (0, 0), R::Clock, Drive::Unknown),
        spec(StartTime, &["starttime"], (0, 0), R::Clock, Drive::Unknown),
        spec(StopTime, &["stoptime"], (0, 0), R::Clock, Drive::Unknown),
        spec(
            IfThenElse,
            &["if_then_else"],
            (3, 3),
            R::Agree(1),
            Drive::Args(&[U, S, S]),
        ),
        spec(SafeDiv, &["safediv"], (2, 3), R::Quotient, Drive::Quotient),
        spec(Xidz, &["xidz"], (3, 3), R::Quotient, Drive::Quotient),
        spec(Zidz, &["zidz"], (2, 2), R::Quotient, Drive::Quotient),
        spec(Step, &["step"], (2, 2), R::Step, Drive::Args(&[S, U, U])),
        spec(Pulse, &["pulse"], (1, 3), R::Pulse, Drive::Args(&[S, U, U])),
        spec(Ramp, &["ramp"], (1, 3), R::Ramp, Drive::Args(&[S, U, U])),
        spec(Lookup, &["lookup"], (2, 2), R::Lookup, Drive::Table),
        spec(Smth1, &["smth1"], (2, 3), SMOOTH, INPUT_FIRST),
        spec(Smth3, &["smth3"], (2, 3), SMOOTH, INPUT_FIRST),
        spec(SmthN, &["smthn"], (3, 4), SMOOTH_N, INPUT_FIRST),
        spec(Delay1, &["delay1"], (2, 3), SMOOTH, INPUT_FIRST),
        spec(Delay3, &["delay3"], (2, 3), SMOOTH, INPUT_FIRST),
        spec(DelayN, &["delayn"], (3, 4), SMOOTH_N, INPUT_FIRST),
        spec(Delay, &["delay"], (2, 3), SMOOTH, INPUT_FIRST),
        spec(Trend, &["trend"], (2, 3), R::Trend, INPUT_FIRST),
        spec(Init, &["init"], (1, 1), R::KeepFirst, Drive::Nothing),
        spec(Previous, &["previous"], (1, 2), R::KeepFirst, MONOTONE),
        spec(
            Normal,
            &["normal"],
            (2, 3),
            R::Noise,
            Drive::Args(&[S, U, U]),
        ),
        spec(
            Uniform,
            &["uniform", "random_uniform"],
            (2, 3),
            R::Noise,
            Drive::Args(&[S, S]),
        ),
        spec(
            PinkNoise,
            &["pink_noise"],
            (3, 3),
            R::PinkNoise,
            Drive::Args(&[S, U, U]),
        ),
        // Vector builtins (compile::vectors): whole arrays in, one element out; their units
        // are not checked.
        vector(AllocateByPriority, &["allocate_by_priority"], 5, 5),
        vector(AllocateAvailable, &["allocate_available"], 4, 4),
        vector(VectorSelect, &["vector_select"], 5, 5),
        vector(InvertMatrix, &["invert_matrix"], 3, 3),
        // Without the last argument (the position wanted), Vensim's form: the result is
        // the element of the equation's current element (compile::vectors).
        vector(VectorSortOrder, &["vector_sort_order"], 2, 3),
        vector(VectorRank, &["vector_rank"], 2, 3),
        vector(VectorReorder, &["vector_reorder"], 2, 3),
        vector(VectorElmMap, &["vector_elm_map"], 2, 2),
        // Stella's INTERPOLATE(points, x1, …): one input per dimension of `points`.
        vector(Interpolate, &["interpolate"], 2, 9),
        // Stella's builtins: units not checked. A trailing seed of a distribution is accepted
        // and ignored (streams are keyed by the variable).
        spec(SinWave, &["sinwave"], (2, 2), R::Unchecked, Drive::Unknown),
        spec(CosWave, &["coswave"], (2, 2), R::Unchecked, Drive::Unknown),
        spec(RootN, &["rootn"], (2, 2), R::Unchecked, Drive::Unknown),
        spec(Forcst, &["forcst"], (3, 4), R::Unchecked, Drive::Unknown),
        spec(DerivN, &["derivn"], (2, 2), R::Unchecked, Drive::Unknown),
        spec(
            LookupInv,
            &["lookupinv"],
            (2, 2),
            R::Unchecked,
            Drive::Unknown,
        ),
        spec(
            LookupArea,
            &["lookuparea"],
            (3, 3),
            R::Unchecked,
            Drive::Unknown,
        ),
        spec(
            LookupMean,
            &["lookupmean"],
            (3, 3),
            R::Unchecked,
            Drive::Unknown,
        ),
        spec(Pmt, &["pmt"], (3, 5), R::Unchecked, Drive::Unknown),
        spec(Fv, &["fv"], (3, 5), R::Unchecked, Drive::Unknown),
        spec(Pv, &["pv"], (3, 5), R::Unchecked, Drive::Unknown),
        reducing(
            spec(Rank, &["rank"], (2, 2), R::Unchecked, Drive::Unknown),
            Reduction::Always,
        ),
        spec(Random, &["random"], (2, 3), R::Unchecked, Drive::Unknown),
        spec(
            LogNormal,
            &["lognormal"],
            (2, 3),
            R::Unchecked,
            Drive::Unknown,
        ),
        spec(
            Triangular,
            &["triangular"],
            (3, 4),
            R::Unchecked,
            Drive::Unknown,
        ),
        spec(Weibull, &["weibull"], (2, 3), R::Unchecked, Drive::Unknown),
        spec(Pareto, &["pareto"], (2, 3), R::Unchecked, Drive::Unknown),
        spec(
            Logistic,
            &["logistic"],
            (2, 3),
            R::Unchecked,
            Drive::Unknown,
        ),
        spec(ExpRnd, &["exprnd"], (1, 2), R::Unchecked, Drive::Unknown),
        spec(InvNorm, &["invnorm"], (1, 3), R::Unchecked, Drive::Unknown),
        spec(
            NormalCdf,
            &["normalcdf"],
            (1, 3),
            R::Unchecked,
            Drive::Unknown,
        ),
        spec(
            ConveyorMeanInflow,
            &["conveyor_mean_inflow"],
            (3, 3),
            R::Unchecked,
            Drive::Unknown,
        ),
        spec(
            ConveyorWhole,
            &["conveyor_whole"],
            (1, 1),
            R::KeepFirst,
            MONOTONE,
        ),
        spec(
            QueueOutflow,
            &["queue_outflow"],
            (6, ANY),
            R::Unchecked,
            Drive::Unknown,
        ),
        // Stella's builtins in compile/stella_series.rs and compile/stella.rs.
        spec(Percent, &["percent"], (1, 1), R::KeepFirst, MONOTONE),
        spec(
            Permutations,
            &["permutations"],
            (2, 2),
            R::Dimensionless,
            Drive::Args(&[S, U]),
        ),
        spec(CGrowth, &["cgrowth"], (1, 1), R::GrowthRate, MONOTONE),
        spec(EndVal, &["endval"], (1, 2), R::KeepFirst, Drive::Nothing),
        spec(
            History,
            &["history"],
            (2, 2),
            R::KeepFirst,
            Drive::Args(&[S, U]),
        ),
        spec(
            Npv,
            &["npv"],
            (2, 3),
            R::PresentValue,
            Drive::Args(&[S, O, S]),
        ),
        spec(Irr, &["irr"], (1, 2), R::ReturnRate, Drive::Unknown),
        // Refused when compiled (see compile/stella.rs); listed so the message names it.
        spec(
            ClockTime,
            &["clocktime"],
            (0, 0),
            R::Unchecked,
            Drive::Unknown,
        ),
        spec(Poisson, &["poisson"], (1, 2), R::KeepFirst, MONOTONE),
        spec(
            NegBinomial,
            &["negbinomial"],
            (2, 3),
            R::Dimensionless,
            Drive::Args(&[S, O]),
        ),
        // `RANDOM NORMAL(mean, sd[, seed])` is NORMAL; with five arguments it is Vensim's
        // `(min, max, mean, sd, seed)`, a normal truncated to [min, max].
        spec(
            RandomNormal,
            &["random_normal"],
            (2, 5),
            R::Noise,
            Drive::Args(&[S, U, U, U]),
        ),
    ]
};

/// A vector builtin's entry: its array arguments are read whole, like a reduction's.
const fn vector(builtin: Builtin, names: &'static [&'static str], min: usize, max: usize) -> Spec {
    reducing(
        spec(
            builtin,
            names,
            (min, max),
            UnitRule::Unchecked,
            Drive::Unknown,
        ),
        Reduction::Always,
    )
}

impl Builtin {
    /// The builtin a canonical name (lower case, `_` for spaces) calls, if any.
    pub fn from_name(canonical: &str) -> Option<Builtin> {
        TABLE
            .iter()
            .find(|s| s.names.contains(&canonical))
            .map(|s| s.builtin)
    }

    /// This builtin's entry in [`TABLE`].
    pub fn spec(self) -> &'static Spec {
        // The table lists the variants in declaration order (a test checks it).
        &TABLE[self as usize]
    }

    /// Whether a call with `arity` arguments reduces an array to one value.
    pub fn reduces(self, arity: usize) -> bool {
        match self.spec().reduction {
            Reduction::Never => false,
            Reduction::Always => true,
            Reduction::OneArgument => arity == 1,
        }
    }
}

/// Every builtin name (canonical), for suggestions.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().flat_map(|s| s.names.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_one_entry_and_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (i, s) in TABLE.iter().enumerate() {
            assert_eq!(s.builtin as usize, i, "{:?} out of order", s.builtin);
            assert!(seen.insert(s.builtin), "{:?} twice", s.builtin);
            assert!(s.min_args <= s.max_args, "{:?}", s.builtin);
            for n in s.names {
                assert_eq!(Builtin::from_name(n), Some(s.builtin), "{n}");
                assert!(n
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
            }
        }
        let all: Vec<&str> = names().collect();
        let unique: std::collections::HashSet<&str> = all.iter().copied().collect();
        assert_eq!(all.len(), unique.len());
    }

    #[test]
    fn reductions_follow_the_argument_count() {
        assert!(Builtin::Sum.reduces(1));
        assert!(Builtin::Min.reduces(1));
        assert!(!Builtin::Min.reduces(2));
        assert!(!Builtin::Abs.reduces(1));
        assert_eq!(
            Builtin::from_name("random_normal"),
            Some(Builtin::RandomNormal)
        );
        assert_eq!(Builtin::from_name("nope"), None);
    }
}
