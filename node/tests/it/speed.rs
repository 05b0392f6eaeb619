//! What makes the node fast must not change what it shows or what it records (issue 15): the
//! cached dashboard and report preview follow every write, and views audited through the batched
//! queue are all recorded, each before its response, even when many arrive at once.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use shopfloor_node::domain::members;

use crate::util::{ADMIN_PASSWORD, count};
use crate::web::{Server, canary_member, login, seed};

async fn dashboard_members(s: &crate::web::Session, server: &Server) -> i64 {
    let r = s
        .send(Method::GET, &server.url("/api/v1/dashboard"), None)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    v["members"].as_i64().unwrap()
}

#[tokio::test]
async fn cached_dashboard_and_preview_follow_writes() {
    let server = Server::start().await;
    seed(&server);
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let before = dashboard_members(&s, &server).await;
    assert_eq!(dashboard_members(&s, &server).await, before, "served again");
    let html = |path: &'static str| {
        let s = &s;
        let server = &server;
        async move {
            let r = s.client.get(server.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            r.text().await.unwrap()
        }
    };
    let page = html("/").await;
    let preview = html("/reports").await;
    // A write through the store the server uses: the next views show it, without waiting.
    server
        .store
        .write(|tx| {
            members::create(tx, &canary_member("speed1"))?;
            members::create(tx, &canary_member("speed2"))?;
            Ok(())
        })
        .unwrap();
    assert_eq!(dashboard_members(&s, &server).await, before + 2);
    let fmt = |n: i64| n.to_string();
    let page_after = html("/").await;
    assert_ne!(
        page, page_after,
        "the dashboard did not change after a write"
    );
    assert!(
        page_after.contains(&fmt(before + 2)),
        "the dashboard does not show {} members",
        before + 2
    );
    let preview_after = html("/reports").await;
    assert_ne!(
        preview, preview_after,
        "the report preview did not change after a write"
    );
}

#[tokio::test]
async fn concurrent_views_are_each_audited_before_their_answer() {
    let server = Server::start().await;
    let seeded = seed(&server);
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let views = |store: &shopfloor_node::store::Store| {
        count(
            store,
            "SELECT count(*) FROM audit_log WHERE action IN ('member.view', 'members.list')",
        )
    };
    let before = views(&server.store);
    let ids = [seeded.m_a, seeded.m_b, seeded.m_c, seeded.m_d];
    let mut tasks = Vec::new();
    for i in 0..40 {
        let client = s.client.clone();
        let url = if i % 5 == 0 {
            server.url("/members")
        } else {
            server.url(&format!("/members/{}", ids[i % ids.len()]))
        };
        tasks.push(tokio::spawn(async move {
            client.get(url).send().await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    // Every answered view is already committed: no waiting for a flush.
    assert_eq!(views(&server.store), before + 40);
    let per_member = count(
        &server.store,
        &format!(
            "SELECT count(*) FROM audit_log WHERE action = 'member.view' AND subject = 'member:{}'",
            seeded.m_b
        ),
    );
    assert_eq!(per_member, 8);
}

async fn page_html(s: &crate::web::Session, server: &Server, path: &str) -> String {
    let r = s.client.get(server.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn cached_mapping_progress_on_the_dashboard_follows_writes() {
    use shopfloor_node::domain::selfreport as sr;
    use shopfloor_node::domain::workplaces::{self, Link};
    use shopfloor_node::web::ui::i18n::Lang;
    use shopfloor_node::web::ui::selfreport_review::progress_lines;

    let server = Server::start().await;
    let seeded = seed(&server);
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    // The mapped line as the page renders it, from counts read straight from the database.
    let mapped_line = |server: &Server| {
        let p = server.store.read(sr::progress).unwrap();
        (p.mapped, progress_lines(Lang::En, &p)[0].1.clone())
    };
    let (mapped, line) = mapped_line(&server);
    let page = page_html(&s, &server, "/").await;
    assert!(page.contains(&line), "the dashboard does not show {line:?}");
    assert_eq!(page_html(&s, &server, "/").await, page, "served again");
    // m_b works nowhere yet: linking it is one more member mapped, shown on the next view.
    server
        .store
        .write(|tx| {
            workplaces::link_member(
                tx,
                &Link {
                    member_id: seeded.m_b,
                    workplace_id: seeded.w1,
                    job_title: "CANARYjobspeed".into(),
                    since: None,
                    is_primary: true,
                },
            )
        })
        .unwrap();
    let (mapped_after, line_after) = mapped_line(&server);
    assert_eq!(mapped_after, mapped + 1);
    assert_ne!(line, line_after);
    let page_after = page_html(&s, &server, "/").await;
    assert!(
        page_after.contains(&line_after),
        "the dashboard still shows the old mapping line, not {line_after:?}"
    );
}

#[tokio::test]
async fn cached_member_list_total_and_workplace_choices_follow_writes() {
    use shopfloor_node::domain::workplaces::{self, WorkplaceFields};
    use shopfloor_node::web::ui::i18n::{Lang, LangExt as _};

    let server = Server::start().await;
    let seeded = seed(&server);
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let showing = |n: i64| {
        Lang::En.ta(
            "ui-members-showing",
            &[
                ("first", 1i64.into()),
                ("last", n.into()),
                ("total", n.into()),
            ],
        )
    };
    let present = |server: &Server| {
        count(
            &server.store,
            "SELECT count(*) FROM members WHERE list_status = 'present'",
        )
    };
    let n = present(&server);
    assert!(n > 0);
    let list = page_html(&s, &server, "/members").await;
    assert!(
        list.contains(&showing(n)),
        "the list does not show {:?}",
        showing(n)
    );
    // A page past the end is answered with the last page, from the same (cached) total.
    assert!(
        page_html(&s, &server, "/members?page=9")
            .await
            .contains(&showing(n))
    );
    let member = format!("/members/{}", seeded.m_d);
    assert!(
        !page_html(&s, &server, &member)
            .await
            .contains("CANARYspeedemployer")
    );

    server
        .store
        .write(|tx| {
            members::create(tx, &canary_member("speed3"))?;
            workplaces::create(
                tx,
                &WorkplaceFields {
                    employer: "CANARYspeedemployer".into(),
                    representation: "none".into(),
                    ..WorkplaceFields::default()
                },
                "test",
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(present(&server), n + 1);
    let list_after = page_html(&s, &server, "/members").await;
    assert!(
        list_after.contains(&showing(n + 1)),
        "the list does not show {:?} after a write",
        showing(n + 1)
    );
    assert!(
        page_html(&s, &server, &member)
            .await
            .contains("CANARYspeedemployer"),
        "the member page does not offer the new workplace"
    );
}

/// A statement the node keeps in a connection's cache is compiled once. Without the query
/// planner stability guarantee (`store::connection::configure`), SQLite planned these shapes
/// from their bound values and compiled them again at every use from rusqlite's cache: the
/// member list's page and the session lookup, at every request.
#[test]
fn cached_statements_are_not_compiled_again_at_each_use() {
    use rusqlite::StatementStatus;
    use rusqlite::types::Value;
    let (_tmp, _dir, store) = crate::util::node();
    store
        .write(|tx| {
            for i in 0..20 {
                members::create(tx, &canary_member(&format!("recompile{i}")))?;
            }
            Ok(())
        })
        .unwrap();
    // The shapes of `web::query::member_page_among`'s page and `web::session::resolve_session`.
    let shapes: [(&str, Vec<Value>); 2] = [
        (
            "SELECT m.id FROM members m WHERE 1 AND m.list_status = ? \
             ORDER BY lower(m.last_name), lower(m.first_name), m.id LIMIT ? OFFSET ?",
            vec!["present".to_owned().into(), 50.into(), 0.into()],
        ),
        (
            "SELECT u.id FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND s.last_seen > ?3 AND u.disabled = 0",
            vec!["hash".to_owned().into(), 5.into(), 3.into()],
        ),
    ];
    let check = |conn: &rusqlite::Connection| {
        for (sql, args) in &shapes {
            for _ in 0..3 {
                let mut stmt = conn.prepare_cached(sql).unwrap();
                let rows = stmt
                    .query_map(rusqlite::params_from_iter(args.iter()), |_| Ok(()))
                    .unwrap();
                assert!(rows.map(Result::unwrap).count() <= 50);
            }
            let stmt = conn.prepare_cached(sql).unwrap();
            assert_eq!(
                stmt.get_status(StatementStatus::RePrepare),
                0,
                "compiled again when taken from the cache: {sql}"
            );
        }
    };
    store
        .read(|conn| {
            check(conn);
            Ok(())
        })
        .unwrap();
    store
        .write(|tx| {
            check(tx);
            Ok(())
        })
        .unwrap();
}

/// Giving memory back when idle (`Store::release_memory`, run by the server a tick after the
/// last request) closes every idle reader and empties the writer, skips a connection in use,
/// counts activity, and leaves the store answering as before.
#[test]
fn releasing_memory_empties_idle_connections_and_changes_no_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let store = shopfloor_node::store::Store::open(tmp.path().join("s.db")).unwrap();
    store
        .write(|tx| {
            for i in 0..500 {
                members::create(tx, &canary_member(&format!("release{i}")))?;
            }
            Ok(())
        })
        .unwrap();
    let count_all = |s: &shopfloor_node::store::Store| {
        s.read(|c| Ok(c.query_row("SELECT count(*) FROM members", [], |r| r.get::<_, i64>(0))?))
            .unwrap()
    };
    let before = store.activity();
    let n = count_all(&store);
    assert!(store.activity() > before, "a read counts as activity");
    // Two readers opened at once, then idle, and the writer: three connections emptied.
    let barrier = std::sync::Barrier::new(2);
    let (a, b) = std::thread::scope(|scope| {
        let (store, barrier) = (&store, &barrier);
        let one = || {
            store
                .read(|c| {
                    barrier.wait();
                    Ok(c.query_row("SELECT count(*) FROM members", [], |r| r.get::<_, i64>(0))?)
                })
                .unwrap()
        };
        let x = scope.spawn(one);
        let y = scope.spawn(one);
        (x.join().unwrap(), y.join().unwrap())
    });
    assert_eq!((a, b), (n, n));
    assert_eq!(store.readers_open(), 2);
    // A cached read is served from the cache until the release, and computed again after it.
    use std::sync::atomic::{AtomicUsize, Ordering};
    let computed = AtomicUsize::new(0);
    let cached = || {
        store
            .read(|c| {
                store.cached_on(c, "count", std::time::Duration::from_secs(60), |c| {
                    computed.fetch_add(1, Ordering::SeqCst);
                    Ok(c.query_row("SELECT count(*) FROM members", [], |r| r.get::<_, i64>(0))?)
                })
            })
            .unwrap()
    };
    assert_eq!((*cached(), *cached()), (n, n));
    assert_eq!(computed.load(Ordering::SeqCst), 1);
    assert_eq!(store.release_memory().unwrap(), 3);
    assert_eq!(*cached(), n);
    assert_eq!(
        computed.load(Ordering::SeqCst),
        2,
        "the release forgot the cached value"
    );
    assert_eq!(store.readers_open(), 1);
    assert_eq!(store.release_memory().unwrap(), 2);
    assert_eq!(store.readers_open(), 0, "idle readers are closed");
    // The next read opens one again.
    assert_eq!(count_all(&store), n);
    assert_eq!(store.readers_open(), 1);
    // A reader in use is left alone: it stays open; the writer is emptied.
    store
        .read(|held| {
            assert_eq!(store.release_memory().unwrap(), 1);
            assert_eq!(
                held.query_row("SELECT count(*) FROM members", [], |r| r.get::<_, i64>(0))?,
                n
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(
        store.readers_open(),
        1,
        "the reader in use was handed back, not closed"
    );
    // The writer busy: only the idle reader.
    store
        .write(|_tx| {
            assert_eq!(store.release_memory().unwrap(), 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(store.readers_open(), 0);
    assert_eq!(count_all(&store), n);
    assert_eq!(n, 500);
}
