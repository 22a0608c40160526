//! `/audit`: the tenant's audit log for owners and admins, with filters and pages.

use leptos::prelude::*;

use super::team::AppNav;
use super::LoadError;
use crate::api::audit::list_audit;
use crate::api::wire::wire_resource;
use crate::model::{AuditEntry, AuditFilter, AuditPage};

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let filter = RwSignal::new(AuditFilter::default());
    let page = wire_resource(move || filter.get(), list_audit);
    view! {
        <AppNav/>
        <main class="app-page audit-page">
            <h1>"Audit log"</h1>
            <Transition fallback=|| view! { <p>"Loading the audit log…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Entries data=p filter=filter/> }.into_any(),
                        Err(e @ crate::error::AppError::Invalid { .. }) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// Rebuilt with each page of results, so the choices are the log's own actions and people.
#[component]
fn Filters(
    filter: RwSignal<AuditFilter>,
    actions: Vec<String>,
    users: Vec<(uuid::Uuid, String)>,
) -> impl IntoView {
    let now = filter.get_untracked();
    let action = RwSignal::new(now.action.clone().unwrap_or_default());
    let user = RwSignal::new(now.user_id.map(|u| u.to_string()).unwrap_or_default());
    let from = RwSignal::new(now.from.clone().unwrap_or_default());
    let to = RwSignal::new(now.to.clone().unwrap_or_default());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let opt = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        filter.set(AuditFilter {
            action: opt(action.get_untracked()),
            user_id: uuid::Uuid::parse_str(user.get_untracked().trim()).ok(),
            from: opt(from.get_untracked()),
            to: opt(to.get_untracked()),
            page: 0,
        });
    };
    let input = |id: &'static str,
                 label: &'static str,
                 kind: &'static str,
                 sig: RwSignal<String>| {
        view! {
            <div class="app-field">
                <label for=id>{label}</label>
                <input id=id type=kind prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <form class="audit-filters" on:submit=submit aria-label="Filter the audit log">
            <div class="app-field">
                <label for="audit-action">"Action"</label>
                <select id="audit-action" on:change=move |ev| action.set(event_target_value(&ev))>
                    <option value="">"All actions"</option>
                    {actions.into_iter().map(|a| { let sel = a == action.get_untracked(); view! { <option value=a.clone() selected=sel>{a.clone()}</option> } }).collect_view()}
                </select>
            </div>
            <div class="app-field">
                <label for="audit-user">"User"</label>
                <select id="audit-user" on:change=move |ev| user.set(event_target_value(&ev))>
                    <option value="">"Everyone"</option>
                    {users.into_iter().map(|(id, name)| { let sel = id.to_string() == user.get_untracked(); view! { <option value=id.to_string() selected=sel>{name}</option> } }).collect_view()}
                </select>
            </div>
            {input("audit-from", "From", "date", from)}
            {input("audit-to", "To", "date", to)}
            <button type="submit" class="app-button">"Apply filters"</button>
        </form>
    }
}

#[component]
fn Entries(data: AuditPage, filter: RwSignal<AuditFilter>) -> impl IntoView {
    let pages = ((data.total + data.page_size - 1) / data.page_size).max(1);
    let current = data.page;
    let go = move |p: i64| filter.update(|f| f.page = p);
    view! {
        <Filters filter=filter actions=data.actions.clone() users=data.users.clone()/>
        <p class="app-muted">{format!("{} entries · page {} of {} · times in {}", data.total, current + 1, pages, data.timezone)}</p>
        <table class="audit-table" aria-label="Audit entries">
            <thead><tr><th>"When"</th><th>"Action"</th><th>"By"</th><th>"Details"</th><th>"IP"</th><th>"Browser"</th></tr></thead>
            <tbody>{data.entries.into_iter().map(|e| view! { <Row e=e/> }).collect_view()}</tbody>
        </table>
        <nav class="audit-pager" aria-label="Audit pages">
            <button type="button" class="app-button app-button-ghost" disabled=current == 0 on:click=move |_| go(current - 1)>"Previous page"</button>
            <button type="button" class="app-button app-button-ghost" disabled=current + 1 >= pages on:click=move |_| go(current + 1)>"Next page"</button>
        </nav>
    }
    .into_any()
}

#[component]
fn Row(e: AuditEntry) -> impl IntoView {
    let details = match e.metadata.as_object() {
        Some(o) if !o.is_empty() => o
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}: {}",
                    v.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| v.to_string())
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    };
    view! {
        <tr>
            <td><time datetime=e.created_at.to_rfc3339()>{e.local_time}</time></td>
            <td><code>{e.action}</code></td>
            <td>{e.performer.unwrap_or_else(|| "—".into())}</td>
            <td>{details}</td>
            <td>{e.ip_address.unwrap_or_default()}</td>
            <td class="audit-ua">{e.user_agent.unwrap_or_default()}</td>
        </tr>
    }
}
