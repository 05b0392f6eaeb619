//! Keyset pagination of the member list (issue 15): following `after=` / `before=` cursors walks
//! exactly the pages that offsets give, in both directions, for every filter path; a cursor
//! outside the reader's scope is ignored, not used; and the page's links carry the cursors.

use reqwest::StatusCode;
use shopfloor_node::domain::members::{self, ListFields};
use shopfloor_node::domain::pods;
use shopfloor_node::store::Store;
use shopfloor_node::web::auth::MemberScope;
use shopfloor_node::web::query::{self as q, MemberFilter, PageParams};

use crate::util::ADMIN_PASSWORD;
use crate::web::{Server, login, seed};

/// Names that sort alike: the same name many times (the id breaks ties), case and accents that
/// `lower()` folds or not, an empty first name, and members missing from the list.
fn people(store: &Store) -> Vec<i64> {
    let lasts = [
        "García", "garcia", "GARCIA", "Smith", "smith", "Núñez", "O'Brien", "Zed",
    ];
    let firsts = ["Ana", "ana", "", "Luis", "Zoë", "Mary Ann"];
    store
        .write(|tx| {
            let mut ids = Vec::new();
            for i in 0..130 {
                let f = ListFields {
                    first_name: firsts[i % firsts.len()].into(),
                    last_name: lasts[(i / 3) % lasts.len()].into(),
                    email: Some(format!("p{i}@example.org")),
                    membership_status: "Member in Good Standing".into(),
                    ..ListFields::default()
                };
                let id = members::create(tx, &f)?;
                if i % 11 == 0 {
                    tx.execute(
                        "UPDATE members SET list_status = 'missing' WHERE id = ?1",
                        [id],
                    )?;
                }
                ids.push(id);
            }
            Ok(ids)
        })
        .unwrap()
}

/// A pod of `members`: a pod lead's scope.
fn pod_of<'a>(store: &Store, name: &str, members: impl Iterator<Item = &'a i64>) -> i64 {
    store
        .write(|tx| {
            let pod = pods::create(tx, name, None)?;
            for id in members {
                pods::add_member(tx, pod, *id, false)?;
            }
            Ok(pod)
        })
        .unwrap()
}

fn ids(page: &q::Page<members::Member>) -> Vec<i64> {
    page.items.iter().map(|m| m.id).collect()
}

/// Every page by offset, then the same pages by `after` from the first and by `before` from the
/// last: the same ids in the same order, page for page.
fn walks_agree(store: &Store, scope: &MemberScope, filter: &MemberFilter, among: Option<&str>) {
    const PER: i64 = 7;
    store
        .read(|conn| {
            let at = |page: i64, after: Option<i64>, before: Option<i64>| {
                q::member_page_among(
                    conn,
                    scope,
                    filter,
                    &PageParams {
                        page: Some(page),
                        per_page: Some(PER),
                        after,
                        before,
                    },
                    among,
                    None,
                )
            };
            let by_offset = |page: i64| at(page, None, None);
            let first = by_offset(1)?;
            let pages = ((first.total + PER - 1) / PER).max(1);
            let offsets = (1..=pages)
                .map(|p| by_offset(p).map(|r| ids(&r)))
                .collect::<shopfloor_node::Result<Vec<_>>>()?;
            assert!(pages > 2, "the walk needs several pages, has {pages}");
            assert_eq!(
                offsets.iter().map(Vec::len).sum::<usize>() as i64,
                first.total
            );
            // Forwards.
            let mut cursor = *offsets[0].last().unwrap();
            for (i, want) in offsets.iter().enumerate().skip(1) {
                let page = at(i as i64 + 1, Some(cursor), None)?;
                assert_eq!(&ids(&page), want, "page {} after {cursor}", i + 1);
                assert_eq!(page.total, first.total);
                cursor = *want.last().unwrap();
            }
            // Past the last row: nothing more.
            assert!(at(pages + 1, Some(cursor), None)?.items.is_empty());
            // Backwards.
            let mut cursor = offsets[offsets.len() - 1][0];
            for (i, want) in offsets.iter().enumerate().rev().skip(1) {
                let page = at(i as i64 + 1, None, Some(cursor))?;
                assert_eq!(&ids(&page), want, "page {} before {cursor}", i + 1);
                cursor = want[0];
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn cursors_walk_the_pages_offsets_give_in_both_directions() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path().join("s.db")).unwrap();
    let all = people(&store);
    let present = MemberFilter {
        list_status: Some("present".into()),
        ..MemberFilter::default()
    };
    walks_agree(&store, &MemberScope::All, &MemberFilter::default(), None);
    walks_agree(&store, &MemberScope::All, &present, None);
    // A search by the SQL LIKEs, and the same one from the index's ids.
    let garcia = MemberFilter {
        search: Some("garc".into()),
        ..MemberFilter::default()
    };
    walks_agree(&store, &MemberScope::All, &garcia, None);
    let among = shopfloor_node::store::search::json_ids(&all);
    walks_agree(&store, &MemberScope::All, &present, Some(&among));
    // A pod lead's scope.
    let pod = pod_of(&store, "Night shift", all.iter().step_by(2));
    walks_agree(&store, &MemberScope::Pods(vec![pod]), &present, None);
}

#[test]
fn a_cursor_outside_the_scope_is_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path().join("s.db")).unwrap();
    let all = people(&store);
    let pod = pod_of(&store, "Day shift", all.iter().step_by(3));
    let scope = MemberScope::Pods(vec![pod]);
    let filter = MemberFilter::default();
    store
        .read(|conn| {
            let params = |after, before| PageParams {
                page: Some(2),
                per_page: Some(5),
                after,
                before,
            };
            let by_offset = ids(&q::member_page(conn, &scope, &filter, &params(None, None))?);
            assert_eq!(by_offset.len(), 5);
            // Members outside the pod, and one that does not exist: the page is read by its
            // number, so where a hidden member's name sorts shows nowhere.
            for hidden in all.iter().skip(1).step_by(3).chain([&999_999]) {
                for (after, before) in [(Some(*hidden), None), (None, Some(*hidden))] {
                    let page = q::member_page(conn, &scope, &filter, &params(after, before))?;
                    assert_eq!(ids(&page), by_offset, "cursor {hidden}");
                }
            }
            // A member inside the pod moves the page.
            let inside = all[3 * 20];
            let page = q::member_page(conn, &scope, &filter, &params(Some(inside), None))?;
            assert_ne!(ids(&page), by_offset);
            Ok(())
        })
        .unwrap();
}

/// The page's "next" and "previous" links carry the cursors, and following them shows the
/// pages that `page=` shows.
#[tokio::test]
async fn the_pager_links_follow_the_list_by_cursor() {
    let server = Server::start().await;
    seed(&server);
    people(&server.store);
    let s = login(&server, "admin", ADMIN_PASSWORD).await;
    let get = |path: String| {
        let s = &s;
        let server = &server;
        async move {
            let r = s.client.get(server.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            r.text().await.unwrap()
        }
    };
    // The member links of a page, in order.
    let rows = |html: &str| -> Vec<String> {
        html.match_indices("href=\"/members/")
            .map(|(i, _)| {
                let rest = &html[i + "href=\"/members/".len()..];
                rest[..rest.find('"').unwrap()].to_owned()
            })
            .filter(|id| id.chars().all(|c| c.is_ascii_digit()))
            .collect()
    };
    let link = |html: &str, rel: &str| -> Option<String> {
        let at = html.find(&format!("rel=\"{rel}\""))?;
        let start = html[..at].rfind("href=\"")? + "href=\"".len();
        let end = start + html[start..].find('"')?;
        Some(html[start..end].replace("&amp;", "&").replace("&#38;", "&"))
    };
    let first = get("/members?list=all".into()).await;
    let next = link(&first, "next").expect("a next link on page 1");
    let last_of_first = rows(&first).last().cloned().unwrap();
    assert!(
        next.ends_with(&format!("page=2&after={last_of_first}")),
        "{next}"
    );
    let second = get(next).await;
    assert_eq!(
        rows(&second),
        rows(&get("/members?list=all&page=2".into()).await)
    );
    let prev = link(&second, "prev").expect("a previous link on page 2");
    assert!(
        prev.contains(&format!("before={}", rows(&second)[0])),
        "{prev}"
    );
    assert_eq!(rows(&get(prev).await), rows(&first));
}
