//! Moving a workplace along the ladder through the HTML form on a real loopback server: a jump of
//! more than one stage asks for confirmation first (naming the workplace and both stages), and
//! "majority support" is counted only where the workforce and supporters show it.

use reqwest::StatusCode;

use crate::util::ADMIN_PASSWORD;
use crate::web::{Server, Session, login, seed};

async fn page(s: &Session, server: &Server, path: &str) -> String {
    let r = s
        .client
        .get(server.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

async fn move_to(
    s: &Session,
    server: &Server,
    w: i64,
    stage: &str,
    confirm: bool,
) -> reqwest::Response {
    let mut form = vec![
        ("csrf", s.csrf.as_str()),
        ("stage", stage),
        ("note", "signed cards"),
    ];
    if confirm {
        form.push(("confirm", "yes"));
    }
    s.client
        .post(server.url(&format!("/workplaces/{w}/stage")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

fn stage_of(server: &Server, w: i64) -> i64 {
    server
        .store
        .read(|c| {
            Ok(
                c.query_row("SELECT stage FROM workplaces WHERE id = ?1", [w], |r| {
                    r.get(0)
                })?,
            )
        })
        .unwrap()
}

fn majority_stat(html: &str) -> String {
    let label = "<span class=\"l\">Workplaces with majority support</span>";
    let at = html
        .find(label)
        .expect("the majority number on the dashboard");
    let before = &html[..at];
    let open = before.rfind("<span class=\"n\">").unwrap() + "<span class=\"n\">".len();
    before[open..].split('<').next().unwrap().to_owned()
}

/// The page's text with the quotes askama escapes put back.
fn unescape(html: &str) -> String {
    html.replace("&#34;", "\"").replace("&quot;", "\"")
}

const UNSHOWN_EN: &str = "without numbers that show a majority";

#[tokio::test]
async fn a_jump_of_more_than_one_stage_is_confirmed_first() {
    let server = Server::start().await;
    let seed = seed(&server);
    let s = login(&server, "admin", ADMIN_PASSWORD).await;

    // 0 -> 3 without confirm: a page naming the workplace and both stages; nothing changes.
    let r = move_to(&s, &server, seed.w1, "3", false).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = unescape(&r.text().await.unwrap());
    assert!(html.contains("Confirm the move on the ladder"), "{html}");
    assert!(html.contains("CANARYw1employer · CANARYw1site"));
    assert!(html.contains("from \"0 · Not started\" to \"3 · Committee with majority support\""));
    assert!(html.contains("name=\"confirm\" value=\"yes\""));
    assert!(html.contains("name=\"stage\" value=\"3\""));
    assert!(
        html.contains("value=\"signed cards\""),
        "the note is carried over"
    );
    // The workforce is 40 and nobody is a supporter yet: the page says so.
    assert!(html.contains("workforce: 40; supporters: 0"), "{html}");
    assert_eq!(stage_of(&server, seed.w1), 0, "not moved before confirming");

    // Confirmed: it moves, with the note in the history.
    let r = move_to(&s, &server, seed.w1, "3", true).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&server, seed.w1), 3);
    let html = page(&s, &server, &format!("/workplaces/{}", seed.w1)).await;
    assert!(html.contains("signed cards"));

    // One stage at a time needs no confirmation.
    let r = move_to(&s, &server, seed.w1, "4", false).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&server, seed.w1), 4);

    // A jump down of more than one stage is confirmed too, and in Spanish.
    let r = s
        .client
        .post(server.url("/language"))
        .form(&[("csrf", s.csrf.as_str()), ("lang", "es"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = move_to(&s, &server, seed.w1, "1", false).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = unescape(&r.text().await.unwrap());
    assert!(html.contains("Confirme el cambio en la escalera"));
    assert!(html.contains("de \"4 · Campaña pública\" a \"1 · Mapeo\""));
    assert!(html.contains("Sí, cambiarlo"));
    assert!(
        !html.contains("simpatizantes:"),
        "stage 1 claims no majority"
    );
    assert_eq!(stage_of(&server, seed.w1), 4);

    // A forged confirmation (bad CSRF) changes nothing.
    let r = s
        .client
        .post(server.url(&format!("/workplaces/{}/stage", seed.w1)))
        .form(&[("csrf", "wrong"), ("stage", "0"), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(stage_of(&server, seed.w1), 4);
}

#[tokio::test]
async fn majority_support_is_counted_only_from_the_numbers() {
    let server = Server::start().await;
    let seed = seed(&server);
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let html = page(&s, &server, "/").await;
    assert_eq!(majority_stat(&html), "0");
    assert!(!html.contains(UNSHOWN_EN));

    // Stage 3 with 0 supporters of 40: not counted, and the dashboard says why.
    let r = move_to(&s, &server, seed.w1, "3", true).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&s, &server, "/").await;
    assert_eq!(majority_stat(&html), "0", "a stage alone is not a majority");
    assert!(html.contains(&format!(
        "One workplace is at stage 3 or above {UNSHOWN_EN}"
    )));
    let html = page(&s, &server, &format!("/workplaces/{}", seed.w1)).await;
    assert!(html.contains("its numbers do not show a majority"));
    assert!(!html.contains("badge ok"), "no majority badge");

    // A workforce "not known" never shows a majority, whatever the supporters.
    server
        .store
        .write(|tx| {
            tx.execute(
                "UPDATE workplaces SET workforce_size = NULL, supporters = 30 WHERE id = ?1",
                [seed.w1],
            )?;
            Ok(())
        })
        .unwrap();
    let html = page(&s, &server, "/").await;
    assert_eq!(majority_stat(&html), "0");
    assert!(html.contains(UNSHOWN_EN));

    // 21 of 40 is a majority: counted, at stage 3 (w1) and below it (w2 at stage 1).
    server
        .store
        .write(|tx| {
            tx.execute(
                "UPDATE workplaces SET workforce_size = 40, supporters = 21 WHERE id IN (?1, ?2)",
                [seed.w1, seed.w2],
            )?;
            Ok(())
        })
        .unwrap();
    let r = move_to(&s, &server, seed.w2, "1", false).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&s, &server, "/").await;
    assert_eq!(majority_stat(&html), "2");
    assert!(!html.contains(UNSHOWN_EN));
    let html = page(&s, &server, &format!("/workplaces/{}", seed.w1)).await;
    assert!(html.contains("badge ok"));
    assert!(!html.contains("its numbers do not show a majority"));

    // Exactly half is not a majority.
    server
        .store
        .write(|tx| {
            tx.execute(
                "UPDATE workplaces SET supporters = 20 WHERE id = ?1",
                [seed.w2],
            )?;
            Ok(())
        })
        .unwrap();
    let html = page(&s, &server, "/").await;
    assert_eq!(majority_stat(&html), "1");
}
