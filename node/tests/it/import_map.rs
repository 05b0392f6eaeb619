//! The web import's column mapping and its warnings, through a real server on loopback: a list
//! with columns the import does not know is offered a mapping (each column to a member field or
//! "ignore", as the CLI's `--map`), the kind of list chosen survives the refusal, the mapped list
//! imports with the mapped field, and a result that marks many members missing is emphasized.

use reqwest::StatusCode;

use crate::util::{ADMIN_PASSWORD, count};
use crate::web::{Server, Session, login};

async fn upload(s: &Session, server: &Server, format: &str, body: &str) -> (StatusCode, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf", s.csrf.clone())
        .text("format", format.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(body.as_bytes().to_vec()).file_name("list.csv"),
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

async fn post_form(
    s: &Session,
    server: &Server,
    path: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut all = vec![("csrf", s.csrf.as_str())];
    all.extend_from_slice(pairs);
    let r = s
        .client
        .post(server.url(path))
        .header("accept", "text/html")
        .form(&all)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The value of the hidden input `name` in the form posting to `action`.
fn hidden_in(html: &str, action: &str, name: &str) -> String {
    let form = html
        .split(&format!("action=\"{action}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no form to {action}: {html}"));
    form.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned()
}

async fn set_spanish(s: &Session, server: &Server) {
    let (status, _) = post_form(s, server, "/language", &[("lang", "es"), ("next", "/")]).await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
}

const LIST: &str = "actionkit_id,first_name,last_name,email,Town,Shirt size\r\n\
                    1,Ana,Alvarez,ana@example.org,Durham,M\r\n\
                    2,Ben,Brown,ben@example.org,Raleigh,XL\r\n";

#[tokio::test]
async fn unknown_columns_are_offered_a_mapping_and_import_with_it() {
    let server = Server::start().await;
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;

    // A generic list with two unknown columns: refused, each column offered a choice of
    // fields, and the kind of list is still the one chosen.
    let (status, html) = upload(&admin, &server, "generic", LIST).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("Map the columns we do not recognize"),
        "{html}"
    );
    assert!(html.contains("<strong>Town</strong>"), "{html}");
    assert!(
        html.contains("Choose below the member field it fills, or ignore it."),
        "{html}"
    );
    assert!(html.contains("<strong>Shirt size</strong>"), "{html}");
    assert!(
        html.contains("<option value=\"city\">City</option>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"ignore\">Ignore this column (do not import it)</option>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"generic\" selected>"),
        "the kind of list survives the refusal: {html}"
    );
    assert_eq!(count(&server.store, "SELECT count(*) FROM members"), 0);

    // Only one column answered ("choose" left on the other): still refused, the answered
    // column kept with its choice, the other still offered.
    let token = hidden_in(&html, "/import/map", "token");
    let (status, html) = post_form(
        &admin,
        &server,
        "/import/map",
        &[
            ("token", &token),
            ("col", "Town"),
            ("to", "city"),
            ("col", "Shirt size"),
            ("to", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("<option value=\"city\" selected>City</option>"),
        "{html}"
    );
    assert!(html.contains("<strong>Shirt size</strong>"), "{html}");
    assert_eq!(count(&server.store, "SELECT count(*) FROM members"), 0);

    // Both answered: the dry run, then the import with the mapped field.
    let token = hidden_in(&html, "/import/map", "token");
    let (status, html) = post_form(
        &admin,
        &server,
        "/import/map",
        &[
            ("token", &token),
            ("col", "Town"),
            ("to", "city"),
            ("col", "Shirt size"),
            ("to", "ignore"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("What this import would do"), "{html}");
    assert_eq!(count(&server.store, "SELECT count(*) FROM members"), 0);
    let token = hidden_in(&html, "/import/confirm", "token");
    let (status, html) = post_form(&admin, &server, "/import/confirm", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("The list has been imported."), "{html}");
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM members WHERE (actionkit_id, city) IN (('1', 'Durham'), ('2', 'Raleigh'))"
        ),
        2
    );
    // The generic list marks nobody missing, and the shirt size is nowhere.
    let sizes = server
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM members WHERE city IN ('M', 'XL') OR first_name IN ('M', 'XL')",
                [],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .unwrap();
    assert_eq!(sizes, 0);

    // A mapping to something that is not a field is refused in words, nothing imported.
    let (_, html) = upload(&admin, &server, "national", "actionkit_id,first_name,last_name,email,membership_status,Cell\r\n3,Cy,Cole,cy@example.org,Member,919\r\n").await;
    assert!(
        html.contains("<option value=\"national\" selected>"),
        "{html}"
    );
    let token = hidden_in(&html, "/import/map", "token");
    let (status, html) = post_form(
        &admin,
        &server,
        "/import/map",
        &[("token", &token), ("col", "Cell"), ("to", "shoe_size")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("shoe_size is not a field the list can fill"),
        "{html}"
    );
    assert_eq!(count(&server.store, "SELECT count(*) FROM members"), 2);

    // A token used up (or from another session) is refused, not applied.
    let (status, _) = post_form(
        &admin,
        &server,
        "/import/map",
        &[("token", &token), ("col", "Cell"), ("to", "mobile_phone")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

fn list_of(n: u32) -> String {
    let mut s = String::from("actionkit_id,first_name,last_name,email,membership_status\r\n");
    for i in 1..=n {
        s.push_str(&format!("{i},First{i},Last{i},m{i}@example.org,Member\r\n"));
    }
    s
}

async fn import(s: &Session, server: &Server, body: &str) -> String {
    let (status, html) = upload(s, server, "national", body).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let token = hidden_in(&html, "/import/confirm", "token");
    let (status, done) = post_form(s, server, "/import/confirm", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    format!("{html}\n{done}")
}

#[tokio::test]
async fn many_marked_missing_is_emphasized_in_the_dry_run_and_the_result() {
    let server = Server::start().await;
    let admin = login(&server, "admin", ADMIN_PASSWORD).await;
    let first = import(&admin, &server, &list_of(100)).await;
    assert!(!first.contains("class=\"warn\""), "{first}");

    // 5 of 100 missing (5%): no warning.
    let small = import(&admin, &server, &list_of(95)).await;
    assert!(!small.contains("class=\"warn\""), "{small}");
    assert!(!small.contains("marked missing."), "{small}");

    // Back to 100, then 15 of 100 missing: below the confirmation threshold (20%) but above
    // the warning's (10%): the count is emphasized and explained, before and after.
    import(&admin, &server, &list_of(100)).await;
    let large = import(&admin, &server, &list_of(85)).await;
    assert!(!large.contains("name=\"confirm_missing\""), "{large}");
    assert!(
        large.contains("<dd class=\"warn\"><strong>15</strong></dd>"),
        "{large}"
    );
    assert!(
        large.contains("Careful: this list marks 15 of the 100 members on the list as missing."),
        "{large}"
    );
    assert!(
        large.contains("15 of the 100 members on the list were marked missing."),
        "{large}"
    );
    let present = "SELECT count(*) FROM members WHERE list_status = 'present'";
    assert_eq!(count(&server.store, present), 85);

    // In Spanish too.
    set_spanish(&admin, &server).await;
    import(&admin, &server, &list_of(100)).await;
    let es = import(&admin, &server, &list_of(85)).await;
    assert!(
        es.contains("Se marcó como ausentes a 15 de los 100 miembros de la lista."),
        "{es}"
    );
}
