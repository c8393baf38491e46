//! "What if" on the twin: the knobs (memory, the CPU-bound share as the learner's assumption,
//! provisioned and reserved concurrency, arm64, package size), their run set beside the log's
//! own cost, cold starts and p99, and the search for the cheapest memory under a p99 target.

use calibrate::{Twin, WhatIf};
use leptos::prelude::*;

use super::fit::{row_view, value};
use super::Page;

/// What each figure of the what-if table counts.
fn what_it_counts(figure: &str, twin: &Twin) -> String {
    let span = crate::format::duration_s(twin.reading.facts.span_s);
    match figure {
        "cost" => format!("requests and GB-seconds over the log's {span}; the log's from its Billed Durations at x86_64 prices"),
        "cold starts" => "invocations that began with Init".to_string(),
        "p99 Duration" => "handler time, Init excluded, as a REPORT line's Duration".to_string(),
        "throttled" => "requests refused with a 429: a log has no line for them".to_string(),
        _ => String::new(),
    }
}

/// Sets one knob from its typed text, or says why the text cannot be used.
fn set_knob(page: Page, name: &'static str, parsed: Result<impl FnOnce(&mut WhatIf), String>) {
    match parsed {
        Ok(apply) => {
            let Some(mut k) = page.current_knobs() else {
                return;
            };
            apply(&mut k);
            if page
                .knob_error
                .with_untracked(|e| e.as_ref().is_some_and(|(n, _)| *n == name))
            {
                page.knob_error.set(None);
            }
            page.knobs.set(Some(k));
        }
        Err(e) => page.knob_error.set(Some((name, e))),
    }
}

fn quoted(t: &str) -> String {
    format!("\u{201c}{}\u{201d}", engine::clip::message(t))
}

/// A whole number of environments, or why not.
fn whole(label: &str, t: &str) -> Result<u32, String> {
    t.trim()
        .parse::<u32>()
        .map_err(|_| format!("{label}: expected a whole number from 0, got {}", quoted(t)))
}

/// The knobs and their run.
#[component]
pub(super) fn WhatIfPanel(
    /// The page's state.
    page: Page,
) -> impl IntoView {
    // One memo per knob: a knob's box is rewritten only when its own value changes, so text
    // being typed in another is never overwritten.
    let memory = Memo::new(move |_| page.current_knobs().map_or(512, |k| k.memory_mb));
    let cpu = Memo::new(move |_| page.current_knobs().map_or(0.5, |k| k.cpu_share));
    let provisioned = Memo::new(move |_| {
        page.current_knobs()
            .map_or(0, |k| k.provisioned_concurrency)
    });
    let reserved = Memo::new(move |_| page.current_knobs().and_then(|k| k.reserved_concurrency));
    let arm = Memo::new(move |_| page.current_knobs().is_some_and(|k| k.arm64));
    let package = Memo::new(move |_| page.current_knobs().map_or(0.0, |k| k.package_mb));
    let twin = page.twin;
    let error_of = move |name: &'static str| {
        move || {
            page.knob_error
                .get()
                .filter(|(n, _)| *n == name)
                .map(|(_, e)| view! { <p class="error knob-note" role="alert" data-testid=format!("yf-knob-error-{name}")>{e}</p> })
        }
    };
    let evaluation = move || {
        twin.get().map(|t| {
            let e = &t.evaluation;
            let w = &t.what_if;
            let verdict = format!(
                "At {} MB{}: p99 {} (the log's {}), {} (the log's {}), {} for the log's {} (the log's {}).",
                engine::report::group(u64::from(w.memory_mb)),
                if w.arm64 { " on arm64" } else { "" },
                value(e.engine.p99_ms, "ms"),
                value(e.log.p99_ms, "ms"),
                crate::format::count(e.engine.cold_starts, "cold start"),
                engine::report::group(e.log.cold_starts),
                value(e.engine.cost_usd, "USD"),
                crate::format::duration_s(t.reading.facts.span_s),
                value(e.log.cost_usd, "USD"),
            );
            view! {
                <p class="verdict" data-testid="yf-whatif-verdict">{verdict}</p>
                <table class="compare" data-testid="yf-whatif" data-p99=format!("{:.3}", e.engine.p99_ms)
                    data-memory=w.memory_mb.to_string() data-cost=format!("{:.9}", e.engine.cost_usd)>
                    <caption>"The log, and the twin with these knobs"</caption>
                    <thead><tr><th scope="col">"Figure (what it counts)"</th><th scope="col">"Log"</th><th scope="col">"Twin"</th><th scope="col">"Difference"</th></tr></thead>
                    <tbody>{e.rows.iter().map(|r| row_view(r, &what_it_counts(&r.figure, &t))).collect_view()}</tbody>
                </table>
            }
        })
    };
    view! {
        <div class="yf-whatif" class:hidden=move || twin.with(Option::is_none)>
            <h2>"What if?"</h2>
            <p>"Change the twin and the engine runs it again on the log's own traffic. Every figure is set beside the log's."</p>
            <div class="whatif-grid">
                <div class="controls yf-knobs">
                    <div class="knob">
                        <label for="yf-memory">"Memory"</label>
                        <output for="yf-memory">{move || format!("{} MB", engine::report::group(u64::from(memory.get())))}</output>
                        <input id="yf-memory" type="range" min="128" max="10240" step="64" data-testid="yf-memory"
                            prop:value=move || memory.get().to_string()
                            on:input=move |ev| {
                                let t = event_target_value(&ev);
                                set_knob(page, "memory", t.parse::<u32>().map(|m| move |k: &mut WhatIf| k.memory_mb = m).map_err(|_| format!("Memory: expected MB, got {}", quoted(&t))));
                            }/>
                    </div>
                    <div class="knob assumption">
                        <label for="yf-cpu">"CPU-bound share (your assumption)"</label>
                        <output for="yf-cpu">{move || format!("{:.0}%", cpu.get() * 100.0)}</output>
                        <input id="yf-cpu" type="range" min="0" max="1" step="0.05" data-testid="yf-cpu"
                            prop:value=move || cpu.get().to_string()
                            on:input=move |ev| {
                                let t = event_target_value(&ev);
                                set_knob(page, "cpu", t.parse::<f64>().ok().filter(|c| (0.0..=1.0).contains(c)).map(|c| move |k: &mut WhatIf| k.cpu_share = c).ok_or_else(|| format!("CPU-bound share: expected 0 to 1, got {}", quoted(&t))));
                            }/>
                        <p class="knob-note">"The log cannot tell this: a REPORT line gives the handler's time, not how much of it was CPU work. "
                            "The CPU part speeds up with memory (up to 1,769 MB, one vCPU); the rest, waiting on I/O, does not."</p>
                    </div>
                    <div class="knob">
                        <label for="yf-provisioned">"Provisioned concurrency"</label>
                        <output for="yf-provisioned">{move || crate::format::count(u64::from(provisioned.get()), "environment")}</output>
                        <input id="yf-provisioned" type="text" inputmode="numeric" data-testid="yf-provisioned"
                            prop:value=move || provisioned.get().to_string()
                            on:input=move |ev| {
                                let t = event_target_value(&ev);
                                set_knob(page, "provisioned", whole("Provisioned concurrency", &t).map(|n| move |k: &mut WhatIf| k.provisioned_concurrency = n));
                            }/>
                        {error_of("provisioned")}
                    </div>
                    <div class="knob">
                        <label for="yf-reserved">"Reserved concurrency"</label>
                        <output for="yf-reserved">{move || reserved.get().map_or_else(|| "none".to_string(), |n| crate::format::count(u64::from(n), "environment"))}</output>
                        <input id="yf-reserved" type="text" inputmode="numeric" placeholder="none" data-testid="yf-reserved"
                            prop:value=move || reserved.get().map(|n| n.to_string()).unwrap_or_default()
                            on:input=move |ev| {
                                let t = event_target_value(&ev);
                                let parsed = match t.trim() {
                                    "" | "none" => Ok(None),
                                    s => whole("Reserved concurrency", s).map(Some),
                                };
                                set_knob(page, "reserved", parsed.map(|r| move |k: &mut WhatIf| k.reserved_concurrency = r));
                            }/>
                        <p class="knob-note">"Empty: none (the function shares the account's unreserved pool)."</p>
                        {error_of("reserved")}
                    </div>
                    <div class="knob knob-toggle">
                        <input id="yf-arm" type="checkbox" data-testid="yf-arm"
                            prop:checked=move || arm.get()
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                set_knob(page, "arm", Ok::<_, String>(move |k: &mut WhatIf| k.arm64 = on));
                            }/>
                        <label for="yf-arm">"arm64 (Graviton): the engine changes the price only"</label>
                    </div>
                    <div class="knob">
                        <label for="yf-package">"Package size"</label>
                        <output for="yf-package">{move || format!("{} MB", package.get())}</output>
                        <input id="yf-package" type="text" inputmode="decimal" data-testid="yf-package"
                            prop:value=move || package.get().to_string()
                            on:input=move |ev| {
                                let t = event_target_value(&ev);
                                let parsed = t.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
                                    .ok_or_else(|| format!("Package size: expected a number of MB from 0, got {}", quoted(&t)));
                                set_knob(page, "package", parsed.map(|p| move |k: &mut WhatIf| k.package_mb = p));
                            }/>
                        <p class="knob-note">"Each MB adds the engine's Init time per MB to every cold start."</p>
                        {error_of("package")}
                    </div>
                </div>
                <div class="yf-evaluation" class:stale=move || page.busy.get() || page.knob_error.with(Option::is_some)>
                    {move || page.knob_error.get().map(|_| view! { <p class="notice" role="status">"Fix the value above to run the twin again: the figures below are of the last valid knobs."</p> })}
                    {move || page.busy.get().then(|| view! { <p class="muted small" role="status" data-testid="yf-busy">"Running the twin\u{2026}"</p> })}
                    <StepBar busy=page.busy step=page.step on_stop=move || page.stop(false) test_id="yf"/>
                    <p class="error" role="alert" data-testid="yf-whatif-error">{move || page.whatif_error.get()}</p>
                    {evaluation}
                </div>
            </div>
        </div>
    }
}

/// A twin request's progress, past 300 ms: its steps done out of all, the step running, and a
/// Stop button.
#[component]
fn StepBar(
    /// A request is under way.
    busy: RwSignal<bool>,
    /// Its step: done, in all, and what is running.
    step: RwSignal<Option<(u32, u32, String)>>,
    /// Stops it.
    on_stop: impl Fn() + Copy + Send + Sync + 'static,
    /// The stem of its test ids (`{stem}-progress`, `{stem}-stop`).
    test_id: &'static str,
) -> impl IntoView {
    let shown = crate::components::run_bar::after_delay(busy);
    // Built once per request, with only its figures changing: a rebuilt Stop button would lose
    // the clicks that land on it.
    let visible = Memo::new(move |_| shown.get() && step.with(Option::is_some));
    let figures = move || step.get().unwrap_or((0, 1, String::new()));
    view! {
        {move || visible.get().then(|| view! {
            <div class="run-bar" role="status" data-testid=format!("{test_id}-progress")>
                <progress max=move || figures().1.to_string() value=move || figures().0.to_string()></progress>
                <span>{move || {
                    let (done, total, what) = figures();
                    format!("Step {} of {total}: {what}", done + 1)
                }}</span>
                <button type="button" class="secondary" data-testid=format!("{test_id}-stop") on:click=move |_| on_stop()>"Stop"</button>
            </div>
        })}
    }
}

/// The cheapest memory that keeps p99 under a target.
#[component]
pub(super) fn Cheapest(
    /// The page's state.
    page: Page,
) -> impl IntoView {
    let twin = page.twin;
    let typed = RwSignal::new(None::<String>);
    // The target defaults to the log's own p99, rounded up to the millisecond.
    let limit_text = move || {
        typed.get().unwrap_or_else(|| {
            twin.with(|t| {
                t.as_ref()
                    .map(|t| format!("{}", t.reading.facts.duration.p99.ceil()))
                    .unwrap_or_default()
            })
        })
    };
    let run = move |_| {
        let t = limit_text();
        match t.trim().parse::<f64>() {
            Ok(x) if x.is_finite() && x > 0.0 => page.search_cheapest(x),
            _ => page.search_error.set(Some(format!(
                "p99 target: expected a number of ms above 0, got {}",
                quoted(&t)
            ))),
        }
    };
    let stale = move || {
        let (Some((_, for_knobs)), Some(now)) = (page.search.get(), page.current_knobs()) else {
            return false;
        };
        WhatIf {
            memory_mb: now.memory_mb,
            ..for_knobs
        } != now
    };
    view! {
        <div class="yf-cheapest" class:hidden=move || twin.with(Option::is_none)>
            <h2>"The cheapest memory for a p99 target"</h2>
            <p>"Like AWS Lambda Power Tuning, without touching AWS: the engine runs the twin (with the knobs above) at 15 memory sizes from 128 MB to 10,240 MB, on the log's traffic."</p>
            <div class="lab-actions">
                <label for="yf-limit">"p99 under "</label>
                <input id="yf-limit" type="text" inputmode="decimal" size="8" data-testid="yf-limit"
                    prop:value=limit_text on:input=move |ev| typed.set(Some(event_target_value(&ev)))/>
                <span>" ms"</span>
                <button type="button" class="primary" data-testid="yf-cheapest" disabled=move || page.search_busy.get() on:click=run>
                    {move || if page.search_busy.get() { "Running 15 sizes\u{2026}" } else { "Cheapest memory that keeps p99 under this" }}
                </button>
            </div>
            <StepBar busy=page.search_busy step=page.search_step on_stop=move || page.stop(true) test_id="yf-search"/>
            <p class="error" role="alert" data-testid="yf-cheapest-error">{move || page.search_error.get()}</p>
            {move || stale().then(|| view! { <p class="notice" role="status">"The knobs changed since this search: run it again for the new ones."</p> })}
            {move || page.search.get().map(|(s, _)| {
                let best = s.best_mb;
                view! {
                    <p class="verdict" data-testid="yf-cheapest-answer" data-best=best.map(|b| b.to_string()).unwrap_or_default()>{s.answer.clone()}</p>
                    <table class="compare" data-testid="yf-cheapest-rows">
                        <thead><tr><th scope="col">"Memory"</th><th scope="col">"p99 Duration"</th><th scope="col">"Cost over the log's span"</th><th scope="col">"Cold starts"</th><th scope="col">"Under the target"</th></tr></thead>
                        <tbody>
                            {s.rows.iter().map(|r| view! {
                                <tr class:best=Some(r.memory_mb) == best>
                                    <th scope="row">{format!("{} MB", engine::report::group(u64::from(r.memory_mb)))}</th>
                                    <td>{value(r.figures.p99_ms, "ms")}</td>
                                    <td>{value(r.figures.cost_usd, "USD")}</td>
                                    <td>{engine::report::group(r.figures.cold_starts)}</td>
                                    <td>{if r.fits { "\u{2713} yes" } else { "\u{2717} no" }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
        </div>
    }
}
