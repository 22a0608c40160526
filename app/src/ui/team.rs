//! The team page: members, invitations and the email outbox. Every member sees the list;
//! owners and admins get the controls (`Role::can_manage_team`), and the server checks again.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::components::A;

use super::LoadError;
use crate::api::team::*;
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{Invitation, MemberInfo, OutboxEmail, Role, TeamOverview};

/// Links between the account pages (dashboard, team, audit log, settings).
#[component]
pub fn AppNav() -> impl IntoView {
    view! {
        <header class="app-topbar">
            <strong class="app-logo">"SitePilot"</strong>
            <nav class="app-nav" aria-label="Account">
                <A href="/dashboard">"Websites"</A>
                <A href="/team">"Team"</A>
                <A href="/audit">"Audit log"</A>
                <A href="/api-keys">"API keys"</A>
                <A href="/settings">"Settings"</A>
            </nav>
        </header>
    }
}

/// Page-level messages and the reload hook, shared by every control on the page.
#[derive(Clone, Copy)]
struct Ctx {
    notice: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
    reload: Callback<()>,
}

impl Ctx {
    /// Runs one change; on success says `ok` and reloads the team, on failure shows why.
    fn run(self, change: impl Future<Output = Result<(), AppError>> + 'static, ok: String) {
        self.notice.set(None);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            match change.await {
                Ok(()) => {
                    self.notice.try_set(Some(ok));
                    self.reload.run(());
                }
                Err(e) => {
                    self.error.try_set(Some(e.to_string()));
                }
            }
        });
    }
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let team = wire_resource(|| (), |_| load_team());
    let ctx = Ctx {
        notice: RwSignal::new(None),
        error: RwSignal::new(None),
        reload: Callback::new(move |()| team.refetch()),
    };
    view! {
        <AppNav/>
        <main class="app-page team-page">
            <h1>"Team"</h1>
            <p role="status" class="app-notice">{move || ctx.notice.get()}</p>
            <p role="alert" class="app-error">{move || ctx.error.get()}</p>
            <Suspense fallback=|| view! { <p>"Loading your team…"</p> }>
                {move || Suspend::new(async move {
                    match team.await {
                        Ok(t) => view! { <TeamView data=t ctx=ctx/> }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn TeamView(data: TeamOverview, ctx: Ctx) -> impl IntoView {
    let manage = data.my_role.can_manage_team();
    let me = (data.my_user_id, data.my_role);
    let seats = format!(
        "{} of {} seats used (active members and pending invitations).",
        data.seats_used, data.seats_max
    );
    view! {
        <section class="app-card" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <p class="app-muted">{seats}</p>
            <table class="team-table">
                <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Status"</th><th>"Last login"</th><th></th></tr></thead>
                <tbody>
                    {data.members.into_iter().map(|m| view! { <MemberRow m=m me=me ctx=ctx/> }).collect_view()}
                </tbody>
            </table>
        </section>
        {manage.then(|| view! { <InviteForm ctx=ctx/> <Invitations list=data.invitations ctx=ctx/> <Outbox list=data.outbox delivery=data.email_delivery ctx=ctx/> })}
    }
    .into_any()
}

const GRANTABLE: [Role; 4] = [Role::Admin, Role::Developer, Role::Editor, Role::Viewer];

fn role_label(r: Role) -> &'static str {
    match r {
        Role::Owner => "Owner",
        Role::Admin => "Admin",
        Role::Developer => "Developer",
        Role::Editor => "Editor",
        Role::Viewer => "Viewer",
    }
}

#[component]
fn MemberRow(m: MemberInfo, me: (uuid::Uuid, Role), ctx: Ctx) -> impl IntoView {
    let editable = me.1.can_manage_member(m.role) && m.user_id != me.0;
    let who = m
        .full_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| m.email.clone());
    let last = m
        .last_login_at
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "Never".into());
    let id = m.user_id;
    let email = m.email.clone();
    let role_cell = if editable {
        let label = format!("Role of {}", m.email);
        let current = m.role;
        let email = m.email.clone();
        view! {
            <select aria-label=label on:change=move |ev| {
                let to = event_target_value(&ev);
                let note = format!("{email} is now {to}.");
                ctx.run(change_member_role(id, to), note);
            }>
                {GRANTABLE.iter().map(|r| view! { <option value=r.as_str() selected=*r == current>{role_label(*r)}</option> }).collect_view()}
            </select>
        }
        .into_any()
    } else {
        role_label(m.role).into_any()
    };
    let active = m.is_active;
    let action = editable.then(|| {
        let (text, aria) = if active { ("Deactivate", format!("Deactivate {email}")) } else { ("Reactivate", format!("Reactivate {email}")) };
        let note = if active { format!("{email} was deactivated and signed out.") } else { format!("{email} was reactivated.") };
        view! {
            <button type="button" class="app-button app-button-ghost" aria-label=aria
                on:click=move |_| ctx.run(set_member_active(id, !active), note.clone())>{text}</button>
        }
    });
    view! {
        <tr>
            <td>{who}</td>
            <td>{m.email.clone()}</td>
            <td>{role_cell}</td>
            <td>{if active { "Active" } else { "Deactivated" }}</td>
            <td>{last}</td>
            <td>{action}</td>
        </tr>
    }
    .into_any()
}

#[component]
fn InviteForm(ctx: Ctx) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("editor".to_string());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, r) = (email.get_untracked(), role.get_untracked());
        let note = format!(
            "Invitation sent to {}. The email is in the outbox below.",
            e.trim()
        );
        ctx.run(async move { invite_member(e, r).await.map(|_| ()) }, note);
    };
    view! {
        <section class="app-card" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite a teammate"</h2>
            <form on:submit=submit class="team-invite">
                <div class="app-field">
                    <label for="invite-email">"Email address"</label>
                    <input id="invite-email" type="email" required autocomplete="off"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                </div>
                <div class="app-field">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" on:change=move |ev| role.set(event_target_value(&ev))>
                        {GRANTABLE.iter().map(|r| view! { <option value=r.as_str() selected=*r == Role::Editor>{role_label(*r)}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="app-button">"Send invitation"</button>
            </form>
        </section>
    }
}

#[component]
fn Invitations(list: Vec<Invitation>, ctx: Ctx) -> impl IntoView {
    view! {
        <section class="app-card" aria-labelledby="invitations-heading">
            <h2 id="invitations-heading">"Invitations"</h2>
            {list.is_empty().then(|| view! { <p class="app-muted">"No invitations yet."</p> })}
            <ul class="app-list">
                {list.into_iter().map(|i| {
                    let pending = i.status == "pending";
                    let (id, e1, e2) = (i.id, i.email.clone(), i.email.clone());
                    view! {
                        <li>
                            <span>{i.email.clone()}</span>
                            <span class="app-muted">{role_label(i.role)}</span>
                            <span>{i.status.clone()}</span>
                            <span class="app-muted">{format!("expires {}", i.expires_at.format("%Y-%m-%d"))}</span>
                            {pending.then(|| view! {
                                <button type="button" class="app-button app-button-ghost" aria-label=format!("Resend invitation to {e1}")
                                    on:click=move |_| ctx.run(resend_invitation(id), format!("A new invitation link was sent to {e1}."))>"Resend"</button>
                                <button type="button" class="app-button app-button-ghost" aria-label=format!("Revoke invitation to {e2}")
                                    on:click=move |_| ctx.run(revoke_invitation(id), format!("The invitation to {e2} was revoked."))>"Revoke"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

/// Outgoing email and its delivery state. Without a mail server (`SITEPILOT_SMTP_URL`) nothing
/// is sent, and the page says so: the invite link is shown for the owner or admin to pass on.
#[component]
fn Outbox(list: Vec<OutboxEmail>, delivery: bool, ctx: Ctx) -> impl IntoView {
    let note = if delivery {
        "Emails are delivered by the mail server; each one shows whether it was sent. An invite link can also be copied and passed on."
    } else {
        "Email delivery is not set up on this server: emails are not sent, they stay here. Copy an invite link and pass it on yourself."
    };
    view! {
        <section class="app-card" aria-labelledby="outbox-heading">
            <h2 id="outbox-heading">"Outbox"</h2>
            <p class="app-muted" role="note">{note}</p>
            <ul class="app-list team-outbox">
                {list.into_iter().map(|m| view! { <OutboxItem m=m ctx=ctx/> }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn OutboxItem(m: OutboxEmail, ctx: Ctx) -> impl IntoView {
    let input_id = format!("link-{}", m.id);
    let Some(link) = m.link.clone() else {
        // A message holding someone's one-time link (password reset, verification): listed only.
        return view! {
            <li class="team-outbox-item">
                <div>
                    <strong>{m.subject.clone()}</strong>
                    <p class="app-muted">{format!("To {} · {} · {}", m.to_email, status_words(&m), m.created_at.format("%Y-%m-%d %H:%M UTC"))}</p>
                </div>
            </li>
        }
        .into_any();
    };
    let copy = {
        let link = link.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&link);
            }
            let _ = &link;
            ctx.notice.set(Some("Invite link copied.".into()));
        }
    };
    view! {
        <li class="team-outbox-item">
            <div>
                <strong>{m.subject.clone()}</strong>
                <p class="app-muted">{format!("To {} · {} · {}", m.to_email, status_words(&m), m.created_at.format("%Y-%m-%d %H:%M UTC"))}</p>
                <label for=input_id.clone()>{format!("Invite link for {}", m.to_email)}</label>
                <input id=input_id readonly value=link class="team-link"/>
            </div>
            <button type="button" class="app-button app-button-ghost" aria-label=format!("Copy invite link for {}", m.to_email) on:click=copy>"Copy link"</button>
        </li>
    }
    .into_any()
}

/// A message's delivery state in words.
fn status_words(m: &OutboxEmail) -> String {
    match (m.status.as_str(), &m.last_error) {
        ("sent", _) => "sent".into(),
        ("failed", Some(e)) => format!("not delivered: {e}"),
        ("failed", None) => "not delivered".into(),
        (_, Some(e)) => format!("waiting to be sent (last try: {e})"),
        _ => "waiting to be sent".into(),
    }
}
