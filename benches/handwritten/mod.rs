//! `models/growth40.toml` written out by hand in Rust, with the engine's RK4 scheme: the
//! yardstick the engine's speed is measured against, and a check on its results.
//!
//! Every equation keeps the operand order of the model file and every derivative sums its
//! inflows then subtracts its outflows in listed order, as the engine does, so both compute
//! the same floating-point operations.

/// Number of stocks.
pub const STOCKS: usize = 8;

/// Saved columns, in the engine's column order (the order of the model file).
pub const COLUMNS: [&str; 40] = [
    "unaware",
    "aware",
    "followers",
    "engaged",
    "customers",
    "lapsed",
    "content_freshness",
    "cumulative_revenue",
    "organic_discovery",
    "paid_discovery",
    "word_of_mouth",
    "forgetting",
    "following",
    "engaging",
    "disengaging",
    "converting",
    "follower_churn",
    "customer_churn",
    "posting",
    "freshness_decay",
    "revenue",
    "unaware_share",
    "freshness_effect",
    "audience",
    "market_size",
    "posts_per_day",
    "freshness_lifetime",
    "organic_reach",
    "daily_ad_budget",
    "cost_per_thousand",
    "aware_per_thousand",
    "referrals_per_fan",
    "forgetting_time",
    "follow_rate",
    "engage_rate",
    "engagement_lifetime",
    "conversion_rate",
    "follower_churn_rate",
    "repeat_purchase_rate",
    "average_order_value",
];

/// The constants, named as in the model file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub market_size: f64,
    pub posts_per_day: f64,
    pub freshness_lifetime: f64,
    pub organic_reach: f64,
    pub daily_ad_budget: f64,
    pub cost_per_thousand: f64,
    pub aware_per_thousand: f64,
    pub referrals_per_fan: f64,
    pub forgetting_time: f64,
    pub follow_rate: f64,
    pub engage_rate: f64,
    pub engagement_lifetime: f64,
    pub conversion_rate: f64,
    pub follower_churn_rate: f64,
    pub repeat_purchase_rate: f64,
    pub average_order_value: f64,
}

impl Params {
    /// The values in the model file.
    pub fn model_values() -> Params {
        Params {
            market_size: 1e6,
            posts_per_day: 2.0,
            freshness_lifetime: 1.5,
            organic_reach: 0.0003,
            daily_ad_budget: 150.0,
            cost_per_thousand: 10.0,
            aware_per_thousand: 8.0,
            referrals_per_fan: 0.05,
            forgetting_time: 21.0,
            follow_rate: 0.04,
            engage_rate: 0.02,
            engagement_lifetime: 45.0,
            conversion_rate: 0.003,
            follower_churn_rate: 0.003,
            repeat_purchase_rate: 0.01,
            average_order_value: 40.0,
        }
    }

    /// The constants in [`COLUMNS`] order.
    pub fn values(&self) -> [f64; 16] {
        [
            self.market_size,
            self.posts_per_day,
            self.freshness_lifetime,
            self.organic_reach,
            self.daily_ad_budget,
            self.cost_per_thousand,
            self.aware_per_thousand,
            self.referrals_per_fan,
            self.forgetting_time,
            self.follow_rate,
            self.engage_rate,
            self.engagement_lifetime,
            self.conversion_rate,
            self.follower_churn_rate,
            self.repeat_purchase_rate,
            self.average_order_value,
        ]
    }
}

/// Flows and auxiliaries at one evaluation, in [`COLUMNS`] order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rates {
    pub organic_discovery: f64,
    pub paid_discovery: f64,
    pub word_of_mouth: f64,
    pub forgetting: f64,
    pub following: f64,
    pub engaging: f64,
    pub disengaging: f64,
    pub converting: f64,
    pub follower_churn: f64,
    pub customer_churn: f64,
    pub posting: f64,
    pub freshness_decay: f64,
    pub revenue: f64,
    pub unaware_share: f64,
    pub freshness_effect: f64,
    pub audience: f64,
}

/// Start, stop and step of the model file.
pub const START: f64 = 0.0;
/// Stop time.
pub const STOP: f64 = 365.0;
/// Integration step.
pub const DT: f64 = 0.25;
/// Steps between saved rows (save_step = 1 day).
pub const STEPS_PER_SAVE: usize = 4;

/// Initial stocks.
pub fn initial(p: &Params) -> [f64; STOCKS] {
    [p.market_size, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
}

/// Flows and auxiliaries from the stocks.
#[inline]
pub fn rates(p: &Params, x: &[f64; STOCKS]) -> Rates {
    let [unaware, aware, followers, engaged, customers, _lapsed, content_freshness, _revenue] = *x;
    let unaware_share = unaware / p.market_size;
    let freshness_effect =
        2.0 * content_freshness / (content_freshness + p.posts_per_day * p.freshness_lifetime);
    let converting = engaged * p.conversion_rate;
    Rates {
        organic_discovery: unaware * p.organic_reach * freshness_effect,
        paid_discovery: p.daily_ad_budget / p.cost_per_thousand
            * p.aware_per_thousand
            * unaware_share,
        word_of_mouth: (engaged + customers) * p.referrals_per_fan * unaware_share,
        forgetting: aware / p.forgetting_time,
        following: aware * p.follow_rate * freshness_effect,
        engaging: followers * p.engage_rate * freshness_effect,
        disengaging: engaged / p.engagement_lifetime,
        converting,
        follower_churn: followers * p.follower_churn_rate,
        customer_churn: customers * p.follower_churn_rate,
        posting: p.posts_per_day,
        freshness_decay: content_freshness / p.freshness_lifetime,
        revenue: (converting + customers * p.repeat_purchase_rate) * p.average_order_value,
        unaware_share,
        freshness_effect,
        audience: followers + engaged + customers,
    }
}

/// Stock derivatives: inflows in listed order, then outflows in listed order.
#[inline]
pub fn derivatives(r: &Rates) -> [f64; STOCKS] {
    [
        r.forgetting - r.organic_discovery - r.paid_discovery - r.word_of_mouth,
        r.organic_discovery + r.paid_discovery + r.word_of_mouth - r.following - r.forgetting,
        r.following + r.disengaging - r.engaging - r.follower_churn,
        r.engaging - r.disengaging - r.converting,
        r.converting - r.customer_churn,
        r.follower_churn + r.customer_churn,
        r.posting - r.freshness_decay,
        r.revenue,
    ]
}

/// Runs with RK4 from start to stop, calling `on_save(time, stocks, rates)` every save time.
#[inline]
pub fn run_with(p: &Params, mut on_save: impl FnMut(f64, &[f64; STOCKS], &Rates)) {
    let steps = ((STOP - START) / DT).round() as usize;
    let mut x = initial(p);
    for step in 0..=steps {
        let t = START + step as f64 * DT;
        let r1 = rates(p, &x);
        if step % STEPS_PER_SAVE == 0 {
            on_save(t, &x, &r1);
        }
        if step == steps {
            break;
        }
        let k1 = derivatives(&r1);
        let x0 = x;
        let mut stage = [0.0; STOCKS];
        let mut acc = k1;
        for i in 0..STOCKS {
            stage[i] = x0[i] + 0.5 * DT * k1[i];
        }
        let k2 = derivatives(&rates(p, &stage));
        for i in 0..STOCKS {
            acc[i] += 2.0 * k2[i];
            stage[i] = x0[i] + 0.5 * DT * k2[i];
        }
        let k3 = derivatives(&rates(p, &stage));
        for i in 0..STOCKS {
            acc[i] += 2.0 * k3[i];
            stage[i] = x0[i] + DT * k3[i];
        }
        let k4 = derivatives(&rates(p, &stage));
        for i in 0..STOCKS {
            acc[i] += k4[i];
            x[i] = x0[i] + DT / 6.0 * acc[i];
        }
    }
}

/// Runs and returns the save times and every column at every save time, row-major in
/// [`COLUMNS`] order (the layout of the engine's `Trajectory`).
pub fn run(p: &Params) -> (Vec<f64>, Vec<f64>) {
    let rows = ((STOP - START) / DT).round() as usize / STEPS_PER_SAVE + 1;
    let mut times = Vec::with_capacity(rows);
    let mut data = Vec::with_capacity(rows * COLUMNS.len());
    let constants = p.values();
    run_with(p, |t, x, r| {
        times.push(t);
        data.extend_from_slice(x);
        data.extend_from_slice(&[
            r.organic_discovery,
            r.paid_discovery,
            r.word_of_mouth,
            r.forgetting,
            r.following,
            r.engaging,
            r.disengaging,
            r.converting,
            r.follower_churn,
            r.customer_churn,
            r.posting,
            r.freshness_decay,
            r.revenue,
            r.unaware_share,
            r.freshness_effect,
            r.audience,
        ]);
        data.extend_from_slice(&constants);
    });
    (times, data)
}
