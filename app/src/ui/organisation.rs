//! The organisation's settings card and ownership transfer (on `/settings`), and the
//! dashboard's first-run checklist (issue 23).

use leptos::prelude::*;
use leptos_router::components::A;

use super::LoadError;
use crate::api::organisation::*;
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{Organisation, OrganisationInput, COMMON_TIMEZONES, LOCALES};

fn field_error(
    error: RwSignal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<String> {
    move || {
        error
            .get()
            .filter(|e| e.field() == Some(field))
            .map(|e| e.to_string())
    }
}

/// "Organisation": name, logo, timezone and locale; owners and admins edit, others read.
#[component]
pub fn OrganisationCard() -> impl IntoView {
    let org = wire_resource(|| (), |_| get_organisation());
    view! {
        <section class="app-card" aria-labelledby="org-heading">
            <h2 id="org-heading">"Organisation"</h2>
            <Suspense fallback=|| view! { <p>"Loading the organisation…"</p> }>
                {move || Suspend::new(async move {
                    match org.await {
                        Ok(o) => view! { <OrganisationForm org=o/> }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            // Beside the form, not inside its Suspend, so its resource exists at hydration;
            // it shows nothing to members other than the owner (the server refuses them).
            <TransferCard/>
        </section>
        <TransferConfirm/>
    }
}

#[component]
fn OrganisationForm(org: Organisation) -> impl IntoView {
    let can_edit = org.can_edit;
    let name = RwSignal::new(org.name);
    let logo = RwSignal::new(org.logo_url.unwrap_or_default());
    let timezone = RwSignal::new(org.timezone);
    let locale = RwSignal::new(org.locale);
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(None);
        let input = OrganisationInput {
            name: name.get_untracked(),
            logo_url: logo.get_untracked(),
            timezone: timezone.get_untracked(),
            locale: locale.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match update_organisation(input).await {
                Ok(()) => {
                    done.try_set(Some("Organisation saved.".into()));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let text = |id: &'static str,
                label: &'static str,
                value: RwSignal<String>,
                field: &'static str,
                hint: &'static str| {
        view! {
            <div class="app-field">
                <label for=id>{label}</label>
                <input id=id type="text" disabled=!can_edit
                    aria-invalid=move || field_error(error, field)().is_some().to_string()
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="app-hint">{hint}</p>
                <p class="app-field-error">{field_error(error, field)}</p>
            </div>
        }
    };
    view! {
        {(!can_edit).then(|| view! { <p class="app-muted">"Only the owner and admins can change these settings."</p> })}
        <form novalidate=true on:submit=submit>
            {text("org-name", "Organisation name", name, "name", "Shown to your team and in emails.")}
            {text("org-logo", "Logo address", logo, "logo_url", "An image from the media library (copy its address there) or an https:// address.")}
            <div class="app-field">
                <label for="org-timezone">"Timezone"</label>
                <input id="org-timezone" type="text" list="org-timezones" disabled=!can_edit
                    aria-invalid=move || field_error(error, "timezone")().is_some().to_string()
                    prop:value=move || timezone.get() on:input=move |ev| timezone.set(event_target_value(&ev))/>
                <datalist id="org-timezones">
                    {COMMON_TIMEZONES.iter().map(|tz| view! { <option value=*tz></option> }).collect_view()}
                </datalist>
                <p class="app-hint">"An IANA name such as Europe/Berlin. Analytics days, the audit log and version times follow it."</p>
                <p class="app-field-error">{field_error(error, "timezone")}</p>
            </div>
            <div class="app-field">
                <label for="org-locale">"Language"</label>
                <select id="org-locale" disabled=!can_edit on:change=move |ev| locale.set(event_target_value(&ev))>
                    {LOCALES.iter().map(|(code, label)| {
                        let selected = locale.get_untracked() == *code;
                        view! { <option value=*code selected=selected>{*label}</option> }
                    }).collect_view()}
                </select>
                <p class="app-field-error">{field_error(error, "locale")}</p>
            </div>
            <p role="status" class="app-notice">{move || done.get()}</p>
            <p role="alert" class="app-error">{move || error.get().filter(|e| !matches!(e.field(), Some("name" | "logo_url" | "timezone" | "locale"))).map(|e| e.to_string())}</p>
            {can_edit.then(|| view! { <button type="submit" class="app-button">"Save organisation"</button> })}
        </form>
    }
}

/// The owner hands the organisation to an admin (shown to the owner only: admins get a
/// Forbidden answer and see nothing).
#[component]
fn TransferCard() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let state = wire_resource(move || version.get(), |_| get_transfer_state());
    let chosen = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(None);
        let Ok(to) = chosen.get_untracked().parse::<uuid::Uuid>() else {
            error.set(Some(AppError::invalid("to_user_id", "Choose an admin.")));
            return;
        };
        leptos::task::spawn_local(async move {
            match start_transfer(to).await {
                Ok(()) => {
                    done.try_set(Some(
                        "Transfer requested: they confirm from the email we sent them.".into(),
                    ));
                    version.try_update(|v| *v += 1);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let withdraw = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match cancel_transfer().await {
                Ok(()) => {
                    done.try_set(Some("Transfer withdrawn.".into()));
                    version.try_update(|v| *v += 1);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(s) = state.await else { return ().into_any() };
                view! {
                    <div class="org-transfer" role="group" aria-labelledby="transfer-heading">
                        <h3 id="transfer-heading">"Transfer ownership"</h3>
                        <p class="app-hint">"The new owner must be an admin. They confirm from an email; you then stay on the team as an admin."</p>
                        {s.pending.clone().map(|p| view! {
                            <p>{format!("Waiting for {} to confirm (the link works until {}).", p.to_email, p.expires_at.format("%Y-%m-%d"))}</p>
                            <button type="button" class="app-button app-button-ghost" on:click=withdraw>"Withdraw the transfer"</button>
                        })}
                        {if s.admins.is_empty() {
                            view! { <p class="app-muted">"Make a teammate an admin on the team page first."</p> }.into_any()
                        } else {
                            view! {
                                <form on:submit=send>
                                    <div class="app-field">
                                        <label for="transfer-to">"New owner"</label>
                                        <select id="transfer-to" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                            <option value="">"Choose an admin"</option>
                                            {s.admins.iter().map(|a| view! { <option value=a.user_id.to_string()>{a.label.clone()}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <button type="submit" class="app-button">"Send transfer request"</button>
                                </form>
                            }.into_any()
                        }}
                    </div>
                }.into_any()
            })}
        </Suspense>
        <p role="status" class="app-notice">{move || done.get()}</p>
        <p role="alert" class="app-error">{move || error.get().map(|e| e.to_string())}</p>
    }
}

/// `/settings?transfer=…`: the emailed link. The admin it was sent to confirms here.
#[component]
fn TransferConfirm() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let token = move || query.with(|q| q.get("transfer")).filter(|t| !t.is_empty());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(false);
    let confirm = move |_| {
        let Some(t) = token() else { return };
        error.set(None);
        leptos::task::spawn_local(async move {
            match confirm_transfer(t).await {
                Ok(()) => {
                    done.try_set(true);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <Show when=move || token().is_some()>
            <section class="app-card" aria-labelledby="confirm-transfer-heading">
                <h2 id="confirm-transfer-heading">"Become the owner"</h2>
                <Show when=move || done.get() fallback=move || view! {
                    <p>"The owner asked you to take over the organisation. As the owner you manage billing; they stay on the team as an admin."</p>
                    <button type="button" class="app-button" on:click=confirm>"Become the owner"</button>
                }>
                    <p role="status" class="app-notice">"You are now the owner of this organisation."</p>
                </Show>
                <p role="alert" class="app-error">{move || error.get().map(|e| e.to_string())}</p>
            </section>
        </Show>
    }
}

/// The dashboard's first-run checklist, gone once every item is done or the owner closes it.
#[component]
pub fn OnboardingChecklist() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let state = wire_resource(move || version.get(), |_| onboarding_state());
    let dismiss = move |_| {
        leptos::task::spawn_local(async move {
            if dismiss_onboarding().await.is_ok() {
                version.try_update(|v| *v += 1);
            }
        });
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(o)) = state.await else { return ().into_any() };
                let done = o.items.iter().filter(|i| i.done).count();
                let total = o.items.len();
                view! {
                    <section class="app-card onboarding" aria-labelledby="onboarding-heading">
                        <h2 id="onboarding-heading">"Get started"</h2>
                        <p class="app-muted">{format!("{done} of {total} done")}</p>
                        <ul class="onboarding-list">
                            {o.items.into_iter().map(|i| {
                                let mark = if i.done { "Done: " } else { "To do: " };
                                view! {
                                    <li class:done=i.done>
                                        <span class="sr-only">{mark}</span>
                                        <span aria-hidden="true">{if i.done { "✓ " } else { "○ " }}</span>
                                        <A href=i.href>{i.label}</A>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {o.can_dismiss.then(|| view! {
                            <button type="button" class="app-button app-button-ghost" on:click=dismiss>"Dismiss the checklist"</button>
                        })}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
