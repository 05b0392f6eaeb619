//! The member list's search answered from the store's index (store::search) selects exactly the
//! members the SQL `LIKE`s select, and follows writes (issue 15).

use reqwest::StatusCode;
use shopfloor_node::domain::members::{self, ListFields};
use shopfloor_node::store::search::{MemberIndex, json_ids, needle};
use shopfloor_node::web::auth::MemberScope;
use shopfloor_node::web::query::{self as q, MemberFilter, PageParams};

use crate::util::ADMIN_PASSWORD;
use crate::web::{Server, canary_member, login, seed};

fn person(first: &str, last: &str, email: Option<&str>) -> ListFields {
    ListFields {
        first_name: first.into(),
        last_name: last.into(),
        email: email.map(str::to_owned),
        membership_status: "Member in Good Standing".into(),
        ..ListFields::default()
    }
}

#[test]
fn the_index_selects_the_members_the_like_search_selects() {
    let tmp = tempfile::tempdir().unwrap();
    let store = shopfloor_node::store::Store::open(tmp.path().join("s.db")).unwrap();
    let people = [
        ("Ana", "Smith", Some("ana.smith@example.org")),
        ("John", "SMITHERS", None),
        ("Ágata", "Núñez", Some("AGATA@Example.ORG")),
        ("Zoë", "O'Brien", Some("zoe_obrien@example.org")),
        ("Li", "100% Wei", Some("li%wei@example.org")),
        ("Mary Ann", "de la Cruz", Some("  mac@example.org ")),
        ("", "Solo", None),
    ];
    store
        .write(|tx| {
            for (f, l, e) in people {
                members::create(tx, &person(f, l, e))?;
            }
            Ok(())
        })
        .unwrap();
    let index = store.read(MemberIndex::build).unwrap();
    assert_eq!(index.len(), people.len());
    let texts = [
        "smith",
        "SMITH",
        "mith",
        "ana",
        "  Ana  ",
        "ágata",
        "Ágata",
        "gata",
        "agata",
        "núñez",
        "ÑEZ",
        "zoë",
        "o'b",
        "_",
        "%",
        "100%",
        "i%w",
        "a a",
        "de la",
        "@example",
        "example.org",
        "mac@",
        "solo",
        "x",
        "ZZZ",
        "n",
        ".",
        "'",
    ];
    let all = PageParams {
        page: Some(1),
        per_page: Some(100),
        ..Default::default()
    };
    store
        .read(|conn| {
            for text in texts {
                let filter = MemberFilter {
                    search: Some(text.into()),
                    ..MemberFilter::default()
                };
                let by_like = q::member_page(conn, &MemberScope::All, &filter, &all)?;
                let ids = index.matching(&needle(text)).expect("the index answers");
                let json = json_ids(&ids);
                let by_index = q::member_page_among(
                    conn,
                    &MemberScope::All,
                    &filter,
                    &all,
                    Some(&json),
                    None,
                )?;
                let like: Vec<i64> = by_like.items.iter().map(|m| m.id).collect();
                let indexed: Vec<i64> = by_index.items.iter().map(|m| m.id).collect();
                assert_eq!(like, indexed, "search {text:?}");
                assert_eq!(by_like.total, by_index.total, "search {text:?}");
            }
            Ok(())
        })
        .unwrap();
    // Texts the index does not answer go to SQL.
    assert!(index.matching("").is_none());
    assert!(index.matching("a\0b").is_none());
}

#[tokio::test]
async fn a_search_finds_a_member_written_after_the_previous_search() {
    let server = Server::start().await;
    seed(&server);
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let search = |q: &'static str| {
        let s = &s;
        let server = &server;
        async move {
            let r = s
                .client
                .get(server.url(&format!("/members?list=all&q={q}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.text().await.unwrap()
        }
    };
    let before = search("canarysearchone").await;
    assert!(!before.contains("CANARYsearchonefirst"));
    let id = server
        .store
        .write(|tx| members::create(tx, &canary_member("searchone")))
        .unwrap();
    let after = search("canarysearchone").await;
    assert!(
        after.contains(&format!("/members/{id}")),
        "the new member is not found by a search right after the write"
    );
    // A change of name is found under the new name, not the old one.
    server
        .store
        .write(|tx| {
            let mut f = members::get(tx, id)?.list;
            f.first_name = "Renamedsearchone".into();
            f.last_name = "Person".into();
            f.email = None;
            members::update_list_fields(tx, id, &f, "2026-01-01T00:00:00Z")
        })
        .unwrap();
    assert!(
        search("renamedsearch")
            .await
            .contains(&format!("/members/{id}"))
    );
    assert!(
        !search("canarysearchone")
            .await
            .contains(&format!("/members/{id}"))
    );
}

/// Every page of every search below, from the index (`member_page_indexed`) and from the SQL
/// (`member_page`): the same ids, order and count. Panics with `when` on a difference.
fn same_pages_as_sql(store: &shopfloor_node::store::Store, when: &str) {
    use shopfloor_node::store::search::{CACHE_KEY, TTL};
    let texts = [
        "smith",
        "SMI",
        "a",
        "ana",
        "example",
        "zz-nobody",
        "o'b",
        "%",
    ];
    let statuses = [None, Some("present"), Some("missing")];
    let standings = [None, Some("good-standing"), Some("lapsed"), Some("bogus")];
    let roles = [None, Some("member"), Some("none")];
    store
        .read(|conn| {
            // As the list page takes it: from the store's cache, rebuilt after a write.
            let index = store.cached_on(conn, CACHE_KEY, TTL, MemberIndex::build)?;
            for text in texts {
                for list_status in statuses {
                    for standing in standings {
                        for role in roles {
                            let filter = MemberFilter {
                                search: Some(text.into()),
                                list_status: list_status.map(str::to_owned),
                                standing: standing.map(str::to_owned),
                                union_role: role.map(str::to_owned),
                                ..MemberFilter::default()
                            };
                            for (page, per_page) in [(1, 3), (2, 3), (3, 3), (40, 3), (1, 100)] {
                                let params = PageParams {
                                    page: Some(page),
                                    per_page: Some(per_page),
                                    ..Default::default()
                                };
                                let sql =
                                    q::member_page(conn, &MemberScope::All, &filter, &params)?;
                                let mem = q::member_page_indexed(
                                    conn,
                                    &index,
                                    &MemberScope::All,
                                    &filter,
                                    &params,
                                )?
                                .expect("the index answers this filter");
                                let a: Vec<i64> = sql.items.iter().map(|m| m.id).collect();
                                let b: Vec<i64> = mem.items.iter().map(|m| m.id).collect();
                                let what = format!("{when}: {filter:?} page {page}/{per_page}");
                                assert_eq!(a, b, "{what}");
                                assert_eq!(sql.total, mem.total, "{what}");
                                assert_eq!((sql.page, sql.per_page), (mem.page, mem.per_page));
                            }
                        }
                    }
                }
            }
            // What the index does not hold goes to SQL: a pod lead's scope, a pod filter.
            let filter = MemberFilter {
                search: Some("smith".into()),
                ..MemberFilter::default()
            };
            let params = PageParams::default();
            assert!(
                q::member_page_indexed(
                    conn,
                    &index,
                    &MemberScope::Pods(vec![1]),
                    &filter,
                    &params
                )?
                .is_none()
            );
            assert!(
                q::member_page_indexed(conn, &index, &MemberScope::None, &filter, &params)?
                    .is_none()
            );
            let by_pod = MemberFilter {
                pod: Some(1),
                ..filter.clone()
            };
            assert!(
                q::member_page_indexed(conn, &index, &MemberScope::All, &by_pod, &params)?
                    .is_none()
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_search_pages_and_counts_from_the_index_as_the_sql_does_and_after_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let store = shopfloor_node::store::Store::open(tmp.path().join("s.db")).unwrap();
    // Ties and near-ties in the list's order (lower(last), lower(first), id), case and
    // non-ASCII differences, and each standing and union answer.
    let people = [
        (
            "Ana",
            "Smith",
            Some("ana.smith@example.org"),
            "Member in Good Standing",
            "Yes",
        ),
        ("ana", "smith", None, "Lapsed", "No"),
        ("ANA", "SMITH", Some("a2@example.org"), "Member", ""),
        ("Bob", "Smith", None, "Member in Good Standing", "Yes"),
        ("bob", "Smithers", Some("bob@example.org"), "", "No"),
        ("Álvaro", "Smith", None, "Lapsed", "Yes"),
        ("Zed", "smith", None, "Member in Good Standing", ""),
        ("Zoë", "O'Brien", Some("zoe@example.org"), "Member", "Yes"),
        ("Li", "100% Wei", Some("li%wei@example.org"), "Lapsed", "No"),
        ("", "Solo", None, "Member in Good Standing", "Yes"),
        (
            "Mary",
            "Ñandú",
            Some("mary@example.org"),
            "Member in Good Standing",
            "Yes",
        ),
        ("Nate", "Asmith", None, "Member", "Yes"),
    ];
    let ids = store
        .write(|tx| {
            let mut ids = Vec::new();
            for (f, l, e, status, union) in people {
                let mut p = person(f, l, e);
                p.membership_status = status.into();
                p.union_member = union.into();
                ids.push(members::create(tx, &p)?);
            }
            // Some are off the list.
            members::set_list_status(tx, ids[2], false)?;
            members::set_list_status(tx, ids[9], false)?;
            Ok(ids)
        })
        .unwrap();
    same_pages_as_sql(&store, "at first");
    // A new member matching the searches, sorting before everyone.
    store
        .write(|tx| members::create(tx, &person("Aaron", "Smith", Some("aa@example.org"))))
        .unwrap();
    same_pages_as_sql(&store, "after a new member");
    // A member renamed out of "smith" and one renamed into it; one lapsed.
    store
        .write(|tx| {
            let mut f = members::get(tx, ids[0])?.list;
            f.last_name = "Jones".into();
            f.email = None;
            members::update_list_fields(tx, ids[0], &f, "2026-01-01T00:00:00Z")?;
            let mut f = members::get(tx, ids[7])?.list;
            f.last_name = "Smithson".into();
            members::update_list_fields(tx, ids[7], &f, "2026-01-01T00:00:00Z")?;
            let mut f = members::get(tx, ids[3])?.list;
            f.membership_status = "Lapsed".into();
            members::update_list_fields(tx, ids[3], &f, "2026-01-01T00:00:00Z")
        })
        .unwrap();
    same_pages_as_sql(&store, "after renames and a lapse");
    // One taken off the list, one back on it, one removed.
    store
        .write(|tx| {
            members::set_list_status(tx, ids[5], false)?;
            members::set_list_status(tx, ids[2], true)?;
            tx.execute("DELETE FROM members WHERE id = ?1", [ids[6]])?;
            Ok(())
        })
        .unwrap();
    same_pages_as_sql(&store, "after list changes and a removal");
}
