//! The field reference: every field of a scenario file, its type, unit, range, default and
//! meaning, drawn from `engine::scenario::FIELDS` (the table the engine's tests tie to the
//! schema and the validator), grouped by table and searchable, so nobody needs the source.

use engine::scenario::{FieldDoc, FIELDS};
use leptos::prelude::*;

/// Whether `doc` matches the search `q` (already lower case): by path, meaning, AWS name,
/// unit or type. An empty search matches everything.
pub fn matches(doc: &FieldDoc, q: &str) -> bool {
    let q = q.trim();
    q.is_empty()
        || [doc.path, doc.meaning, doc.aws, doc.unit, doc.ty, doc.when]
            .iter()
            .any(|s| s.to_lowercase().contains(q))
}

/// The tables in the order the reference lists them, each with its fields.
fn groups() -> Vec<(String, Vec<&'static FieldDoc>)> {
    let mut out: Vec<(String, Vec<&'static FieldDoc>)> = Vec::new();
    for doc in FIELDS {
        let g = doc.group();
        match out.iter_mut().find(|(name, _)| *name == g) {
            Some((_, docs)) => docs.push(doc),
            None => out.push((g, vec![doc])),
        }
    }
    out
}

/// One field as a table row; on a narrow screen each cell shows its own label.
fn row(doc: &'static FieldDoc, q: ReadSignal<String>) -> impl IntoView {
    let aws = (!doc.aws.is_empty())
        .then(|| view! { <span class="reference-aws">"AWS: " {doc.aws}</span> });
    view! {
        <tr data-testid="reference-row" data-field=doc.path hidden=move || !matches(doc, &q.get())>
            <th scope="row" data-label="Field"><code>{doc.name()}</code></th>
            <td data-label="Type">{doc.ty}</td>
            <td data-label="Unit">{doc.unit}</td>
            <td data-label="Range">{doc.range}</td>
            <td data-label="Default">{doc.default.text()}</td>
            <td data-label="Meaning">{doc.meaning} {aws}</td>
        </tr>
    }
}

/// The Field reference page (`#/reference`).
#[component]
pub fn Reference() -> impl IntoView {
    let (q, set_q) = signal(String::new());
    let shown = Memo::new(move |_| {
        let q = q.get();
        FIELDS.iter().filter(|d| matches(d, &q)).count()
    });
    let tables = groups()
        .into_iter()
        .map(|(name, docs)| {
            let in_view = docs.clone();
            let visible = move || in_view.iter().any(|d| matches(d, &q.get()));
            view! {
                <section class="reference-group" hidden=move || !visible()>
                    <h2><code>{name}</code></h2>
                    <table class="reference-table">
                        <thead>
                            <tr><th scope="col">"Field"</th><th scope="col">"Type"</th><th scope="col">"Unit"</th><th scope="col">"Range"</th><th scope="col">"Default"</th><th scope="col">"Meaning"</th></tr>
                        </thead>
                        <tbody>{docs.into_iter().map(|d| row(d, q)).collect_view()}</tbody>
                    </table>
                </section>
            }
        })
        .collect_view();
    view! {
        <section class="reference">
            <p><a href="#/lab">"\u{2190} Back to the lab"</a></p>
            <h1>"Field reference"</h1>
            <p class="lede">"Every field a scenario file can hold: its unit, the values the lab accepts and what it is when you leave it out. " <code>"[]"</code> " stands for each entry of a list, such as each " <code>"[[functions]]"</code> " table."</p>
            <label for="reference-search" class="field-label">"Search the fields"</label>
            <input id="reference-search" type="search" data-testid="reference-search" placeholder="memory, visibility, retries…" autocomplete="off"
                prop:value=move || q.get()
                on:input=move |ev| set_q.set(event_target_value(&ev).to_lowercase())/>
            <p class="muted" role="status" data-testid="reference-count">{move || match shown.get() {
                0 => "No field matches.".to_string(),
                1 => "1 field".to_string(),
                n => format!("{n} fields"),
            }}</p>
            {tables}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_finds_by_name_meaning_and_aws_name() {
        let find = |q: &str| -> Vec<&str> {
            FIELDS
                .iter()
                .filter(|d| matches(d, q))
                .map(|d| d.path)
                .collect()
        };
        assert_eq!(find("").len(), FIELDS.len());
        assert_eq!(
            find("visibility"),
            vec!["functions[].sqs.visibility_timeout_s"]
        );
        assert!(find("memorysize").contains(&"functions[].memory_mb"));
        assert!(find("maximum_batching_window_s").contains(&"functions[].sqs.batching_window_s"));
    }

    #[test]
    fn every_field_is_in_one_group() {
        let n: usize = groups().iter().map(|(_, d)| d.len()).sum();
        assert_eq!(n, FIELDS.len());
    }
}
