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
