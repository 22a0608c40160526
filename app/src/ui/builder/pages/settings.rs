//! Settings of the selected page: details, navigation, SEO and layout in one form saved
//! together (so nothing typed in one section is lost by saving another), then the actions
//! that stand alone: move in navigation, make home, password, delete.

use leptos::prelude::*;
use serde_json::{Map, Value};

use super::fields::{CheckField, FormAlert, SelectField, TextField};
use super::PagesState;
use crate::api::pages::{delete_page, move_page, set_home_page, set_page_password, update_page};
use crate::error::AppError;
use crate::model::{
    NavMove, PageConfig, PageInfo, PagePatch, PageStatus, SeoMeta, OG_TYPES, TWITTER_CARDS,
};

/// Every field name the settings form shows errors for inline.
const FIELDS: &[&str] = &[
    "title",
    "slug",
    "status",
    "nav_label",
    "seo_title",
    "seo_description",
    "og_title",
    "og_description",
    "og_image",
    "og_type",
    "twitter_card",
    "canonical_url",
    "background_color",
    "max_width",
    "padding",
    "page_password",
];

fn text(v: &Option<String>) -> RwSignal<String> {
    RwSignal::new(v.clone().unwrap_or_default())
}

/// The SEO inputs, as signals.
#[derive(Clone, Copy)]
struct SeoFields {
    title: RwSignal<String>,
    description: RwSignal<String>,
    og_title: RwSignal<String>,
    og_description: RwSignal<String>,
    og_image: RwSignal<String>,
    og_type: RwSignal<String>,
    twitter_card: RwSignal<String>,
    canonical_url: RwSignal<String>,
    no_index: RwSignal<bool>,
    no_follow: RwSignal<bool>,
    /// Not editable here; sent back unchanged.
    structured_data: StoredValue<Map<String, Value>>,
}

impl SeoFields {
    fn new(s: &SeoMeta) -> Self {
        Self {
            title: text(&s.title),
            description: text(&s.description),
            og_title: text(&s.og_title),
            og_description: text(&s.og_description),
            og_image: text(&s.og_image),
            og_type: text(&s.og_type),
            twitter_card: text(&s.twitter_card),
            canonical_url: text(&s.canonical_url),
            no_index: RwSignal::new(s.no_index),
            no_follow: RwSignal::new(s.no_follow),
            structured_data: StoredValue::new(s.structured_data.clone()),
        }
    }

    /// Blank inputs are sent as blank; the server stores them as absent.
    fn value(self) -> SeoMeta {
        let get = |s: RwSignal<String>| Some(s.get_untracked());
        SeoMeta {
            title: get(self.title),
            description: get(self.description),
            og_title: get(self.og_title),
            og_description: get(self.og_description),
            og_image: get(self.og_image),
            og_type: get(self.og_type),
            twitter_card: get(self.twitter_card),
            canonical_url: get(self.canonical_url),
            no_index: self.no_index.get_untracked(),
            no_follow: self.no_follow.get_untracked(),
            structured_data: self.structured_data.get_value(),
        }
    }
}

#[component]
pub fn PageSettings(state: PagesState, page: PageInfo) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let heading = format!("Settings: {}", page.title);
    view! {
        <section class="pages-settings" aria-label="Page settings">
            <h3>{heading}</h3>
            <SettingsForm state=state page=page.clone() error=error/>
            <PageActions state=state page=page error=error/>
        </section>
    }
    .into_any()
}

#[component]
fn SettingsForm(
    state: PagesState,
    page: PageInfo,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let title = RwSignal::new(page.title.clone());
    let slug = RwSignal::new(page.slug.clone());
    let status = RwSignal::new(page.status.as_str().to_string());
    let show_in_nav = RwSignal::new(page.show_in_nav);
    let nav_label = text(&page.nav_label);
    let seo = SeoFields::new(&page.seo_meta);
    let cfg = page.page_config.clone();
    let (show_navbar, show_footer) = (
        RwSignal::new(cfg.show_navbar),
        RwSignal::new(cfg.show_footer),
    );
    let background = text(&cfg.background_color);
    let (max_width, padding) = (RwSignal::new(cfg.max_width), RwSignal::new(cfg.padding));
    let (id, base, is_home) = (page.id, page.settings_revision, page.is_home);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let patch = PagePatch {
            title: Some(title.get_untracked()),
            // The home page's address is always `/`.
            slug: (!is_home).then(|| slug.get_untracked()),
            status: PageStatus::parse(&status.get_untracked()),
            show_in_nav: Some(show_in_nav.get_untracked()),
            nav_label: Some(nav_label.get_untracked()),
            seo_meta: Some(seo.value()),
            page_config: Some(PageConfig {
                show_navbar: show_navbar.get_untracked(),
                show_footer: show_footer.get_untracked(),
                background_color: Some(background.get_untracked()),
                max_width: max_width.get_untracked(),
                padding: padding.get_untracked(),
            }),
        };
        state.run(error, update_page(id, base, patch), |_, _| {
            "Page settings saved.".into()
        });
    };
    let statuses: Vec<(&'static str, &'static str)> = PageStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect();
    view! {
        <form class="pages-form" aria-label="Page details" on:submit=submit>
            <TextField id="page-title" label="Title" value=title error=error field="title"/>
            <TextField id="page-slug" label="Slug" value=slug error=error field="slug" readonly=is_home
                hint=if is_home { "The home page is always at /." } else { "The page's address, like /about." }/>
            <SelectField id="page-status" label="Status" value=status options=statuses error=error field="status"/>
            <CheckField id="page-show-in-nav" label="Show in navigation" value=show_in_nav/>
            <TextField id="page-nav-label" label="Navigation label" value=nav_label error=error field="nav_label"
                hint="Leave empty to use the title."/>
            <SeoSection seo=seo error=error page_id=id/>
            <fieldset class="pages-fieldset">
                <legend>"Layout"</legend>
                <CheckField id="page-show-navbar" label="Show navbar" value=show_navbar/>
                <CheckField id="page-show-footer" label="Show footer" value=show_footer/>
                <TextField id="page-background" label="Background colour" value=background error=error
                    field="background_color" placeholder="#ffffff" hint="A hex colour; empty uses the site's background."/>
                <TextField id="page-max-width" label="Maximum width" value=max_width error=error field="max_width"
                    hint="From 320px to 2560px, or 100%."/>
                <TextField id="page-padding" label="Padding" value=padding error=error field="padding" hint="0 to 200px."/>
            </fieldset>
            <FormAlert state=state error=error fields=FIELDS/>
            <button type="submit" class="app-button" disabled=move || state.busy.get()>"Save page settings"</button>
        </form>
    }
    .into_any()
}

/// Fills the search and sharing titles and descriptions from the page's text; the editor
/// reviews them and saves the form as usual.
#[component]
fn SeoSuggest(seo: SeoFields, page_id: uuid::Uuid) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(false);
    let ask = move |_| {
        busy.set(true);
        error.set(None);
        done.set(false);
        leptos::task::spawn_local(async move {
            let result = crate::api::ai::seo_optimize(page_id).await;
            busy.try_set(false);
            match result {
                Ok(s) => {
                    seo.title.try_set(s.title);
                    seo.description.try_set(s.description);
                    seo.og_title.try_set(s.og_title);
                    seo.og_description.try_set(s.og_description);
                    done.try_set(true);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <div class="ai-suggest">
            <button type="button" class="app-button app-button-ghost" disabled=move || busy.get() on:click=ask>
                {move || if busy.get() { "Writing SEO fields…" } else { "Write SEO fields with AI" }}
            </button>
            <p class="app-hint" role="status">
                {move || done.get().then_some("Filled in by the AI assistant from the page's text. Review them, then save the page settings.")}
            </p>
            <crate::ui::builder::ai_assist::AiError error=error/>
        </div>
    }
}

#[component]
fn SeoSection(
    seo: SeoFields,
    error: RwSignal<Option<AppError>>,
    page_id: uuid::Uuid,
) -> impl IntoView {
    let with_default = |values: &[&'static str]| {
        std::iter::once(("", "Default"))
            .chain(values.iter().map(|v| (*v, *v)))
            .collect::<Vec<_>>()
    };
    view! {
        <fieldset class="pages-fieldset">
            <legend>"Search engines and sharing"</legend>
            <SeoSuggest seo=seo page_id=page_id/>
            <TextField id="seo-title" label="SEO title" value=seo.title error=error field="seo_title"
                hint="Shown in search results; empty uses the page title."/>
            <TextField id="seo-description" label="Meta description" value=seo.description error=error
                field="seo_description" long=true/>
            <TextField id="seo-og-title" label="Social title" value=seo.og_title error=error field="og_title"/>
            <TextField id="seo-og-description" label="Social description" value=seo.og_description error=error
                field="og_description" long=true/>
            <TextField id="seo-og-image" label="Social image URL" value=seo.og_image error=error field="og_image"
                placeholder="https://"/>
            {
                let og_image = seo.og_image;
                let on_pick = Callback::new(move |url: String| og_image.set(url));
                view! { <crate::ui::media::AssetPicker label="Social image" on_pick/> }
            }
            <SelectField id="seo-og-type" label="Social type" value=seo.og_type options=with_default(&OG_TYPES)
                error=error field="og_type"/>
            <SelectField id="seo-twitter-card" label="Twitter card" value=seo.twitter_card
                options=with_default(&TWITTER_CARDS) error=error field="twitter_card"/>
            <TextField id="seo-canonical" label="Canonical URL" value=seo.canonical_url error=error
                field="canonical_url" placeholder="https://"/>
            <CheckField id="seo-no-index" label="Hide from search engines (noindex)" value=seo.no_index/>
            <CheckField id="seo-no-follow" label="Ask search engines not to follow links (nofollow)" value=seo.no_follow/>
        </fieldset>
    }
    .into_any()
}

/// Copies the page (settings and blocks) as a new draft and selects the copy.
fn duplicate(state: PagesState, id: uuid::Uuid, error: RwSignal<Option<AppError>>) {
    state.busy.set(true);
    state.notice.set(None);
    error.set(None);
    leptos::task::spawn_local(async move {
        let result = crate::api::duplicate::duplicate_page(id).await;
        state.busy.try_set(false);
        match result {
            Ok(created) => {
                let name = created
                    .overview
                    .pages
                    .iter()
                    .find(|p| p.id == created.id)
                    .map(|p| p.title.clone())
                    .unwrap_or_default();
                state.overview.try_set(created.overview);
                state.selected.try_set(created.id);
                state
                    .notice
                    .try_set(Some(format!("Page “{name}” added as a draft.")));
            }
            Err(e) => {
                error.try_set(Some(e));
            }
        }
    });
}

/// Move, make home, password and delete: each its own request, using the page's current
/// settings revision.
#[component]
fn PageActions(
    state: PagesState,
    page: PageInfo,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let (id, base, title) = (page.id, page.settings_revision, page.title.clone());
    let (first, last) = state.overview.with_untracked(|o| {
        (
            o.pages.first().map(|p| p.id) == Some(id),
            o.pages.last().map(|p| p.id) == Some(id),
        )
    });
    let step = move |s: NavMove| {
        state.run(error, move_page(id, base, s), |_, _| {
            "Navigation order saved.".into()
        })
    };
    let home_title = title.clone();
    let make_home = move |_| {
        let t = home_title.clone();
        state.run(error, set_home_page(id, base), move |_, _| {
            format!("“{t}” is now the home page.")
        });
    };
    view! {
        <div class="pages-actions" role="group" aria-label="Navigation order">
            <button type="button" disabled=move || first || state.busy.get() on:click=move |_| step(NavMove::Up)>
                "Move up in navigation"
            </button>
            <button type="button" disabled=move || last || state.busy.get() on:click=move |_| step(NavMove::Down)>
                "Move down in navigation"
            </button>
        </div>
        {if page.is_home {
            view! { <p class="app-muted">"This is the home page (address /)."</p> }.into_any()
        } else {
            view! {
                <button type="button" class="app-button app-button-ghost" disabled=move || state.busy.get()
                    on:click=make_home>"Make this the home page"</button>
            }.into_any()
        }}
        <button type="button" class="app-button app-button-ghost" disabled=move || state.busy.get()
            on:click=move |_| duplicate(state, id, error)>"Duplicate page"</button>
        <PasswordForm state=state page=page.clone() error=error/>
        <DeletePage state=state page=page/>
    }
    .into_any()
}

#[component]
fn PasswordForm(
    state: PagesState,
    page: PageInfo,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let (id, base, protected) = (page.id, page.settings_revision, page.password_protected);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pw = password.get_untracked();
        state.run(error, set_page_password(id, base, Some(pw)), |_, _| {
            "Password set.".into()
        });
    };
    let remove = move |_| {
        state.run(error, set_page_password(id, base, None), |_, _| {
            "Password removed.".into()
        })
    };
    view! {
        <form class="pages-form pages-password" aria-label="Page password" on:submit=submit>
            <h4>"Password protection"</h4>
            <p class="app-muted">
                {if protected { "Password protection is on for this page." } else { "This page has no password." }}
            </p>
            <TextField id="page-password" label="Page password" kind="password" value=password error=error
                field="page_password" hint="At least 6 characters."/>
            <button type="submit" class="app-button app-button-ghost" disabled=move || state.busy.get()>
                {if protected { "Change password" } else { "Set password" }}
            </button>
            {protected.then(|| view! {
                <button type="button" class="app-button app-button-ghost" disabled=move || state.busy.get()
                    on:click=remove>"Remove password"</button>
            })}
        </form>
    }
    .into_any()
}

#[component]
fn DeletePage(state: PagesState, page: PageInfo) -> impl IntoView {
    if page.is_home {
        return view! {
            <p class="app-muted">"The home page cannot be deleted. Make another page the home page first."</p>
        }
        .into_any();
    }
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let (id, base, title) = (page.id, page.settings_revision, page.title.clone());
    let question = format!(
        "Delete “{title}”? Its blocks are deleted too; the live site keeps it until you publish."
    );
    let delete = move |_| {
        let t = title.clone();
        state.run(error, delete_page(id, base), move |s, o| {
            let home = o
                .pages
                .iter()
                .find(|p| p.is_home)
                .map(|p| p.id)
                .unwrap_or(s.current);
            if id == s.current {
                // The open page is gone: continue on the home page.
                go_to(&format!("/builder/{home}"));
            }
            s.selected
                .set(if id == s.current { home } else { s.current });
            format!("Page “{t}” deleted.")
        });
    };
    view! {
        <div class="pages-delete">
            {move || if confirming.get() {
                view! {
                    <div role="group" aria-label="Confirm delete">
                        <p>{question.clone()}</p>
                        <button type="button" class="app-button pages-danger" disabled=move || state.busy.get()
                            on:click=delete.clone()>"Yes, delete this page"</button>
                        <button type="button" class="app-button app-button-ghost" on:click=move |_| confirming.set(false)>
                            "Cancel"
                        </button>
                    </div>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="app-button app-button-ghost pages-danger-ghost"
                        on:click=move |_| confirming.set(true)>"Delete page"</button>
                }.into_any()
            }}
            <FormAlert state=state error=error fields=&[]/>
        </div>
    }
    .into_any()
}

fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
