//! Business Manager and posting: `/me/businesses`, `/{business}/owned_pages` and
//! `/client_pages` (with `business_management`), and `POST /{page}/feed` with that page's
//! token (`pages_manage_posts`), so a real posting script can run against the sandbox.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::{Kind, Post, TokenRec, World};
use crate::routes::{Reply, error, ok, user_token};

fn pages_data(w: &mut World, rec: &TokenRec, ids: &[String]) -> Vec<Value> {
    let mut data = Vec::new();
    for pid in ids {
        let page = w.pages[pid].clone();
        let page_token = w.mint_page(rec, pid);
        data.push(
            json!({"access_token": page_token, "name": page.name, "id": pid, "tasks": page.tasks}),
        );
    }
    data
}

pub(crate) fn businesses(w: &mut World, p: &BTreeMap<String, String>) -> Reply {
    let (_, rec) = match user_token(w, p) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !rec.scopes.iter().any(|s| s == "business_management") {
        return error(
            403,
            200,
            None,
            "(#200) Requires business_management permission to manage the object",
        );
    }
    let ids = w
        .user_businesses
        .get(&rec.user_id)
        .cloned()
        .unwrap_or_default();
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "name": w.businesses[id].name}))
        .collect();
    ok(json!({"data": data, "paging": {"cursors": {"before": "b0", "after": "b0"}}}))
}

pub(crate) fn business_edge(
    w: &mut World,
    p: &BTreeMap<String, String>,
    biz: &str,
    edge: &str,
) -> Reply {
    let (_, rec) = match user_token(w, p) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let member = w
        .user_businesses
        .get(&rec.user_id)
        .is_some_and(|b| b.iter().any(|x| x == biz));
    if !member || !rec.scopes.iter().any(|s| s == "business_management") {
        return error(
            403,
            200,
            None,
            "(#200) Requires business_management permission to manage the object",
        );
    }
    let b = w.businesses[biz].clone();
    let ids = if edge == "owned_pages" {
        b.owned_pages
    } else {
        b.client_pages
    };
    let data = pages_data(w, &rec, &ids);
    ok(json!({"data": data, "paging": {"cursors": {"before": "p0", "after": "p0"}}}))
}

pub(crate) fn post_to_feed(w: &mut World, p: &BTreeMap<String, String>, page: &str) -> Reply {
    let (_, rec) = match user_token(w, p) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if rec.kind != Kind::Page || rec.page_id.as_deref() != Some(page) {
        return error(
            403,
            200,
            None,
            "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission",
        );
    }
    if !rec.scopes.iter().any(|s| s == "pages_manage_posts") {
        return error(
            403,
            200,
            None,
            "(#200) Requires pages_manage_posts permission",
        );
    }
    let Some(message) = p.get("message").filter(|m| !m.is_empty()) else {
        return error(400, 100, None, "(#100) Missing message or attachment");
    };
    let id = format!("{page}_{}", w.posts.len() + 1);
    w.posts.push(Post {
        id: id.clone(),
        page_id: page.into(),
        message: message.clone(),
    });
    ok(json!({"id": id}))
}

pub(crate) fn read_feed(w: &mut World, p: &BTreeMap<String, String>, page: &str) -> Reply {
    if let Err(r) = user_token(w, p) {
        return r;
    }
    let data: Vec<Value> = w
        .posts
        .iter()
        .rev()
        .filter(|x| x.page_id == page)
        .map(|x| json!({"id": x.id, "message": x.message}))
        .collect();
    ok(json!({"data": data}))
}
