//! Text-led sections: contact form, FAQ, blog grid, image and text.
//!
//! List items end in `.into_any()`: erasing their types keeps the nested view types shallow
//! enough for the compiler's layout depth limit in the hydrate build.

use leptos::prelude::*;

use super::{human_date, link_button, paragraphs, section_head};
use crate::model::*;

pub(super) fn contact_form(p: ContactFormProps) -> impl IntoView {
    let address = (p.show_address && !p.address.is_empty()).then_some(p.address);
    let phone = (p.show_phone && !p.phone.is_empty()).then_some(p.phone);
    let hours = (p.show_business_hours && !p.business_hours.is_empty()).then_some(p.business_hours);
    let has_details = address.is_some() || phone.is_some() || hours.is_some();
    view! {
        <section class="sp-block sp-contact-form">
            <div class="sp-container sp-contact-inner" class:sp-contact-with-details=has_details>
                <div>
                    {section_head(p.heading, p.subheading)}
                    // Submissions are handled in a later issue; until then the form posts nowhere.
                    <form method="post" action="#" class="sp-form" data-block="contact_form">
                        {p.fields.into_iter().map(form_field).collect_view()}
                        <button type="submit" class="sp-button">{p.submit_label}</button>
                    </form>
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

/// One labelled input. The label wraps its control, so several forms on a page need no ids.
fn form_field(f: FormField) -> AnyView {
    let autocomplete = match f.field_type.as_str() {
        "email" => "email",
        "tel" => "tel",
        _ if f.name == "name" => "name",
        _ => "off",
    };
    let control = if f.field_type == "textarea" {
        view! { <textarea name=f.name rows="5" required=f.required></textarea> }.into_any()
    } else {
        view! { <input type=f.field_type name=f.name required=f.required autocomplete=autocomplete/> }.into_any()
    };
    view! {
        <p class="sp-form-field">
            <label>
                <span>{f.label}{f.required.then(|| view! { <span class="sp-required" aria-hidden="true">" *"</span> })}</span>
                {control}
            </label>
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
                                        <img src=post.image_url alt=post.image_alt loading="lazy"/>
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
                        <img src=p.image_url alt=p.image_alt loading="lazy"/>
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
