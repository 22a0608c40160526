//! The builder's editor as one download. With `cargo leptos build --split`, [`editor`] and
//! everything only it reaches (the edit queue, autosave, offline storage, undo, drag and drop,
//! the block renderers and every block kind's reader, the inspector and the side panels) go
//! into the wasm-split module `sp_editor`, which the builder's shell fetches as soon as it has
//! hydrated (`super::Builder`). Without `--split` (and on the server) it is an ordinary call.
//!
//! It is a `fallible` split point: a download that fails is an `Err` the shell shows with a
//! "Try again" button, not a panic, which would abort the whole WASM module and take the open
//! page with it. wasm-split does not remember failures, so the retry fetches again.
//!
//! The split point expands to an `unsafe extern "C"` import/export pair, which is why this
//! module allows `unsafe_code` (see app/Cargo.toml).
#![allow(unsafe_code)]

use leptos::wasm_split::{wasm_split, SplitLoaderError};

use super::editor_ui::{Boot, EditorUi};

/// The editor's download could not be fetched. Nothing is cached about the failure.
#[derive(Debug, Clone, Copy)]
pub struct ChunkUnavailable;

impl From<SplitLoaderError> for ChunkUnavailable {
    fn from(_: SplitLoaderError) -> Self {
        ChunkUnavailable
    }
}

/// Reads the page and starts the editor (`editor_ui::build`); `Ok(Err)` is a page that could
/// not be read.
#[wasm_split(sp_editor, wasm_split_path = ::leptos::wasm_split, preload(preload_editor), fallible)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn editor(boot: Boot) -> Result<Result<EditorUi, String>, ChunkUnavailable> {
    Ok(super::editor_ui::build(boot))
}
