//! Customers, people and numbers: testimonials, pricing, team, stats.
//!
//! List items end in `.into_any()`: erasing their types keeps the nested view types shallow
//! enough for the compiler's layout depth limit in the hydrate build.

use leptos::prelude::*;

use super::{human_date, link_button, section_head};
use crate::model::{PricingProps, Review, StatsProps, TeamProps, TestimonialsProps};

pub(super) fn testimonials(p: TestimonialsProps) -> impl IntoView {
    let layout = if p.layout == "list" {
        "sp-reviews sp-reviews-list"
    } else {
        "sp-reviews"
    };
    view! {
        <section class="sp-block sp-testimonials">
            <div class="sp-container">
                {section_head(p.heading, String::new())}
                <ul class=layout>
                    {p.reviews.into_iter().map(review).collect_view()}
                </ul>
            </div>
        </section>
    }
}

fn review(r: Review) -> AnyView {
    let rating = r.rating.min(5);
    let stars = (rating > 0).then(|| {
        let shown = format!("{}{}", "★".repeat(rating.into()), "☆".repeat((5 - rating).into()));
        view! { <p class="sp-stars" role="img" aria-label=format!("{rating} out of 5 stars")>{shown}</p> }
    });
    let sep = (!r.source.is_empty() && !r.date.is_empty()).then_some(" · ");
    let date = (!r.date.is_empty()).then(|| {
        let shown = human_date(&r.date);
        view! { <time datetime=r.date>{shown}</time> }
    });
    let source =
        (!r.source.is_empty()).then(|| view! { <span>{format!("on {}", r.source)}</span> });
    view! {
        <li class="sp-card">
            <figure class="sp-review">
                {stars}
                <blockquote><p>{r.text}</p></blockquote>
                <figcaption>
                    {(!r.avatar_url.is_empty()).then(|| view! {
                        {super::block_img(r.avatar_url, String::new(), super::ImgOpts { sizes: "48px", eager: false, class: Some("sp-avatar"), fixed: Some((48, 48)) })}
                    })}
                    <span class="sp-review-by">
                        <strong>{r.name}</strong>
                        <small>{source}{sep}{date}</small>
                    </span>
                </figcaption>
            </figure>
        </li>
    }
    .into_any()
}

pub(super) fn pricing(p: PricingProps) -> impl IntoView {
    view! {
        <section class="sp-block sp-pricing" id="pricing">
            <div class="sp-container">
                {section_head(p.heading, p.subheading)}
                <ul class="sp-plans">
                    {p.plans.into_iter().map(|plan| {
                        let button = if plan.highlighted { "sp-button" } else { "sp-button sp-button-ghost" };
                        view! {
                            <li class="sp-card sp-plan" class:sp-plan-highlighted=plan.highlighted>
                                {(!plan.badge.is_empty()).then(|| view! { <p class="sp-plan-badge">{plan.badge}</p> })}
                                <h3>{plan.name}</h3>
                                <p class="sp-price"><strong>{plan.price}</strong><span>{plan.period}</span></p>
                                {(!plan.description.is_empty()).then(|| view! { <p>{plan.description}</p> })}
                                <ul class="sp-plan-features">
                                    {plan.features.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}
                                </ul>
                                {link_button(plan.cta_label, plan.cta_href, button)}
                            </li>
                        }
                        .into_any()
                    }).collect_view()}
                </ul>
            </div>
        </section>
    }
}

pub(super) fn team(p: TeamProps) -> impl IntoView {
    view! {
        <section class="sp-block sp-team" id="team">
            <div class="sp-container">
                {section_head(p.heading, p.subheading)}
                <ul class="sp-members">
                    {p.members.into_iter().map(|m| view! {
                        <li class="sp-member">
                            // The name is printed right below, so the portrait needs no alt text of its own.
                            {(!m.photo_url.is_empty()).then(|| view! {
                                {super::block_img(m.photo_url, String::new(), super::ImgOpts { sizes: "160px", eager: false, class: None, fixed: Some((160, 160)) })}
                            })}
                            <h3>{m.name}</h3>
                            {(!m.role.is_empty()).then(|| view! { <p class="sp-member-role">{m.role}</p> })}
                            {(!m.bio.is_empty()).then(|| view! { <p>{m.bio}</p> })}
                        </li>
                    }
                    .into_any()).collect_view()}
                </ul>
            </div>
        </section>
    }
}

pub(super) fn stats(p: StatsProps) -> impl IntoView {
    view! {
        <section class="sp-block sp-stats">
            <div class="sp-container">
                {section_head(p.heading, p.subheading)}
                // Label first in the markup (term, then its value); CSS shows the number on top.
                <dl class="sp-stat-list">
                    {p.items.into_iter().map(|i| {
                        let value = i.display();
                        view! {
                            <div class="sp-stat">
                                <dt>{i.label}</dt>
                                <dd>{value}</dd>
                            </div>
                        }
                    }).collect_view()}
                </dl>
            </div>
        </section>
    }
}
