//! `export` and `contacts_to_xml` write files that `read` reads back to the same values.

use deskphone_provisioning::{Contact, ContactNumber, contacts_to_xml, export, parse, read};
use deskphone_settings::SettingValues;

const MODEL: &str = "DP480C";

fn values() -> SettingValues {
    let mut v = SettingValues::default();
    v.apply(
        [
            ("language", "Deutsch"),
            ("user_realname[1]", "Jürgen Größe 王小明 📞"),
            ("user_realname[2]", "Tom & Jerry <Cartoons> \"Ltd\" 's ]]>"),
            ("user_realname[12]", "  padded  "),
            ("user_name[1]", "alice"),
            ("user_pass[1]", "hunter2-secret"),
            ("user_pass[3]", "another-secret"),
            ("user_expiry[4]", "120"),
            ("user_active[1]", "true"),
            ("fkey[1]", "blf <sip:bob@pbx>"),
            ("fkey[12]", "speed 123"),
            ("call_join_xfer", "always"),
            ("sip_failover_response", "503|500 Server Internal Error"),
        ],
        MODEL,
    )
    .unwrap();
    v
}

#[test]
fn export_reads_back_to_the_same_values() {
    let original = values();
    let file = export(&original, MODEL);
    let plan = read(file.as_bytes(), MODEL).unwrap_or_else(|e| panic!("{e}\n{file}"));

    let mut back = SettingValues::default();
    let changes = plan.changes();
    back.apply(changes.iter().map(|(k, v)| (k.as_str(), *v)), MODEL)
        .unwrap();
    assert_eq!(back.public_view(MODEL), original.public_view(MODEL));
    assert_eq!(
        back.get("user_realname", Some(2)),
        "Tom & Jerry <Cartoons> \"Ltd\" 's ]]>"
    );
    assert_eq!(back.get("user_realname", Some(12)), "  padded  ");
    assert_eq!(back.get("fkey", Some(1)), "blf <sip:bob@pbx>");
}

#[test]
fn export_never_writes_a_secret() {
    let file = export(&values(), MODEL);
    assert!(!file.contains("hunter2"), "{file}");
    assert!(!file.contains("another-secret"));
    assert!(!file.contains("user_pass"), "not even the empty element");
    let plan = read(file.as_bytes(), MODEL).unwrap();
    assert!(plan.settings.iter().all(|s| !s.secret));
}

#[test]
fn export_writes_function_keys_0_based() {
    let file = export(&values(), MODEL);
    assert!(file.contains("<functionKeys e=\"2\">"));
    // Companion settings (`fkey_label`, …) may add attributes after the index.
    let key = |idx: &str, value: &str| {
        file.lines().any(|l| {
            l.starts_with(&format!("<fkey idx=\"{idx}\""))
                && l.ends_with(&format!(">{value}</fkey>"))
        })
    };
    assert!(key("0", "blf &lt;sip:bob@pbx&gt;"), "{file}");
    assert!(key("11", "speed 123"));
    assert!(!key("12", "speed 123"));
    // Identity settings stay 1-based.
    assert!(file.contains("<user_name idx=\"1\">alice</user_name>"));
    // Every setting of the model is there: a file restores the phone.
    let plan = read(file.as_bytes(), MODEL).unwrap();
    let public = values().public_view(MODEL);
    assert_eq!(plan.settings.len(), public.len());
}

#[test]
fn contacts_read_back_from_the_v2_form() {
    let contacts = vec![
        Contact {
            first_name: "Zoë".into(),
            last_name: "Ødegård & Söhne <GmbH>".into(),
            organization: "王 Ltd".into(),
            email: "zoe@example.com".into(),
            note: "Call \"after\" 10 🎉".into(),
            group: "family".into(),
            favourite: true,
            vip: false,
            blocked: true,
            numbers: vec![
                ContactNumber {
                    number: "+47 22 00 00 00".into(),
                    kind: "mobile".into(),
                    outgoing: "1".into(),
                },
                ContactNumber {
                    number: "\"Zoë\" <sip:zoe@pbx>".into(),
                    kind: String::new(),
                    outgoing: String::new(),
                },
            ],
            line: 0,
        },
        Contact {
            last_name: "Doe".into(),
            numbers: vec![ContactNumber {
                number: "123".into(),
                ..ContactNumber::default()
            }],
            vip: true,
            ..Contact::default()
        },
    ];
    let xml = contacts_to_xml(&contacts);
    assert!(xml.contains("<tbook e=\"2\" version=\"2.0\">"), "{xml}");
    let plan = read(xml.as_bytes(), MODEL).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let mut back = plan.contacts;
    for c in &mut back {
        assert!(c.line > 0);
        c.line = 0;
    }
    assert_eq!(back, contacts);
    assert!(!plan.phone_book_complete);
    assert_eq!(parse(contacts_to_xml(&[]).as_bytes()).unwrap().contacts, []);
}
