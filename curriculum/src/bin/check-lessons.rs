//! `check-lessons`: reads and checks a lessons folder, as the app's build does, and lists every
//! problem with the file, the line and the field.
//!
//! ```text
//! cargo run -q -p curriculum --bin check-lessons -- [DIR (default: lessons)]
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.as_slice() {
        [] => "lessons",
        [a] if a == "-h" || a == "--help" => {
            println!("usage: check-lessons [DIR (default: lessons)]");
            return ExitCode::SUCCESS;
        }
        [dir] => dir.as_str(),
        _ => {
            eprintln!("check-lessons: usage: check-lessons [DIR (default: lessons)]");
            return ExitCode::FAILURE;
        }
    };
    match curriculum::load_dir(std::path::Path::new(dir)) {
        Ok(catalog) => {
            let experiments: usize = catalog
                .lessons
                .iter()
                .map(|l| l.lesson.experiments.len())
                .sum();
            println!(
                "{dir}: {} lessons, {experiments} experiments, all checks pass",
                catalog.lessons.len()
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{dir}/{e}");
            }
            eprintln!("check-lessons: {} problem(s) in {dir}/", errors.len());
            ExitCode::FAILURE
        }
    }
}
