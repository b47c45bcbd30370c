//! "3 lượt chưa gửi · Đồng bộ lúc 14:05 ⟳": always visible on member screens. Amber when the
//! last attempt failed, with the reason in plain words.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::domain::time::format_time;
use crate::i18n::{t, use_i18n};
use crate::offline::sync_client::{SyncError, SyncStatus};

/// The status line.
#[component]
pub fn StatusLine() -> impl IntoView {
    let i18n = use_i18n();
    let sync = expect_context::<SyncStatus>();
    let pending = move || sync.pending.get();
    let failed = move || sync.error.get().is_some();
    let error_text = move || {
        sync.error.get().map(|error| match error {
            SyncError::Offline => t!(i18n, status_error_offline).into_any(),
            SyncError::SessionExpired => view! {
                {t!(i18n, status_error_session)}
                " "
                <A href="/login">{t!(i18n, login_submit)}</A>
            }
            .into_any(),
            SyncError::Server => t!(i18n, status_error_server).into_any(),
            SyncError::StorageFull => t!(i18n, status_error_storage).into_any(),
        })
    };
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
                <span data-testid="pending-count">
                    {move || {
                        let count = pending();
                        if count == 0 {
                            t!(i18n, status_all_sent).into_any()
                        } else {
                            t!(i18n, status_pending, count = count).into_any()
                        }
                    }}
                </span>
                " · "
                <span data-testid="last-sync">
                    {move || match sync.last_ok.get() {
                        Some(ms) => t!(i18n, status_synced_at, time = format_time(ms)).into_any(),
                        None => t!(i18n, status_never_synced).into_any(),
                    }}
                </span>
                <button
                    type="button"
                    class="sync-now"
                    data-testid="sync-now"
                    disabled=move || sync.busy.get()
                    on:click=move |_| sync.kick()
                >
                    {move || if sync.busy.get() { t!(i18n, status_syncing).into_any() } else { t!(i18n, status_sync_now).into_any() }}
                </button>
            </p>
            <p class="status-error" data-testid="sync-error">{error_text}</p>
        </section>
    }
}
