//! The Reports page tells the truth about delivery (issue 19, item 6): a report sent from the
//! browser shows as waiting in the outbox on every refresh until the outbox delivers it to a
//! REAL hub on loopback, then as delivered with the hub's verified receipt (its position in the
//! hub's log); an unreachable hub and a refusal are said in words, in English and Spanish, never
//! as raw codes. And a member added by hand (item 3): "not on the national list yet" until an
//! import matches them, and the city as entered.

use reqwest::StatusCode;
use shopfloor_hub::config::Level;
use shopfloor_node::domain::members;
use shopfloor_node::federation::{enroll, outbox, receipts};
use shopfloor_node::import::{ImportOptions, import_bytes};

use crate::federation::{TestHub, any_port, last_month, quick};
use crate::report::populate;
use crate::util::ADMIN_PASSWORD;
use crate::web::{Server, Session, login};

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

/// A node served on loopback with members, enrolled at `hub`, and its admin's session.
async fn enrolled_server(hub: &TestHub) -> (Server, Session) {
    let server = Server::start().await;
    populate(&server.store, 40);
    enroll::start(&server.store, &server.dir, &hub.url, &hub.invite(), None)
        .await
        .unwrap();
    assert_eq!(hub.approve_all(), 1);
    enroll::wait(&server.store, &server.dir, &quick())
        .await
        .unwrap();
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    (server, s)
}

/// Presses "Send this report to the hub" for `period`; returns where the page sends the browser.
async fn submit(s: &Session, server: &Server, period: &str) -> String {
    let r = s
        .client
        .post(server.url("/reports/submit"))
        .form(&[("csrf", s.csrf.as_str()), ("period", period)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        !to.contains("queued"),
        "the state is not in the address: {to}"
    );
    to
}

/// The outbox section of the page (after its heading).
/// A period as the pages write it: its month, in English and in Spanish.
fn months(period: &str) -> (String, String) {
    use shopfloor_server::locale::{Locale, format};
    (
        format(Locale::EnUs).period(period),
        format(Locale::EsUs).period(period),
    )
}

fn outbox_section(html: &str) -> &str {
    let at = html.find("id=\"outbox-h\"").expect("the outbox section");
    &html[at..]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sent_report_shows_queued_on_every_refresh_then_delivered_with_its_receipt() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "Southern Region", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    let (server, s) = enrolled_server(&hub).await;
    let period = last_month().to_string();
    let (month, mes) = months(&period);

    let to = submit(&s, &server, &period).await;
    for _ in 0..2 {
        // The same on a refresh: the banner comes from the outbox table.
        let (status, html) = get(&s, &server, &to).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(&format!(
                "The report for {month} (revision 1) is waiting in the outbox."
            )),
            "{html}"
        );
        assert!(html.contains("attempts so far: 0"), "{html}");
        assert!(outbox_section(&html).contains("Waiting to be delivered"));
        // The outbox row: the period as its month, the attempts in words under their label.
        let outbox = outbox_section(&html);
        assert!(outbox.contains("Delivery attempts"), "{outbox}");
        assert!(outbox.contains("<td>Not tried yet</td>"), "{outbox}");
        assert!(
            outbox.contains(&format!("{month} · revision 1")),
            "{outbox}"
        );
        assert!(
            html.contains(&format!(
                "<option value=\"{period}\" selected>{month}</option>"
            )),
            "the period picker shows the month, its value stays the id: {html}"
        );
        assert!(!html.contains("has reached the hub"));
    }
    // "Sent to" names the hub, not its id.
    let (_, html) = get(&s, &server, &format!("/reports?period={period}")).await;
    assert!(
        html.contains("<dt>Sent to</dt><dd>Southern Region</dd>"),
        "{html}"
    );

    // The outbox delivers to the real hub.
    let o = outbox::deliver_due(&server.store).await.unwrap();
    assert!(
        matches!(o.as_slice(), [outbox::Outcome::Delivered { .. }]),
        "{o:?}"
    );
    let kept = server.store.read(receipts::list).unwrap();
    assert_eq!(kept.len(), 1);
    let index = kept[0].log_index;
    let (_, html) = get(&s, &server, &format!("/reports?period={period}")).await;
    assert!(
        html.contains(&format!(
            "The report for {month} (revision 1) has reached the hub."
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "The receipt from Southern Region was verified: the report is at position {index} \
             of its log."
        )),
        "{html}"
    );
    assert!(!html.contains("is waiting in the outbox"), "{html}");
    let section = outbox_section(&html);
    assert!(
        section.contains("<span class=\"badge ok\">Delivered</span>"),
        "{section}"
    );
    assert!(!section.contains("Waiting to be delivered"), "{section}");

    set_lang(&s, &server, "es").await;
    let (_, html) = get(&s, &server, &format!("/reports?period={period}")).await;
    assert!(
        html.contains(&format!("El informe de {mes} (versión 1) llegó al hub.")),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "Se verificó el acuse de Southern Region: el informe está en la posición {index} de \
             su bitácora."
        )),
        "{html}"
    );
    assert!(html.contains("<dt>Destinatario</dt><dd>Southern Region</dd>"));
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_hub_and_a_refusal_are_said_in_words_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let hub_dir = TestHub::init(tmp.path(), "Southern Region", Level::National);
    let hub = TestHub::start(&hub_dir, any_port()).await;
    let (server, s) = enrolled_server(&hub).await;
    let (hub_dir, addr) = hub.stop().await;
    let period = last_month().to_string();
    let (month, mes) = months(&period);

    // The hub is down: the try fails and the page says why, and that it will try again.
    let to = submit(&s, &server, &period).await;
    let o = outbox::deliver_due(&server.store).await.unwrap();
    assert!(
        matches!(o.as_slice(), [outbox::Outcome::Retry { attempts: 1, .. }]),
        "{o:?}"
    );
    let (_, html) = get(&s, &server, &to).await;
    assert!(html.contains("is waiting in the outbox"), "{html}");
    assert!(html.contains("attempts so far: 1; next try at"), "{html}");
    assert!(
        outbox_section(&html).contains("<td>1 attempt</td>"),
        "{html}"
    );
    assert!(
        html.contains(
            "The last try did not go through: the hub could not be reached (it may be down, or \
             this node may be offline)."
        ),
        "{html}"
    );
    // The technical error stays out of the page.
    assert!(!html.contains("cannot reach the hub"), "{html}");
    assert!(!html.contains("unreachable"), "{html}");
    set_lang(&s, &server, "es").await;
    let (_, html) = get(&s, &server, &to).await;
    assert!(
        html.contains("está en espera en la bandeja de salida"),
        "{html}"
    );
    assert!(
        html.contains("El último intento no se completó: no se pudo contactar al hub"),
        "{html}"
    );
    set_lang(&s, &server, "en").await;

    // The hub comes back, but has revoked the node: refused for good, in words.
    let hub = TestHub::start(&hub_dir, addr).await;
    shopfloor_hub::enroll::revoke(&hub.hub, "triangle-dsa", "key reported stolen", "admin")
        .unwrap();
    server.store.write(|tx| outbox::retry_now(tx)).unwrap();
    let o = outbox::deliver_due(&server.store).await.unwrap();
    assert!(
        matches!(o.as_slice(), [outbox::Outcome::Failed { code, .. }] if code == "revoked"),
        "{o:?}"
    );
    let (_, html) = get(&s, &server, &to).await;
    assert!(
        html.contains(&format!(
            "The hub refused the report for {month} (revision 1): the hub has revoked this \
             node&#39;s enrollment."
        )) || html.contains(&format!(
            "The hub refused the report for {month} (revision 1): the hub has revoked this \
             node&#x27;s enrollment."
        )),
        "{html}"
    );
    let section = outbox_section(&html);
    assert!(
        section.contains("<span class=\"badge bad\">Refused by the hub</span>"),
        "{section}"
    );
    assert!(section.contains("It will not be sent again."), "{section}");
    assert!(!html.contains("is waiting in the outbox"), "{html}");
    assert!(!section.contains(">revoked<"), "{section}");
    set_lang(&s, &server, "es").await;
    let (_, html) = get(&s, &server, &to).await;
    assert!(
        html.contains(&format!(
            "El hub rechazó el informe de {mes} (versión 1): el hub revocó la inscripción de \
             este nodo."
        )),
        "{html}"
    );
    assert!(html.contains("No se volverá a enviar."), "{html}");
    hub.stop().await;
}

#[tokio::test]
async fn a_member_added_by_hand_is_not_on_the_list_until_an_import_matches_them() {
    let server = Server::start().await;
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let r = s
        .client
        .post(server.url("/members/new"))
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("first_name", "Rosa"),
            ("last_name", "Parra"),
            ("email", "rosa.parra@example.org"),
            ("member_city", "Durham"),
            ("employer", "Hospital General"),
            ("city", "Raleigh"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let (status, html) = get(&s, &server, &to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Not on the national list yet (added by hand"),
        "{html}"
    );
    assert!(!html.contains("On the latest list"), "{html}");
    // The city as entered, with the state; the workplace keeps its own city.
    assert!(html.contains("Durham, NC"), "{html}");
    let id: i64 = to
        .trim_start_matches("/members/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let wp_city: String = server
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT w.city FROM workplaces w JOIN member_workplaces mw ON mw.workplace_id = w.id
                 WHERE mw.member_id = ?1",
                [id],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(wp_city, "Raleigh");
    set_lang(&s, &server, "es").await;
    let (_, html) = get(&s, &server, &to).await;
    assert!(
        html.contains("Todavía no está en la lista nacional"),
        "{html}"
    );
    set_lang(&s, &server, "en").await;

    // A national list without her does not call her "missing" from a list she was never on.
    let other = "actionkit_id,first_name,last_name,email,membership_status\n\
                 900,Ana,Bello,ana@example.org,Member in Good Standing\n";
    let sum = import_bytes(
        &server.store,
        other.as_bytes(),
        &ImportOptions::default(),
        "test",
    )
    .unwrap();
    assert_eq!(sum.marked_missing, 0);
    let m = server.store.read(|c| members::get(c, id)).unwrap();
    assert!(m.added_by_hand);
    assert_eq!(m.list_status, "present");

    // The list that has her: matched by email, and now on the list.
    let with = "actionkit_id,first_name,last_name,email,membership_status,city,state\n\
                900,Ana,Bello,ana@example.org,Member in Good Standing,Durham,NC\n\
                901,Rosa,Parra,rosa.parra@example.org,Member in Good Standing,Durham,NC\n";
    let sum = import_bytes(
        &server.store,
        with.as_bytes(),
        &ImportOptions::default(),
        "test",
    )
    .unwrap();
    // Ana gains a city; Rosa is matched by email, not created again.
    assert_eq!((sum.created, sum.updated), (0, 2), "{sum:?}");
    let m = server.store.read(|c| members::get(c, id)).unwrap();
    assert!(!m.added_by_hand);
    let (_, html) = get(&s, &server, &to).await;
    assert!(html.contains("On the latest list"), "{html}");
    assert!(!html.contains("Not on the national list yet"), "{html}");
}
