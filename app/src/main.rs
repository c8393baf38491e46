//! Lambda Lab's entry point: installs the panic hook and mounts the app.

use app::App;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
