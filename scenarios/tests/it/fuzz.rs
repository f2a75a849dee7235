//! A fuzzer over scenario files, kept in the suite: each built-in scenario
//! with up to four of its values replaced by hostile ones (zero, negative,
//! huge, not a number, the wrong type) or removed. Every input is either a
//! one-line error or a world whose simulation stays within the traffic
//! the run sizes its memory by, and none panics or hangs.
//!
//! `PROPTEST_CASES=N` runs longer (the default is the suite's budget);
//! `FUZZ_STATS=1` prints what the inputs came to.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use storesim_scenarios::{Overrides, Scenario, BUILTINS};
use storesim_sim::{RunSpan, SimTime};

/// Values put in place of a scenario's own.
fn hostile() -> Vec<toml::Value> {
    use toml::Value;
    vec![
        Value::Integer(0),
        Value::Integer(-1),
        Value::Integer(1),
        Value::Integer(4_294_967_297),
        Value::Integer(i64::MAX),
        Value::Integer(i64::MIN),
        Value::Float(1e308),
        Value::Float(-1e308),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(1e-308),
        Value::Float(1e12),
        Value::Float(0.5),
        Value::String(String::new()),
        Value::String("x".into()),
        Value::String("99:99".into()),
        Value::String("/dev/zero".into()),
        Value::String("x".repeat(10_000)),
        Value::Boolean(true),
        Value::Array(vec![]),
        Value::Array(vec![Value::Float(1e308); 24]),
    ]
}

/// A path to a value inside a TOML table.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every value's path (tables' and arrays' too), in document order.
fn paths(value: &toml::Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                at.push(Step::Key(k.clone()));
                out.push(at.clone());
                paths(v, at, out);
                at.pop();
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                at.push(Step::Index(i));
                out.push(at.clone());
                paths(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// The value at `path`.
fn get<'a>(root: &'a toml::Value, path: &[Step]) -> Option<&'a toml::Value> {
    path.iter().try_fold(root, |here, step| match (step, here) {
        (Step::Key(k), toml::Value::Table(t)) => t.get(k),
        (Step::Index(i), toml::Value::Array(a)) => a.get(*i),
        _ => None,
    })
}

/// Replaces (`Some`) or removes (`None`) the value at `path`.
fn mutate(root: &mut toml::Value, path: &[Step], new: Option<toml::Value>) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    let mut here = root;
    for step in parent {
        here = match (step, here) {
            (Step::Key(k), toml::Value::Table(t)) => match t.get_mut(k) {
                Some(v) => v,
                None => return,
            },
            (Step::Index(i), toml::Value::Array(a)) => match a.get_mut(*i) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    match (last, here, new) {
        (Step::Key(k), toml::Value::Table(t), Some(v)) => {
            t.insert(k.clone(), v);
        }
        (Step::Key(k), toml::Value::Table(t), None) => {
            t.remove(k);
        }
        (Step::Index(i), toml::Value::Array(a), Some(v)) if *i < a.len() => a[*i] = v,
        (Step::Index(i), toml::Value::Array(a), None) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

static INPUTS: AtomicU64 = AtomicU64::new(0);
static ERRORS: AtomicU64 = AtomicU64::new(0);
static RUNS: AtomicU64 = AtomicU64::new(0);
static EVENTS: AtomicU64 = AtomicU64::new(0);
/// The highest share of its bound an hour of a run reached, in thousandths.
static CLOSEST: AtomicU64 = AtomicU64::new(0);

/// What one input came to.
#[derive(Debug)]
enum Outcome {
    /// A one-line error.
    Refused,
    /// Accepted and simulated: the most events a store made in an hour,
    /// and the bound its memory was sized by.
    Ran { busiest_hour: u64, bound: f64 },
}

/// Loads `text` as a scenario file; if accepted, simulates two stores over
/// Black Friday (the busiest day of most calendars) hour by hour.
fn try_input(text: &str) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzzed.toml");
    std::fs::write(&path, text).unwrap();
    let world = Scenario::load(path.to_str().unwrap()).and_then(|s| {
        s.build_world(&Overrides {
            stores: Some(2),
            items: Some(500),
        })
    });
    let world = match world {
        Err(e) => {
            let message = e.to_string();
            if message.is_empty() || message.contains('\n') {
                return Err(format!("not a one-line error: {message:?}"));
            }
            return Ok(Outcome::Refused);
        }
        Ok(w) => std::sync::Arc::new(w),
    };
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let start = SimTime::from_datetime(&day.and_hms_opt(0, 0, 0).unwrap().and_utc());
    let hour = 3_600_000_000;
    let span = RunSpan::Utc {
        start,
        end: start.plus_micros(24 * hour),
    };
    let mut busiest = 0u64;
    let mut bound = 0.0f64;
    for store in 0..world.stores.len() {
        let peak = world.peak_events_per_hour(&[store]);
        // Poisson noise above the mean, the last shoppers' receipts, and
        // what a store makes at one instant (an initial load).
        bound = bound.max(peak * 3.0 + 2_000.0 + world.burst_events(&[store]));
        let mut model = world.store_model(store, 7, span);
        let mut out = Vec::new();
        // Two hours past the end: the stores serve their last shoppers.
        for h in 1..=26 {
            out.clear();
            model.advance(start.plus_micros(h * hour), &mut out);
            busiest = busiest.max(out.len() as u64);
            EVENTS.fetch_add(out.len() as u64, Ordering::Relaxed);
            if out.len() as f64 > bound {
                return Err(format!(
                    "store {store} made {} events in hour {h}, past the {bound:.0} its memory is sized by",
                    out.len()
                ));
            }
        }
    }
    Ok(Outcome::Ran {
        busiest_hour: busiest,
        bound,
    })
}

/// Runs `try_input` on a thread of its own: a panic fails the case, and so
/// does a case still running after a minute (a hang, not a slow machine:
/// a case takes well under a second).
fn check(text: String) -> Result<(), TestCaseError> {
    INPUTS.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = std::sync::mpsc::channel();
    let input = text.clone();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| try_input(&input)));
        let _ = tx.send(result);
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Err(_) => Err(TestCaseError::fail(format!(
            "no answer within a minute (a hang):\n{text}"
        ))),
        Ok(Err(_)) => Err(TestCaseError::fail(format!("panicked on:\n{text}"))),
        Ok(Ok(Err(why))) => Err(TestCaseError::fail(format!("{why}\non:\n{text}"))),
        Ok(Ok(Ok(Outcome::Refused))) => {
            ERRORS.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Ok(Ok(Ok(Outcome::Ran {
            busiest_hour,
            bound,
        }))) => {
            RUNS.fetch_add(1, Ordering::Relaxed);
            CLOSEST.fetch_max(
                (busiest_hour as f64 / bound * 1000.0) as u64,
                Ordering::Relaxed,
            );
            Ok(())
        }
    }
}

/// A built-in scenario with `edits` applied: (which value, what to put).
fn fuzzed(builtin: usize, edits: &[(usize, usize)]) -> String {
    let b = &BUILTINS[builtin % BUILTINS.len()];
    let mut root: toml::Value = toml::from_str(b.text).unwrap();
    let values = hostile();
    for &(which, what) in edits {
        let mut all = Vec::new();
        paths(&root, &mut Vec::new(), &mut all);
        if all.is_empty() {
            break;
        }
        let path = &all[which % all.len()];
        let new = match what % 8 {
            // Removed.
            7 => None,
            // A number scaled: still plausible, often past a limit.
            0..=3 => {
                const FACTORS: [f64; 7] = [0.0, 0.5, 2.0, 10.0, 100.0, 1000.0, 1e6];
                let factor = FACTORS[what / 8 % FACTORS.len()];
                match get(&root, path) {
                    Some(toml::Value::Integer(i)) => {
                        Some(toml::Value::Integer((*i as f64 * factor) as i64))
                    }
                    Some(toml::Value::Float(f)) => Some(toml::Value::Float(f * factor)),
                    _ => Some(values[what % values.len()].clone()),
                }
            }
            // A hostile value.
            _ => Some(values[what % values.len()].clone()),
        };
        mutate(&mut root, path, new);
    }
    toml::to_string(&root).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_fuzzed_scenario_is_refused_on_one_line_or_runs_in_bounds(
        builtin in 0usize..16,
        edits in proptest::collection::vec((0usize..100_000, 0usize..1000), 1..5),
    ) {
        check(fuzzed(builtin, &edits))?;
    }
}

/// Inputs found by hand and by the fuzzer, kept as regression cases: each
/// exhausted memory, hung or passed silently before the limits.
#[test]
fn known_hostile_scenarios_are_refused() {
    for body in [
        "[traffic]\nbaskets_per_day = 1e12\n",
        "[week.friday]\nmultiplier = 4294967297\n",
        "[[holidays]]\nname = \"h\"\nwhen = \"11-27\"\nmultiplier = 1e308\n",
        "[curves]\nweekday = [1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308]\n",
        "[names.20100]\ncost_ratio = nan\n",
        "extends = \"/dev/zero\"\n",
        // Found by a 20,000-case run: a service time's noise drawn past
        // what a time can hold (it overflowed, and panicked).
        "[checkout]\npayment_noise_sigma = 25.0\n",
    ] {
        let text = if body.starts_with("extends") {
            body.to_string()
        } else {
            format!("extends = \"chain\"\n{body}")
        };
        let outcome = try_input(&text).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(outcome, Outcome::Refused), "{body}: {outcome:?}");
    }
}

#[test]
fn zz_fuzz_stats() {
    // Printed for the long runs the closing notes record (FUZZ_STATS=1).
    if std::env::var_os("FUZZ_STATS").is_some() {
        eprintln!(
            "fuzz: {} inputs, {} clean errors, {} runs ({} events; the busiest hour at {:.1}% of its bound), 0 panics, 0 hangs",
            INPUTS.load(Ordering::Relaxed),
            ERRORS.load(Ordering::Relaxed),
            RUNS.load(Ordering::Relaxed),
            EVENTS.load(Ordering::Relaxed),
            CLOSEST.load(Ordering::Relaxed) as f64 / 10.0
        );
    }
}
