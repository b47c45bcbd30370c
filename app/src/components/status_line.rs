//! "3 lượt chưa gửi · Đồng bộ lúc 14:05 ⟳": always visible on member screens, on one compact
//! row. Amber when the last attempt failed, with the reason in plain words. It never claims
//! more than the device knows: before anything was ever sent it says there is nothing to send
//! (or that the waiting visits were never synced), not "all sent".

use leptos::prelude::*;

use crate::domain::time::format_time;
use crate::i18n::{t_string, use_i18n};
use crate::offline::sync_client::{SyncError, SyncStatus};
use crate::router::{follow, use_nav};

/// The status line.
#[component]
pub fn StatusLine() -> impl IntoView {
    let i18n = use_i18n();
    let sync = expect_context::<SyncStatus>();
    let pending = move || sync.pending.get();
    let failed = move || sync.error.get().is_some();
    let error_text = move || {
        sync.error.get().map(|error| match error {
            SyncError::Offline => t_string!(i18n, status_error_offline),
            SyncError::SessionExpired => t_string!(i18n, status_error_session),
            SyncError::Server => t_string!(i18n, status_error_server),
            SyncError::NotAllowed => t_string!(i18n, status_error_not_allowed),
            SyncError::StorageFull => t_string!(i18n, status_error_storage),
        })
    };
    // Said only when true: "all sent" once something was sent, "never synced" only while
    // something waits for its first sending.
    let sync_text = move || match (sync.last_ok.get(), pending()) {
        (Some(ms), _) => {
            Some(t_string!(i18n, status_synced_at, time = format_time(ms)).to_string())
        }
        (None, 0) => None,
        (None, _) => Some(t_string!(i18n, status_never_sent).to_string()),
    };
    let expired = move || sync.error.get() == Some(SyncError::SessionExpired);
    let nav = use_nav();
    view! {
        <section
            class="status-line"
            class:status-failed=failed
            data-testid="status-line"
            data-pending=move || pending().to_string()
            aria-live="polite"
        >
            <p class="status-summary">
                <span class="status-dot" aria-hidden="true">"●"</span>
                " "
                <span class="status-text">
                    <span data-testid="pending-count">
                        {move || match (pending(), sync.last_ok.get()) {
                            (0, Some(_)) => t_string!(i18n, status_all_sent).to_string(),
                            (0, None) => t_string!(i18n, status_nothing_to_send).to_string(),
                            (count, _) => t_string!(i18n, status_pending, count = count).to_string(),
                        }}
                    </span>
                    // Nothing sent and nothing waiting: "never synced" would only add noise.
                    {move || sync_text().map(|text| view! { " · " <span data-testid="last-sync">{text}</span> })}
                </span>
                <button
                    type="button"
                    class="sync-now"
                    data-testid="sync-now"
                    disabled=move || sync.busy.get()
                    on:click=move |_| sync.kick()
                >
                    {move || if sync.busy.get() { t_string!(i18n, status_syncing).to_string() } else { t_string!(i18n, status_sync_now).to_string() }}
                </button>
            </p>
            {move || {
                sync.storage_low
                    .get()
                    .then(|| view! { <p class="status-error" data-testid="storage-low">{t_string!(i18n, status_storage_low)}</p> })
            }}
            <p class="status-error" data-testid="sync-error">
                {error_text}
                {move || {
                    expired()
                        .then(|| view! { " " <a href="/login" on:click=follow(nav, "/login")>{t_string!(i18n, login_submit)}</a> })
                }}
            </p>
        </section>
    }
}
