//! The office of the JSON API's tests: a chairman, an operator (who also has a password) and
//! an admin, each with an API token; issuing, the feed, and the trust list signed again.

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use sonod_issuer::server::AppState;
use sonod_issuer::Role;
use sonod_keys::{read_secret_key, Passphrase, TrustListDraft, VerifyingKey};
use sonod_seal::feed::{FeedPageBody, Signed};

use super::{api_get, api_post, call, json_of, office, record};

pub struct ApiOffice {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub office_key: VerifyingKey,
    pub chairman: String,
    pub operator: String,
    pub admin: String,
}

pub fn api_office() -> ApiOffice {
    let o = office()
        .user("rahim", "মোঃ রহিম", Role::Chairman, None)
        .user("karim", "করিম", Role::Operator, Some("operator password"))
        .user("admin", "Admin", Role::Admin, None)
        .token("rahim", "test")
        .token("karim", "test")
        .token("admin", "test")
        .build();
    let [chairman, operator, admin] = <[String; 3]>::try_from(o.tokens).expect("three tokens");
    ApiOffice {
        dir: o.dir,
        state: o.state,
        office_key: o.key,
        chairman,
        operator,
        admin,
    }
}

/// The national authority edits the development trust list and signs it again.
pub fn resign_trust(f: &ApiOffice, edit: impl FnOnce(&mut TrustListDraft)) {
    let keys = f.dir.path().join("keys");
    let mut draft = TrustListDraft::read(keys.join("trust.json")).expect("draft");
    edit(&mut draft);
    let root = read_secret_key(keys.join("root.key.pem"), || {
        Ok(Passphrase::new(String::new()))
    })
    .expect("root");
    draft.sign(&root, None).expect("sign");
    draft.write(keys.join("trust.json")).expect("write");
}

/// The admin asks the service to read its key again.
pub async fn reload(f: &ApiOffice, router: &Router) -> (StatusCode, Value) {
    let (status, _, body) = call(
        router,
        api_post("/api/v1/admin/reload-key", Some(&f.admin), &json!({})),
    )
    .await;
    (status, json_of(&body))
}

/// Every event the feed has published so far.
pub async fn event_count(f: &ApiOffice, router: &Router) -> usize {
    feed(router, 0, 100, &f.office_key)
        .await
        .signed
        .events
        .len()
}

/// The chairman issues [`record`].
pub async fn issue(f: &ApiOffice, router: &Router) -> Value {
    issue_record(f, router, &record()).await
}

/// The chairman issues `record`.
pub async fn issue_record(f: &ApiOffice, router: &Router, record: &Value) -> Value {
    let (status, _, body) = call(
        router,
        api_post("/api/v1/certificates", Some(&f.chairman), record),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    json_of(&body)
}

/// A page of the feed, its signature verified with `key`.
pub async fn feed(
    router: &Router,
    after: u64,
    limit: usize,
    key: &VerifyingKey,
) -> Signed<FeedPageBody> {
    let (status, _, body) = call(
        router,
        api_get(&format!("/api/v1/feed?after={after}&limit={limit}"), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = Signed::<FeedPageBody>::parse(&body).expect("page");
    page.verify(key).expect("page signature");
    page
}
