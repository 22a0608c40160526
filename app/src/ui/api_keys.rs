//! `/api-keys`: the tenant's API keys. Owners and admins create a key (name, scopes, optional
//! expiry) and see it once, list keys with their last use (time and address) and revoke them.

use leptos::prelude::*;

use super::team::AppNav;
use super::LoadError;
use crate::api::api_keys::{create_api_key, list_api_keys, revoke_api_key};
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{ApiKeyInfo, ApiKeysOverview, ApiScope};

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into())
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let data = wire_resource(|| (), |()| list_api_keys());
    view! {
        <AppNav/>
        <main class="app-page api-keys-page">
            <h1>"API keys"</h1>
            <p class="app-muted">
                "Other programs use a key to call the SitePilot API ("<code>"Authorization: Bearer sp_live_…"</code>
                "). A key acts for your organisation with the scopes you give it, never beyond your own role."
            </p>
            <Suspense fallback=|| view! { <p>"Loading the keys…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(o) => view! { <KeysView data=o/> }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn KeysView(data: ApiKeysOverview) -> impl IntoView {
    let current = RwSignal::new(data);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let shown = RwSignal::new(None::<(String, String)>);
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec![ApiScope::ReadSites]);
    let field_error = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .filter(|e| e.field() == Some(field))
                    .map(ToString::to_string)
            })
        }
    };
    let general_error = move || {
        error
            .get()
            .filter(|e| !matches!(e.field(), Some("name" | "scopes" | "expires_in_days")))
            .map(|e| view! { <p role="alert" class="app-error">{e.to_string()}</p> })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        shown.set(None);
        let d = days.get_untracked();
        let expires = if d.trim().is_empty() {
            None
        } else {
            match d.trim().parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    error.set(Some(AppError::invalid(
                        "expires_in_days",
                        "Enter a number of days, or leave it empty for no expiry.",
                    )));
                    return;
                }
            }
        };
        let scopes: Vec<String> = chosen
            .get_untracked()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        busy.set(true);
        let key_name = name.get_untracked();
        leptos::task::spawn_local(async move {
            match create_api_key(key_name, scopes, expires).await {
                Ok(c) => {
                    shown.try_set(Some((c.info.name.clone(), c.key.clone())));
                    current.try_set(c.overview);
                    name.try_set(String::new());
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let revoke = move |id: uuid::Uuid| {
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match revoke_api_key(id).await {
                Ok(o) => {
                    current.try_set(o);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let boxes = move || {
        current.with(|o| {
            o.grantable
                .iter()
                .map(|scope| {
                    let scope = *scope;
                    let id = format!("scope-{}", scope.as_str());
                    view! {
                        <div class="app-check">
                            <input type="checkbox" id=id.clone()
                                prop:checked=move || chosen.with(|c| c.contains(&scope))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|x| *x != scope);
                                        if on { c.push(scope); }
                                    });
                                }/>
                            <label for=id>{scope.label()}</label>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    let once = move || {
        shown.get().map(|(n, key)| {
            view! {
                <section class="app-card" aria-labelledby="new-key-heading" role="region">
                    <h2 id="new-key-heading">{format!("Your new key “{n}”")}</h2>
                    <p role="status">"Copy it now: it is shown only once, and SitePilot keeps only a fingerprint of it."</p>
                    <p><code aria-label="New API key">{key}</code></p>
                    <button type="button" class="app-button app-button-ghost" on:click=move |_| shown.set(None)>"I have copied it"</button>
                </section>
            }
        })
    };
    view! {
        {general_error}
        {once}
        <section class="app-card" aria-labelledby="create-key">
            <h2 id="create-key">"Create a key"</h2>
            <form on:submit=submit novalidate>
                <div class="app-field">
                    <label for="key-name">"Key name"</label>
                    <input id="key-name" type="text" autocomplete="off" aria-describedby="key-name-error"
                        aria-invalid=move || field_error("name")().is_some().to_string()
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <p class="app-field-error" id="key-name-error">{field_error("name")}</p>
                </div>
                <fieldset class="app-field" aria-describedby="key-scopes-error">
                    <legend>"Scopes"</legend>
                    {boxes}
                    <p class="app-field-error" id="key-scopes-error">{field_error("scopes")}</p>
                </fieldset>
                <div class="app-field">
                    <label for="key-days">"Expires after (days, optional)"</label>
                    <input id="key-days" type="number" min="1" inputmode="numeric" aria-describedby="key-days-error"
                        prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
                    <p class="app-field-error" id="key-days-error">{field_error("expires_in_days")}</p>
                </div>
                <button type="submit" class="app-button" disabled=move || busy.get()>"Create key"</button>
            </form>
        </section>
        <section class="app-card" aria-labelledby="keys-heading">
            <h2 id="keys-heading">"Keys"</h2>
            {move || {
                let keys = current.with(|o| o.keys.clone());
                if keys.is_empty() {
                    view! { <p>"No keys yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="team-table" aria-label="API keys">
                            <thead>
                                <tr>
                                    <th>"Name"</th><th>"Key"</th><th>"Scopes"</th><th>"Created"</th>
                                    <th>"Expires"</th><th>"Last used"</th><th>"State"</th><th></th>
                                </tr>
                            </thead>
                            <tbody>
                                {keys.into_iter().map(|k| view! { <KeyRow k=k revoke=revoke busy=busy/> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn KeyRow(
    k: ApiKeyInfo,
    revoke: impl Fn(uuid::Uuid) + Copy + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let id = k.id;
    let state = if k.revoked_at.is_some() {
        format!("revoked {}", when(k.revoked_at))
    } else if k.expired {
        "expired".to_string()
    } else {
        "active".to_string()
    };
    let last_used = match (&k.last_used_at, &k.last_used_ip) {
        (Some(_), Some(ip)) => format!("{} from {ip}", when(k.last_used_at)),
        _ => when(k.last_used_at),
    };
    let action = (k.revoked_at.is_none()).then(|| {
        view! {
            <button type="button" class="app-button app-button-ghost" disabled=move || busy.get()
                aria-label=format!("Revoke {}", k.name)
                on:click=move |_| revoke(id)>"Revoke"</button>
        }
    });
    view! {
        <tr>
            <td>{k.name.clone()}</td>
            <td><code>{format!("{}…", k.prefix)}</code></td>
            <td>{k.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")}</td>
            <td>{when(Some(k.created_at))}{k.created_by.clone().map(|e| format!(" by {e}"))}</td>
            <td>{k.expires_at.map(|t| when(Some(t))).unwrap_or_else(|| "never".into())}</td>
            <td>{last_used}</td>
            <td>{state}</td>
            <td>{action}</td>
        </tr>
    }
}
