//! The dashboard's "New website" form: start blank or from a template of the gallery (built-in
//! ones and the team's own), then name + address, field errors under each input, and the plan
//! limit as an alert with a link to the billing page.
//!
//! Each template card shows a thumbnail: the template's home page drawn by the visitor
//! renderer (`/preview/templates/{key}/?thumbnail`) in a scaled-down frame that takes no
//! input, and a "Live preview" link to the full preview of every page. Nothing is saved until
//! "Create website".
//!
//! The third choice, "Build it with AI from a prompt", asks four short questions (business,
//! audience, tone, pages wanted), queues the generation (`generate_site`) and opens its
//! progress page. Without a provider it says AI is not configured and cannot be chosen.

use leptos::prelude::*;

use super::LoadError;
use crate::api::ai::{get_ai_status, GenerateSite};
use crate::api::templates::{list_templates, CreateFromTemplate, DeleteTemplate};
use crate::api::websites::CreateWebsite;
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{GenerationBrief, TemplateSummary};

/// The `chosen` value of "Build it with AI" (template keys never start with `@`).
const AI_CHOICE: &str = "@ai";

fn message_for(error: RwSignal<Option<AppError>>, field: &'static str) -> Option<String> {
    error.with(|e| {
        e.as_ref()
            .filter(|e| e.field() == Some(field))
            .map(ToString::to_string)
    })
}

/// The plan-limit alert (any `LimitReached`), naming the limit and linking to /billing.
#[component]
pub fn LimitAlert(error: AppError) -> impl IntoView {
    let upgrade = match &error {
        AppError::LimitReached {
            upgrade_to: Some(plan),
            ..
        } => format!("Upgrade to {plan} on the Billing page"),
        _ => "See plans on the Billing page".to_string(),
    };
    view! {
        <div role="alert" class="app-error billing-limit">
            <p>{error.to_string()}</p>
            // A full page load: a client-side change to a route whose chunk cannot be fetched panics
            // (see `builder::ExitLink`), and this alert also shows in the builder.
            <p><a href="/billing" rel="external">{upgrade}</a></p>
        </div>
    }
}

/// One template of the gallery: a radio button named after the template, its thumbnail,
/// description and pages, and a link to the live preview. The team's own templates can be
/// deleted from here.
#[component]
fn TemplateCard(
    template: TemplateSummary,
    chosen: RwSignal<String>,
    delete: ServerAction<DeleteTemplate>,
) -> impl IntoView {
    let key = template.key.clone();
    let id = format!("template-{key}");
    let desc_id = format!("{id}-about");
    let preview = format!("/preview/templates/{key}/");
    let thumbnail = format!("/preview/templates/{key}/?thumbnail");
    let checked_key = key.clone();
    let pick_key = key.clone();
    let pages = format!("Pages: {}", template.pages.join(", "));
    let name = template.name.clone();
    let confirming = RwSignal::new(false);
    let own_id = template
        .own
        .then(|| uuid::Uuid::parse_str(&key).ok())
        .flatten();
    view! {
        <li class="template-card" class:template-card-chosen=move || chosen.with(|c| *c == checked_key)>
            <div class="template-thumb" aria-hidden="true">
                {view! { <iframe src=thumbnail tabindex="-1" title="" sandbox="allow-same-origin"></iframe> }.attr("loading", "lazy")}
            </div>
            <div class="template-card-body">
                <input type="radio" name="template" id=id.clone() value=key.clone() aria-describedby=desc_id.clone()
                    prop:checked=move || chosen.with(|c| *c == pick_key)
                    on:change={
                        let key = key.clone();
                        move |_| chosen.set(key.clone())
                    }/>
                <label for=id>{template.name.clone()}</label>
                <span class="template-category">{template.category.clone()}</span>
                <p class="app-muted" id=desc_id>{template.description.clone()}" "{pages}</p>
                <a href=preview target="_blank" rel="external" aria-label=format!("Live preview of {name}")>"Live preview"</a>
                {own_id.map(|tid| {
                    let name = name.clone();
                    view! {
                        " "
                        <button type="button" class="app-button app-button-ghost"
                            aria-label=format!("Delete the template {name}")
                            on:click=move |_| confirming.set(true)>"Delete"</button>
                        {move || confirming.get().then(|| view! {
                            <div role="group" aria-label="Confirm delete">
                                <p>"Delete this template for the whole team? Websites made from it stay as they are."</p>
                                <button type="button" class="app-button" disabled=move || delete.pending().get()
                                    on:click=move |_| {
                                        confirming.set(false);
                                        delete.dispatch(DeleteTemplate { template_id: tid });
                                    }>"Yes, delete"</button>
                                <button type="button" class="app-button app-button-ghost"
                                    on:click=move |_| confirming.set(false)>"Cancel"</button>
                            </div>
                        })}
                    }
                })}
            </div>
        </li>
    }
    .into_any()
}

/// `create` and `from_template` are the dashboard's actions, so the website list refetches
/// after either; `saved` is bumped when a website is saved as a template, so "Your templates"
/// refetches.
#[component]
pub fn NewWebsiteForm(
    create: ServerAction<CreateWebsite>,
    from_template: ServerAction<CreateFromTemplate>,
    #[prop(into)] saved: Signal<usize>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let subdomain = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    // "" is a blank website; otherwise a template's key.
    let chosen = RwSignal::new(String::new());
    let delete = ServerAction::<DeleteTemplate>::new();
    let generate = ServerAction::<GenerateSite>::new();
    let ai_status = wire_resource(|| (), |_| get_ai_status());
    let business = RwSignal::new(String::new());
    let audience = RwSignal::new(String::new());
    let tone = RwSignal::new(String::new());
    let pages = RwSignal::new("home, about, contact".to_string());
    let is_ai = move || chosen.with(|c| c == AI_CHOICE);
    let gallery = wire_resource(
        move || (saved.get(), delete.version().get()),
        |_| list_templates(),
    );
    let done = move |r: Option<Result<uuid::Uuid, AppError>>| match r {
        Some(Ok(_)) => {
            name.set(String::new());
            subdomain.set(String::new());
            error.set(None);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    };
    Effect::new(move |_| done(create.value().get()));
    Effect::new(move |_| done(from_template.value().get()));
    // A queued generation: follow it on its progress page (a full page load: its own bundle).
    Effect::new(move |_| match generate.value().get() {
        Some(Ok(id)) => {
            error.set(None);
            #[cfg(feature = "hydrate")]
            let _ = window()
                .location()
                .set_href(&format!("/ai/generations/{id}"));
            #[cfg(not(feature = "hydrate"))]
            let _ = id;
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let template = chosen.get_untracked();
        if template == AI_CHOICE {
            generate.dispatch(GenerateSite {
                brief: GenerationBrief {
                    business: business.get_untracked(),
                    audience: audience.get_untracked(),
                    tone: tone.get_untracked(),
                    pages: pages.get_untracked(),
                    name: name.get_untracked(),
                    subdomain: subdomain.get_untracked(),
                },
            });
        } else if template.is_empty() {
            create.dispatch(CreateWebsite {
                name: name.get_untracked(),
                subdomain: subdomain.get_untracked(),
            });
        } else {
            from_template.dispatch(CreateFromTemplate {
                template,
                name: name.get_untracked(),
                subdomain: subdomain.get_untracked(),
            });
        }
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      value: RwSignal<String>,
                      key: &'static str| {
        let err_id = format!("{id}-error");
        view! {
            <div class="app-field">
                <label for=id>{label}</label>
                <input id=id type="text" aria-describedby=err_id.clone()
                    aria-invalid=move || message_for(error, key).is_some().to_string()
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="app-field-error" id=err_id>{move || message_for(error, key)}</p>
            </div>
        }
    };
    let cards = move |list: Vec<TemplateSummary>| {
        list.into_iter()
            .map(|t| view! { <TemplateCard template=t chosen delete/> })
            .collect_view()
    };
    let pending =
        move || create.pending().get() || from_template.pending().get() || generate.pending().get();
    let answer = move |id: &'static str,
                       label: &'static str,
                       hint: &'static str,
                       value: RwSignal<String>,
                       key: &'static str| {
        let err_id = format!("{id}-error");
        let hint_id = format!("{id}-hint");
        view! {
            <div class="app-field">
                <label for=id>{label}</label>
                <textarea id=id rows="2" aria-describedby=format!("{hint_id} {err_id}")
                    aria-invalid=move || message_for(error, key).is_some().to_string()
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
                <p class="app-muted" id=hint_id>{hint}</p>
                <p class="app-field-error" id=err_id>{move || message_for(error, key)}</p>
            </div>
        }
    };
    view! {
        <section class="app-card" aria-labelledby="new-website">
            <h2 id="new-website">"New website"</h2>
            <form on:submit=submit novalidate>
                <fieldset class="template-gallery">
                    <legend>"Start from"</legend>
                    <div class="template-blank">
                        <input type="radio" name="template" id="template-blank" value=""
                            prop:checked=move || chosen.with(String::is_empty)
                            on:change=move |_| chosen.set(String::new())/>
                        <label for="template-blank">"Blank website"</label>
                        <span class="app-muted">" A home page with five starter blocks."</span>
                    </div>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let configured = ai_status.await.map(|s| s.configured).unwrap_or(false);
                            view! {
                                <div class="template-blank">
                                    <input type="radio" name="template" id="template-ai" value=AI_CHOICE
                                        disabled=!configured aria-describedby="template-ai-about"
                                        prop:checked=is_ai
                                        on:change=move |_| chosen.set(AI_CHOICE.to_string())/>
                                    <label for="template-ai">"Build it with AI from a prompt"</label>
                                    <span class="app-muted" id="template-ai-about">{if configured {
                                        format!(" Answer four questions; the assistant plans the pages, writes them and picks the colours ({} credits).", crate::model::AiAction::GenerateLayout.credits())
                                    } else {
                                        format!(" {}", crate::model::AI_NOT_CONFIGURED)
                                    }}</span>
                                </div>
                            }
                        })}
                    </Suspense>
                    <Suspense fallback=|| view! { <p>"Loading templates…"</p> }>
                        {move || Suspend::new(async move {
                            match gallery.await {
                                Ok(g) => {
                                    let own = g.own;
                                    view! {
                                        <h3 id="templates-builtin">"Templates"</h3>
                                        <ul class="template-grid" aria-labelledby="templates-builtin">{cards(g.builtin)}</ul>
                                        <h3 id="templates-own">"Your templates"</h3>
                                        {if own.is_empty() {
                                            view! { <p class="app-muted">"None yet. Save one of your websites as a template with “Save as template” on its card."</p> }.into_any()
                                        } else {
                                            view! { <ul class="template-grid" aria-labelledby="templates-own">{cards(own)}</ul> }.into_any()
                                        }}
                                    }.into_any()
                                }
                                Err(e) => view! { <LoadError error=e/> }.into_any(),
                            }
                        })}
                    </Suspense>
                    {move || delete.value().get().map(|r| match r {
                        Ok(()) => view! { <p role="status">"Template deleted."</p> }.into_any(),
                        Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                    })}
                </fieldset>
                {move || is_ai().then(|| view! {
                    <fieldset class="ai-brief">
                        <legend>"Tell the assistant about the website"</legend>
                        {answer("ai-business", "What does the business do?", "For example: a family bakery with sourdough, pastries and coffee.", business, "business")}
                        {answer("ai-audience", "Who is it for?", "The customers you want to reach.", audience, "audience")}
                        {answer("ai-tone", "Tone", "Warm, playful, formal…", tone, "tone")}
                        {answer("ai-pages", "Pages wanted", "Separated by commas; the first is the home page.", pages, "pages")}
                    </fieldset>
                })}
                {field("new-website-name", "Website name", name, "name")}
                {move || (!chosen.with(String::is_empty) && !is_ai()).then(|| view! {
                    <p class="app-muted">"Leave the name empty to use the template's name."</p>
                })}
                {field("new-website-subdomain", "Address (subdomain)", subdomain, "subdomain")}
                <button type="submit" class="app-button" disabled=pending>{move || if is_ai() { "Build with AI" } else { "Create website" }}</button>
            </form>
            {move || error.get().filter(|e| !matches!(e.field(), Some("name" | "subdomain" | "business" | "audience" | "tone" | "pages"))).map(|e| match e {
                e @ AppError::LimitReached { .. } => view! { <LimitAlert error=e/> }.into_any(),
                other => view! { <p role="alert" class="app-error">{other.to_string()}</p> }.into_any(),
            })}
        </section>
    }
    .into_any()
}

/// "Save as template" on a website's card: saves the site's current draft as a template for
/// the whole team (owners, admins and editors; the server refuses other roles plainly).
#[component]
pub fn SaveTemplateForm(
    website_id: uuid::Uuid,
    site_name: String,
    save: ServerAction<crate::api::templates::SaveTemplate>,
) -> impl IntoView {
    let name = RwSignal::new(site_name.clone());
    let id = format!("save-template-{website_id}");
    let mine = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        mine.set(true);
        save.dispatch(crate::api::templates::SaveTemplate {
            website_id,
            name: name.get_untracked(),
        });
    };
    view! {
        <form class="template-save" on:submit=submit novalidate aria-label=format!("Save {site_name} as a template")>
            <label for=id.clone()>"Template name"</label>
            " "
            <input id=id type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            " "
            <button type="submit" class="app-button app-button-ghost" disabled=move || save.pending().get()>"Save as template"</button>
            {move || mine.get().then(|| save.value().get()).flatten().map(|r| match r {
                Ok(_) => view! { <p role="status">"Saved. It is listed under “Your templates” in New website."</p> }.into_any(),
                Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
            })}
        </form>
    }
    .into_any()
}
