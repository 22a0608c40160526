//! The builder's Branding tab: the website's colours, fonts, logo, spacing and corner radius
//! (schema reference §18 `branding_config`). Edits restyle the canvas at once through the shared branding
//! signal; [`Saver`] stores them. Viewers see the values but cannot change them.

use leptos::prelude::*;
use uuid::Uuid;

use super::branding_save::Saver;
use crate::model::{color_input_value, Branding, Role, FONTS};

/// Reads one setting of the branding as text, for an input's value.
type Getter = fn(&Branding) -> String;
/// Writes one setting from an input's text; `Err` is the message for a value that does not parse.
type Setter = fn(&mut Branding, String) -> Result<(), String>;

#[component]
pub fn BrandingPanel(website_id: Uuid, role: Role, branding: RwSignal<Branding>) -> impl IntoView {
    let saver = Saver::new(website_id, branding);
    let disabled = !role.can_change_branding();
    let status = saver.status;
    let colors = Branding::default().colors.entries().map(|(key, label, _)| {
        view! { <ColorField saver=saver.clone() key=key label=label disabled=disabled/> }
    });
    let text = |label: &'static str,
                field: &'static str,
                get: Getter,
                set: Setter,
                kind: &'static str| {
        view! { <TextField saver=saver.clone() label=label field=field get=get set=set kind=kind disabled=disabled/> }
    };
    view! {
        <section class="branding-panel" aria-label="Branding">
            <h2>"Branding"</h2>
            {disabled.then(|| view! { <p class="app-muted">"Your role can look at the branding but not change it."</p> })}
            <p class="brand-status" aria-live="polite" data-state=move || format!("{:?}", status.get())>
                {move || status.get().label()}
            </p>
            <form on:submit=|ev| ev.prevent_default()>
                <fieldset>
                    <legend>"Colours"</legend>
                    {colors.into_iter().collect_view()}
                    {(!disabled).then(|| view! { <super::ai_assist::PaletteSuggest website_id=website_id saver=saver.clone()/> })}
                </fieldset>
                <fieldset>
                    <legend>"Typography"</legend>
                    <FontField saver=saver.clone() label="Heading font" field="typography.heading_font" heading=true disabled=disabled/>
                    <FontField saver=saver.clone() label="Body font" field="typography.body_font" heading=false disabled=disabled/>
                    {text("Base font size (px)", "typography.base_font_size", |b| b.typography.base_font_size.to_string(),
                        |b, v| number(v).map(|n| b.typography.base_font_size = n), "number")}
                    {text("Line height", "typography.line_height", |b| b.typography.line_height.to_string(),
                        |b, v| number(v).map(|n| b.typography.line_height = n), "number")}
                    {text("Heading weight", "typography.heading_weight", |b| b.typography.heading_weight.to_string(),
                        |b, v| number(v).map(|n| b.typography.heading_weight = n), "number")}
                </fieldset>
                <fieldset>
                    <legend>"Logo"</legend>
                    // Live: a pick from the media library below rewrites the address shown here.
                    <TextField saver=saver.clone() label="Logo image URL" field="logo.url" get=|b| b.logo.url.clone()
                        set=|b, v| { b.logo.url = v.trim().to_string(); Ok(()) } kind="url" disabled=disabled live=true/>
                    {(!disabled).then(|| {
                        let s = saver.clone();
                        let on_pick = Callback::new(move |url: String| s.edit("logo.url", |b| { b.logo.url = url; Ok(()) }));
                        view! { <crate::ui::media::AssetPicker label="Logo image" on_pick/> }
                    })}
                    {text("Logo description (alt text)", "logo.alt", |b| b.logo.alt.clone(), |b, v| { b.logo.alt = v; Ok(()) }, "text")}
                    {text("Logo width (px)", "logo.width", |b| b.logo.width.to_string(), |b, v| number(v).map(|n| b.logo.width = n), "number")}
                    {text("Logo height (px)", "logo.height", |b| b.logo.height.to_string(), |b, v| number(v).map(|n| b.logo.height = n), "number")}
                </fieldset>
                <fieldset>
                    <legend>"Spacing"</legend>
                    {text("Section padding", "spacing.section_padding_y", |b| b.spacing.section_padding_y.clone(),
                        |b, v| { b.spacing.section_padding_y = v.trim().to_string(); Ok(()) }, "text")}
                    {text("Content width", "spacing.container_max_width", |b| b.spacing.container_max_width.clone(),
                        |b, v| { b.spacing.container_max_width = v.trim().to_string(); Ok(()) }, "text")}
                </fieldset>
                <fieldset>
                    <legend>"Corner radius"</legend>
                    {text("Button radius", "border_radius.button", |b| b.border_radius.button.clone(),
                        |b, v| { b.border_radius.button = v.trim().to_string(); Ok(()) }, "text")}
                    {text("Card radius", "border_radius.card", |b| b.border_radius.card.clone(),
                        |b, v| { b.border_radius.card = v.trim().to_string(); Ok(()) }, "text")}
                    {text("Input radius", "border_radius.input", |b| b.border_radius.input.clone(),
                        |b, v| { b.border_radius.input = v.trim().to_string(); Ok(()) }, "text")}
                </fieldset>
            </form>
            <p class="app-hint">"Visitors see branding changes after you publish."</p>
        </section>
    }
    // Erased so the builder's side panel keeps a shallow view type.
    .into_any()
}

fn number<T: std::str::FromStr>(v: String) -> Result<T, String> {
    v.trim().parse().map_err(|_| "Enter a number.".to_string())
}

/// The message for `field` when the last refusal named it.
fn error_for(
    saver: &Saver,
    field: impl Into<String>,
) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    let errors = saver.field_error;
    let field: String = field.into();
    move || {
        errors.with(|e| {
            e.as_ref()
                .filter(|(f, _)| *f == field)
                .map(|(_, m)| m.clone())
        })
    }
}

/// Input id for a field name: `colors.primary` → `brand-colors-primary`.
fn input_id(field: &str) -> String {
    format!("brand-{}", field.replace(['.', '_'], "-"))
}

#[component]
fn FieldError(
    id: String,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! { <p class="app-field-error" id=id>{message}</p> }
}

/// A colour as a picker and a hex text field, both labelled, kept in step through the signal.
#[component]
fn ColorField(
    saver: Saver,
    key: &'static str,
    label: &'static str,
    disabled: bool,
) -> impl IntoView {
    let field = format!("colors.{key}");
    let id = input_id(&field);
    let hex_id = format!("{id}-hex");
    let err_id = format!("{id}-error");
    let branding = saver.branding;
    let value = move || {
        branding.with(|b| {
            b.colors
                .entries()
                .iter()
                .find(|e| e.0 == key)
                .map(|e| e.2.to_string())
                .unwrap_or_default()
        })
    };
    let error = error_for(&saver, field.clone());
    let set = move |saver: &Saver, v: String| {
        saver.edit(&format!("colors.{key}"), |b| {
            if let Some(c) = b.colors.get_mut(key) {
                *c = v.trim().to_string();
            }
            Ok(())
        })
    };
    let (picker, text) = (saver.clone(), saver);
    view! {
        <div class="app-field brand-color">
            <label for=id.clone()>{format!("{label} colour")}</label>
            <div class="brand-color-inputs">
                <input type="color" id=id disabled=disabled prop:value=move || color_input_value(&value())
                    on:input=move |ev| set(&picker, event_target_value(&ev))/>
                <input type="text" id=hex_id.clone() disabled=disabled spellcheck="false" maxlength="7"
                    aria-label=format!("{label} colour hex code") aria-describedby=err_id.clone()
                    aria-invalid={ let e = error.clone(); move || e().is_some().to_string() }
                    prop:value=value on:input=move |ev| set(&text, event_target_value(&ev))/>
            </div>
            <FieldError id=err_id message=error/>
        </div>
    }
}

#[component]
fn FontField(
    saver: Saver,
    label: &'static str,
    field: &'static str,
    heading: bool,
    disabled: bool,
) -> impl IntoView {
    let id = input_id(field);
    let err_id = format!("{id}-error");
    let current = saver.branding.with_untracked(|b| {
        if heading {
            b.typography.heading_font.clone()
        } else {
            b.typography.body_font.clone()
        }
    });
    // A font saved before the list existed stays selectable until it is changed.
    let mut fonts: Vec<String> = FONTS.iter().map(|f| f.to_string()).collect();
    if !fonts.contains(&current) {
        fonts.insert(0, current.clone());
    }
    let error = error_for(&saver, field);
    view! {
        <div class="app-field">
            <label for=id.clone()>{label}</label>
            <select id=id disabled=disabled aria-describedby=err_id.clone()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    saver.edit(field, |b| {
                        if heading { b.typography.heading_font = v } else { b.typography.body_font = v }
                        Ok(())
                    })
                }>
                {fonts.into_iter().map(|f| {
                    let selected = f == current;
                    let label = f.clone();
                    view! { <option value=f selected=selected>{label}</option> }
                }).collect_view()}
            </select>
            <FieldError id=err_id message=error/>
        </div>
    }
}

/// A text or number input for one setting.
#[component]
fn TextField(
    saver: Saver,
    label: &'static str,
    field: &'static str,
    get: Getter,
    set: Setter,
    kind: &'static str,
    disabled: bool,
    /// Follow the signal when something else changes the setting (the logo's media picker).
    /// Only for fields whose text is stored as typed up to trimming: a number field mid-edit
    /// ("1.50") would be rewritten under the cursor.
    #[prop(optional)]
    live: bool,
) -> impl IntoView {
    let id = input_id(field);
    let err_id = format!("{id}-error");
    let branding = saver.branding;
    // Otherwise read once: the input owns its text while the user types (a number field mid-edit
    // may not parse), and the signal follows it.
    let initial = branding.with_untracked(get);
    let value = move || {
        if live {
            branding.with(get)
        } else {
            initial.clone()
        }
    };
    let error = error_for(&saver, field);
    let step = (field == "typography.line_height").then_some("0.1");
    view! {
        <div class="app-field">
            <label for=id.clone()>{label}</label>
            <input type=kind id=id disabled=disabled step=step aria-describedby=err_id.clone()
                aria-invalid={ let e = error.clone(); move || e().is_some().to_string() }
                prop:value=value
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    saver.edit(field, |b| set(b, v))
                }/>
            <FieldError id=err_id message=error/>
        </div>
    }
}
