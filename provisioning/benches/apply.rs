//! Parse, validate and apply times of a 2,000-setting provisioning file. Figures, not a
//! test: run with `cargo bench -p deskphone-provisioning`.
//!
//! The file is generated from the schema: every setting available on the model, per
//! identity and per function key, with a valid, realistic value (text with umlauts and
//! an `&`, numbers from the middle of their range, the last choice, a host name),
//! repeated in schema order until there are 2,000 elements. Each stage runs `RUNS`
//! times after a warm-up; the median, minimum and maximum are printed in ms. Apply is
//! `SettingValues::apply_provisioned` (perms and sources, as a provisioning run does) on
//! a fresh store.

use std::fmt::Write;
use std::hint::black_box;
use std::time::{Duration, Instant};

use deskphone_provisioning::{is_function_key_setting, parse, validate};
use deskphone_settings::{Kind, SETTINGS, Setting, SettingValues};
use quick_xml::escape::escape;

const MODEL: &str = "DP480C";
const URL: &str = "https://prov.example.com/DP480C.xml";
const SETTINGS_IN_FILE: usize = 2_000;
const RUNS: usize = 51;

/// A realistic valid value: a number from the middle of the range, the last choice,
/// else the first candidate the schema accepts (text with umlauts and a character that
/// XML escapes, a host, a response list, `on`), else the default.
fn value(s: &Setting, i: u16) -> String {
    if let Kind::Int { min, max } = s.kind {
        return (min + (max - min) / 2).to_string();
    }
    if let Kind::Choice(list) = s.kind {
        return list.last().copied().unwrap_or(s.default).to_owned();
    }
    [
        format!("Jörg Müller & Co {i}"),
        format!("pbx{i}.example.com:5060"),
        "503, 500 Server Internal Error".to_owned(),
        "on".to_owned(),
    ]
    .into_iter()
    .find(|v| s.validate(v).is_ok())
    .unwrap_or_else(|| s.default.to_owned())
}

fn file() -> (String, usize) {
    let mut elements = Vec::new();
    for s in SETTINGS.iter().filter(|s| s.available_on(MODEL)) {
        match s.indexed {
            None => elements.push(format!(
                "<{0} perm=\"R\">{1}</{0}>",
                s.name,
                escape(value(s, 0))
            )),
            Some(n) => {
                // Function keys are 0-based in files.
                let base = u16::from(is_function_key_setting(s.name));
                for i in 1..=n {
                    elements.push(format!(
                        "<{0} idx=\"{1}\" perm=\"RW\">{2}</{0}>",
                        s.name,
                        i - base,
                        escape(value(s, i))
                    ));
                }
            }
        }
    }
    let distinct = elements.len();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<settings>\n<phone-settings e=\"2\">\n",
    );
    for e in elements.iter().cycle().take(SETTINGS_IN_FILE) {
        let _ = writeln!(out, "  {e}");
    }
    out.push_str("</phone-settings>\n</settings>\n");
    (out, distinct)
}

fn figures(name: &str, mut run: impl FnMut()) {
    run();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<9} median {:>7.3} ms   min {:>7.3} ms   max {:>7.3} ms",
        ms(times[RUNS / 2]),
        ms(times[0]),
        ms(times[RUNS - 1])
    );
}

fn main() {
    let (xml, distinct) = file();
    let parsed = parse(xml.as_bytes()).expect("the generated file parses");
    let plan = validate(&parsed, MODEL).expect("the generated file is valid");
    assert_eq!(plan.settings.len(), SETTINGS_IN_FILE);
    println!(
        "{} settings ({distinct} distinct keys of the schema, repeated), {} KiB, {RUNS} runs",
        plan.settings.len(),
        xml.len() / 1024
    );
    figures("parse", || {
        black_box(parse(black_box(xml.as_bytes())).unwrap());
    });
    figures("validate", || {
        black_box(validate(black_box(&parsed), MODEL).unwrap());
    });
    let provisioned = |plan: &deskphone_provisioning::Plan| -> Vec<_> {
        plan.settings
            .iter()
            .map(|s| (s.key.clone(), s.value.clone(), s.perm))
            .collect()
    };
    let changes = provisioned(&plan);
    figures("apply", || {
        let mut store = SettingValues::default();
        store.apply_provisioned(&changes, URL, MODEL).unwrap();
        black_box(store);
    });
    figures("all three", || {
        let plan = validate(&parse(xml.as_bytes()).unwrap(), MODEL).unwrap();
        let mut store = SettingValues::default();
        store
            .apply_provisioned(&provisioned(&plan), URL, MODEL)
            .unwrap();
        black_box(store);
    });
}
