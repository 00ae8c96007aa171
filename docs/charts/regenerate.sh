#!/bin/sh
# Regenerates every picture of docs/charts.md from the reference model
# (models/enterprise_growth.toml). About 15 minutes on two busy cores; run from anywhere after
# `cargo build --release`. SANDTABLE=path overrides the binary.
set -e
cd "$(dirname "$0")/../.."
S=${SANDTABLE:-target/release/sandtable}
T=$(mktemp -d)
D=docs/charts
M=models/enterprise_growth.toml

# Line chart: one deterministic run.
$S run $M --out "$T/run" -q
cp "$T/run/chart_followers_by_platform.png" $D/line_followers.png

# Fan, histogram, scorecard, tornado and lever tornado: the study with its two budget
# decisions declared as levers (docs/enterprise-growth/levers.toml), 1,000 runs.
$S mc docs/enterprise-growth/levers.toml --runs 1000 --out "$T/mc" -q || test $? -eq 3
for f in fan_total_followers fan_interactions_total fan_engagement_company hist_follower_growth \
    hist_positive_loop_by_month_6 hist_share_of_voice_3 scorecard tornado_follower_growth \
    levers_follower_growth; do
    cp "$T/mc/$f.png" $D/
done

# Scenario comparison: three scenarios on the same 1,000 runs.
$S compare $M --scenarios baseline,cost_surge,content_over_paid --runs 1000 --out "$T/compare" -q
cp "$T/compare/comparison.png" $D/comparison.png
cp "$T/compare/compare_total_followers.png" $D/compare_total_followers.png

# What it would take: solve's curve, a sweep over two levers (curves and heat map).
$S solve $M --target follower_growth --probability 80% --lever budget=1000..100000 \
    --runs 300 --seed 1 --out "$T/solve" -q
cp "$T/solve/solve.png" $D/solve.png
$S sweep $M --lever budget=1000..100000:5 --lever paid_share=0.1..0.9:5 --runs 200 \
    --out "$T/sweep" -q
cp "$T/sweep/sweep_follower_growth.png" $D/sweep_follower_growth.png
cp "$T/sweep/heat_follower_growth.png" $D/heat_follower_growth.png

# Calibration: fit charts and prior against posterior (docs/calibration.md).
$S calibrate $M --data tests/calibration/enterprise_growth_followers.csv \
    --fit follow_share,contact,base_unfollow --out "$T/cal" -q
cp "$T/cal/fit_total_followers.png" $D/fit_total_followers.png
cp "$T/cal/prior_posterior.png" $D/prior_posterior.png

# The report's summary with what it would take (200 runs: each budget value is a study).
$S mc $M --runs 200 --what-it-takes budget=1000..100000 --out "$T/takes" -q || test $? -eq 3
sed -n '/^## Summary/,/^## Settings/p' "$T/takes/report.md" | sed '$d' > $D/summary.md

rm -rf "$T"
