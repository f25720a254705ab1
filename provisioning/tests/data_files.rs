//! Data-driven tests: every input in `tests/data/` (`*.xml`, `*.txt`, `*.cfg`) is read
//! with `parse` + `validate` for the model DP480C and rendered as text; the rendering
//! must equal `<name>.expected` beside it. Adding a case is adding a file.
//! `BLESS=1 cargo test -p deskphone-provisioning --test data_files` writes the
//! `.expected` files from the current output (review the diff before committing).
//! Cases that are too large to keep as files are generated below.

use std::fmt::Write;
use std::path::Path;

use deskphone_provisioning::{
    MAX_FILE_BYTES, MAX_ITEMS, ParseError, Plan, ProvisioningError, SyntaxError, parse, read,
    validate,
};
use deskphone_settings::{Access, SettingKey};

const MODEL: &str = "DP480C";

/// A stable text form of a plan or an error; secrets show as `<secret>`.
fn render(result: &Result<Plan, ProvisioningError>) -> String {
    let plan = match result {
        Ok(plan) => plan,
        Err(e) => return format!("error: {e}\n"),
    };
    let mut out = String::new();
    for s in &plan.settings {
        let value = if s.secret {
            "<secret>".to_owned()
        } else {
            format!("{:?}", s.value)
        };
        let _ = writeln!(
            out,
            "line {}: setting {} = {value} perm {}",
            s.line, s.key, s.perm
        );
    }
    if plan.phone_book_complete {
        out.push_str("phone book complete: replaces the phone's\n");
    }
    for c in &plan.contacts {
        let _ = write!(
            out,
            "line {}: contact first {:?} last {:?}",
            c.line, c.first_name, c.last_name
        );
        for (name, value) in [
            ("organization", &c.organization),
            ("email", &c.email),
            ("note", &c.note),
            ("group", &c.group),
        ] {
            if !value.is_empty() {
                let _ = write!(out, " {name} {value:?}");
            }
        }
        for (flag, set) in [
            ("favourite", c.favourite),
            ("vip", c.vip),
            ("blocked", c.blocked),
        ] {
            if set {
                let _ = write!(out, " {flag}");
            }
        }
        out.push('\n');
        for n in &c.numbers {
            let _ = writeln!(
                out,
                "  number {:?} type {:?} outgoing {:?}",
                n.number, n.kind, n.outgoing
            );
        }
    }
    // URLs through `Debug`, which leaves out a password in them.
    for u in &plan.uploads {
        let _ = writeln!(out, "line {}: {u:?}", u.line);
    }
    for f in &plan.setting_files {
        let _ = writeln!(out, "line {}: {f:?}", f.line);
    }
    if out.is_empty() {
        out.push_str("nothing\n");
    }
    out
}

#[test]
fn data_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let bless = std::env::var_os("BLESS").is_some();
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "xml" || e == "txt" || e == "cfg")
        })
        .collect();
    inputs.sort();
    assert!(inputs.len() > 50, "the data folder is there");
    let mut failures = Vec::new();
    for input in &inputs {
        let bytes = std::fs::read(input).unwrap();
        let result = read(&bytes, MODEL);
        let got = render(&result);
        // No rendering, error or Debug output ever shows a secret: the test files'
        // secrets contain `hunter2`, and every value the schema calls secret is checked.
        let mut secrets = vec!["hunter2".to_owned()];
        if let Ok(plan) = &result {
            secrets.extend(
                plan.settings
                    .iter()
                    .filter(|s| s.secret && !s.value.is_empty())
                    .map(|s| s.value.clone()),
            );
        }
        let mut shown = vec![got.clone()];
        if let Ok(file) = parse(&bytes) {
            shown.push(format!("{file:?}"));
            shown.push(format!("{:?}", validate(&file, MODEL)));
        }
        for secret in &secrets {
            for text in &shown {
                assert!(
                    !text.contains(secret.as_str()),
                    "{}: {text}",
                    input.display()
                );
            }
        }
        let expected_path = input.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!(
                "{}:\n--- expected\n{want}--- got\n{got}",
                input.display()
            )),
            Err(_) => failures.push(format!(
                "{}: no {} (run with BLESS=1 and review it); got:\n{got}",
                input.display(),
                expected_path.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A 1,000-line file whose only bad value is at line 900.
#[test]
fn invalid_value_at_line_900_of_1000() {
    let mut file = String::from("<settings>\n<phone-settings>\n");
    for line in 3..=999 {
        let idx = line % 12 + 1;
        if line == 900 {
            let _ = writeln!(file, "<user_expiry idx=\"{idx}\">5</user_expiry>");
        } else {
            let _ = writeln!(
                file,
                "<user_realname idx=\"{idx}\">Name on line {line}</user_realname>"
            );
        }
    }
    file.push_str("</phone-settings></settings>\n");
    assert_eq!(file.lines().count(), 1000);
    let err = read(file.as_bytes(), MODEL).unwrap_err();
    assert_eq!(err.line(), Some(900));
    assert_eq!(
        err.to_string(),
        "line 900: user_expiry[1]: `user_expiry` must be a whole number from 60 to 604800, not `5`"
    );
    assert!(matches!(
        err,
        ProvisioningError::Setting { ref key, .. } if *key == SettingKey::new("user_expiry", Some(1))
    ));
    // The same file with the value fixed is read whole.
    let fixed = file.replace(">5</user_expiry>", ">600</user_expiry>");
    assert_eq!(read(fixed.as_bytes(), MODEL).unwrap().settings.len(), 997);
}

#[test]
fn a_file_over_the_limit_is_refused_before_parsing() {
    let mut big = vec![b' '; MAX_FILE_BYTES + 1];
    big[..10].copy_from_slice(b"<settings>");
    assert_eq!(
        parse(&big),
        Err(ParseError::TooLarge {
            size: MAX_FILE_BYTES + 1
        })
    );
}

#[test]
fn item_and_nesting_limits() {
    let mut many = String::from("<phone-settings>\n");
    for _ in 0..=MAX_ITEMS {
        many.push_str("<language>English</language>\n");
    }
    many.push_str("</phone-settings>\n");
    assert!(many.len() < MAX_FILE_BYTES);
    assert!(matches!(
        parse(many.as_bytes()),
        Err(ParseError::Syntax {
            reason: SyntaxError::TooManyItems,
            line,
        }) if line as usize == MAX_ITEMS + 2
    ));

    // Nesting ends at the first element out of place, however deep the rest goes.
    let deep = format!(
        "<settings><tbook>\n{}{}</tbook></settings>",
        "<contact>".repeat(100_000),
        "</contact>".repeat(100_000)
    );
    assert_eq!(
        parse(deep.as_bytes()),
        Err(ParseError::Syntax {
            line: 2,
            reason: SyntaxError::UnexpectedElement {
                element: "contact".into(),
                parent: "contact".into()
            }
        })
    );
}

/// Work grows linearly: ten times the file takes nowhere near a hundred times as long.
#[test]
fn no_quadratic_behaviour() {
    let file = |n: usize| {
        let mut f = String::from("<settings><phone-settings>\n");
        for i in 0..n {
            let _ = writeln!(
                f,
                "<user_realname idx=\"{}\" perm=\"R\">Name &amp; {i}</user_realname>",
                i % 12 + 1
            );
        }
        f.push_str("</phone-settings></settings>");
        f
    };
    let time = |f: &str| {
        let start = std::time::Instant::now();
        for _ in 0..3 {
            read(f.as_bytes(), MODEL).unwrap();
        }
        start.elapsed()
    };
    let (small, large) = (file(3_000), file(30_000));
    let _ = time(&small);
    let (t_small, t_large) = (time(&small), time(&large));
    assert!(
        t_large < t_small * 40,
        "3,000 items: {t_small:?}, 30,000 items: {t_large:?}"
    );

    // One element with many attributes: each is refused at once, not compared with all.
    let attrs: String = (0..200_000).map(|i| format!(" a{i}=\"x\"")).collect();
    let wide = format!(
        "<settings><phone-settings><language{attrs}>English</language></phone-settings></settings>"
    );
    let start = std::time::Instant::now();
    assert!(matches!(
        parse(wide.as_bytes()),
        Err(ParseError::Syntax {
            line: 1,
            reason: SyntaxError::TooManyAttributes(_)
        })
    ));
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn perm_of_the_text_form() {
    let plan = read(
        b"language: English\nuser_name1$: a\nuser_name2!: b\n",
        MODEL,
    )
    .unwrap();
    let access: Vec<_> = plan.settings.iter().map(|s| s.perm.access).collect();
    assert_eq!(
        access,
        [Access::ReadOnly, Access::ReadWrite, Access::ReadRemain]
    );
}

/// `<fkey>` attributes other than `idx` and `perm` are settings of their own, with the
/// key's index and perm (validation refuses them until the schema has them).
#[test]
fn function_key_attributes_become_settings() {
    let file = parse(
        b"<functionKeys>\n<fkey idx=\"4\" context=\"active\" label=\"B&amp;b\" lp=\"on\" perm=\"R\">line</fkey>\n</functionKeys>",
    )
    .unwrap();
    let got: Vec<_> = file
        .settings
        .iter()
        .map(|s| {
            (
                s.key.to_string(),
                s.value.as_str(),
                s.perm.as_deref(),
                s.line,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("fkey[5]".to_owned(), "line", Some("R"), 2),
            ("fkey_context[5]".to_owned(), "active", Some("R"), 2),
            ("fkey_label[5]".to_owned(), "B&b", Some("R"), 2),
            ("fkey_longpress[5]".to_owned(), "on", Some("R"), 2),
        ]
    );
}

/// Every prefix of every data file, and copies with bytes overwritten, read without a
/// panic: a file cut off in transfer or damaged is an error, never a crash.
#[test]
fn damaged_files_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        // A linear congruential generator: deterministic, no dependency.
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    let mut reads = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "expected") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for end in 0..bytes.len() {
            let _ = read(&bytes[..end], MODEL);
            reads += 1;
        }
        for _ in 0..200 {
            let mut damaged = bytes.clone();
            if damaged.is_empty() {
                break;
            }
            for _ in 0..1 + next() % 4 {
                let at = next() % damaged.len();
                let alphabet = b"<>&;\"'/=![]-\n\r\xff#:$ a";
                damaged[at] = alphabet[next() % alphabet.len()];
            }
            let _ = read(&damaged, MODEL);
            reads += 1;
        }
    }
    assert!(reads > 10_000);
}
