//! Text-led sections: contact form, FAQ, blog grid, image and text.
//!
//! List items end in `.into_any()`: erasing their types keeps the nested view types shallow
//! enough for the compiler's layout depth limit in the hydrate build.

use leptos::prelude::*;

use super::{human_date, link_button, paragraphs, section_head};
use crate::model::{
    BlogGridProps, ContactFormProps, FaqProps, FormField, FormSlot, ImageTextProps, FORM_ID_FIELD,
    HONEYPOT_FIELD,
};

pub(super) fn contact_form(p: ContactFormProps, slot: Option<FormSlot>) -> impl IntoView {
    let address = (p.show_address && !p.address.is_empty()).then_some(p.address);
    let phone = (p.show_phone && !p.phone.is_empty()).then_some(p.phone);
    let hours = (p.show_business_hours && !p.business_hours.is_empty()).then_some(p.business_hours);
    let has_details = address.is_some() || phone.is_some() || hours.is_some();
    let anchor = slot.as_ref().map(FormSlot::anchor);
    let body = match slot {
        // After a successful submission the form gives way to the block's success message.
        Some(s) if s.sent => view! {
            <p class="sp-form-success" role="status">{p.success_message}</p>
        }
        .into_any(),
        Some(s) => visitor_form(p.fields, p.submit_label, s).into_any(),
        // Builder canvas and previews: nothing to post to.
        None => view! {
            <form method="post" action="#" class="sp-form" data-block="contact_form">
                {p.fields.into_iter().map(|f| form_field(f, None, None)).collect_view()}
                <button type="submit" class="sp-button">{p.submit_label}</button>
            </form>
        }
        .into_any(),
    };
    view! {
        <section class="sp-block sp-contact-form" id=anchor>
            <div class="sp-container sp-contact-inner" class:sp-contact-with-details=has_details>
                <div>
                    {section_head(p.heading, p.subheading)}
                    {body}
                </div>
                {has_details.then(|| view! {
                    <div class="sp-contact-details">
                        {address.map(|a| view! { <p><strong>"Address"</strong><span>{a}</span></p> })}
                        {phone.map(|ph| {
                            let dial: String = ph.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                            view! { <p><strong>"Phone"</strong><a href=format!("tel:{dial}")>{ph}</a></p> }
                        })}
                        {hours.map(|h| view! { <p><strong>"Opening hours"</strong><span>{h}</span></p> })}
                    </div>
                }
                .into_any())}
            </div>
        </section>
    }
}

/// The visitor site's form: posts to its own page with the block's id, shows the visitor's
/// values and each field's error after a refused submission, and carries the honeypot.
fn visitor_form(fields: Vec<FormField>, submit_label: String, s: FormSlot) -> impl IntoView {
    let action = format!("{}#{}", s.action, s.anchor());
    let failed = !s.errors.is_empty();
    let controls = fields
        .into_iter()
        .map(|f| {
            let value = s.values.get(&f.name).cloned();
            let error = s
                .errors
                .get(&f.name)
                .cloned()
                .map(|e| (format!("{}-{}-error", s.anchor(), f.name), e));
            form_field(f, value, error)
        })
        .collect_view();
    view! {
        <form method="post" action=action class="sp-form" data-block="contact_form">
            {failed.then(|| view! {
                <p class="sp-form-alert" role="alert">"Please correct the fields marked below."</p>
            })}
            <input type="hidden" name=FORM_ID_FIELD value=s.component_id.to_string()/>
            // Off-screen rather than display:none, which some bots detect; people never reach it.
            <p class="sp-hp" aria-hidden="true">
                <label>"Leave this empty"<input type="text" name=HONEYPOT_FIELD tabindex="-1" autocomplete="off"/></label>
            </p>
            {controls}
            <button type="submit" class="sp-button">{submit_label}</button>
        </form>
    }
}

/// One labelled input. The label wraps its control, so several forms on a page need no ids;
/// an error is tied to its control with `aria-describedby`.
fn form_field(f: FormField, value: Option<String>, error: Option<(String, String)>) -> AnyView {
    let autocomplete = match f.field_type.as_str() {
        "email" => "email",
        "tel" => "tel",
        _ if f.name == "name" => "name",
        _ => "off",
    };
    let invalid = error.as_ref().map(|_| "true");
    let described = error.as_ref().map(|(id, _)| id.clone());
    let control = if f.field_type == "textarea" {
        view! {
            <textarea name=f.name rows="5" required=f.required aria-invalid=invalid aria-describedby=described>
                {value}
            </textarea>
        }
        .into_any()
    } else {
        view! {
            <input type=f.field_type name=f.name required=f.required autocomplete=autocomplete value=value
                aria-invalid=invalid aria-describedby=described/>
        }
        .into_any()
    };
    view! {
        <p class="sp-form-field">
            <label>
                <span>{f.label}{f.required.then(|| view! { <span class="sp-required" aria-hidden="true">" *"</span> })}</span>
                {control}
            </label>
            {error.map(|(id, e)| view! { <span class="sp-field-error" id=id>{e}</span> })}
        </p>
    }
    .into_any()
}

pub(super) fn faq(p: FaqProps) -> impl IntoView {
    view! {
        <section class="sp-block sp-faq" id="faq">
            <div class="sp-container sp-prose">
                {section_head(p.heading, p.subheading)}
                <div class="sp-faq-list">
                    {p.items.into_iter().map(|i| view! {
                        <details>
                            <summary>{i.question}</summary>
                            <div class="sp-faq-answer">{paragraphs(&i.answer)}</div>
                        </details>
                    }).collect_view()}
                </div>
            </div>
        </section>
    }
}

pub(super) fn blog_grid(p: BlogGridProps) -> impl IntoView {
    let style = format!("--sp-columns:{};", p.columns.clamp(1, 4));
    let more = p.read_more_label;
    view! {
        <section class="sp-block sp-blog-grid" id="blog">
            <div class="sp-container">
                {section_head(p.heading, p.subheading)}
                <ul class="sp-posts" style=style>
                    {p.posts.into_iter().map(|post| {
                        let title = if post.href.is_empty() {
                            view! { {post.title.clone()} }.into_any()
                        } else {
                            view! { <a href=post.href.clone()>{post.title.clone()}</a> }.into_any()
                        };
                        // "Read more" repeats on every card; the accessible name says which post.
                        let read_more = (!more.is_empty() && !post.href.is_empty()).then(|| view! {
                            <a class="sp-more" href=post.href.clone() aria-label=format!("{}: {}", more, post.title)>{more.clone()}</a>
                        });
                        view! {
                            <li class="sp-card sp-post">
                                <article>
                                    {(!post.image_url.is_empty()).then(|| view! {
                                        {super::block_img(post.image_url, post.image_alt, super::ImgOpts::sized("(max-width: 720px) 100vw, 370px"))}
                                    })}
                                    <div class="sp-post-body">
                                        {(!post.date.is_empty()).then(|| {
                                            let shown = human_date(&post.date);
                                            view! { <time datetime=post.date>{shown}</time> }
                                        })}
                                        <h3>{title}</h3>
                                        <p>{post.excerpt}</p>
                                        {read_more}
                                    </div>
                                </article>
                            </li>
                        }
                        .into_any()
                    }).collect_view()}
                </ul>
            </div>
        </section>
    }
}

pub(super) fn image_text(p: ImageTextProps) -> impl IntoView {
    let right = p.image_position == "right";
    view! {
        <section class="sp-block sp-image-text" class:sp-image-right=right>
            <div class="sp-container sp-image-text-inner">
                {(!p.image_url.is_empty()).then(|| view! {
                    <figure class="sp-image-text-media">
                        {super::block_img(p.image_url, p.image_alt, super::ImgOpts::sized("(max-width: 720px) 100vw, 550px"))}
                    </figure>
                })}
                <div class="sp-image-text-body">
                    {(!p.heading.is_empty()).then(|| view! { <h2>{p.heading}</h2> })}
                    {paragraphs(&p.body)}
                    {link_button(p.button_label, p.button_href, "sp-button")}
                </div>
            </div>
        </section>
    }
}
