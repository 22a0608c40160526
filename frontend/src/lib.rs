//! The browser bundle: hydrates the server-rendered app (builder and dashboard).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate();
}
