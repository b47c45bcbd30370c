//! `/difficulties`: difficulties raised on visits in the user's scope, oldest first; commune
//! staff and administrators mark one handled with a comment the team sees. A switch shows the
//! handled ones with their comments.

use leptos::prelude::*;
use uuid::Uuid;

use super::{failure, fetch_into, may};
use crate::api::client;
use crate::api::{DifficultyItem, DifficultyList, HandleDifficulty};
use crate::components::common::{Load, LoadLine};
use crate::domain::policy::Action;
use crate::domain::time::format_date_time;
use crate::i18n::{t_string, use_i18n, Locale};

/// The difficulties page.
#[component]
pub fn DifficultiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let handled = RwSignal::new(super::query_value("status").as_deref() == Some("handled"));
    let list = RwSignal::new(None::<DifficultyList>);
    let load = RwSignal::new(Load::Loading);
    let again = RwSignal::new(0u32);
    let done = RwSignal::new(None::<String>);
    fetch_into(
        move || {
            let status = if handled.get() { "handled" } else { "open" };
            super::replace_query(&[(
                "status",
                if handled.get() {
                    status.to_string()
                } else {
                    String::new()
                },
            )]);
            Some(format!("/api/difficulties?status={status}"))
        },
        list,
        load,
        again,
    );
    let may_handle = may(Action::HandleDifficulties);
    view! {
        <main class="page" data-testid="difficulties-page">
            <h1 class="section-title">{t_string!(i18n, difficulty_title)}</h1>
            <label class="switch">
                <input type="checkbox" data-testid="show-handled" prop:checked=move || handled.get()
                    on:change=move |ev| { done.set(None); handled.set(event_target_checked(&ev)) } />
                " " {t_string!(i18n, difficulty_show_handled)}
            </label>
            {move || done.get().map(|text| view! { <p class="ok-line" role="status" data-testid="difficulty-done">{text}</p> })}
            <LoadLine load />
            {move || list.get().map(|l| view! {
                {l.difficulties.is_empty().then(|| view! {
                    <p class="empty" data-testid="difficulties-empty">{
                        if handled.get_untracked() { t_string!(i18n, difficulty_none_handled) } else { t_string!(i18n, difficulty_none_open) }
                    }</p>
                })}
                <div class="queue">
                    {l.difficulties.into_iter().map(|item| view! {
                        <DifficultyCard item may_handle again done />
                    }).collect_view()}
                </div>
            })}
        </main>
    }
}

/// One difficulty, with "Đã xử lý" and its comment box for those who handle them.
#[component]
fn DifficultyCard(
    item: DifficultyItem,
    may_handle: bool,
    again: RwSignal<u32>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id: Uuid = item.visit_id;
    let category = if i18n.get_locale_untracked() == Locale::vi {
        item.category_vi.clone()
    } else {
        item.category_en.clone()
    };
    let open = item.status == "open";
    let writing = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let head = StoredValue::new(item.head_name.clone());
    let handle = move |_| {
        busy.set(true);
        problem.set(None);
        let body = HandleDifficulty {
            comment: comment.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match client::post::<_, ()>(&format!("/api/difficulties/{id}/handle"), &body).await {
                Ok(()) => {
                    done.set(Some(
                        t_string!(i18n, difficulty_done, head = head.get_value()).to_string(),
                    ));
                    again.update(|n| *n += 1);
                }
                Err(error) => problem.set(Some(failure(i18n, &error))),
            }
            busy.set(false);
        });
    };
    view! {
        <article class="visit-card" data-testid="difficulty" data-visit-id=id.to_string() data-status=item.status.clone()>
            <p><strong data-testid="difficulty-category">{category}</strong>
                " · " {if open {
                    view! { <span class="chip chip-pending">{t_string!(i18n, difficulty_open)}</span> }
                } else {
                    view! { <span class="chip chip-sent">{t_string!(i18n, difficulty_handled)}</span> }
                }}
            </p>
            <p>{t_string!(i18n, difficulty_household)} ": " <strong>{item.head_name.clone()}</strong></p>
            <p class="visit-meta">{item.village_name.clone()} " · " {item.team_name.clone()} " · " {item.member_name.clone()}</p>
            <p class="visit-meta">{format_date_time(item.raised_at)}</p>
            {(!item.note.is_empty()).then(|| view! { <p>{t_string!(i18n, form_note)} ": " {item.note.clone()}</p> })}
            {item.comment.clone().map(|c| view! {
                <p class="ok-line" data-testid="difficulty-comment">
                    {t_string!(i18n, difficulty_comment)} ": " {c}
                    {item.handled_at.map(|at| format!(" ({})", format_date_time(at)))}
                </p>
            })}
            {(open && may_handle).then(|| view! {
                <div class="row-actions">
                    <button type="button" class="primary-button" data-testid="handle"
                        on:click=move |_| writing.update(|w| *w = !*w)>{t_string!(i18n, difficulty_handle)}</button>
                </div>
                {move || writing.get().then(|| {
                    let field = format!("comment-{id}");
                    view! {
                        <div class="inline-form">
                            <label for=field.clone()>{t_string!(i18n, difficulty_comment_label)}</label>
                            <textarea id=field rows="2" data-testid="comment" prop:value=move || comment.get()
                                on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                            <p class="field-error" role="alert" data-testid="comment-error">{move || problem.get()}</p>
                            <button type="button" class="primary-button" data-testid="confirm-handle"
                                disabled=move || busy.get() on:click=handle>{t_string!(i18n, difficulty_confirm)}</button>
                        </div>
                    }
                })}
            })}
        </article>
    }
}
