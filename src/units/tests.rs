//! Unit tests of unit parsing, algebra, definitions and inference.

use super::check_model;
use super::parse::{base_name, parse_raw, UnitDefinition, UnitTable};
use super::settings::{from_toml, from_xmile, UnitSettings};
use super::unit::{Ratio, Unit};
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::model::toml_file;
use std::sync::Arc;

fn u(text: &str) -> Unit {
    parse_raw(text).unwrap_or_else(|e| panic!("{text}: {}", e.message))
}

fn file(text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile {
        path: "m.toml".into(),
        text: text.into(),
    })
}

/// Unit problems of a TOML model: `[sim]` in days plus the given sections.
fn problems(sections: &str) -> Vec<Diagnostic> {
    let text = format!("[sim]\nstart = 0\nstop = 10\ndt = 1\ntime_unit = \"day\"\n{sections}");
    let f = file(&text);
    let model = toml_file::parse(&f, "m").unwrap_or_else(|e| panic!("{e}"));
    let settings = from_toml(&f).unwrap_or_else(|e| panic!("{e}"));
    check_model(&model, &settings)
}

#[test]
fn plurals_and_synonyms_name_the_same_unit() {
    assert_eq!(base_name("people"), "person");
    assert_eq!(base_name("Persons"), "person");
    assert_eq!(base_name("orders"), "order");
    assert_eq!(base_name("Days"), "day");
    assert_eq!(base_name("companies"), "company");
    assert_eq!(base_name("boxes"), "box");
    assert_eq!(base_name("thousand impressions"), "thousand_impression");
    assert_eq!(base_name("mass"), "mass");
    assert_eq!(u("people/month"), u("person/months"));
    assert_eq!(u("people per month"), u("person/month"));
}

#[test]
fn products_quotients_and_powers_combine_exponents() {
    assert_eq!(u("people/(people*day)"), u("1/day"));
    assert_eq!(u("orders/person/month"), u("orders/(person*month)"));
    assert_eq!(u("m^2/m"), u("m"));
    assert_eq!(u("m^(1/2)*m^(1/2)"), u("m"));
    assert_eq!(u("m^-1"), u("1/m"));
    assert_eq!(u("person-hours"), u("person*hour"));
    assert_eq!(u("CNY/1000 impressions"), u("CNY/impression"));
    assert_eq!(u("(impressions/day)^h / (impressions/day)^h"), Unit::one());
    for one in ["1", "dmnl", "Dimensionless", "unitless", "%"] {
        assert!(u(one).is_one(), "{one}");
    }
    assert_eq!(u("person/day").to_string(), "person/day");
    assert_eq!(u("m^2/s^2").to_string(), "m^2/s^2");
    assert_eq!(u("m^(1/2)").to_string(), "m^(1/2)");
    assert_eq!(u("(impressions/day)^h").to_string(), "impression^h/day^h");
}

#[test]
fn unreadable_units_say_where() {
    let e = parse_raw("people/(day").unwrap_err();
    assert!(e.message.contains("`)`"), "{}", e.message);
    let e = parse_raw("people # day").unwrap_err();
    assert_eq!(e.offset, 7);
    assert!(parse_raw("").is_err());
    assert!(parse_raw("m^").is_err());
}

#[test]
fn rationals_reduce_and_refuse_overflow() {
    assert_eq!(Ratio::new(2, -4), Ratio::new(-1, 2));
    assert_eq!(Ratio::from_f64(0.5), Ratio::new(1, 2));
    assert_eq!(Ratio::from_f64(1.0 / 3.0), Ratio::new(1, 3));
    assert_eq!(Ratio::from_f64(std::f64::consts::PI), None);
    assert_eq!(Ratio::new(1 << 40, 1), None);
    let big = u("m^1000000");
    assert!(big.pow(Ratio::int(1_000_000)).is_none());
}

#[test]
fn definitions_resolve_through_chains_and_reject_cycles() {
    let def = |name: &str, text: &str| UnitDefinition {
        name: name.into(),
        text: text.into(),
    };
    let (table, bad) = UnitTable::new(&[def("follower", "people"), def("fan", "followers")]);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(table.parse("fans/day").unwrap(), u("person/day"));
    let (_, bad) = UnitTable::new(&[def("a", "b*day"), def("b", "a")]);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].1.contains("in terms of itself"), "{}", bad[0].1);
    let (table, bad) = UnitTable::new(&[def("person", "people")]);
    assert!(bad.is_empty());
    assert_eq!(table.parse("people").unwrap(), u("person"));
}

#[test]
fn sum_of_people_and_people_per_month_is_reported_where_it_is() {
    let p = problems(
        "[stocks]\npop = { initial = 10, inflows = [\"births\"], unit = \"people\" }\n\
         [flows]\nbirths = { equation = \"pop + pop / month\", unit = \"people/day\" }\n\
         [constants]\nmonth = { value = 30, unit = \"month\" }\n",
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].message
            .contains("`pop` is in `person` but `pop / month` is in `person/month`"),
        "{}",
        p[0].message
    );
    // `births = { equation = "pop + pop / month"`: the second operand starts at column 31.
    assert_eq!((p[0].at.line, p[0].at.col), (9, 30));
    assert!(p[0].hint.is_some());
}

#[test]
fn declared_unit_and_flow_unit_are_compared() {
    let p = problems(
        "[stocks]\npop = { initial = 10, inflows = [\"births\"], unit = \"people\" }\n\
         [flows]\nbirths = { equation = \"pop * rate\", unit = \"people/month\" }\n\
         [constants]\nrate = { value = 0.1, unit = \"1/day\" }\n",
    );
    let messages: Vec<&str> = p.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let flow =
        "flow of stock `pop` is in `person/month`, but a flow of `pop` must be in `person/day`";
    assert!(messages.iter().any(|m| m.contains(flow)), "{messages:#?}");
    let equation = "the equation is in `person/day` but the declared unit is `people/month`";
    assert!(
        messages.iter().any(|m| m.contains(equation)),
        "{messages:#?}"
    );
}

#[test]
fn consistent_models_have_no_problems() {
    let p = problems(
        "[stocks]\npop = { initial = \"start_pop\", inflows = [\"births\"], outflows = [\"deaths\"], unit = \"people\" }\n\
         [flows]\nbirths = { equation = \"pop * rate * (1 - crowding) + 2\", unit = \"people/day\" }\n\
         deaths = { equation = \"SMTH1(pop / life, 7) + DELAY3(births, life)\", unit = \"persons/days\" }\n\
         [aux]\ncrowding = { equation = \"MIN(1, pop / capacity) ^ 2\", unit = \"dmnl\" }\n\
         area = { equation = \"SQRT(capacity * plot)\", unit = \"m\" }\n\
         growth = { equation = \"EXP(rate * TIME) * LN(pop / capacity + 1)\" }\n\
         trend = { equation = \"TREND(pop, 5)\", unit = \"1/day\" }\n\
         [constants]\nrate = { value = 0.1, unit = \"1/day\" }\nlife = { value = 70, unit = \"day\" }\n\
         capacity = { value = 1000, unit = \"people\" }\nstart_pop = { value = 5, unit = \"people\" }\n\
         plot = { value = 1, unit = \"m^2/person\" }\n",
    );
    assert!(p.is_empty(), "{p:#?}");
}

#[test]
fn literals_take_any_unit_and_undeclared_constants_too() {
    // `1000 * x` may be in any unit; an undeclared constant is like a literal.
    let p = problems(
        "[aux]\nx = { equation = \"1000 * y + y\", unit = \"people\" }\n\
         z = { equation = \"y / k\", unit = \"people/day\" }\n\
         [constants]\ny = { value = 1, unit = \"people\" }\nk = 3\n",
    );
    assert!(p.is_empty(), "{p:#?}");
}

#[test]
fn functions_apply_their_unit_rules() {
    let p = problems(
        "[aux]\na = { equation = \"LN(y)\", unit = \"1\" }\n\
         b = { equation = \"MAX(y, r)\", unit = \"people\" }\n\
         c = { equation = \"SMTH1(y, y)\", unit = \"people\" }\n\
         d = { equation = \"IF y > 0 THEN y ELSE r\", unit = \"people\" }\n\
         e = { equation = \"y ^ r\", unit = \"people\" }\n\
         f = { equation = \"r ^ y\", unit = \"1/day\" }\n\
         [constants]\ny = { value = 1, unit = \"people\" }\nr = { value = 1, unit = \"1/day\" }\n",
    );
    let messages: Vec<&str> = p.iter().map(|d| d.message.as_str()).collect();
    let expect = [
        "`a`: the argument of LN must be dimensionless, but `y` is in `person`",
        "`b`: the arguments of MAX: `y` is in `person` but `r` is in `1/day`",
        "`c`: SMTH1's time must be in the model's time unit `day`, but `y` is in `person`",
        "`d`: a comparison: `y` is in `person` but `0`",
        "`d`: the branches of IF … THEN … ELSE: `y` is in `person` but `r` is in `1/day`",
        "`e`: the exponent of `^` must be dimensionless, but `r` is in `1/day`",
        "`e`: `y` in `person` is raised to `r`, which changes during the run",
        "`f`: the exponent of `^` must be dimensionless, but `y` is in `person`",
        "`f`: `r` in `1/day` is raised to `y`, which changes during the run",
    ];
    // `0` takes the unit of `y`, so the comparison in `d` is fine.
    let expect: Vec<&str> = expect.into_iter().filter(|e| !e.contains("`0`")).collect();
    assert_eq!(messages.len(), expect.len(), "{messages:#?}");
    for (m, e) in messages.iter().zip(&expect) {
        assert!(m.starts_with(e), "{m}\n  expected: {e}");
    }
}

#[test]
fn constant_exponents_raise_units_and_model_constants_raise_them_symbolically() {
    let p = problems(
        "[aux]\nsq = { equation = \"y ^ 2\", unit = \"people^2\" }\n\
         root = { equation = \"y ^ (1/2)\", unit = \"people^0.5\" }\n\
         hill = { equation = \"y ^ h / (y ^ h + half_h)\", unit = \"1\" }\n\
         half_h = { equation = \"half ^ h\", unit = \"people^h\" }\n\
         [constants]\ny = { value = 1, unit = \"people\" }\nhalf = { value = 5, unit = \"people\" }\n\
         h = { value = 1.2, unit = \"1\" }\n",
    );
    assert!(p.is_empty(), "{p:#?}");
    let p = problems(
        "[aux]\nsq = { equation = \"y ^ 2\", unit = \"people\" }\n\
         [constants]\ny = { value = 1, unit = \"people\" }\n",
    );
    assert_eq!(p.len(), 1);
    assert!(
        p[0].message.contains("the equation is in `person^2`"),
        "{}",
        p[0].message
    );
}

#[test]
fn unit_table_and_strict_setting_are_read_from_toml() {
    let p = problems(
        "[units]\nfollower = \"people\"\n\
         [aux]\nx = { equation = \"y\", unit = \"followers\" }\n\
         [constants]\ny = { value = 1, unit = \"people\" }\n",
    );
    assert!(p.is_empty(), "{p:#?}");
    let f = file("[sim]\nstart = 0\nstop = 1\ndt = 1\nstrict_units = true\n");
    assert!(from_toml(&f).unwrap().strict);
    let f = file("[sim]\nstart = 0\nstop = 1\ndt = 1\nstrict_units = 1\n");
    let e = from_toml(&f).unwrap_err();
    assert_eq!(e.at.line, 5);
    let f = file("[sim]\nstart = 0\nstop = 1\ndt = 1\n[units]\nx = [1]\n");
    assert_eq!(from_toml(&f).unwrap_err().at.line, 6);
}

#[test]
fn bad_units_and_definitions_are_problems_not_failures() {
    let p = problems(
        "[units]\nloop_a = \"loop_b\"\nloop_b = \"loop_a\"\n\
         [aux]\nx = { equation = \"1\", unit = \"people/(day\" }\n",
    );
    let messages: Vec<&str> = p.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(messages[0].contains("in terms of itself"));
    assert!(messages[2].starts_with("cannot read the unit `people/(day` of `x`"));
    assert_eq!(p[2].at.line, 10);
}

#[test]
fn xmile_model_units_define_aliases_and_equations() {
    let f = file(
        "<xmile xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\" xmlns:isee=\"x\">\n\
         <model_units>\n<unit name=\"Person\"><alias>Fans</alias></unit>\n\
         <unit name=\"Dozen\"><eqn>12</eqn></unit>\n\
         <unit name=\"Widget\"><eqn>kg*m</eqn><alias>wdg</alias></unit>\n</model_units>\n</xmile>",
    );
    let s: UnitSettings = from_xmile(&f);
    let defs: Vec<UnitDefinition> = s.definitions.iter().map(|(d, _)| d.clone()).collect();
    let (table, bad) = UnitTable::new(&defs);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(table.parse("fans").unwrap(), u("person"));
    assert!(table.parse("dozen").unwrap().is_one());
    assert_eq!(table.parse("wdg/kg").unwrap(), u("m"));
    assert_eq!(s.definitions[0].1.line, 3);
}

#[test]
fn long_chains_of_undeclared_variables_do_not_exhaust_the_stack() {
    // Written last-first, so the first equation checked reaches down the whole chain.
    let mut aux = String::from("[aux]\n");
    for i in (1..3000).rev() {
        aux.push_str(&format!("a{i} = \"a{} * 1\"\n", i - 1));
    }
    aux.push_str("a0 = { equation = \"y\", unit = \"people\" }\n");
    aux.push_str("top = { equation = \"a2999 + y\", unit = \"people\" }\n");
    let p = problems(&format!(
        "{aux}[constants]\ny = {{ value = 1, unit = \"people\" }}\n"
    ));
    assert!(p.is_empty(), "{p:#?}");
}
