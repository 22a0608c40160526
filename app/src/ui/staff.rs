//! The operator console (`/staff`) for platform staff, and the banner every app page shows
//! while staff view an organisation read-only. Staff sign in with their password, then the
//! code of their authenticator app; the server checks both again on every call.

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::staff::*;
use crate::error::AppError;
use crate::model::staff::{StaffState, TenantDetail, TenantHit};

fn go(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(href);
    }
    let _ = href;
}

/// "Viewing … as staff (read-only)" with a way out, on every page of an impersonation.
#[component]
pub fn ImpersonationBanner() -> impl IntoView {
    let me = LocalResource::new(staff_me);
    let end = move |_| {
        leptos::task::spawn_local(async move {
            if staff_impersonate_end().await.is_ok() {
                go("/staff");
            }
        });
    };
    view! {
        {move || match me.get() {
            Some(Ok(StaffState::SignedIn { impersonating: Some((_, name)), email })) => Some(view! {
                <p role="status" class="billing-banner staff-banner">
                    {format!("Staff view: you ({email}) are viewing {name} read-only. Nothing can be changed. ")}
                    <button type="button" class="app-button app-button-ghost" on:click=end>"End staff view"</button>
                </p>
            }),
            _ => None,
        }}
    }
    .into_any()
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let tick = RwSignal::new(0u32);
    let me = LocalResource::new(move || {
        tick.get();
        staff_me()
    });
    let reload = Callback::new(move |()| tick.update(|t| *t += 1));
    view! {
        <main class="app-page staff-console">
            <h1>"Operator console"</h1>
            {move || match me.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                Some(Ok(StaffState::SignedOut)) => view! { <StaffLogin reload=reload/> }.into_any(),
                Some(Ok(StaffState::SecondFactor { email })) => view! { <SecondFactor email=email reload=reload/> }.into_any(),
                Some(Ok(StaffState::SignedIn { email, .. })) => view! { <Console email=email reload=reload/> }.into_any(),
            }}
        </main>
    }
    .into_any()
}

#[component]
fn StaffLogin(reload: Callback<()>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let (e, p) = (email.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match staff_login(e, p).await {
                Ok(()) => reload.run(()),
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="app-card" on:submit=submit aria-labelledby="staff-login-heading">
            <h2 id="staff-login-heading">"Staff sign-in"</h2>
            <div class="app-field">
                <label for="staff-email">"Staff email"</label>
                <input id="staff-email" type="email" autocomplete="username" required
                    prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
            </div>
            <div class="app-field">
                <label for="staff-password">"Password"</label>
                <input id="staff-password" type="password" autocomplete="current-password" required
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="app-button">"Continue"</button>
            <p role="alert" class="app-error">{move || error.get().map(|e| e.to_string())}</p>
        </form>
    }
    .into_any()
}

#[component]
fn SecondFactor(email: String, reload: Callback<()>) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let c = code.get_untracked();
        leptos::task::spawn_local(async move {
            match staff_verify(c).await {
                Ok(()) => reload.run(()),
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="app-card" on:submit=submit aria-labelledby="staff-2fa-heading">
            <h2 id="staff-2fa-heading">"Second factor"</h2>
            <p class="app-hint">{format!("Signed in as {email}. Enter the 6-digit code of your authenticator app.")}</p>
            <div class="app-field">
                <label for="staff-code">"Authentication code"</label>
                <input id="staff-code" type="text" inputmode="numeric" autocomplete="one-time-code" required
                    prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="app-button">"Verify"</button>
            <p role="alert" class="app-error">{move || error.get().map(|e| e.to_string())}</p>
        </form>
    }
    .into_any()
}

#[component]
fn Console(email: String, reload: Callback<()>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(None::<Vec<TenantHit>>);
    let selected = RwSignal::new(None::<TenantDetail>);
    let error = RwSignal::new(None::<AppError>);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let q = query.get_untracked();
        leptos::task::spawn_local(async move {
            match staff_search(q).await {
                Ok(h) => {
                    hits.try_set(Some(h));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let open = move |id: Uuid| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match staff_tenant(id).await {
                Ok(d) => {
                    selected.try_set(Some(d));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            let _ = staff_logout().await;
            reload.run(());
        });
    };
    view! {
        <p class="app-hint">{format!("Signed in as {email}. Every action here is recorded.")}
            " "<button type="button" class="app-button app-button-ghost" on:click=logout>"Log out"</button>
        </p>
        <form class="app-card" role="search" on:submit=search>
            <div class="app-field">
                <label for="staff-query">"Search organisations"</label>
                <input id="staff-query" type="search" placeholder="Name, email, domain or Stripe customer" required
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="app-button">"Search"</button>
        </form>
        <p role="alert" class="app-error">{move || error.get().map(|e| e.to_string())}</p>
        {move || hits.get().map(|list| if list.is_empty() {
            view! { <p>"No organisation matches."</p> }.into_any()
        } else {
            view! {
                <table class="app-table" aria-label="Organisations found">
                    <thead><tr><th>"Name"</th><th>"Owner"</th><th>"Plan"</th><th>"Status"</th><th>"Stripe customer"</th><th></th></tr></thead>
                    <tbody>
                        {list.into_iter().map(|h| {
                            let id = h.id;
                            let label = format!("Open {}", h.name);
                            view! {
                                <tr>
                                    <td>{h.name}</td>
                                    <td>{h.owner_email.unwrap_or_default()}</td>
                                    <td>{h.plan}</td>
                                    <td>{h.status}</td>
                                    <td>{h.stripe_customer_id.unwrap_or_default()}</td>
                                    <td><button type="button" class="app-button app-button-ghost" aria-label=label on:click=move |_| open(id)>"Open"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })}
        {move || selected.get().map(|d| view! { <TenantPanel detail=d selected=selected/> })}
    }
    .into_any()
}

fn mb(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

#[component]
fn TenantPanel(detail: TenantDetail, selected: RwSignal<Option<TenantDetail>>) -> impl IntoView {
    let id = detail.id;
    let reason = RwSignal::new(String::new());
    let days = RwSignal::new(String::from("14"));
    let error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<String>);
    let apply = move |res: Result<TenantDetail, AppError>, ok: &'static str| match res {
        Ok(d) => {
            notice.try_set(Some(ok.to_string()));
            reason.try_set(String::new());
            selected.try_set(Some(d));
        }
        Err(e) => {
            error.try_set(Some(e));
        }
    };
    let suspend = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let r = reason.get_untracked();
        leptos::task::spawn_local(async move {
            apply(staff_suspend(id, r).await, "The organisation is suspended.");
        });
    };
    let unsuspend = move |_| {
        error.set(None);
        notice.set(None);
        let r = reason.get_untracked();
        leptos::task::spawn_local(async move {
            apply(staff_unsuspend(id, r).await, "The suspension is lifted.");
        });
    };
    let extend = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let Ok(n) = days.get_untracked().trim().parse::<i32>() else {
            error.set(Some(AppError::invalid("days", "Type a number of days.")));
            return;
        };
        leptos::task::spawn_local(async move {
            apply(staff_extend_trial(id, n).await, "The trial is extended.");
        });
    };
    let impersonate = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match staff_impersonate(id).await {
                Ok(()) => go("/dashboard"),
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let staff_suspended = detail.staff_suspended_at.is_some();
    let fmt = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "—".into())
    };
    view! {
        <section class="app-card" aria-labelledby="staff-tenant-heading">
            <h2 id="staff-tenant-heading">{detail.name.clone()}</h2>
            <dl class="staff-facts">
                <dt>"Status"</dt><dd data-testid="tenant-status">{detail.status.clone()}</dd>
                <dt>"Suspension reason"</dt><dd>{detail.staff_suspension_reason.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Plan"</dt><dd>{detail.plan.clone()}</dd>
                <dt>"Subscription"</dt><dd>{detail.subscription_status.clone().unwrap_or_else(|| "none".into())}</dd>
                <dt>"Trial ends"</dt><dd>{fmt(detail.trial_end)}</dd>
                <dt>"Websites"</dt><dd>{format!("{} of {}", detail.websites, detail.max_websites)}</dd>
                <dt>"Members"</dt><dd>{detail.members}</dd>
                <dt>"Storage"</dt><dd>{format!("{} of {} MB", mb(detail.storage_bytes), detail.storage_limit_mb)}</dd>
                <dt>"Owner"</dt><dd>{detail.owner_email.clone().unwrap_or_default()}</dd>
                <dt>"Stripe customer"</dt><dd>{detail.stripe_customer_id.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Created"</dt><dd>{fmt(Some(detail.created_at))}</dd>
                <dt>"Last active"</dt><dd>{fmt(detail.last_active_at)}</dd>
            </dl>
            <form on:submit=suspend>
                <div class="app-field">
                    <label for="staff-reason">"Reason"</label>
                    <textarea id="staff-reason" rows="2" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                </div>
                {if staff_suspended {
                    view! { <button type="button" class="app-button" on:click=unsuspend>"Unsuspend"</button> }.into_any()
                } else {
                    view! { <button type="submit" class="app-button app-button-danger">"Suspend"</button> }.into_any()
                }}
            </form>
            <form on:submit=extend>
                <div class="app-field">
                    <label for="staff-days">"Extend the trial by (days)"</label>
                    <input id="staff-days" type="number" min="1" max="90" prop:value=move || days.get()
                        on:input=move |ev| days.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="app-button app-button-ghost">"Extend trial"</button>
            </form>
            <p><button type="button" class="app-button app-button-ghost" on:click=impersonate>"View as owner (read-only)"</button></p>
            <p role="status">{move || notice.get()}</p>
            <p role="alert" class="app-error">{move || error.get().map(|e| e.to_string())}</p>
        </section>
    }
    .into_any()
}
