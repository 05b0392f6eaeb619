//! The one way to write a handler (`web::handler`): role extractors refuse before the body is
//! read, `CsrfForm` refuses a forged form as a page in the user's language, and an audited write
//! leaves its change and its audit row together or neither.

use reqwest::{Method, StatusCode};

use crate::util::ADMIN_PASSWORD;
use crate::web::{PASSWORD, Server, login};

fn pods_named(server: &Server, name: &str) -> i64 {
    server
        .store
        .read(|c| {
            Ok(
                c.query_row("SELECT count(*) FROM pods WHERE name = ?1", [name], |r| {
                    r.get(0)
                })?,
            )
        })
        .unwrap()
}

#[tokio::test]
async fn a_request_without_the_role_is_refused_before_its_body_is_read() {
    let server = Server::start().await;
    server.add_user("vera", "viewer", None);
    let s = login(&server, "vera", PASSWORD).await;
    // A page form far over the body limit: the role is refused first (403, not 413), as a page.
    let big = "x".repeat(200 * 1024);
    let r = s
        .client
        .post(server.url("/pods"))
        .header("accept", "text/html")
        .form(&[("csrf", s.csrf.as_str()), ("name", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/html"), "{ct}");
    // The API: a body that is not even JSON is not looked at either (403, not 400).
    let r = s
        .client
        .request(Method::PUT, server.url("/api/v1/trainings/t1"))
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"], "forbidden");
    // The same body from an organizer reaches the parser.
    server.add_user("olga", "organizer", None);
    let o = login(&server, "olga", PASSWORD).await;
    let r = o
        .client
        .request(Method::PUT, server.url("/api/v1/trainings/t1"))
        .header("x-csrf-token", &o.csrf)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_forged_form_is_refused_as_a_page_and_changes_nothing() {
    let server = Server::start().await;
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    for token in ["", "wrong"] {
        let r = s
            .client
            .post(server.url("/pods"))
            .header("accept", "text/html")
            .header("accept-language", "es")
            .form(&[("csrf", token), ("name", "Forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/html"), "{ct}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("<html lang=\"es\">"),
            "the error page follows the user's language"
        );
    }
    assert_eq!(pods_named(&server, "Forged"), 0);
    assert!(server.audit("pod.create").is_empty());
    // A text field with a control character is refused the same way (422), before any write.
    let r = s
        .client
        .post(server.url("/pods"))
        .form(&[("csrf", s.csrf.as_str()), ("name", "Bad\u{7}Name")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(server.audit("pod.create").is_empty());
}

#[tokio::test]
async fn an_audited_write_keeps_its_change_and_its_row_together() {
    let server = Server::start().await;
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let post = |name: &'static str| {
        s.client
            .post(server.url("/pods"))
            .form(&[("csrf", s.csrf.as_str()), ("name", name)])
            .send()
    };
    let r = post("Night shift").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/pods?saved=1");
    let rows = server.audit("pod.create");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "admin");
    assert!(rows[0].1.starts_with("pod:"), "{:?}", rows[0]);
    // A refused write (the name exists) flashes the problem and records nothing.
    let r = post("Night shift").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/pods?error=exists");
    assert_eq!(pods_named(&server, "Night shift"), 1);
    assert_eq!(server.audit("pod.create").len(), 1);
}
