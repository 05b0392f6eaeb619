//! Members map their own workplaces (issue 18) through a real server on loopback: an organizer
//! makes links for a pod and gets the CSV; a member opens one without logging in, in their own
//! language, sees only their first name and answers in two steps; the answer changes nothing
//! until an organizer accepts it into a new or an existing workplace (audited), after which the
//! dashboard's mapped share and the report's counts move. Used, expired, unknown and tampered
//! links all get the same page and change nothing; the public page is rate-limited per address
//! and per token.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use shopfloor_node::domain::selfreport as sr;
use shopfloor_node::web::ui::selfreport::{ADDRESS_LIMIT, TOKEN_LIMIT};
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::{CellKey, CellValue, Period};

use crate::util::count;
use crate::web::{PASSWORD, Server, Session, client, login, seed};

async fn get(c: &reqwest::Client, server: &Server, path: &str) -> (StatusCode, String) {
    let r = c
        .get(server.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

async fn post(
    c: &reqwest::Client,
    server: &Server,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = c.post(server.url(path)).form(form).send().await.unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

/// Makes links through the organizer's form; returns (member id, first name, link path).
async fn make_links(
    s: &Session,
    server: &Server,
    form: &[(&str, &str)],
) -> Vec<(i64, String, String)> {
    let mut f = vec![("csrf", s.csrf.as_str())];
    f.extend_from_slice(form);
    let r = s
        .client
        .post(server.url("/self-report/links"))
        .form(&f)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let body = r.text().await.unwrap();
    let mut rd = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        rd.headers().unwrap().iter().collect::<Vec<_>>(),
        ["member_id", "email", "first_name", "link"]
    );
    rd.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let link = rec[3].to_owned();
            let path = link
                .strip_prefix(&server.base)
                .unwrap_or_else(|| panic!("link {link} is not on {}", server.base))
                .to_owned();
            (rec[0].parse().unwrap(), rec[2].to_owned(), path)
        })
        .collect()
}

/// The members metric's raw count for a county this period (what the next report counts).
fn members_in_county(server: &Server, fips: &str) -> u64 {
    let period = Period::containing(jiff::Timestamp::now()).unwrap();
    let cells = server
        .store
        .read(|c| shopfloor_node::report::raw_cells(c, period))
        .unwrap();
    let key = CellKey {
        metric: "members".into(),
        dims: BTreeMap::from([(Dim::County, fips.to_owned())]),
    };
    cells
        .iter()
        .find(|c| c.key == key)
        .map_or(0, |c| match c.value {
            CellValue::Count(n) => n,
            CellValue::Suppressed => 0,
        })
}

fn mapped_line(html: &str) -> String {
    let at = html
        .find("Current members with a workplace recorded</dt><dd>")
        .expect("the mapped share");
    let rest = &html[at..];
    let start = rest.find("<dd>").unwrap() + 4;
    let end = rest.find("</dd>").unwrap();
    rest[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_answers_and_an_organizer_accepts_into_a_new_workplace() {
    let server = Server::start().await;
    let seed = seed(&server);
    let org = login(&server, "organizer", PASSWORD).await;
    let (_, dash) = get(&org.client, &server, "/").await;
    // Four members, two with a workplace.
    assert_eq!(mapped_line(&dash), "50% (2 of 4)");
    assert_eq!(members_in_county(&server, "37063"), 0);

    // Only organizers may make links or review.
    let lead = login(&server, "podlead", PASSWORD).await;
    for path in ["/self-report", "/self-report/review"] {
        assert_eq!(
            get(&lead.client, &server, path).await.0,
            StatusCode::FORBIDDEN
        );
    }
    let (st, _) = post(
        &lead.client,
        &server,
        "/self-report/links",
        &[("csrf", lead.csrf.as_str()), ("selection", "all")],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM self_report_links"),
        0
    );

    // Links for pod 1 (members a and b): the CSV carries them, the database only hashes.
    let pod = seed.pod1.to_string();
    let links = make_links(&org, &server, &[("selection", "pod"), ("pod", &pod)]).await;
    assert_eq!(links.len(), 2);
    assert_eq!(
        links.iter().map(|l| l.0).collect::<Vec<_>>(),
        [seed.m_a, seed.m_b]
    );
    let (_, first, path) = links.iter().find(|l| l.0 == seed.m_b).unwrap().clone();
    assert_eq!(first, "CANARYbfirst");
    let token = path.strip_prefix("/r/").unwrap().to_owned();
    assert!(sr::well_formed(&token));
    let stored = count(
        &server.store,
        &format!(
            "SELECT count(*) FROM self_report_links WHERE token_hash = '{}'",
            sr::hash_token(&token)
        ),
    );
    assert_eq!(stored, 1);
    assert_eq!(
        count(
            &server.store,
            &format!("SELECT count(*) FROM self_report_links WHERE token_hash LIKE '%{token}%'")
        ),
        0
    );
    let audit = server.audit("selfreport.links");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].1, "members:2");
    assert!(!audit[0].2.contains("CANARY"));

    // The member opens it, not logged in: their stored language (Spanish), their first name only.
    let member = client();
    let (st, html) = get(&member, &server, &path).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    assert!(html.contains("Hola, CANARYbfirst."));
    for secret in [
        "CANARYblast",
        "canaryb@example.org",
        "CANARYbmobile",
        "CANARYbcity",
    ] {
        assert!(!html.contains(secret), "{secret} shown on the public page");
    }
    assert!(html.contains("Solo los organizadores de este capítulo ven sus respuestas"));
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM self_report_links WHERE opened_at IS NOT NULL"
        ),
        1
    );

    // Step one: words for the industry, a state; the page offers the state's counties and the
    // sectors the words match.
    let answers = [
        ("employer", "Duke Regional"),
        ("site", "Emergency"),
        ("city", "Durham"),
        ("state", "NC"),
        ("industry", "enfermera"),
        ("job_title", "Enfermera"),
        ("union_status", "organizing"),
        ("union_name", "SEIU"),
        ("union_local", "1199"),
        ("interest", "ready"),
        ("languages", "es"),
        ("languages", "en"),
        ("consent", "1"),
    ];
    let (st, html) = post(&member, &server, &path, &answers).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("<option value=\"37063\">Durham</option>"),
        "{html}"
    );
    assert!(html.contains("value=\"62\" checked"), "{html}");
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM self_report_answers"),
        0
    );

    // A county outside the state is refused and nothing is recorded.
    let mut bad = answers.to_vec();
    bad.extend([("confirm", "1"), ("county_fips", "51059"), ("sector", "62")]);
    let (st, _) = post(&member, &server, &path, &bad).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Too long an answer is refused too.
    let long = "x".repeat(201);
    let mut too_long = answers.to_vec();
    too_long.extend([("confirm", "1"), ("employer", long.as_str())]);
    let (st, _) = post(&member, &server, &path, &too_long).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM self_report_answers"),
        0
    );

    // Step two: sent.
    let mut done = answers.to_vec();
    done.extend([("confirm", "1"), ("county_fips", "37063"), ("sector", "62")]);
    let (st, html) = post(&member, &server, &path, &done).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Recibimos sus respuestas"), "{html}");
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM self_report_answers WHERE status = 'pending'"
        ),
        1
    );
    // Nothing changed yet.
    let links_of_b = format!(
        "SELECT count(*) FROM member_workplaces WHERE member_id = {}",
        seed.m_b
    );
    assert_eq!(count(&server.store, &links_of_b), 0);
    let (_, dash) = get(&org.client, &server, "/").await;
    assert_eq!(mapped_line(&dash), "50% (2 of 4)");

    // The used link: the one page, for a visit and for a post, and no second answer.
    let (st, used) = get(&member, &server, &path).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(used.contains("This link cannot be used"), "{used}");
    let (st, _) = post(&member, &server, &path, &done).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM self_report_answers"),
        1
    );

    // The organizer's queue: the answers, and no workplace to suggest (the employer is new).
    let (st, html) = get(&org.client, &server, "/self-report/review").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Duke Regional") && html.contains("Durham"));
    assert!(html.contains("Health care and social assistance"), "{html}");
    let id = server
        .store
        .read(|c| {
            Ok(c.query_row("SELECT id FROM self_report_answers", [], |r| {
                r.get::<_, i64>(0)
            })?)
        })
        .unwrap();
    let action = format!("/self-report/review/{id}");
    // Without the CSRF token: refused, nothing changes.
    let (st, _) = post(
        &org.client,
        &server,
        &action,
        &[("decision", "accept"), ("workplace", "new")],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(count(&server.store, &links_of_b), 0);
    let (st, _) = post(
        &org.client,
        &server,
        &action,
        &[
            ("csrf", org.csrf.as_str()),
            ("decision", "accept"),
            ("workplace", "new"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (employer, sector, county, state, job, primary): (
        String,
        String,
        String,
        String,
        String,
        bool,
    ) = server
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT w.employer, w.sector, w.county_fips, w.state, l.job_title, l.is_primary
                 FROM member_workplaces l JOIN workplaces w ON w.id = l.workplace_id
                 WHERE l.member_id = ?1",
                [seed.m_b],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )?)
        })
        .unwrap();
    assert_eq!(
        (
            employer.as_str(),
            sector.as_str(),
            county.as_str(),
            state.as_str(),
            job.as_str(),
            primary
        ),
        ("Duke Regional", "62", "37063", "NC", "Enfermera", true)
    );
    let (role, langs): (String, String) = server
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT union_role, languages FROM members WHERE id = ?1",
                [seed.m_b],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!((role.as_str(), langs.as_str()), ("organizing", "en,es"));
    let audit = server.audit("selfreport.accept");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].1, format!("member:{}", seed.m_b));
    // A second decision on the same answer finds nothing pending.
    let (st, _) = post(
        &org.client,
        &server,
        &action,
        &[("csrf", org.csrf.as_str()), ("decision", "discard")],
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The dashboard's share moved, and the report's aggregation counts the member in Durham
    // County.
    let (_, dash) = get(&org.client, &server, "/").await;
    assert_eq!(mapped_line(&dash), "75% (3 of 4)");
    assert!(
        dash.contains("<dt>Answers accepted</dt><dd>1</dd>"),
        "{dash}"
    );
    assert_eq!(members_in_county(&server, "37063"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_into_an_existing_workplace_fill_only_what_it_lacks_and_discard_changes_nothing() {
    let server = Server::start().await;
    let seed = seed(&server);
    let org = login(&server, "organizer", PASSWORD).await;
    let links = make_links(&org, &server, &[("selection", "all")]).await;
    assert_eq!(links.len(), 4);
    let path_of = |m: i64| links.iter().find(|l| l.0 == m).unwrap().2.clone();
    let member = client();
    // Member d names the employer of workplace 1 (other case, same city): suggested first.
    let form = [
        ("confirm", "1"),
        ("employer", "canaryw1EMPLOYER"),
        ("city", "CANARYw1wcity"),
        ("state", "NC"),
        ("county_fips", "37063"),
        ("sector", "44-45"),
    ];
    let (st, _) = post(&member, &server, &path_of(seed.m_d), &form).await;
    assert_eq!(st, StatusCode::OK);
    // Member c answers too; that one is discarded.
    let (st, _) = post(
        &member,
        &server,
        &path_of(seed.m_c),
        &[("confirm", "1"), ("employer", "Somewhere")],
    )
    .await;
    assert_eq!(st, StatusCode::OK);

    let (_, html) = get(&org.client, &server, "/self-report/review").await;
    let w1 = seed.w1.to_string();
    assert!(
        html.contains(&format!("name=\"workplace\" value=\"{w1}\" checked")),
        "{html}"
    );
    let ids: Vec<(i64, i64)> = server
        .store
        .read(|c| {
            let mut s = c.prepare("SELECT id, member_id FROM self_report_answers ORDER BY id")?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap();
    let (st, _) = post(
        &org.client,
        &server,
        &format!("/self-report/review/{}", ids[0].0),
        &[
            ("csrf", org.csrf.as_str()),
            ("decision", "accept"),
            ("workplace", w1.as_str()),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // Workplace 1 keeps its sector (62) and gains the county it lacked.
    let (sector, county): (String, String) = server
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT sector, county_fips FROM workplaces WHERE id = ?1",
                [seed.w1],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!((sector.as_str(), county.as_str()), ("62", "37063"));
    assert_eq!(
        count(
            &server.store,
            &format!(
                "SELECT count(*) FROM member_workplaces WHERE member_id = {} AND workplace_id = {}",
                seed.m_d, seed.w1
            )
        ),
        1
    );
    // Discard: member c's records are as before.
    let before = count(&server.store, "SELECT count(*) FROM member_workplaces");
    let workplaces = count(&server.store, "SELECT count(*) FROM workplaces");
    let (st, _) = post(
        &org.client,
        &server,
        &format!("/self-report/review/{}", ids[1].0),
        &[("csrf", org.csrf.as_str()), ("decision", "discard")],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM member_workplaces"),
        before
    );
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM workplaces"),
        workplaces
    );
    assert_eq!(server.audit("selfreport.discard").len(), 1);
    let (_, html) = get(&org.client, &server, "/self-report/review").await;
    assert!(html.contains("No answers wait for review."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_unknown_and_tampered_links_get_one_page_and_change_nothing() {
    let server = Server::start().await;
    let seed = seed(&server);
    let made = server
        .store
        .write(|tx| sr::make_links(tx, &[seed.m_a, seed.m_d], "test", 30))
        .unwrap();
    // Link 0 expires.
    server
        .store
        .write(|tx| {
            tx.execute(
                "UPDATE self_report_links SET expires_at = '2020-01-01T00:00:00Z' WHERE token_hash = ?1",
                [sr::hash_token(&made[0].token)],
            )?;
            Ok(())
        })
        .unwrap();
    let good = &made[1].token;
    let mut tampered: Vec<char> = good.chars().collect();
    tampered[10] = if tampered[10] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let unknown = sr::new_token().unwrap();
    let c = client();
    let mut bodies = Vec::new();
    for t in [
        made[0].token.as_str(),
        tampered.as_str(),
        unknown.as_str(),
        "short",
        &format!("{good}x"),
    ] {
        let (st, html) = get(&c, &server, &format!("/r/{t}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{t}");
        let (st, posted) = post(
            &c,
            &server,
            &format!("/r/{t}"),
            &[("confirm", "1"), ("employer", "X")],
        )
        .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{t}");
        assert_eq!(html, posted);
        assert!(!html.contains("CANARY"));
        bodies.push(html);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "the pages differ");
    assert!(bodies[0].contains("It may have expired, already been used"));
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM self_report_answers"),
        0
    );
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM self_report_links WHERE opened_at IS NOT NULL"
        ),
        0
    );
    // The good link still works.
    assert_eq!(
        get(&c, &server, &format!("/r/{good}")).await.0,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_page_is_rate_limited_per_token_and_per_address() {
    let server = Server::start().await;
    let seed = seed(&server);
    let made = server
        .store
        .write(|tx| sr::make_links(tx, &[seed.m_a], "test", 30))
        .unwrap();
    let path = format!("/r/{}", made[0].token);
    let c = client();
    // One token from many addresses (the test client is the trusted proxy).
    let at = |i: i64| format!("10.0.{}.{}", i / 200, i % 200 + 1);
    for i in 0..TOKEN_LIMIT {
        let r = c
            .get(server.url(&path))
            .header("x-forwarded-for", at(i))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "request {i}");
    }
    let r = c
        .get(server.url(&path))
        .header("x-forwarded-for", at(999))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));

    // One address, many (made-up) tokens.
    for i in 0..ADDRESS_LIMIT {
        let t = sr::new_token().unwrap();
        let r = c
            .get(server.url(&format!("/r/{t}")))
            .header("x-forwarded-for", "192.0.2.7")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "request {i}");
    }
    let t = sr::new_token().unwrap();
    let r = c
        .get(server.url(&format!("/r/{t}")))
        .header("x-forwarded-for", "192.0.2.7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    let r = c
        .get(server.url(&format!("/r/{t}")))
        .header("x-forwarded-for", "192.0.2.8")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The table holds no usable token.
    assert_eq!(
        count(
            &server.store,
            &format!(
                "SELECT count(*) FROM self_report_throttle WHERE key LIKE '%{}%'",
                made[0].token
            )
        ),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_for_the_members_pages_filter() {
    let server = Server::start().await;
    let seed = seed(&server);
    let org = login(&server, "organizer", PASSWORD).await;
    // The Members page offers links for what it shows when a filter is in use.
    let (_, html) = get(&org.client, &server, "/members?q=CANARYafirst").await;
    assert!(
        html.contains("href=\"/self-report?q=CANARYafirst\""),
        "{html}"
    );
    let (st, html) = get(&org.client, &server, "/self-report?q=CANARYafirst").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("The one member matching the Members page"),
        "{html}"
    );
    assert!(
        html.contains("name=\"f_q\" value=\"CANARYafirst\""),
        "{html}"
    );
    let links = make_links(
        &org,
        &server,
        &[("selection", "filter"), ("f_q", "CANARYafirst")],
    )
    .await;
    assert_eq!(links.iter().map(|l| l.0).collect::<Vec<_>>(), [seed.m_a]);
    // Without a filter the choice is refused and no link is made.
    let (st, _) = post(
        &org.client,
        &server,
        "/self-report/links",
        &[("csrf", org.csrf.as_str()), ("selection", "filter")],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM self_report_links"),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generic_import_puts_workplace_columns_in_the_review_queue() {
    use shopfloor_node::import::{Format, ImportOptions, import_bytes};
    let server = Server::start().await;
    let csv = "email,first_name,employer,work_city,work_state,work_county,industry,job_title,union_name\n\
               ana@example.org,Ana,Amazon DUR5,Durham,nc,37063,493110,Picker,Teamsters\n\
               bo@example.org,Bo,City Schools,Raleigh,NC,51059,maestra,Teacher,\n\
               cy@example.org,Cy,,,,,,,\n";
    let summary = import_bytes(
        &server.store,
        csv.as_bytes(),
        &ImportOptions {
            format: Format::Generic,
            ..ImportOptions::default()
        },
        "test",
    )
    .unwrap();
    assert_eq!((summary.created, summary.self_reports), (3, 2));
    // Nothing recorded at a workplace: the rows wait for review.
    assert_eq!(
        count(&server.store, "SELECT count(*) FROM member_workplaces"),
        0
    );
    assert_eq!(count(&server.store, "SELECT count(*) FROM workplaces"), 0);
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    );
    let rows: Vec<Row> = server
        .store
        .read(|c| {
            let mut s = c.prepare(
                "SELECT employer, state, county_fips, sector, union_name FROM self_report_answers
                 WHERE status = 'pending' AND link_id IS NULL ORDER BY id",
            )?;
            let rows = s.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows,
        [
            (
                "Amazon DUR5".into(),
                s("NC"),
                s("37063"),
                s("48-49"),
                "Teamsters".into()
            ),
            // A county outside the state is left out; words find the sector.
            ("City Schools".into(), s("NC"), None, s("61"), String::new()),
        ]
    );
    // The organizer accepts the first like any answer.
    let org = login(&server, "admin", crate::util::ADMIN_PASSWORD).await;
    let (_, html) = get(&org.client, &server, "/self-report/review").await;
    assert!(html.contains("Amazon DUR5") && html.contains("City Schools"));
    let id = server
        .store
        .read(|c| {
            Ok(
                c.query_row("SELECT min(id) FROM self_report_answers", [], |r| {
                    r.get::<_, i64>(0)
                })?,
            )
        })
        .unwrap();
    let (st, _) = post(
        &org.client,
        &server,
        &format!("/self-report/review/{id}"),
        &[
            ("csrf", org.csrf.as_str()),
            ("decision", "accept"),
            ("workplace", "new"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(
        count(
            &server.store,
            "SELECT count(*) FROM workplaces WHERE sector = '48-49' AND county_fips = '37063'"
        ),
        1
    );
}
