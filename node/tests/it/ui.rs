//! The HTML pages through a real server on loopback: every page for every role in both
//! languages (no raw message id, no missing message, the right `lang`), what each role may see,
//! the forms' CSRF checks, and the main flows without JavaScript (plain form posts).

use reqwest::{Method, StatusCode};
use shopfloor_node::web::ui::i18n::missing_lookups;

use crate::util::ADMIN_PASSWORD;
use crate::web::{PASSWORD, Seed, Server, Session, login, seed};

/// Periods written as stored (`2026-11`) in the text people read: outside tags, `<pre>` and
/// `<code>` (the report's exact payload is shown as it leaves). Periods read as their month.
fn months_as_stored(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        text.push_str(&rest[..at]);
        text.push(' ');
        let tail = &rest[at..];
        let skip = ["pre", "code"].iter().find_map(|t| {
            let opens = tail.starts_with(&format!("<{t}>")) || tail.starts_with(&format!("<{t} "));
            opens.then(|| tail.find(&format!("</{t}>")).map(|e| e + t.len() + 3))?
        });
        let end = skip.unwrap_or_else(|| tail.find('>').map_or(tail.len(), |e| e + 1));
        rest = &tail[end..];
    }
    text.push_str(rest);
    shopfloor_server::locale::not_formatted_on_page(&text)
        .into_iter()
        .filter(|f| f.starts_with("a month as stored"))
        .collect()
}

/// A raw message id (`ui-...`, `err-...`, `rec-...`) in a page's text.
fn raw_id(html: &str) -> Option<String> {
    // Only text and attribute values a person reads: drop the tags' own names.
    let bytes = html.as_bytes();
    for prefix in ["ui-", "err-", "rec-"] {
        let mut from = 0;
        while let Some(pos) = html[from..].find(prefix) {
            let at = from + pos;
            let before = if at == 0 { b' ' } else { bytes[at - 1] };
            let after = html[at + prefix.len()..].chars().next().unwrap_or(' ');
            if !before.is_ascii_alphanumeric() && before != b'-' && after.is_ascii_lowercase() {
                let end = html[at..]
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()))
                    .map_or(html.len(), |e| at + e);
                return Some(html[at..end].to_owned());
            }
            from = at + prefix.len();
        }
    }
    None
}

async fn get(s: &Session, server: &Server, path: &str) -> (StatusCode, String) {
    let r = s
        .client
        .get(server.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

async fn set_lang(s: &Session, server: &Server, lang: &str) {
    let r = s
        .client
        .post(server.url("/language"))
        .form(&[("csrf", s.csrf.as_str()), ("lang", lang), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// Every page, and which roles may open it.
fn pages(seed: &Seed) -> Vec<(String, [bool; 4])> {
    // [admin, organizer, pod_lead, viewer]
    let all = [true; 4];
    let members = [true, true, true, false];
    let organize = [true, true, false, false];
    let admin = [true, false, false, false];
    vec![
        ("/".into(), all),
        ("/members".into(), members),
        (
            "/members?q=canary&sector=62&stage=0&list=all&page=2".into(),
            members,
        ),
        ("/members/new".into(), organize),
        (format!("/members/{}", seed.m_a), members),
        (format!("/members/{}/edit", seed.m_a), members),
        ("/workplaces".into(), members),
        ("/workplaces/new".into(), organize),
        (format!("/workplaces/{}", seed.w1), members),
        (format!("/workplaces/{}/edit", seed.w1), members),
        ("/pods".into(), members),
        ("/trainings".into(), all),
        ("/leadership".into(), organize),
        ("/reserve".into(), organize),
        ("/campaigns".into(), all),
        (format!("/campaigns/{}", seed.campaign), all),
        ("/recruitment".into(), members),
        ("/import".into(), organize),
        ("/reports".into(), all),
        ("/guidance".into(), all),
        ("/settings".into(), admin),
        ("/audit".into(), admin),
        ("/account".into(), all),
        ("/account/password?error=mismatch".into(), all),
        ("/logout".into(), all),
        ("/self-report".into(), organize),
        ("/self-report/review".into(), organize),
    ]
}

#[tokio::test]
async fn every_page_renders_for_every_role_in_both_languages() {
    let server = Server::start().await;
    let seed = seed(&server);
    let before = missing_lookups();
    let accounts = [
        ("admin", ADMIN_PASSWORD),
        ("organizer", PASSWORD),
        ("podlead", PASSWORD),
        ("viewer", PASSWORD),
    ];
    for (i, (user, pw)) in accounts.iter().enumerate() {
        let s = login(&server, user, pw).await;
        for lang in ["en", "es"] {
            set_lang(&s, &server, lang).await;
            for (path, allowed) in pages(&seed) {
                let (status, html) = get(&s, &server, &path).await;
                let expected = if allowed[i] {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(status, expected, "{user} {lang} {path}");
                assert!(
                    html.contains(&format!("<html lang=\"{lang}\">")),
                    "{user} {lang} {path}: lang attribute"
                );
                assert_eq!(raw_id(&html), None, "{user} {lang} {path}: raw message id");
                let months = months_as_stored(&html);
                assert!(months.is_empty(), "{user} {lang} {path}: {months:?}");
                if *user == "viewer" {
                    assert!(!html.contains("CANARY"), "viewer saw member data on {path}");
                }
                if *user == "podlead" {
                    assert!(
                        !html.contains("CANARYc"),
                        "pod lead saw pod 2's member on {path}"
                    );
                }
            }
        }
    }
    // Anonymous: the login page in both languages (cookie or Accept-Language), and a 404.
    let anon = crate::web::client();
    for (header, lang, word) in [
        ("es-MX,es;q=0.9", "es", "Iniciar sesión"),
        ("en-US", "en", "Log in"),
    ] {
        let r = anon
            .get(server.url("/login"))
            .header("accept-language", header)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{html}");
        assert!(html.contains(word));
        assert_eq!(raw_id(&html), None);
    }
    let r = anon
        .get(server.url("/no-such-page"))
        .header("accept", "text/html")
        .header("accept-language", "es-MX,es;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"es\">"),
        "the 404 page follows Accept-Language"
    );
    assert_eq!(raw_id(&html), None);
    // A user who never chose a language gets the browser's.
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    let r = admin
        .send(
            reqwest::Method::POST,
            &server.url("/api/v1/users"),
            Some(&serde_json::json!({"username": "nueva", "role": "viewer", "password": "una contraseña larga"})),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let fresh = login(&server, "nueva", "una contraseña larga").await;
    let r = fresh
        .client
        .get(server.url("/"))
        .header("accept", "text/html")
        .header("accept-language", "es-MX,es;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("<html lang=\"es\">"));
    assert_eq!(
        missing_lookups(),
        before,
        "a message was missing from a catalogue"
    );
}

#[tokio::test]
async fn pages_need_a_login_and_forms_need_the_csrf_token() {
    let server = Server::start().await;
    let seed = seed(&server);
    let anon = crate::web::client();
    let r = anon
        .get(server.url(&format!("/members/{}", seed.m_a)))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let r = s
        .client
        .post(server.url(&format!("/workplaces/{}/stage", seed.w1)))
        .form(&[("csrf", "wrong"), ("stage", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let stage: i64 = server
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT stage FROM workplaces WHERE id = ?1",
                [seed.w1],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(stage, 0, "a forged form changed nothing");
}

#[tokio::test]
async fn pod_lead_cannot_open_or_edit_another_pods_member() {
    let server = Server::start().await;
    let seed = seed(&server);
    let s = login(&server, "podlead", PASSWORD).await;
    for path in [
        format!("/members/{}", seed.m_c),
        format!("/members/{}/edit", seed.m_c),
        format!("/members/{}", seed.m_d),
        format!("/workplaces/{}", seed.w2),
    ] {
        let (status, html) = get(&s, &server, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!html.contains("CANARYc"));
    }
    let r = s
        .client
        .post(server.url(&format!("/members/{}/edit", seed.m_c)))
        .form(&[("csrf", s.csrf.as_str()), ("readiness", "4")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (status, html) = get(&s, &server, &format!("/members/{}", seed.m_a)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("CANARYafirst"));
    let (_, list) = get(&s, &server, "/members").await;
    assert!(list.contains("CANARYafirst") && !list.contains("CANARYcfirst"));
}

#[tokio::test]
async fn forms_work_without_javascript_and_explain_what_is_wrong() {
    let server = Server::start().await;
    let seed = seed(&server);
    let s = login(&server, "organizer", PASSWORD).await;
    // A member without a name is refused with a message next to the field, in Spanish too.
    set_lang(&s, &server, "es").await;
    let r = s
        .client
        .post(server.url("/members/new"))
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("first_name", ""),
            ("email", "not an email"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Escriba un nombre o un apellido."), "{html}");
    assert!(html.contains("Escriba un correo electrónico válido"));
    // A member with a new workplace.
    let r = s
        .client
        .post(server.url("/members/new"))
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("first_name", "Rosa"),
            ("last_name", "Parra"),
            ("employer", "Hospital General"),
            ("sector", "62"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let (status, html) = get(&s, &server, &to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Hospital General") && html.contains("Cambios guardados."));
    // Move a workplace up the ladder; the history and the dashboard follow.
    let r = s
        .client
        .post(server.url(&format!("/workplaces/{}/stage", seed.w1)))
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("stage", "3"),
            ("note", "committee has majority"),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&s, &server, &format!("/workplaces/{}?moved=1", seed.w1)).await;
    assert!(html.contains("committee has majority"));
    assert!(html.contains("0 · Sin empezar → 3 · Comité con apoyo mayoritario"));
    // Bad counts on the workplace form come back with the field marked.
    let r = s
        .client
        .post(server.url(&format!("/workplaces/{}/edit", seed.w1)))
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("employer", "X"),
            ("workforce_size", "-3"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("has-error"));
}

#[tokio::test]
async fn report_preview_shows_withheld_cells_as_fewer_than_k() {
    let server = Server::start().await;
    let seed = seed(&server);
    // Twelve more members at the seed's health-care workplace: the sector table then has a
    // small cell (withheld, "fewer than 5") and a large one withheld only to protect it.
    server
        .store
        .write(|tx| {
            for i in 0..12 {
                let m = shopfloor_node::domain::members::create(
                    tx,
                    &crate::web::canary_member(&format!("x{i}")),
                )?;
                shopfloor_node::domain::workplaces::link_member(
                    tx,
                    &shopfloor_node::domain::workplaces::Link {
                        member_id: m,
                        workplace_id: seed.w1,
                        job_title: "nurse".into(),
                        since: Some("2021-01-01".into()),
                        is_primary: true,
                    },
                )?;
            }
            Ok(())
        })
        .unwrap();
    let s = login(&server, "viewer", PASSWORD).await;
    let (status, html) = get(&s, &server, "/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("fewer than 5"), "small cells are withheld");
    assert!(!html.contains("CANARY"));
    // Each withheld cell says why: "fewer than 5" only where its own count was small; a cell
    // withheld to protect one of those may be large and says so (the same build the page used).
    let period = shopfloor_node::web::ui::dashboard::current_period()
        .unwrap()
        .previous()
        .unwrap();
    let (config, card) = (server.dir.config().unwrap(), server.dir.card().unwrap());
    let built = server
        .store
        .read(|conn| {
            let ctx = shopfloor_node::report::context(conn, &config, &card, period)?;
            shopfloor_node::report::build(conn, &ctx)
        })
        .unwrap();
    assert_eq!(built.primary.len(), built.suppression.primary);
    assert!(
        built.suppression.complementary > 0,
        "the seed needs both kinds"
    );
    assert_eq!(
        html.matches("fewer than 5").count(),
        built.suppression.primary
    );
    assert_eq!(
        html.matches("withheld to protect another cell").count(),
        built.suppression.complementary
    );
    set_lang(&s, &server, "es").await;
    let (_, html) = get(&s, &server, "/reports").await;
    assert!(html.contains("menos de 5"));
    // The viewer cannot submit.
    let r = s
        .send(Method::POST, &server.url("/reports/submit"), None)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn report_page_says_as_of_when_and_labels_a_closed_month_without_counts_a_correction() {
    let server = Server::start().await;
    let _seed = seed(&server);
    let s = login(&server, "viewer", PASSWORD).await;
    let now = jiff::Timestamp::now();
    let this = shopfloor_protocol::Period::containing(now).unwrap();
    let old = this.previous().unwrap().previous().unwrap();
    // A month closed with no counts recorded: the preview is labelled a correction.
    let (status, html) = get(&s, &server, &format!("/reports?period={old}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Counts as of"), "{html}");
    assert!(html.contains("can only be sent as a correction"), "{html}");
    let unquoted = |h: &str| h.replace("&quot;", "\"").replace("&#34;", "\"");
    assert!(
        unquoted(&html).contains(r#""correction":true"#),
        "the payload says so"
    );
    // The month under way is counted to date.
    let (_, html) = get(&s, &server, &format!("/reports?period={this}")).await;
    assert!(html.contains("these counts are to date"), "{html}");
    assert!(!unquoted(&html).contains(r#""correction""#));
    assert!(unquoted(&html).contains(r#""as_of":"#));
    set_lang(&s, &server, "es").await;
    let (_, html) = get(&s, &server, &format!("/reports?period={old}")).await;
    assert!(html.contains("Cifras al"), "{html}");
    assert!(
        html.contains("solo se puede enviar como corrección"),
        "{html}"
    );
    let (_, html) = get(&s, &server, &format!("/reports?period={this}")).await;
    assert!(html.contains("estas cifras son hasta la fecha"), "{html}");
    assert_eq!(raw_id(&html), None);
}

#[tokio::test]
async fn import_shows_a_dry_run_then_imports_on_confirmation() {
    let server = Server::start().await;
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let csv = std::fs::read(crate::util::fixture("national_current.csv")).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", s.csrf.clone())
        .text("format", "national")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv).file_name("list.csv"),
        );
    let r = s
        .client
        .post(server.url("/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("What this import would do"));
    assert_eq!(
        crate::util::count(&server.store, "SELECT count(*) FROM members"),
        0
    );
    let token = html
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    let r = s
        .client
        .post(server.url("/import/confirm"))
        .form(&[("csrf", s.csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("The list has been imported.")
    );
    assert!(crate::util::count(&server.store, "SELECT count(*) FROM members") > 0);
    // The token works once.
    let r = s
        .client
        .post(server.url("/import/confirm"))
        .form(&[("csrf", s.csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // A bad list is refused with its lines.
    let bad = std::fs::read(crate::util::fixture("bad_two_rows.csv")).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", s.csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bad).file_name("bad.csv"),
        );
    let r = s
        .client
        .post(server.url("/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("nothing was saved"));
}

#[tokio::test]
async fn import_problems_are_shown_in_the_pages_language() {
    let server = Server::start().await;
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    set_lang(&s, &server, "es").await;
    let bad = std::fs::read(crate::util::fixture("bad_two_rows.csv")).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", s.csrf.clone())
        .text("format", "national")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bad).file_name("malo.csv"),
        );
    let r = s
        .client
        .post(server.url("/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    assert!(html.contains("La lista tiene 2 problemas"), "{html}");
    // Line 3: 2020-02-30; line 5: a short row. Both in Spanish, with line and column kept.
    assert!(html.contains("no es una fecha que exista"), "{html}");
    assert!(html.contains("2020-02-30"), "{html}");
    assert!(
        html.contains("Esta línea tiene 20 campos, pero el encabezado tiene 37 columnas."),
        "{html}"
    );
    assert!(html.contains("join_date"), "{html}");
    assert!(!html.contains("is not a real date"), "{html}");
    assert!(!html.contains("expected 37 columns"), "{html}");
    assert_eq!(raw_id(&html), None, "{html}");
    assert_eq!(
        crate::util::count(&server.store, "SELECT count(*) FROM members"),
        0
    );
}

#[tokio::test]
async fn the_report_preview_of_any_period_answers_never_a_server_error() {
    let server = Server::start().await;
    let _seed = seed(&server);
    let s = login(&server, "admin", crate::util::ADMIN_PASSWORD).await;
    // Found by the node_forms fuzz target: a month far in the future answered 500.
    for period in ["2626-10", "2000-01", "2019-06", "9999-12", "2026-13", "x"] {
        let (status, html) = get(&s, &server, &format!("/reports?period={period}")).await;
        assert_eq!(status, StatusCode::OK, "period={period}: {html}");
    }
}

/// National's list writes membership type and status in English words; the member page shows
/// the ones it uses in the reader's language, and anything else as the list wrote it.
#[tokio::test]
async fn the_member_page_speaks_the_lists_words_in_the_readers_language() {
    let server = Server::start().await;
    let seed = seed(&server);
    server
        .store
        .write(|db| {
            db.execute(
                "UPDATE members SET membership_type = 'one-time', \
                 membership_status = 'Member in Good Standing' WHERE id = ?1",
                [seed.m_a],
            )?;
            db.execute(
                "UPDATE members SET membership_type = 'Sliding scale (2024)' WHERE id = ?1",
                [seed.m_c],
            )?;
            Ok(())
        })
        .unwrap();
    let s = login(&server, "organizer", PASSWORD).await;
    let (status, html) = get(&s, &server, &format!("/members/{}", seed.m_a)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<dd>One-time payment</dd>"), "{html}");
    assert!(html.contains("<dd>Member in good standing</dd>"), "{html}");
    set_lang(&s, &server, "es").await;
    let (_, html) = get(&s, &server, &format!("/members/{}", seed.m_a)).await;
    assert!(html.contains("<dd>Pago único</dd>"), "{html}");
    assert!(html.contains("<dd>Miembro al corriente</dd>"), "{html}");
    assert!(!html.contains(">one-time<"), "{html}");
    // The date fields show the browser's own format (mm/dd/yyyy for es-US), so no label claims
    // another one.
    assert!(html.contains("type=\"date\""), "{html}");
    assert!(!html.contains("año-mes-día"), "{html}");
    let (_, html) = get(&s, &server, &format!("/members/{}", seed.m_c)).await;
    assert!(html.contains("<dd>Sliding scale (2024)</dd>"), "{html}");
}
