//! Hand-computed values of the vector builtins.

use super::{eval, VectorFn};

fn run(f: VectorFn, n: usize, args: &[f64]) -> f64 {
    eval(f, n, |i| args[i])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

#[test]
fn allocate_by_priority_serves_higher_priority_first_within_width() {
    // Requests 3, 6, 2.5, 2 at priorities 10, 9, 7, 2, width 3, supply 6. Rectangular
    // profiles: requester i receives q_i * clamp((p_i + 1.5 - x) / 3, 0, 1). At level x = 8.5:
    // first min(1, 3/3) * 3 = 3, second (10.5 - 8.5)/3 * 6 = 4: 7 > 6. Solve on 8.5 < x < 9:
    // 3 + 6 (10.5 - x)/3 = 6 → x = 9 → first (11.5 - 9)/3 * 3 = 2.5, second 1.5/3 * 6 = 3,
    // third (8.5 - 9) < 0 → 0: 2.5 + 3 = 5.5 ≠ 6; so x lies where the first is not full:
    // 3 (11.5 - x)/3 + 6 (10.5 - x)/3 = 6 → 11.5 - x + 21 - 2x = 6 → x = 26.5/3 = 8.8333…
    // first 11.5 - 8.8333 = 2.6667, second 2 (10.5 - 8.8333) = 3.3333.
    let args = [3.0, 6.0, 2.5, 2.0, 10.0, 9.0, 7.0, 2.0, 3.0, 6.0];
    let get = |k: f64| {
        let mut a = args.to_vec();
        a.push(k);
        run(VectorFn::AllocateByPriority, 4, &a)
    };
    assert!(close(get(1.0), 8.0 / 3.0), "{}", get(1.0));
    assert!(close(get(2.0), 10.0 / 3.0), "{}", get(2.0));
    assert!(close(get(3.0), 0.0));
    assert!(close(get(4.0), 0.0));
}

#[test]
fn allocate_by_priority_fills_every_request_when_supply_suffices() {
    let a = [1.0, 2.0, 5.0, 1.0, 1.0, 3.0, 2.0];
    assert_eq!(run(VectorFn::AllocateByPriority, 2, &a), 2.0);
    // Priorities far apart (width 1): all to the first until full, the rest to the second.
    let a = [4.0, 4.0, 10.0, 1.0, 1.0, 5.0, 2.0];
    assert!(close(run(VectorFn::AllocateByPriority, 2, &a), 1.0));
    let a = [4.0, 4.0, 10.0, 1.0, 1.0, 5.0, 1.0];
    assert!(close(run(VectorFn::AllocateByPriority, 2, &a), 4.0));
    // Zero supply, zero width (an error in Vensim: NaN here).
    assert_eq!(
        run(
            VectorFn::AllocateByPriority,
            2,
            &[4.0, 4.0, 1.0, 1.0, 1.0, 0.0, 1.0]
        ),
        0.0
    );
    assert!(run(
        VectorFn::AllocateByPriority,
        2,
        &[4.0, 4.0, 1.0, 1.0, 0.0, 3.0, 1.0]
    )
    .is_nan());
}

#[test]
fn allocate_available_with_equal_normal_profiles_shares_in_proportion() {
    // Two normal profiles at the same priority: both are served the same fraction, so the
    // shares follow the requests: 10 and 30 requested, 20 available → 5 and 15.
    let mut a = vec![10.0, 30.0, 3.0, 5.0, 1.0, 0.0, 3.0, 5.0, 1.0, 0.0, 20.0];
    a.push(1.0);
    assert!(close(run(VectorFn::AllocateAvailable, 2, &a), 5.0));
    *a.last_mut().unwrap() = 2.0;
    assert!(close(run(VectorFn::AllocateAvailable, 2, &a), 15.0));
}

#[test]
fn allocate_available_rectangular_profiles_split_by_level() {
    // Rectangular profiles (type 1) at priorities 4 and 2, width 2: requester 1 is served
    // over x in (3, 5), requester 2 over (1, 3); 10 each, 15 available → level x = 2 gives
    // 10 + 10 (3 - 2)/2 = 15: the first gets 10, the second 5.
    let a = [
        10.0, 10.0, 1.0, 4.0, 2.0, 0.0, 1.0, 2.0, 2.0, 0.0, 15.0, 2.0,
    ];
    assert!(close(run(VectorFn::AllocateAvailable, 2, &a), 5.0));
}

#[test]
fn allocate_available_with_an_unknown_profile_type_is_undefined() {
    // Type 5 (constant elasticity) is not a profile this engine draws: NaN, not rectangular.
    let a = [
        10.0, 10.0, 5.0, 4.0, 2.0, 0.0, 1.0, 2.0, 2.0, 0.0, 15.0, 2.0,
    ];
    assert!(run(VectorFn::AllocateAvailable, 2, &a).is_nan());
    let mut b = a;
    b[2] = 1.5;
    assert!(run(VectorFn::AllocateAvailable, 2, &b).is_nan());
}

#[test]
fn invert_matrix_of_two_by_two_and_singular() {
    // [[4, 7], [2, 6]]⁻¹ = 1/10 [[6, -7], [-2, 4]].
    let m = [4.0, 7.0, 2.0, 6.0];
    let at = |r: f64, c: f64| run(VectorFn::InvertMatrix, 2, &[m[0], m[1], m[2], m[3], r, c]);
    assert!(close(at(1.0, 1.0), 0.6));
    assert!(close(at(1.0, 2.0), -0.7));
    assert!(close(at(2.0, 1.0), -0.2));
    assert!(close(at(2.0, 2.0), 0.4));
    assert!(run(VectorFn::InvertMatrix, 2, &[1.0, 2.0, 2.0, 4.0, 1.0, 1.0]).is_nan());
    // A zero in the leading position needs a row swap: [[0, 1], [1, 0]] is its own inverse.
    assert!(close(
        run(VectorFn::InvertMatrix, 2, &[0.0, 1.0, 1.0, 0.0, 1.0, 2.0]),
        1.0
    ));
}

#[test]
fn sort_order_rank_reorder_and_elm_map() {
    let v = [3.0, 1.0, 2.0, 1.0];
    let with = |extra: &[f64]| {
        let mut a = v.to_vec();
        a.extend_from_slice(extra);
        a
    };
    // Ascending: 1 (index 1), 1 (index 3), 2 (index 2), 3 (index 0).
    let order: Vec<f64> = (1..=4)
        .map(|k| run(VectorFn::SortOrder, 4, &with(&[1.0, k as f64])))
        .collect();
    assert_eq!(order, vec![1.0, 3.0, 2.0, 0.0]);
    let desc: Vec<f64> = (1..=4)
        .map(|k| run(VectorFn::SortOrder, 4, &with(&[-1.0, k as f64])))
        .collect();
    // Descending is ascending reversed, ties included: 3, 2, then the 1 at index 3 first.
    assert_eq!(desc, vec![0.0, 2.0, 3.0, 1.0]);
    let ranks: Vec<f64> = (1..=4)
        .map(|k| run(VectorFn::Rank, 4, &with(&[1.0, k as f64])))
        .collect();
    assert_eq!(ranks, vec![4.0, 1.0, 3.0, 2.0]);
    // Reorder by the ascending order gives the sorted values.
    let sorted: Vec<f64> = (1..=4)
        .map(|k| {
            let mut a = with(&order);
            a.push(k as f64);
            run(VectorFn::Reorder, 4, &a)
        })
        .collect();
    assert_eq!(sorted, vec![1.0, 1.0, 2.0, 3.0]);
    assert_eq!(run(VectorFn::ElmMap, 4, &with(&[2.0])), 2.0);
    assert!(run(VectorFn::ElmMap, 4, &with(&[4.0])).is_nan());
}

#[test]
fn allocate_available_normal_profiles_use_vensims_erf_approximation() {
    // Two normal profiles (type 3), 10 requested each, width 1, priorities 2 and 0, 10
    // available: by symmetry the level is x = 1, so the second receives 10·(1 − Φ(1)).
    // Vensim's curve uses erf ≈ 1 − (a1 t + a2 t² + a3 t³) e^(−u²), t = 1/(1 + 0.47047 u),
    // u = 1/√2: t = 0.750371888, 1 − Φ(1) ≈ 0.158648050 (the exact value is 0.158655254).
    let mut a = vec![10.0, 10.0, 3.0, 2.0, 1.0, 0.0, 3.0, 0.0, 1.0, 0.0, 10.0];
    a.push(2.0);
    let low = run(VectorFn::AllocateAvailable, 2, &a);
    assert!(close(low, 1.586_480_499_398), "{low}");
    *a.last_mut().unwrap() = 1.0;
    let high = run(VectorFn::AllocateAvailable, 2, &a);
    assert!(close(high, 10.0 - 1.586_480_499_398), "{high}");
}
